"""Baselines that need no model: they bound every benchmark from below and above.

- random:    uniform over the request's answer space; deterministic per (seed, sample id), so a
             resumed run reproduces the same predictions. Actions: uniform inside the env's
             ActionSpec bounds (observation["action_spec"]; [-1, 1]^7 without one).
- oracle:    emits the request's reference text (or the env's expert action); must score 100%
             everywhere, which validates each benchmark's parser and scorer end to end.
- heuristic: a fixed prior guess per answer kind ("yes", the first option, the screen centre,
             a zero action); benchmarks with a more natural heuristic set `Request.heuristic`,
             envs their "heuristic_action"; otherwise no motion with the gripper open (ActionSpec.neutral).
- null:      returns an empty string at once, to measure the harness's own overhead.
"""

from __future__ import annotations

import hashlib
import time
from typing import Any, ClassVar

import numpy as np

from magma_bench.action_spec import spec_of
from magma_bench.adapter import Adapter, Capability
from magma_bench.errors import NotApplicable
from magma_bench.types import AnswerSpace, Request

_ALL = frozenset(Capability)


def _rng(*parts: Any) -> np.random.Generator:
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return np.random.default_rng(int.from_bytes(digest, "little"))


def _fmt_point(x: float, y: float) -> str:
    return f"({x:.3f}, {y:.3f})"


def sample_answer(space: AnswerSpace, rng: np.random.Generator) -> str:
    """A uniformly random valid answer, as text a model would emit."""
    if space.kind in ("choice", "yesno") or (space.kind == "text" and space.choices):
        choices = space.choices or (["yes", "no"] if space.kind == "yesno" else [""])
        return choices[int(rng.integers(len(choices)))]
    if space.kind == "point":
        x, y = rng.random(2)
        return _fmt_point(x, y)
    if space.kind == "box":
        a, b = np.sort(rng.random(2)), np.sort(rng.random(2))
        return f"[{a[0]:.3f}, {b[0]:.3f}, {a[1]:.3f}, {b[1]:.3f}]"
    if space.kind == "action":
        return " ".join(f"{v:.4f}" for v in rng.uniform(-1, 1, space.dim))
    return ""


class RandomAdapter(Adapter):
    """`delay_s` (default 0) sleeps that long per batch: a stand-in for model latency when
    exercising the harness (resume under kills, timeouts, overhead)."""

    name = "random"
    capabilities: ClassVar = _ALL

    def __init__(self, seed: int = 0, delay_s: float = 0.0, **args: Any) -> None:
        # delay_s joins describe()'s args only when set, so plain random runs keep their identity
        super().__init__(seed=seed, **({"delay_s": delay_s} if delay_s else {}), **args)
        self.delay_s = float(delay_s)

    def generate(self, requests: list[Request]) -> list[str]:
        if self.delay_s:
            time.sleep(self.delay_s)
        return [sample_answer(r.answer_space, _rng(self.seed, r.id)) for r in requests]

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        out = []
        for obs, instr in zip(observations, instructions, strict=True):
            rng = _rng(self.seed, obs.get("episode_id", instr), obs.get("step", 0))
            out.append(spec_of(obs).sample(rng))
        return out


class OracleAdapter(Adapter):
    name = "oracle"
    capabilities: ClassVar = _ALL

    def generate(self, requests: list[Request]) -> list[str]:
        missing = [r.id for r in requests if r.reference is None]
        if missing:
            raise ValueError(f"no reference answer for {missing[0]!r}: the benchmark must set Request.reference")
        return [r.reference for r in requests]  # type: ignore[misc]

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        if any("expert_action" not in o for o in observations):  # LIBERO: every episode errors, shown as n/a
            raise NotApplicable("oracle is n/a here: this environment exposes no expert action "
                                "(observation['expert_action'])")
        return [list(map(float, o["expert_action"])) for o in observations]


class HeuristicAdapter(Adapter):
    name = "heuristic"
    capabilities: ClassVar = _ALL

    def generate(self, requests: list[Request]) -> list[str]:
        return [r.heuristic if r.heuristic is not None else self._prior(r.answer_space) for r in requests]

    @staticmethod
    def _prior(space: AnswerSpace) -> str:
        if space.kind == "yesno":
            return "yes"
        if space.kind in ("choice", "text"):
            return space.choices[0] if space.choices else ""
        if space.kind == "point":
            return _fmt_point(0.5, 0.5)
        if space.kind == "box":
            return "[0.250, 0.250, 0.750, 0.750]"
        if space.kind == "action":
            return " ".join(["0.0000"] * space.dim)
        return ""

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        return [list(map(float, o["heuristic_action"])) if "heuristic_action" in o else spec_of(o).neutral()
                for o in observations]


class NullAdapter(Adapter):
    name = "null"
    capabilities: ClassVar = _ALL

    def generate(self, requests: list[Request]) -> list[str]:
        return [""] * len(requests)

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        return [[0.0] * 7 for _ in observations]
