"""Plain dataclasses that flow through the harness: Sample -> Request -> text -> parsed -> scores.

Images and video frames travel as file paths (or arrays built in memory by a generator), never
as pixels inside records: records stay small and resumable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

AnswerKind = Literal["choice", "point", "text", "yesno", "action", "box"]


@dataclass(slots=True)
class Sample:
    """One test item. `id` is stable across runs: it is the resume key. `official_id` is the id the
    release itself gives the item (or, where it has none, the position its official evaluation
    script walks it at, 0-based), so predictions keyed by other tools can be scored too."""

    id: str
    benchmark: str
    inputs: dict[str, Any]  # text, images (paths), frames, choices, marks ...
    target: Any  # whatever `Benchmark.score` compares against
    meta: dict[str, Any] = field(default_factory=dict)  # split, category, platform ...
    official_id: str | None = None  # the release's own id (see Benchmark.official_id)


@dataclass(slots=True)
class AnswerSpace:
    """What a valid answer looks like, so `random` can sample uniformly over it.

    kind:   choice -> one of `choices` (the strings a model should emit, e.g. "A" or "yes");
            point  -> a normalised (x, y) in [0, 1]^2; box -> a normalised box;
            text   -> one of `choices` if given (a vocabulary), else free text;
            action -> a `dim`-vector in [-1, 1].
    """

    kind: AnswerKind
    choices: list[str] = field(default_factory=list)
    dim: int = 7


@dataclass(slots=True)
class Request:
    """What an adapter sees. `messages` follow the OpenAI/HF chat shape with image placeholders:
    [{"role": "user", "content": [{"type": "image", "path": ...}, {"type": "text", "text": ...}]}].

    `reference` is the text a perfect model would emit. Only the `oracle` baseline reads it; it
    exists to validate every parser and scorer end to end (oracle must score 100%).
    """

    id: str
    messages: list[dict[str, Any]]
    answer_space: AnswerSpace
    max_new_tokens: int = 32  # in subword tokens of a BPE vocabulary (byte-level models scale it)
    images: list[Any] = field(default_factory=list)  # paths or arrays, in message order
    reference: str | None = None
    heuristic: str | None = None  # the benchmark's natural non-learned guess, if it has one

    @property
    def prompt_text(self) -> str:
        """All text parts of the last user turn, joined (for text-only adapters)."""
        parts = self.messages[-1]["content"] if self.messages else []
        if isinstance(parts, str):
            return parts
        return "\n".join(p["text"] for p in parts if p.get("type") == "text")


@dataclass(slots=True)
class Episode:
    """One closed-loop episode spec: a task instruction and whatever seeds its initial state."""

    id: str
    benchmark: str
    instruction: str
    max_steps: int
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StepResult:
    observation: dict[str, Any]
    done: bool
    info: dict[str, Any] = field(default_factory=dict)
