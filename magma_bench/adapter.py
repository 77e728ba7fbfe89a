"""The Adapter protocol: every model, baseline or bridge behind one small batched interface.

Closed-loop adapters also implement `act` (batched 7-DoF end-effector actions) and, when they
keep per-episode state, `reset(slots)` (one state per batch slot, see `reset`).
`describe()` goes into the run manifest (and its hash into every record), so a result always
says which weights produced it.
"""

from __future__ import annotations

from abc import ABC
from collections.abc import Sequence
from enum import StrEnum
from typing import Any, ClassVar

from magma_bench.types import Request


class Capability(StrEnum):
    TEXT = "text"  # answers questions about images / video
    GROUNDING = "grounding"  # points / boxes / marks on screens
    ACTION = "action"  # 7-DoF robot actions
    VIDEO = "video"  # multi-frame inputs


class Adapter(ABC):
    name: ClassVar[str]
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT})
    requires: ClassVar[tuple[str, ...]] = ()  # importable modules needed

    def __init__(self, seed: int = 0, **args: Any) -> None:
        self.seed = seed
        self.args = args

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        from magma_bench.registry import requirements_met

        return requirements_met(cls.requires)

    @classmethod
    def output_action_spec(cls, args: dict[str, Any], env: Any) -> Any:
        """The `ActionSpec` this adapter's actions would come out in, before its own conversion into
        the env's spec `env`, for an adapter built with `args`; the sweep planner skips a pair whose
        units differ (`sweep.units_gap`). Asked before anything is built, so it must stay cheap: a
        checkpoint's small JSON files at most, never weights or torch. None (the default): it cannot
        tell, or it follows the env's spec itself (the baselines), and the pair is not judged."""
        return None

    @classmethod
    def env_gap(cls, args: dict[str, Any]) -> str:
        """Why an adapter built with `args` cannot drive a closed-loop env ("" when it can), e.g. a
        control defined only for question suites; the sweep planner skips such pairs. Cheap, as
        `output_action_spec`."""
        return ""

    def generate(self, requests: list[Request]) -> list[str]:
        """One output text per request, same order. Raise on failure: the evaluator then retries
        the batch one request at a time and records the failing ones as errors."""
        raise NotImplementedError(f"adapter {self.name!r} does not generate text")

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        """One 7-DoF action [dx, dy, dz, droll, dpitch, dyaw, gripper] per observation."""
        raise NotImplementedError(f"adapter {self.name!r} does not produce robot actions")

    def reset(self, slots: Sequence[int] | None = None) -> None:  # noqa: B027 - optional hook
        """Called at the start of closed-loop episodes: clear action queues and history.

        A batched run (`--envs N`) steps N episodes together and calls `reset([slot])` when the
        episode in that slot ends and the next one starts there; every observation given to
        `act` carries its `obs["slot"]`, so an adapter with per-episode state keeps it per slot
        (e.g. a dict slot -> queue) and clears only the slots named. `None` means every slot: a
        one-environment run calls `reset()` before each episode, and sees slot 0 only. An
        adapter whose `reset()` takes no argument still works with one environment; a batched
        run refuses it (its state could not be told apart per episode)."""

    def describe(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "seed": self.seed}
