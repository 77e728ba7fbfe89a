"""Sweep configuration: benchmarks x adapters, parsed from YAML into typed (pydantic) dataclasses.

Unknown or duplicate keys are errors (a typo must not silently change what runs), every value is
typed against its field (`magma_bench.config`: `batch_size: "16"` is read as 16, `limit: -5`
and `timeout_s: .nan` are errors, each one line naming the file and the field), and each
benchmark's and adapter's `args` are checked against its constructor (`magma_bench.typed_args`)
when the file is loaded, before anything runs.
"""

from __future__ import annotations

from dataclasses import field, fields
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass

from magma_bench.config import Bool, Float, Int, KnownKeys, NoneIsEmptyDict, YamlBool, expect, validate
from magma_bench.errors import UserError
from magma_bench.typed_args import adapter_args, benchmark_args, takes
from magma_bench.yaml_strict import load_yaml_strict

# A number given as text in YAML ("16") is read as a number, a YAML number where a name is wanted as
# its text; floats must be finite.
SWEEP = ConfigDict(extra="forbid", allow_inf_nan=False, coerce_numbers_to_str=True)
Count = Annotated[Int, Field(ge=1)]
Args = Annotated[dict[str, Any], NoneIsEmptyDict]  # typed later, against the constructor


@dataclass(config=SWEEP)
class BenchmarkSpec(KnownKeys):
    name: str
    split: str | None = None  # default: the benchmark's own split (`splits: [a, b]` in YAML: one entry per split)
    data_dir: str | None = None  # official data; None -> offline suite
    n: Annotated[Int, Field(ge=1)] | None = None  # offline suite size; None -> the benchmark's default_n
    limit: Annotated[Int, Field(ge=0)] | None = None  # evaluate only the first N samples
    args: Args = field(default_factory=dict)  # variant arguments (typed against the constructor)
    shards: Count | None = None  # Ray executor: split this benchmark's samples into N work units


@dataclass(config=SWEEP)
class _AdapterFields(KnownKeys):
    name: str
    args: Args = field(default_factory=dict)  # constructor arguments (checkpoint, ...)
    num_gpus: Annotated[Float, Field(ge=0)] = 0.0  # Ray executor: GPUs each worker of this adapter reserves
    num_cpus: Annotated[Float, Field(gt=0)] = 1.0  # Ray executor: CPUs each worker reserves
    workers: Count = 1  # Ray executor: workers (adapter copies) for this adapter; each loads it once
    trust_remote_code: YamlBool = False  # let this adapter run its checkpoint's Python code (a YAML bool only)


@dataclass(config=SWEEP)
class AdapterSpec(_AdapterFields):
    def __post_init__(self) -> None:
        # `args` are what the adapter is built with (sweep.run_config, the Ray workers); the opt-in
        # joins them only here, as the bool True, after the user's own `args` were checked.
        if self.trust_remote_code is True:
            self.args = {**self.args, "trust_remote_code": True}


@dataclass(config=SWEEP)
class SweepConfig(KnownKeys):
    benchmarks: Annotated[list[BenchmarkSpec], Field(min_length=1)]
    adapters: Annotated[list[AdapterSpec], Field(min_length=1)]
    out: str = "runs"  # run store root
    seed: Int = 0  # offline-suite and adapter seed
    batch_size: Count = 16
    timeout_s: Annotated[Float, Field(gt=0)] | None = None  # per adapter call; finite
    skip_unavailable: Bool = True  # skip (with the reason) what cannot run here instead of failing
    shards: Count = 1  # Ray executor: default work units per benchmark x adapter


# -- the file's own shape: entries may be a bare name, a benchmark entry may list `splits` -------------
def _named(v: Any) -> Any:
    return {"name": v} if isinstance(v, str) else v


@dataclass(config=SWEEP)
class BenchmarkEntry(BenchmarkSpec):
    # one entry per split, each checked against the benchmark's
    splits: Annotated[list[str], Field(min_length=1), expect("a non-empty list of split names")] | None = None

    def __post_init__(self) -> None:
        if self.splits is not None and self.split is not None:
            raise ValueError("give `split` or `splits`, not both")


@dataclass(config=SWEEP)
class SweepFile(SweepConfig):
    """A sweep YAML file as written (`json_schema(SweepFile)` is its schema); `load_sweep` resolves it."""

    benchmarks: Annotated[list[Annotated[BenchmarkEntry, BeforeValidator(_named)]], Field(min_length=1)]
    adapters: Annotated[list[Annotated[_AdapterFields, BeforeValidator(_named)]], Field(min_length=1)]


def _adapter(a: _AdapterFields, where: str, trust_all: bool) -> AdapterSpec:
    d = {f.name: getattr(a, f.name) for f in fields(_AdapterFields)}
    d["args"] = adapter_args(a.name, a.args, where=f"{where}.args")
    from magma_bench.registry import adapter_class

    cls = adapter_class(a.name)[0]
    if a.trust_remote_code and not takes(cls, "trust_remote_code"):
        raise UserError(f"{where}: adapter {a.name!r} runs no checkpoint code; remove trust_remote_code")
    if trust_all and takes(cls, "trust_remote_code"):
        d["trust_remote_code"] = True
    return AdapterSpec(**d)


def _build_benchmark(name: str, args: dict[str, Any], where: str) -> Any:
    """Build the benchmark once (cheap: no data, no browser, no simulator), so a value its
    constructor refuses (`category: bogus`) fails now, not when the sweep reaches it."""
    from magma_bench.registry import make_benchmark

    try:
        return make_benchmark(name, **args)
    except UserError as e:
        raise UserError(f"{where}: {e}") from None


def _benchmarks(b: BenchmarkEntry, where: str) -> list[BenchmarkSpec]:
    """An entry's specs, typed args: one per split in `splits` (each checked), else one."""
    d = {f.name: getattr(b, f.name) for f in fields(BenchmarkSpec)}
    d["args"] = benchmark_args(b.name, b.args, where=f"{where}.args")
    bench = _build_benchmark(b.name, d["args"], f"{where}.args")
    for x in b.splits or ():
        try:
            bench.check_split(x)
        except UserError as e:
            raise UserError(f"{where}.splits: {e}") from None
    return [BenchmarkSpec(**{**d, "split": s}) for s in (dict.fromkeys(b.splits) if b.splits else [b.split])]


def load_sweep(path: Path, trust_remote_code: bool = False) -> SweepConfig:
    """Parse and check a sweep config. `trust_remote_code` (the `sweep --trust-remote-code` flag)
    opts in every adapter that can run checkpoint code."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"sweep config {path} does not exist")
    raw = validate(SweepFile, load_yaml_strict(path.read_text(), path), str(path))
    top = {f.name: getattr(raw, f.name) for f in fields(SweepConfig)}
    top["benchmarks"] = [s for i, b in enumerate(raw.benchmarks) for s in _benchmarks(b, f"{path}: benchmarks[{i}]")]
    top["adapters"] = [_adapter(a, f"{path}: adapters[{i}]", trust_remote_code) for i, a in enumerate(raw.adapters)]
    return SweepConfig(**top)


__all__ = ["AdapterSpec", "BenchmarkEntry", "BenchmarkSpec", "SweepConfig", "SweepFile", "load_sweep"]
