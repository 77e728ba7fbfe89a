"""Sweep configuration: benchmarks x adapters, parsed from YAML into typed dataclasses.

Unknown or duplicate keys are errors (a typo must not silently change what runs), every value is
typed against its field (`magma_bench.typed_args`: `batch_size: "16"` is read as 16, `limit: -5`
and `timeout_s: .nan` are errors), and each benchmark's and adapter's `args` are checked against
its constructor when the file is loaded, before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from magma_bench.errors import UserError
from magma_bench.typed_args import Range, adapter_args, benchmark_args, coerce_args, takes
from magma_bench.yaml_strict import load_yaml_strict

Count = Annotated[int, Range(min=1)]


@dataclass
class BenchmarkSpec:
    name: str
    split: str | None = None  # default: the benchmark's own split (`splits: [a, b]` in YAML: one entry per split)
    data_dir: str | None = None  # official data; None -> offline suite
    n: Annotated[int | None, Range(min=1)] = None  # offline suite size; None -> the benchmark's default_n
    limit: Annotated[int | None, Range(min=0)] = None  # evaluate only the first N samples
    args: dict[str, Any] = field(default_factory=dict)  # variant arguments (typed against the constructor)
    shards: Annotated[int | None, Range(min=1)] = None  # Ray executor: split this benchmark's samples into N work units


@dataclass
class AdapterSpec:
    name: str
    args: dict[str, Any] = field(default_factory=dict)  # constructor arguments (checkpoint, ...)
    num_gpus: Annotated[float, Range(min=0)] = 0.0  # Ray executor: GPUs each worker of this adapter reserves
    num_cpus: Annotated[float, Range(min=0, min_open=True)] = 1.0  # Ray executor: CPUs each worker reserves
    workers: Count = 1  # Ray executor: workers (adapter copies) for this adapter; each loads it once
    trust_remote_code: bool = False  # let this adapter run its checkpoint's Python code (a YAML bool only)

    def __post_init__(self) -> None:
        # `args` are what the adapter is built with (sweep.run_config, the Ray workers); the opt-in
        # joins them only here, as the bool True, after the user's own `args` were checked.
        if self.trust_remote_code is True:
            self.args = {**self.args, "trust_remote_code": True}


@dataclass
class SweepConfig:
    benchmarks: list[BenchmarkSpec]
    adapters: list[AdapterSpec]
    out: str = "runs"  # run store root
    seed: int = 0  # offline-suite and adapter seed
    batch_size: Count = 16
    timeout_s: Annotated[float | None, Range(min=0, min_open=True)] = None  # per adapter call; finite
    skip_unavailable: bool = True  # skip (with the reason) what cannot run here instead of failing
    shards: Count = 1  # Ray executor: default work units per benchmark x adapter


def _spec(cls: type, raw: Any, where: str, nested: tuple[str, ...] = ()) -> dict[str, Any]:
    """A mapping's keys and scalar values checked against `cls`'s fields (nested lists are
    checked by the caller)."""
    if isinstance(raw, str) and cls in (BenchmarkSpec, AdapterSpec):
        raw = {"name": raw}
    if not isinstance(raw, dict):
        raise UserError(f"{where}: expected a mapping, got {type(raw).__name__}")
    if cls is not SweepConfig and not isinstance(raw.get("name"), str):
        raise UserError(f"{where}: `name` (a registered name) is required")
    if "args" in raw and not isinstance(raw["args"], dict):
        raise UserError(f"{where}: `args` must be a mapping of argument: value")
    flat = {k: v for k, v in raw.items() if k not in nested}
    return {**raw, **coerce_args(cls, flat, where, noun="key")}


def _adapter(raw: Any, where: str, trust_all: bool) -> AdapterSpec:
    d = _spec(AdapterSpec, raw, where)
    name = d["name"]
    if "trust_remote_code" in d and not isinstance(raw.get("trust_remote_code"), bool):
        raise UserError(f"{where}: trust_remote_code must be the YAML bool true or false (unquoted), "
                        f"got {raw['trust_remote_code']!r}")
    d["args"] = adapter_args(name, d.get("args") or {}, where=f"{where}.args")
    from magma_bench.registry import adapter_class

    cls = adapter_class(name)[0]
    if d.get("trust_remote_code") and not takes(cls, "trust_remote_code"):
        raise UserError(f"{where}: adapter {name!r} runs no checkpoint code; remove trust_remote_code")
    if trust_all and takes(cls, "trust_remote_code"):
        d["trust_remote_code"] = True
    return AdapterSpec(**d)


def _build_benchmark(name: str, args: dict[str, Any], where: str) -> None:
    """Build the benchmark once (cheap: no data, no browser, no simulator), so a value its
    constructor refuses (`category: bogus`) fails now, not when the sweep reaches it."""
    from magma_bench.registry import make_benchmark

    try:
        make_benchmark(name, **args)
    except UserError as e:
        raise UserError(f"{where}: {e}") from None


def _splits(d: dict[str, Any], where: str) -> list[str | None]:
    """An entry's splits: `splits: [...]` (each checked against the benchmark's), else its `split`."""
    if "splits" not in d:
        return [d.get("split")]
    splits = d.pop("splits")
    if "split" in d:
        raise UserError(f"{where}: give `split` or `splits`, not both")
    if not isinstance(splits, list) or not splits or not all(isinstance(x, str) for x in splits):
        raise UserError(f"{where}: `splits` must be a non-empty list of split names")
    from magma_bench.registry import make_benchmark

    bench = make_benchmark(d["name"], **d["args"])
    for x in splits:
        try:
            bench.check_split(x)
        except UserError as e:
            raise UserError(f"{where}.splits: {e}") from None
    return list(dict.fromkeys(splits))


def load_sweep(path: Path, trust_remote_code: bool = False) -> SweepConfig:
    """Parse and check a sweep config. `trust_remote_code` (the `sweep --trust-remote-code` flag)
    opts in every adapter that can run checkpoint code."""
    path = Path(path)
    if not path.exists():
        raise UserError(f"sweep config {path} does not exist")
    raw = load_yaml_strict(path.read_text(), path)
    if not isinstance(raw, dict):
        raise UserError(f"{path}: expected a mapping at the top level")
    for key in ("benchmarks", "adapters"):
        if not isinstance(raw.get(key), list) or not raw[key]:
            raise UserError(f"{path}: `{key}` must be a non-empty list")
    top = _spec(SweepConfig, raw, str(path), nested=("benchmarks", "adapters"))
    benches = []
    for i, b in enumerate(raw["benchmarks"]):
        where = f"{path}: benchmarks[{i}]"
        d = _spec(BenchmarkSpec, b, where, nested=("splits",))
        d["args"] = benchmark_args(d["name"], d.get("args") or {}, where=f"{where}.args")
        _build_benchmark(d["name"], d["args"], f"{where}.args")
        benches += [BenchmarkSpec(**{**d, "split": s}) for s in _splits(d, where)]
    top["benchmarks"] = benches
    top["adapters"] = [_adapter(a, f"{path}: adapters[{i}]", trust_remote_code) for i, a in enumerate(raw["adapters"])]
    return SweepConfig(**top)
