"""The Ray executor for sweeps: work units = (benchmark shard x adapter) on Ray actors.

- One actor pool per adapter spec; each actor builds its adapter once (declared `num_gpus` /
  `num_cpus`) and runs many shards with it.
- A unit evaluates its slice of samples into the shared run directory (its own shard file);
  Ray restarts a dead actor and retries its unit (`max_restarts`, `max_task_retries`), and the
  run store skips what the dead worker had already recorded, so nothing is lost or duplicated.
- When all shards of a benchmark x adapter are done, a final `run()` on one actor finds every
  sample recorded, folds the shards into records.jsonl in sample order and writes summary.json.
- If the driver dies, re-running the sweep resumes from the run store the same way.
"""

from __future__ import annotations

import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency, UserError
from magma_bench.execute.sweep import Report, plan, report_failures, run_config, summary_line
from magma_bench.execute.sweep_config import SweepConfig


def _ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingDependency("the ray executor needs Ray: pip install 'magma-bench[ray]'") from None
    return ray


class SweepWorker:
    """Holds one adapter for its lifetime; runs shards and final passes with it."""

    def __init__(self, adapter_name: str, adapter_args: dict[str, Any], seed: int) -> None:
        from magma_bench.registry import make_adapter

        self.adapter = make_adapter(adapter_name, seed=seed, **adapter_args)

    def pid(self) -> int:
        import os

        return os.getpid()

    def run_shard(self, rc: Any, shard: int, num_shards: int) -> dict[str, Any]:
        from magma_bench.execute.sweep import shard_slice
        from magma_bench.run.runner import execute, prepare

        t0 = time.perf_counter()
        p = prepare(rc, self.adapter)
        items = shard_slice(p.items, shard, num_shards)
        _, resumed = execute(p, self.adapter, items, shard=f"{shard:05d}-of-{num_shards:05d}")
        return {"n": len(items), "resumed": resumed, "wall_s": time.perf_counter() - t0}

    def finish(self, rc: Any) -> dict[str, Any]:
        from magma_bench.run.runner import run

        return run(rc, adapter=self.adapter)


def run_ray(cfg: SweepConfig, out: Path | None, report: Report, address: str | None = None,
            num_cpus: int | None = None, max_retries: int = 3) -> tuple[list[dict], dict[str, float]]:
    """Run the sweep on Ray (a local cluster when `address` is None). Returns the summaries and
    scheduling statistics (units, wall time, per-unit overhead)."""
    ray = _ray()
    t0 = time.perf_counter()
    if not ray.is_initialized():
        if address is None:  # a local cluster, on loopback only
            ray.init(num_cpus=num_cpus, include_dashboard=False, log_to_driver=False,
                     _node_ip_address="127.0.0.1")
        else:
            ray.init(address=address, log_to_driver=False)
    pairs = list(plan(cfg, report))
    # Generate offline suites once, here, before workers race for them.
    from magma_bench.registry import make_benchmark
    from magma_bench.run.runner import ensure_offline

    for b in {p.bench.name: p.bench for p in pairs}.values():
        if b.data_dir is None:
            ensure_offline(make_benchmark(b.name, **b.args), b.n, cfg.seed)

    # Adapters run in waves that fit the cluster (a pool that cannot be placed would wait forever);
    # within a wave, units go to whichever worker of their adapter is idle.
    capacity = ray.cluster_resources()
    summaries: list[dict] = []
    failures: list[str] = []
    stats = {"units": 0.0, "unit_wall_s": 0.0}
    for wave in _waves(cfg, capacity):
        _run_wave(ray, cfg, out, pairs, wave, capacity, max_retries, report, summaries, failures, stats)
    stats["wall_s"] = time.perf_counter() - t0
    report_failures(failures, int(stats["units"]), report)
    return summaries, stats


def _fit(a: Any, capacity: dict[str, float]) -> int:
    """Workers of adapter spec `a` that the cluster can hold at once (at least 1)."""
    limits = [a.workers]
    if a.num_cpus:
        limits.append(int(capacity.get("CPU", 1) // a.num_cpus))
    if a.num_gpus:
        if capacity.get("GPU", 0) < a.num_gpus:
            raise UserError(f"adapter {a.name!r} asks for {a.num_gpus} GPU(s) per worker; the cluster has "
                            f"{capacity.get('GPU', 0):g}")
        limits.append(int(capacity["GPU"] // a.num_gpus))
    return max(1, min(limits))


def _waves(cfg: SweepConfig, capacity: dict[str, float]) -> list[list[int]]:
    """Adapter indices grouped so each group's workers fit the cluster together."""
    waves: list[list[int]] = []
    cur: list[int] = []
    used = {"CPU": 0.0, "GPU": 0.0}
    for i, a in enumerate(cfg.adapters):
        k = _fit(a, capacity)
        need = {"CPU": k * a.num_cpus, "GPU": k * a.num_gpus}
        if cur and any(used[r] + need[r] > capacity.get(r, 0) + 1e-9 for r in need if need[r]):
            waves.append(cur)
            cur, used = [], {"CPU": 0.0, "GPU": 0.0}
        cur.append(i)
        used = {r: used[r] + need[r] for r in used}
    if cur:
        waves.append(cur)
    return waves


def _run_wave(ray: Any, cfg: SweepConfig, out: Path | None, pairs: list[Any], wave: list[int],
              capacity: dict[str, float], max_retries: int, report: Report, summaries: list[dict],
              failures: list[str], stats: dict[str, float]) -> None:
    remote_worker = ray.remote(SweepWorker)
    idle: dict[int, list[Any]] = {}
    queue: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # adapter -> (pair, shard, n_shards)
    remaining: dict[int, int] = {}
    for ai in wave:
        a = cfg.adapters[ai]
        opts = {"num_cpus": a.num_cpus, "num_gpus": a.num_gpus, "max_restarts": max_retries,
                "max_task_retries": max_retries}
        idle[ai] = [remote_worker.options(**opts).remote(a.name, a.args, cfg.seed) for _ in range(_fit(a, capacity))]
    for pi, pair in enumerate(pairs):
        ai = cfg.adapters.index(pair.adapter)
        if ai not in idle:
            continue
        n_shards = max(1, pair.bench.shards or cfg.shards)
        queue[ai].extend((pi, k, n_shards) for k in range(n_shards))
        remaining[pi] = n_shards
        stats["units"] += n_shards
    running: dict[Any, tuple[int, int, Any, str]] = {}  # ref -> (adapter, pair, worker, kind)

    def dispatch(ai: int) -> None:
        while idle[ai] and queue[ai]:
            pi, k, n = queue[ai].pop(0)
            w = idle[ai].pop()
            rc = run_config(cfg, pairs[pi], out)
            if k < 0:
                running[w.finish.remote(rc)] = (ai, pi, w, "finish")
            else:
                running[w.run_shard.remote(rc, k, n)] = (ai, pi, w, "shard")

    for ai in wave:
        dispatch(ai)
    while running:
        [ref], _ = ray.wait(list(running), num_returns=1)
        ai, pi, w, kind = running.pop(ref)
        idle[ai].append(w)
        label = pairs[pi].label
        try:
            result = ray.get(ref)
        except Exception as e:  # noqa: BLE001 - one failing unit must not stop the sweep
            failures.append(f"{label}: {_cause(e)}")
            report(f"failed {label}: {_cause(e)}")
            remaining[pi] = -1
            dispatch(ai)
            continue
        if kind == "finish":
            summaries.append(result)
            report(summary_line(label, result))
        else:
            stats["unit_wall_s"] += result["wall_s"]
            if remaining[pi] > 0:
                remaining[pi] -= 1
                if remaining[pi] == 0:
                    queue[ai].insert(0, (pi, -1, 0))  # the final pass: fold shards, write summary
        dispatch(ai)
    for ai in wave:
        for w in idle[ai]:
            ray.kill(w)


def _cause(e: BaseException) -> str:
    """The user-facing message inside a Ray task error."""
    cause = getattr(e, "cause", None) or e
    return str(cause).strip().splitlines()[-1][:300] if str(cause).strip() else type(cause).__name__
