"""What a benchmark is: an official loader, an offline generator in the same schema, a request
builder, a parser that never raises, a pure scorer and an aggregate in the paper's convention.

Variants are constructor parameters (`ScreenSpot(version="v2")`), recorded in the run manifest.
Scores are per-sample numbers in [0, 1]. Each benchmark declares its metrics once (`metrics`, see
`magma_bench.metrics.declare`): the headline, the sub-metrics and the bootstrap CIs all derive from
that declaration, in percent as the paper prints them unless a metric documents another scale (MME).
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.adapter import Capability
from magma_bench.errors import UserError
from magma_bench.metrics.declare import (
    Columns,
    Mean,
    Metric,
    OtherScores,
    per_class,
    report,
    standard_metrics,
)
from magma_bench.types import Episode, Request, Sample, StepResult

GENERATED_MARKER = "MAGMA_BENCH_GENERATED.json"


def image_request(sample_id: str, image: str | Path, text: str, **fields: Any) -> Request:
    """The common request shape: one user turn with one image then the text. A missing image
    raises (the evaluator records it as that sample's error)."""
    image = str(image)
    if not Path(image).exists():
        raise FileNotFoundError(f"image not found: {image}")
    content = [{"type": "image", "path": image}, {"type": "text", "text": text}]
    return Request(id=sample_id, messages=[{"role": "user", "content": content}], images=[image], **fields)


@dataclass(slots=True)
class Aggregate:
    headline: float
    metrics: dict[str, float] = field(default_factory=dict)
    n: int = 0


class _Common:
    """What plain and closed-loop benchmarks share: identity, requirements, variants."""

    name: ClassVar[str]
    domain: ClassVar[str]  # ui | robotics | spatial | video | vl
    splits: ClassVar[tuple[str, ...]] = ("test",)
    default_split: ClassVar[str] = "test"
    default_n: ClassVar[int] = 200  # offline suite size when the user gives none
    requires: ClassVar[tuple[str, ...]] = ()  # importable modules needed to load/generate
    data_from_package: ClassVar[bool] = False  # official data ship in an installed package (LIBERO)
    # Where Sample.official_id comes from, in the release's words (e.g. "question_id", or
    # "position in <file> as eval_x.py walks it, 0-based"); "" while the loader sets none.
    official_id: ClassVar[str] = ""
    # What an adapter must declare (`Adapter.capabilities`) to run it; the sweep planner skips,
    # and `magma-bench run` refuses, a pair whose adapter lacks one.
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT})

    # The metric declaration: the first metric is the headline (see magma_bench.metrics.declare).
    metrics: ClassVar[tuple[Metric, ...]]

    def __init__(self, **args: Any) -> None:
        self.args = args

    def required_capabilities(self) -> frozenset[Capability]:
        """What this instance (its variant arguments included) needs of an adapter."""
        return self.needs

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """(runnable here, reason if not). Must stay cheap: `magma-bench list` calls it."""
        from magma_bench.registry import requirements_met

        return requirements_met(cls.requires)

    def generation_args(self) -> dict[str, Any]:
        """The variant arguments that change the offline suite's files (they key its cache).
        Default: every argument that is set; override to drop ones that only filter at load time."""
        return {k: v for k, v in self.args.items() if v is not None}

    def check_split(self, split: str | None) -> str:
        split = split or self.default_split
        if split not in self.splits:
            raise UserError(f"{self.name}: unknown split {split!r}; choose one of {', '.join(self.splits)}")
        return split

    @staticmethod
    def write_marker(out_dir: Path, **info: Any) -> None:
        """Mark a directory as an offline suite, so results from it are never taken as official."""
        (out_dir / GENERATED_MARKER).write_text(json.dumps(info, sort_keys=True) + "\n")

    @staticmethod
    def is_generated(data_dir: Path) -> bool:
        return (Path(data_dir) / GENERATED_MARKER).exists()

    # -- aggregation: every number derives from `metrics` -----------------------------------------
    def aggregate(self, records: Sequence[dict]) -> Aggregate:
        """Headline (the first declared metric) and every declared sub-metric; no records, no numbers."""
        if not records:
            return Aggregate(0.0, {}, 0)
        headline = float(self.statistic(self.columns(records), np.ones((1, len(records)), dtype=np.float32))[0])
        return Aggregate(headline=headline, metrics=report(self.metrics, records), n=len(records))

    def columns(self, records: Sequence[dict]) -> Columns:
        """Per-sample arrays the headline is a function of (for bootstrap CIs and compare)."""
        return self.metrics[0].columns(records)

    def statistic(self, cols: Columns, weights: np.ndarray) -> np.ndarray:
        """The headline for each row of bootstrap weights (B x n)."""
        return self.metrics[0].statistic(cols, weights)


class Benchmark(_Common, ABC):
    """Static samples scored one by one."""

    # The standard declaration's two choices; a benchmark that needs more assigns `metrics` itself.
    headline_key: ClassVar[str] = "accuracy"  # per-sample score averaged for the headline
    group_key: ClassVar[str | None] = None  # meta field: headline = mean of per-group means, `<field>/<value>`

    @per_class
    def metrics(cls) -> tuple[Metric, ...]:
        """`standard_metrics` of headline_key and group_key."""
        return standard_metrics(cls.headline_key, cls.group_key)

    @abstractmethod
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        """Read the official files under data_dir. Bad input raises UserError naming file:record."""

    @abstractmethod
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Write an offline suite of about n samples in the official schema; deterministic per seed."""

    @abstractmethod
    def request(self, sample: Sample) -> Request:
        """The model request (chat messages + images, answer space, reference for the oracle)."""

    @abstractmethod
    def parse(self, text: str) -> Any:
        """Model text -> answer, or None when nothing usable is found. Never raises."""

    @abstractmethod
    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        """Pure per-sample metrics in [0, 1]. `parsed` None (unparseable or errored) scores as wrong."""

class EnvBenchmark(_Common, ABC):
    """Closed-loop episodes: the adapter acts, the environment steps, success is read from state.

    One instance is one environment (one per worker process)."""

    # Success rate overall (the headline) and per task, mean steps, and each partial-credit score an
    # environment reports (SimplerEnv's "grasp" rates, drawer progress), in % over the episodes that
    # report it: progress is visible long before full success is.
    metrics: ClassVar[tuple[Metric, ...]] = (
        Mean("success"), Mean("steps", scale=1.0), Mean("success", by="task/{task}"), OtherScores(missing=None))
    action_spec: Any = None  # the ActionSpec (magma_bench.action_spec) its actions follow; None: harness default
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.ACTION})
    # An env whose observations carry a text `request` (instance attribute `text_actions`, as
    # webnav's default) is driven by the adapter's `generate`: replies are clicks on screens.
    text_needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT, Capability.GROUNDING})

    def required_capabilities(self) -> frozenset[Capability]:
        return self.text_needs if getattr(self, "text_actions", False) else self.needs

    @abstractmethod
    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        """Episode specs for a split (task + initial-state seed), in a stable order."""

    @abstractmethod
    def reset(self, episode: Episode) -> dict[str, Any]:
        """Start an episode; returns the first observation ({"image": HxWx3 uint8, ...})."""

    @abstractmethod
    def step(self, action: list[float]) -> StepResult:
        """Apply one 7-DoF action; `done` on success or failure, `info["success"]` at the end."""

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release simulator / browser resources."""

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Closed-loop suites need no data files by default; subclasses may write episode lists."""
        out_dir.mkdir(parents=True, exist_ok=True)
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
