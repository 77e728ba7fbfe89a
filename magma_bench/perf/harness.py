"""`make perf`: performance figures measured side by side in one run, printed and saved as JSON.

Harness figures are measured here; domain modules contribute theirs through a
`figures() -> dict[str, float]` function (model/perf.py, benchmarks/<domain>/perf.py), each run
in isolation so one missing optional dependency does not hide the others.
"""

from __future__ import annotations

import argparse
import importlib
import json
import tempfile
import time
from dataclasses import replace
from pathlib import Path

DOMAIN_FIGURES = (
    "magma_bench.model.perf",
    "magma_bench.benchmarks.ui.perf",
    "magma_bench.benchmarks.robotics.perf",
    "magma_bench.benchmarks.spatial.perf",
    "magma_bench.benchmarks.video.perf",
    "magma_bench.trainer.perf",
    "magma_bench.perf.ray_sweep",
    "magma_bench.perf.rollout",
    "magma_bench.perf.lmms",
)


def null_pass(bench: object, data_dir: Path) -> tuple[int, float]:
    """(samples, seconds) to load a suite, build every request, answer with the null adapter,
    parse, score and aggregate: the harness cost of a benchmark, shared by the domain perf modules."""
    from magma_bench.adapters.baselines import NullAdapter
    from magma_bench.run.evaluator import make_record

    adapter = NullAdapter()
    t0 = time.perf_counter()
    samples = bench.load(data_dir, bench.default_split)  # type: ignore[attr-defined]
    records = []
    for start in range(0, len(samples), 16):
        batch = samples[start:start + 16]
        reqs = [bench.request(s) for s in batch]  # type: ignore[attr-defined]
        for s, text in zip(batch, adapter.generate(reqs), strict=True):
            rec = make_record(bench, s, text, None)  # type: ignore[arg-type]
            if rec["error"]:  # a figure measured past a broken parser or scorer would mislead
                raise RuntimeError(f"{s.id}: {rec['error']}")
            records.append(rec)
    bench.aggregate(records)  # type: ignore[attr-defined]
    return len(samples), time.perf_counter() - t0


def _pope_samples(n: int, tmp: Path) -> tuple[object, list]:
    from magma_bench.registry import make_benchmark

    bench = make_benchmark("pope")
    d = tmp / "pope"
    d.mkdir()
    bench.generate(d, 540, seed=0)
    base = bench.load(d, "test")
    samples = [replace(base[i % len(base)], id=f"{i}") for i in range(n)]
    return bench, samples


def harness_figures(n: int = 10000) -> dict[str, float]:
    """Per-sample overhead of request -> null adapter -> parse -> score -> record write (data
    already loaded), and the cost of skipping 10k recorded samples on resume."""
    from magma_bench.adapters.baselines import NullAdapter
    from magma_bench.run.evaluator import run_samples
    from magma_bench.run.records import SCHEMA_VERSION
    from magma_bench.run.store import RunStore

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        bench, samples = _pope_samples(n, tmp)
        store = RunStore(tmp / "run")
        done = store.open({"schema": SCHEMA_VERSION})
        t0 = time.perf_counter()
        recs = run_samples(bench, NullAdapter(), samples, store, done, batch_size=64, timeout_s=None)
        wall = time.perf_counter() - t0
        store.close()
        model_s = sum(r["timing"]["model_s"] for r in recs)
        out["harness_overhead_ms_per_sample"] = 1000.0 * (wall - model_s) / n
        out["harness_samples_per_s_null_adapter"] = n / wall
        # resume: reopen the store holding n records and skip the first 10k samples
        k = min(10000, n)
        t0 = time.perf_counter()
        store = RunStore(tmp / "run")
        done = store.open({"schema": SCHEMA_VERSION})
        run_samples(bench, NullAdapter(), samples[:k], store, done, batch_size=64, timeout_s=None)
        store.close()
        out["resume_skip_10k_s"] = (time.perf_counter() - t0) * (10000 / k)
    return out


def collect(skip_domains: bool = False) -> tuple[dict[str, float], dict[str, str]]:
    figures = harness_figures()
    skipped: dict[str, str] = {}
    if not skip_domains:
        for mod in DOMAIN_FIGURES:
            try:
                fn = importlib.import_module(mod).figures
            except ModuleNotFoundError as e:
                skipped[mod] = f"not available ({e.name})"
                continue
            try:
                figures.update({k: float(v) for k, v in fn().items()})
            except Exception as e:  # report, keep the other figures
                skipped[mod] = f"{type(e).__name__}: {e}"[:200]
    return figures, skipped


def build_parser() -> argparse.ArgumentParser:
    """The options of `make perf` (also `magma-bench perf`, built from this parser)."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=Path("runs/perf/latest.json"))
    ap.add_argument("--harness-only", action="store_true")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    figures, skipped = collect(skip_domains=args.harness_only)
    from rich.console import Console
    from rich.table import Table

    t = Table(title="magma-bench perf")
    t.add_column("figure")
    t.add_column("value", justify="right")
    for k in sorted(figures):
        t.add_row(k, f"{figures[k]:.4g}")
    Console().print(t)
    for mod, why in skipped.items():
        print(f"skipped {mod}: {why}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
