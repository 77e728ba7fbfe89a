"""`make perf` figures for the tabletop suites, each measured side by side in one call:

- env_steps_per_s: `Tabletop.step` with the expert acting (physics + render + expert + success
  check + heuristic), including the observation render;
- bare_steps_per_s: a bare MuJoCo loop on the same compiled scene doing the same physics substeps
  and one render per control step, nothing else;
- env_to_bare_ratio: the two above (goal >= 0.8: the harness costs little over the simulator);
- episodes_per_min_1_env / _2_envs: expert (oracle) episodes through `runner.run`, in process vs
  two simulators in worker processes stepped together (`--envs 2`); the oracle costs nothing, so
  this measures the simulators in parallel, not batching (`magma_bench.perf.rollout` does that).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path


def _step_rates(steps: int, rounds: int = 3) -> tuple[float, float]:
    """(env steps/s, bare steps/s), alternating rounds so both see the same machine load."""
    import numpy as np

    from magma_bench.benchmarks.robotics.tabletop import TabletopBridge

    env = TabletopBridge(tasks=["put_carrot_on_plate"])
    try:
        eps = env.episodes(None, "test")
        obs, k = env.reset(eps[0]), 0
        sim = next(iter(env._sims.values()))
        mj, m, d, renderer = sim.mj, sim.model, sim.data, sim.renderer
        t_env = t_bare = 0.0
        per = max(1, steps // rounds)
        for _ in range(rounds):
            t0 = time.perf_counter()
            for _ in range(per):
                res = env.step(np.asarray(obs["expert_action"]).tolist())
                obs = res.observation
                if res.done:
                    k += 1
                    obs = env.reset(eps[k % len(eps)])
            t1 = time.perf_counter()
            for _ in range(per):
                for _ in range(sim.substeps):
                    mj.mj_step(m, d)
                renderer.update_scene(d, camera="third_person")
                renderer.render()
            t_env += t1 - t0
            t_bare += time.perf_counter() - t1
            obs = env.reset(eps[k % len(eps)])  # the bare loop moved the scene on
    finally:
        env.close()
    n = per * rounds
    return n / t_env, n / t_bare


def _episodes_per_min(envs: int, n: int) -> float:
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import run

    with tempfile.TemporaryDirectory() as tmp:
        old = os.environ.get("MAGMA_BENCH_DATA")
        os.environ["MAGMA_BENCH_DATA"] = str(Path(tmp) / "data")
        try:
            t0 = time.perf_counter()
            s = run(RunConfig(benchmark="tabletop_bridge", adapter="oracle", n=n, out=Path(tmp) / "runs",
                              num_envs=envs))
            return 60.0 * s["n"] / (time.perf_counter() - t0)
        finally:
            if old is None:
                os.environ.pop("MAGMA_BENCH_DATA", None)
            else:
                os.environ["MAGMA_BENCH_DATA"] = old


def figures(steps: int = 150, episodes: int = 8) -> dict[str, float]:
    env_rate, bare = _step_rates(steps)
    return {
        "tabletop.env_steps_per_s": round(env_rate, 2),
        "tabletop.bare_mujoco_steps_per_s": round(bare, 2),
        "tabletop.env_to_bare_ratio": round(env_rate / bare, 3),
        "tabletop.episodes_per_min_1_env": round(_episodes_per_min(1, episodes), 2),
        "tabletop.episodes_per_min_2_envs": round(_episodes_per_min(2, episodes), 2),
    }


if __name__ == "__main__":  # pragma: no cover
    for k, v in figures().items():
        print(f"{k:45s} {v}")
