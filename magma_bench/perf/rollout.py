"""`make perf` figure for batched closed-loop evaluation: episodes/min with one environment in
process (`run_episodes`, one act call per episode step) vs N environments in worker processes
(`run_episodes_vector`, one batched act call per step over the live episodes).

The adapter costs a fixed `delay_s` per `act` call whatever the batch size, as a GPU model
roughly does at small batches (SimplerEnv Bridge, 4 tasks x 24 episodes x 60 steps at ~1 s per
call: ~1.6 h one episode at a time, ~6 min with 16 episodes per call); the environment is nearly
free (a 224x224 image per observation, so the pipes carry what a simulator's would). So the
ratio measures batching, not the 2 CPU cores. The N-env wall time includes starting and
closing the workers.
Goal: batched_speedup >= 5 at N=8.
"""

from __future__ import annotations

import functools
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import EnvBenchmark
from magma_bench.types import Episode, StepResult


class CheapEnv(EnvBenchmark):
    """A constant-length episode on a blank 224x224 camera: every step costs microseconds."""

    name = "perf_cheap_env"
    domain = "robotics"

    def __init__(self, steps: int = 8, **args: Any) -> None:
        super().__init__(steps=steps, **args)
        self.steps = steps
        self._t = 0

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        return [Episode(f"cheap-{i}", self.name, "reach", self.steps, {"task": "reach"}) for i in range(8)]

    def reset(self, episode: Episode) -> dict[str, Any]:
        self._t = 0
        return self._observe()

    def _observe(self) -> dict[str, Any]:
        return {"image": np.full((224, 224, 3), self._t % 256, dtype=np.uint8), "instruction": "reach"}

    def step(self, action: list[float]) -> StepResult:
        self._t += 1
        return StepResult(self._observe(), False, {"success": self._t >= self.steps})


class FixedCostAdapter:
    """Sleeps `delay_s` per act call regardless of the batch size; returns zero actions."""

    name = "fixed_cost"

    def __init__(self, delay_s: float) -> None:
        self.delay_s = delay_s
        self.calls = 0

    def reset(self, slots: Any = None) -> None:
        pass

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        time.sleep(self.delay_s)
        self.calls += 1
        return [[0.0] * 7 for _ in observations]


def episodes_per_min(num_envs: int, n_episodes: int, steps: int = 8, delay_s: float = 0.2) -> tuple[float, int]:
    """(episodes/min, act calls) of one run of `n_episodes` on the cheap env."""
    from magma_bench.run.records import SCHEMA_VERSION
    from magma_bench.run.rollout import run_episodes, run_episodes_vector
    from magma_bench.run.store import RunStore

    eps = [Episode(f"cheap-{i}", CheapEnv.name, "reach", steps, {"task": "reach"}) for i in range(n_episodes)]
    adapter = FixedCostAdapter(delay_s)
    with tempfile.TemporaryDirectory() as tmp:
        store = RunStore(Path(tmp) / "run")
        done = store.open({"schema": SCHEMA_VERSION})
        try:
            t0 = time.perf_counter()
            if num_envs == 1:
                recs = run_episodes(CheapEnv(steps=steps), adapter, eps, store, done)
            else:
                factory = functools.partial(CheapEnv, steps=steps)  # built in each worker after spawn
                recs = run_episodes_vector(factory, adapter, eps, store, done, num_envs)
            wall = time.perf_counter() - t0
        finally:
            store.close()
    if not all(r["scores"]["success"] == 1.0 for r in recs):
        raise RuntimeError("cheap env episodes did not all succeed: the perf loop is broken")
    return 60.0 * n_episodes / wall, adapter.calls


def figures(envs: int = 8, delay_s: float = 0.2) -> dict[str, float]:
    one, calls_one = episodes_per_min(1, 8, delay_s=delay_s)
    # 8 episodes per env, so starting the workers (~5 s for 8 on 2 busy cores) weighs as in a long run
    many, calls_many = episodes_per_min(envs, 8 * envs, delay_s=delay_s)
    return {"rollout_episodes_per_min_1_env": round(one, 2),
            f"rollout_episodes_per_min_{envs}_envs": round(many, 2),
            "rollout_batched_speedup": round(many / one, 2),
            "rollout_act_calls_per_episode_1_env": calls_one / 8,
            f"rollout_act_calls_per_episode_{envs}_envs": calls_many / (8 * envs)}


if __name__ == "__main__":  # pragma: no cover
    for k, v in figures().items():
        print(f"{k:45s} {v}")
