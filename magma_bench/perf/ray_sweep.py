"""Ray executor figures for `make perf`: the same sweep through the local and the Ray executor
(cluster already started, so start-up is excluded and reported apart)."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from magma_bench.execute.sweep_config import AdapterSpec, BenchmarkSpec, SweepConfig


def _cfg(out: Path, shards: int, workers: int) -> SweepConfig:
    return SweepConfig(benchmarks=[BenchmarkSpec(name="pope", n=1620)],
                       adapters=[AdapterSpec(name="random", args={"delay_s": 0.02}, workers=workers)],
                       out=str(out), batch_size=8, shards=shards)


def figures() -> dict[str, float]:
    import ray

    from magma_bench.execute.ray_executor import run_ray
    from magma_bench.execute.sweep import run_local

    quiet = lambda _line: None  # noqa: E731
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as t:
        tmp = Path(t)
        os.environ["MAGMA_BENCH_DATA"] = str(tmp / "data")
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")
        t0 = time.perf_counter()
        run_local(_cfg(tmp / "warm", 1, 1), None, quiet)  # generates the offline suite once
        t0 = time.perf_counter()
        run_local(_cfg(tmp / "local", 1, 1), None, quiet)
        local = time.perf_counter() - t0
        t0 = time.perf_counter()
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, _node_ip_address="127.0.0.1")
        out["ray_init_s"] = time.perf_counter() - t0
        try:
            _, one = run_ray(_cfg(tmp / "ray1", 1, 1), None, quiet)
            _, many = run_ray(_cfg(tmp / "ray16", 16, 1), None, quiet)
            _, two = run_ray(_cfg(tmp / "ray2w", 4, 2), None, quiet)
        finally:
            ray.shutdown()
    out["sweep_local_wall_s"] = local
    out["ray_vs_local_wall_ratio_1worker"] = local / one["wall_s"]
    out["ray_vs_local_wall_ratio_2workers"] = local / two["wall_s"]
    out["ray_shard_overhead_s_per_unit"] = max(0.0, (many["wall_s"] - one["wall_s"]) / 15)
    return out
