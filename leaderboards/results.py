"""Finished runs as typed results, plus sub-metric confidence intervals recomputed from records.

`magma_bench.report.tables.collect_rows` gives the headline of each run; the leaderboards also need the
sub-metrics (ScreenSpot's `cell/mobile/text`, a tabletop's `task/pick_coke_can`) and a CI for
each. A sub-metric's CI is recomputed from records.jsonl with the benchmark's own statistic on
the matching records, and only reported when that recomputation reproduces the stored number,
so a CI is never attached to a number it was not computed for.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from magma_bench.report.run_labels import adapter_labels, base_label
from magma_bench.report.tables import collect_rows


@dataclass
class RunResult:
    benchmark: str
    adapter: str
    split: str | None
    variant: str  # benchmark arguments, "k=v,..." ("" for the default)
    data: str  # "official" | "offline"
    n: int
    headline: float
    ci95: tuple[float | None, float | None]
    metrics: dict[str, float]
    run_dir: Path
    args: dict[str, Any] = field(default_factory=dict)
    errors: int = 0
    adapter_args: dict[str, Any] = field(default_factory=dict)  # the adapter's describe()["args"]
    seed: int = 0
    adapter_describe: dict[str, Any] = field(default_factory=dict)  # the adapter's whole describe()
    label: str = ""  # set by load_results (run_labels.adapter_labels): unique per configuration

    @property
    def domain(self) -> str:
        return domain_of(self.benchmark)

    @property
    def measured(self) -> bool:
        """False when every sample errored (e.g. `oracle` on LIBERO, which has no expert): shown as n/a, not 0."""
        return self.errors < self.n

    @property
    def adapter_label(self) -> str:
        """The adapter name plus its arguments and seed, so two configurations are never shown as
        one; load_results adds whatever else in describe() tells two runs apart."""
        return self.label or base_label(self.adapter, self.adapter_args, self.seed)


@cache
def domain_of(benchmark: str) -> str:
    """The benchmark class's own `domain`, looked up through the registry (plugins included), so
    the leaderboard never keeps a second map that drifts; "other" for a name not registered here,
    a family whose variants disagree, or a plugin that does not import (it must not break the page)."""
    from magma_bench.registry import benchmark_class, benchmark_entries

    # a paper family name (`simplerenv`, `libero`) stands for its registered variants
    names = [benchmark] if benchmark in benchmark_entries() else \
        [n for n in benchmark_entries() if n.startswith(f"{benchmark}_")]
    domains = set()
    for name in names:
        try:
            domains.add(str(getattr(benchmark_class(name)[0], "domain", "other")))
        except Exception:  # noqa: BLE001 - a plugin that does not import
            domains.add("other")
    return domains.pop() if len(domains) == 1 else "other"


def _clean_ci(ci: Any) -> tuple[float | None, float | None]:
    if not isinstance(ci, (list, tuple)) or len(ci) != 2:
        return (None, None)
    out = []
    for x in ci:
        out.append(None if x is None or x != x else float(x))  # NaN -> None
    return (out[0], out[1])


def load_results(runs_root: Path) -> list[RunResult]:
    """Every finished run under runs_root with at least one record and a finite headline (sorted as
    collect_rows sorts them): an empty run has no number to show."""
    out: list[RunResult] = []
    for row in collect_rows(Path(runs_root)):
        h = row.get("headline")
        if not row.get("n") or not isinstance(h, (int, float)) or h != h:
            continue
        summary = json.loads((Path(row["run_dir"]) / "summary.json").read_text())
        out.append(RunResult(
            benchmark=row["benchmark"], adapter=row["adapter"], split=row.get("split"), variant=row["variant"],
            data=row["data"], n=int(row["n"]), headline=float(row["headline"]), ci95=_clean_ci(row["ci95"]),
            metrics={k: float(v) for k, v in (summary.get("metrics") or {}).items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)},
            run_dir=Path(row["run_dir"]), args=dict(summary.get("benchmark_args") or {}),
            errors=int(row.get("errors") or 0),
            adapter_args=dict(((summary.get("adapter_describe") or {}).get("args")) or {}),
            seed=int(summary.get("seed") or 0), adapter_describe=dict(summary.get("adapter_describe") or {})))
    return with_labels(out)


def with_labels(results: list[RunResult]) -> list[RunResult]:
    """Give each result its unique configuration label (in place; returned for chaining)."""
    labels = adapter_labels([(r.adapter, r.adapter_describe or {"args": r.adapter_args}, r.seed) for r in results])
    for r, label in zip(results, labels, strict=True):
        r.label = label
    return results


def _macro_mean(bench: Any, key: str) -> Any:
    """The benchmark's declared `Mean` that reports the plain score `key` as a mean of per-group
    means (`over`, e.g. Mind2Web's Op.F1 per op type), or None: the grouping is declared once,
    in the benchmark's `metrics`, and read from there."""
    from magma_bench.metrics.declare import Mean

    for m in getattr(bench, "metrics", ()):
        if (isinstance(m, Mean) and m.score == key and m.name in (None, key)
                and m.over is not None and not m.by):
            return m
    return None


def _part(bench: Any, records: list[dict], key: str) -> tuple[int, Any] | None:
    """(n, statistic over bootstrap weights) for one sub-metric key: `<meta field>/<value>` is the
    benchmark's own statistic on the matching records; a plain per-sample score key (Mind2Web's
    `element_acc`) is its mean in percent over all records, or the declared macro mean over groups
    when the benchmark declares one for that key (Mind2Web's `op_f1`, per op type)."""
    import numpy as np

    from magma_bench.metrics.stats import weighted_mean

    bits = key.split("/")
    for i in range(1, len(bits)):
        field_, value = "/".join(bits[:i]), "/".join(bits[i:])
        sub = [r for r in records if str((r.get("meta") or {}).get(field_)) == value]
        if sub:
            cols = bench.columns(sub)
            return len(sub), lambda w, cols=cols: bench.statistic(cols, w)
    if records and all(key in (r.get("scores") or {}) for r in records):
        v = np.array([float(r["scores"][key]) for r in records], dtype=np.float64)
        macro = _macro_mean(bench, key)
        if macro is not None:
            cols = macro.columns(records)
            return len(records), lambda w, cols=cols: macro.statistic(cols, w)
        return len(records), lambda w: 100.0 * weighted_mean(v, w)
    return None


def submetric_ci(result: RunResult, keys: tuple[str, ...], n_boot: int = 1000,
                 seed: int = 0) -> tuple[int | None, tuple[float | None, float | None], float | None]:
    """(n, 95% CI, value) of a sub-metric, or of the mean of several (open + close drawer),
    recomputed from the run's records (see `_part`); (None, (None, None), None) when a key cannot
    be reproduced from the records to within 1e-6 of the stored number."""
    import numpy as np

    from magma_bench.metrics.stats import bootstrap_weights
    from magma_bench.registry import make_benchmark
    from magma_bench.run.store import load_run

    none: tuple[None, tuple[None, None], None] = (None, (None, None), None)
    try:
        _, records, _ = load_run(result.run_dir)
        bench = make_benchmark(result.benchmark, **result.args)
    except Exception:
        return none
    parts = []
    for key in keys:
        got = _part(bench, records, key)
        if got is None:
            return none
        n, stat = got
        point = float(stat(np.ones((1, n), dtype=np.float32))[0])
        if key in result.metrics and abs(point - result.metrics[key]) > 1e-6:
            return none
        parts.append((n, stat, point))
    # each part resampled on its own records; a mean of parts averages their replicates
    reps = [np.concatenate([stat(w) for w in bootstrap_weights(n, n_boot, seed + j)])
            for j, (n, stat, _) in enumerate(parts)]
    lo, hi = np.quantile(np.mean(reps, axis=0), [0.025, 0.975])
    return sum(p[0] for p in parts), (float(lo), float(hi)), float(np.mean([p[2] for p in parts]))
