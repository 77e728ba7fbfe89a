"""`make perf` figures for the spatial and VL domains: harness throughput, samples per second of
loading + prompting + parsing + scoring + aggregating with the null adapter, on each registered
benchmark's offline suite (generation is not timed). No model runs, so this measures the
harness's own cost per sample; one-off imports are paid before timing."""

from __future__ import annotations

import tempfile
from pathlib import Path


def _throughput(name: str, n: int, root: Path) -> tuple[int, float]:
    from magma_bench.perf.harness import null_pass
    from magma_bench.registry import make_benchmark

    bench = make_benchmark(name)
    data = root / name
    data.mkdir(parents=True)
    bench.generate(data, n, 0)
    return null_pass(bench, data)


def figures(n: int = 120) -> dict[str, float]:
    """samples/s per benchmark and per domain (total samples / total time)."""
    import importlib.util

    from magma_bench.benchmarks.spatial import BENCHMARKS as SPATIAL
    from magma_bench.benchmarks.vl import BENCHMARKS as VL

    if importlib.util.find_spec("datasets"):  # one-off import cost (~1 s) is not per-sample cost
        import datasets  # noqa: F401

    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="magma-perf-") as tmp:
        for domain, table in (("spatial", SPATIAL), ("vl", VL)):
            total_n, total_s = 0, 0.0
            for name in table:
                k, secs = _throughput(name, n, Path(tmp) / domain)
                out[f"{domain}/{name}_samples_per_s"] = k / secs
                total_n, total_s = total_n + k, total_s + secs
            out[f"{domain}_samples_per_s"] = total_n / total_s if total_s else 0.0
    return out


if __name__ == "__main__":
    for k, v in figures().items():
        print(f"{k:45s} {v:10.1f}")
