"""Paired comparison of two runs of the same benchmark on their shared sample ids."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.errors import UserError
from magma_bench.metrics.stats import mcnemar_exact, paired_difference
from magma_bench.registry import make_benchmark
from magma_bench.run.store import load_run


def compare_runs(run_a: Path, run_b: Path, n_boot: int = 2000, seed: int = 0) -> dict[str, Any]:
    man_a, rec_a, _ = load_run(run_a)
    man_b, rec_b, _ = load_run(run_b)
    ia, ib = man_a["identity"], man_b["identity"]
    if ia["benchmark"] != ib["benchmark"]:
        raise UserError(f"runs are on different benchmarks ({ia['benchmark']} vs {ib['benchmark']})")
    bench = make_benchmark(ia["benchmark"], **ia.get("benchmark_args", {}))
    by_a = {r["id"]: r for r in rec_a}
    by_b = {r["id"]: r for r in rec_b}
    shared = sorted(set(by_a) & set(by_b))
    if not shared:
        raise UserError(f"{run_a} and {run_b} share no sample ids")
    ra = [by_a[i] for i in shared]
    rb = [by_b[i] for i in shared]
    ca, cb = bench.columns(ra), bench.columns(rb)
    out: dict[str, Any] = {
        "benchmark": ia["benchmark"], "a": ia["adapter"], "b": ib["adapter"], "n_shared": len(shared),
        "only_in_a": len(by_a) - len(shared), "only_in_b": len(by_b) - len(shared),
        "headline_a": bench.aggregate(ra).headline, "headline_b": bench.aggregate(rb).headline,
    }
    out.update(paired_difference(lambda w: bench.statistic(ca, w), lambda w: bench.statistic(cb, w),
                                 len(shared), n_boot=n_boot, seed=seed))
    va, vb = ca.get("v"), cb.get("v")
    if va is not None and vb is not None and np.isin(va, (0, 1)).all() and np.isin(vb, (0, 1)).all():
        out.update(mcnemar_exact(va, vb))
    return out
