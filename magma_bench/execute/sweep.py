"""Sweeps: benchmarks x adapters from a SweepConfig, run by an executor.

`local` runs each benchmark x adapter in this process, one after another. `ray` splits each into
shards (work units) run by Ray actors that load their adapter once and reuse it; every shard writes
into the same run directory (its own shard file), so the run store's resume works across workers,
and a final pass per benchmark x adapter folds the shards into records.jsonl in sample order —
exactly the records a local run writes.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from magma_bench.errors import UserError
from magma_bench.execute.sweep_config import AdapterSpec, BenchmarkSpec, SweepConfig
from magma_bench.run.evaluator import RunConfig

Report = Callable[[str], None]


@dataclass(frozen=True)
class Pair:
    bench: BenchmarkSpec
    adapter: AdapterSpec

    @property
    def label(self) -> str:
        return f"{self.bench.name} × {self.adapter.name}"


def run_config(cfg: SweepConfig, pair: Pair, out: Path | None = None) -> RunConfig:
    b, a = pair.bench, pair.adapter
    return RunConfig(benchmark=b.name, adapter=a.name, split=b.split,
                     data_dir=Path(b.data_dir) if b.data_dir else None, out=out or Path(cfg.out),
                     limit=b.limit, seed=cfg.seed, n=b.n, batch_size=cfg.batch_size, timeout_s=cfg.timeout_s,
                     benchmark_args=b.args, adapter_args=a.args)


def benchmark_facts(name: str, args: dict[str, Any]) -> tuple[frozenset[Any], Any]:
    """(capabilities the variant needs, the ActionSpec its actions take or None), from one cheap
    build of the variant (constructors import no simulator). The spec is None for a benchmark without
    one (static suites), one that is not an ActionSpec, or bad arguments (the run reports those);
    the capabilities then fall back to the class's declaration."""
    from magma_bench.action_spec import ActionSpec
    from magma_bench.registry import benchmark_class, make_benchmark

    try:
        bench = make_benchmark(name, **args)
    except UserError:
        return getattr(benchmark_class(name)[0], "needs", frozenset()), None
    spec = getattr(bench, "action_spec", None)
    return bench.required_capabilities(), spec if isinstance(spec, ActionSpec) else None


def capability_gap(bench: str, needs: frozenset[Any], adapter: str) -> str:
    """Why `adapter` cannot run `bench` ("" when it can): what the benchmark needs that the
    adapter's class does not declare in `capabilities` (an adapter declaring none is not judged)."""
    from magma_bench.registry import adapter_class

    has = getattr(adapter_class(adapter)[0], "capabilities", None)
    missing = needs - has if has is not None else frozenset()
    if not missing:
        return ""
    return (f"{bench} needs {', '.join(sorted(missing))}, which adapter {adapter} does not declare "
            f"(it declares {', '.join(sorted(has)) or 'nothing'})")


def units_gap(bench: str, env: Any, adapter: str, args: dict[str, Any]) -> str:
    """Why `adapter`'s actions cannot drive `bench` ("" when they can): the units they come out in
    (`Adapter.output_action_spec`, answered from the adapter's arguments, e.g. a checkpoint's JSON)
    differ from those of the env's ActionSpec `env`, and units are never converted (action_spec.
    convert would refuse every step). Not judged ("") when either side cannot tell (None)."""
    from magma_bench.action_spec import UNIT_WORDS
    from magma_bench.registry import adapter_class

    if env is None:
        return ""
    cls, kwargs = adapter_class(adapter)
    ask = getattr(cls, "output_action_spec", None)
    try:
        out = ask({**kwargs, **args}, env) if ask is not None else None
    except UserError:  # bad arguments: the run reports them
        return ""
    if out is None or out.units == env.units:
        return ""
    words = UNIT_WORDS.get(env.units, env.units)
    fix = (f"give a checkpoint with statistics for {env.unnorm_key} (unnorm_key)" if env.unnorm_key
           else f"give an adapter whose actions are in {words}")
    return (f"adapter {adapter} emits {UNIT_WORDS.get(out.units, out.units)} ({out.name}) and {bench} "
            f"takes {words}; units are not converted: {fix}")


def pair_gap(bench: str, facts: tuple[frozenset[Any], Any], adapter: str, args: dict[str, Any]) -> str:
    """Why `adapter` (built with `args`) cannot run `bench` ("" when it can), given the benchmark
    variant's `benchmark_facts`: a missing capability first, then arguments that cannot drive an
    env, then mismatched action units. The sweep planner and `magma-bench run` both ask this."""
    needs, spec = facts
    return capability_gap(bench, needs, adapter) or env_gap(bench, spec, adapter, args) or \
        units_gap(bench, spec, adapter, args)


def env_gap(bench: str, env: Any, adapter: str, args: dict[str, Any]) -> str:
    """Why `adapter` with `args` cannot drive the closed-loop `bench` ("" when it can, or when
    `bench` asks questions: `env` None): the adapter's own `env_gap`."""
    from magma_bench.registry import adapter_class

    if env is None:
        return ""
    cls, kwargs = adapter_class(adapter)
    why = cls.env_gap({**kwargs, **args}) if hasattr(cls, "env_gap") else ""
    return f"adapter {adapter}: {why}" if why else ""


def plan(cfg: SweepConfig, report: Report) -> Iterator[Pair]:
    """The runnable benchmark x adapter pairs; what cannot run here is skipped with its reason
    (or is an error when the config says skip_unavailable: false), and so is a pair whose adapter
    lacks a capability the benchmark needs (a text-only model and a robot environment) or emits
    actions in units the environment does not take (metres on LIBERO's normalised controller):
    those two are skipped whatever skip_unavailable says (they are not about this machine)."""
    from magma_bench.registry import adapter_class, benchmark_class

    adapters = []
    for a in cfg.adapters:
        ok, why = adapter_class(a.name)[0].availability()
        if ok:
            adapters.append(a)
        elif cfg.skip_unavailable:
            report(f"skip adapter {a.name}: {why}")
        else:
            raise UserError(f"adapter {a.name!r} cannot run here: {why}")
    for b in cfg.benchmarks:
        ok, why = benchmark_class(b.name)[0].availability()
        if not ok:
            if not cfg.skip_unavailable:
                raise UserError(f"benchmark {b.name!r} cannot run here: {why}")
            report(f"skip benchmark {b.name}: {why}")
            continue
        facts = benchmark_facts(b.name, b.args)
        for a in adapters:
            gap = pair_gap(b.name, facts, a.name, a.args)
            if gap:
                report(f"skip {b.name} × {a.name}: {gap}")
                continue
            yield Pair(b, a)


def shard_slice(items: list[Any], shard: int, num_shards: int) -> list[Any]:
    """Contiguous shard `shard` of `num_shards` (sizes differ by at most one)."""
    n = len(items)
    return items[shard * n // num_shards:(shard + 1) * n // num_shards]


def run_local(cfg: SweepConfig, out: Path | None, report: Report, progress: Any = None) -> list[dict]:
    """Each pair in this process. A failing pair is recorded with a one-line reason and the sweep
    goes on; the failures are listed at the end and the sweep then fails (non-zero exit)."""
    from magma_bench.run.runner import all_errored, run

    summaries: list[dict] = []
    failures: list[str] = []
    total = 0
    for pair in plan(cfg, report):
        total += 1
        try:
            if progress is not None:
                with progress(pair.label) as hook:
                    s = run(run_config(cfg, pair, out), progress=hook)
            else:
                s = run(run_config(cfg, pair, out))
        except Exception as e:  # noqa: BLE001 - one failing pair must not stop the sweep
            why = failure_reason(e, Path(out or cfg.out))
            failures.append(f"{pair.label}: {why}")
            report(f"failed {pair.label}: {why}")
            continue
        summaries.append(s)
        report(summary_line(pair.label, s))
        failed = all_errored(s)
        if failed:
            failures.append(f"{pair.label}: {failed}")
    report_failures(failures, total, report)
    return summaries


def failure_reason(e: BaseException, out: Path) -> str:
    """One line for a failed pair. A user error (bad data, a full disk) is its message; anything
    else is likely a bug, so its traceback is appended to <out>/sweep-errors.log and named."""
    from magma_bench.errors import environment_error

    if isinstance(e, UserError):
        return str(e).strip().replace("\n", " ")
    line = environment_error(e)
    if line is not None:
        return line
    why = f"{type(e).__name__}: {e}".strip().splitlines()[0][:300]
    log = out / "sweep-errors.log"
    try:
        out.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as f:
            f.write("".join(traceback.format_exception(e)) + "\n")
    except OSError:
        return why
    return f"{why} (traceback in {log})"


def report_failures(failures: list[str], total: int, report: Report) -> None:
    """List every failed pair ("<pair>: <reason>") and fail the sweep; nothing when none failed."""
    if not failures:
        return
    report(f"failed: {len(failures)} of {total} sweep unit(s):")
    for line in failures:
        report(f"failed   {line}")
    raise UserError(f"{len(failures)} of {total} sweep unit(s) failed (listed above); "
                    f"fix them and re-run the sweep: finished pairs are kept")


def summary_line(label: str, s: dict) -> str:
    if s["headline"] is None:
        return f"{label}: n/a n={s['n']} errors={s['errors']}"
    lo, hi = s["ci95"]
    ci = f"[{lo:.2f}, {hi:.2f}]" if lo is not None else "[–]"
    line = f"{label}: {s['headline']:.2f} {ci} n={s['n']} errors={s['errors']}"
    return line + "".join(f"  WARNING: {w}" for w in s.get("warnings", []))
