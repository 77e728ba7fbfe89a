"""Run directories for the leaderboard tests: real POPE runs through magma_bench.run.runner, and
hand-written run directories (manifest + records + summary in the store's layout) for benchmarks
whose suites are too slow to generate in a unit test."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def write_run(root: Path, benchmark: str, adapter: str, records: list[dict[str, Any]], *, data: str = "offline",
              split: str = "test", metrics: dict[str, float] | None = None, headline: float | None = None,
              args: dict[str, Any] | None = None) -> Path:
    """A finished run directory as the store writes it; headline = mean accuracy unless given."""
    d = root / benchmark / split / f"{adapter}-fake{abs(hash((benchmark, adapter, data))) % 10**6:06d}"
    d.mkdir(parents=True)
    ident = {"benchmark": benchmark, "adapter": adapter, "split": split, "benchmark_args": args or {}}
    (d / "manifest.json").write_text(json.dumps({"schema": 1, "identity": ident, "data": data}))
    (d / "records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    acc = [r["scores"].get("accuracy", r["scores"].get("success", 0.0)) for r in records]
    h = 100.0 * float(np.mean(acc)) if headline is None else headline
    summary = {"schema": 1, "benchmark": benchmark, "split": split, "adapter": adapter, "n": len(records),
               "headline": h, "metrics": metrics or {}, "ci95": [h - 5.0, h + 5.0], "errors": 0, "data": data,
               "benchmark_args": args or {}, "run_dir": str(d)}
    (d / "summary.json").write_text(json.dumps(summary))
    return d


def screenspot_records(p_hit: dict[str, float], per_cell: int = 20, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    out = []
    for cell, p in p_hit.items():
        for i in range(per_cell):
            out.append({"id": f"{cell}-{i}", "scores": {"accuracy": float(rng.random() < p)},
                        "meta": {"cell": cell, "platform": cell.split("/")[0]}, "error": None})
    return out


def cell_metrics(records: list[dict[str, Any]]) -> dict[str, float]:
    by: dict[str, list[float]] = {}
    for r in records:
        by.setdefault(r["meta"]["cell"], []).append(r["scores"]["accuracy"])
    return {f"cell/{c}": 100.0 * float(np.mean(v)) for c, v in sorted(by.items())}


def pope_runs(tmp_path: Path) -> Callable[..., dict[str, Any]]:
    """run(adapter, data="offline"|"official", n=60, **RunConfig fields) -> summary. "official" runs
    the same generated suite copied without its offline marker, so the store labels it official.
    (A plain helper, not a fixture: a conftest.py here would shadow tests/conftest.py for
    `from conftest import ...` elsewhere.)"""
    runs = tmp_path / "runs"

    def _run(adapter: str, data: str = "offline", n: int = 60, **kw: Any) -> dict[str, Any]:
        data_dir = None
        if data == "official":
            src = run(RunConfig(benchmark="pope", adapter="null", n=n, out=tmp_path / "scratch", limit=1))["data_dir"]
            data_dir = tmp_path / "official_pope"
            if not data_dir.exists():
                shutil.copytree(src, data_dir)
                (data_dir / "MAGMA_BENCH_GENERATED.json").unlink()
        return run(RunConfig(benchmark="pope", adapter=adapter, n=n, out=runs, data_dir=data_dir, **kw))

    _run.root = runs  # type: ignore[attr-defined]
    return _run
