"""A cheap closed-loop environment and adapters for rollout tests (a plain module on the tests
path, so spawned environment workers can import it by name).

`LineEnv`: a point on a line moves by action[0] toward a target; success within 0.05 of it,
`progress_half` once half way. Episode meta can make one episode misbehave: `bad_reset` (reset
raises), `raise_at` (step t raises), `exit_at` (step t kills the worker process outright).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.types import Episode, StepResult


@dataclass(frozen=True)
class FakeSpec:
    """Stands in for the env's typed action spec: it must reach `act` in every observation."""

    units: str = "m"
    gripper_close: float = 1.0


class LineEnv(EnvBenchmark):
    name = "line"
    domain = "robotics"

    def __init__(self, fail_build: bool = False, image: int = 8, **args: Any) -> None:
        if fail_build:
            raise UserError("line: cannot build (fail_build)")
        super().__init__(image=image, **args)
        self.image = image
        self.action_spec = FakeSpec()
        self._ep: dict[str, Any] | None = None

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        return make_episodes(12)

    def reset(self, episode: Episode) -> dict[str, Any]:
        if episode.meta.get("bad_reset"):
            raise ValueError(f"cannot place {episode.id}")
        self._ep = {"meta": episode.meta, "pos": 0.0, "t": 0, "half": 0.0}
        return self._observe()

    def _observe(self) -> dict[str, Any]:
        ep = self._ep
        err = ep["meta"]["target"] - ep["pos"]
        image = np.full((self.image, self.image, 3), int(128 + 100 * np.tanh(err)), dtype=np.uint8)
        return {"image": image, "pos": ep["pos"], "instruction": f"reach {ep['meta']['target']:.2f}",
                "expert_action": [float(np.clip(err, -0.3, 0.3)), 0, 0, 0, 0, 0, 1.0]}

    def step(self, action: list[float]) -> StepResult:
        ep = self._ep
        t = ep["t"]
        if ep["meta"].get("raise_at") == t:
            raise RuntimeError(f"simulator diverged at step {t}")
        if ep["meta"].get("exit_at") == t:
            os._exit(3)
        ep["pos"] += float(np.clip(action[0], -0.3, 0.3))
        ep["t"] = t + 1
        target = ep["meta"]["target"]
        if abs(ep["pos"]) >= abs(target) / 2:
            ep["half"] = 1.0
        success = abs(target - ep["pos"]) < 0.05
        return StepResult(self._observe(), success, {"success": success, "progress_half": ep["half"]})


def make_episodes(n: int, max_steps: int = 8, **special: dict[str, Any]) -> list[Episode]:
    """n episodes with targets of varied distance (so they finish at different steps);
    `special` maps an episode id to extra meta (bad_reset, raise_at, exit_at, max_steps)."""
    out = []
    for i in range(n):
        eid = f"ep{i}"
        meta = {"task": f"t{i % 3}", "target": round(0.25 * (i % 7) - 0.6, 3), **special.get(eid, {})}
        out.append(Episode(eid, "line", f"reach {meta['target']:.2f}", int(meta.pop("max_steps", max_steps)),
                           meta))
    return out


class SlotPolicy:
    """An adapter with per-episode state kept per slot: it counts the steps it has seen in each
    slot and refuses an observation whose step disagrees (its state leaked across episodes).
    Acts like the expert, except: `nan_at` {episode id: step} returns NaN there, and `raise_at`
    {episode id: step} raises when that observation is in the batch (the batch call fails)."""

    name = "slot_policy"

    def __init__(self, nan_at: dict[str, int] | None = None, raise_at: dict[str, int] | None = None) -> None:
        self.nan_at, self.raise_at = nan_at or {}, raise_at or {}
        self.count: dict[int, int] = {}
        self.batches: list[int] = []
        self.specs: list[Any] = []

    def reset(self, slots: list[int] | None = None) -> None:
        for s in (list(self.count) if slots is None else slots):
            self.count[s] = 0

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        for o in observations:
            if self.raise_at.get(o["episode_id"]) == o["step"]:
                raise RuntimeError(f"model failed on {o['episode_id']}")
        out = []
        for o, ins in zip(observations, instructions, strict=True):
            s = o["slot"]
            if self.count.get(s, 0) != o["step"]:
                raise AssertionError(f"slot {s}: state at step {self.count.get(s)} for step {o['step']}")
            assert ins == o["instruction"]
            self.specs.append(o.get("action_spec"))
            a = list(o["expert_action"])
            a[0] *= 0.5  # slower than the expert: episodes take a few steps, some time out
            if self.nan_at.get(o["episode_id"]) == o["step"]:
                a[0] = float("nan")
            out.append(a)
        for o in observations:  # commit state only once the whole call succeeded
            self.count[o["slot"]] = o["step"] + 1
        self.batches.append(len(observations))
        return out


class LegacyResetPolicy(SlotPolicy):
    """An older adapter: `reset()` with no slots (one episode's state at a time)."""

    def reset(self) -> None:  # type: ignore[override]
        self.count = {}
