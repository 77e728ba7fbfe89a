"""Metrics declared once per benchmark, as inspect_ai declares them on a scorer.

A benchmark lists its metrics in `metrics` (the first one is the headline). Each metric reads the
records into per-sample columns once, then reduces them under bootstrap weights W (B x n: how often
each sample is drawn in each replicate). Weights of one give the reported number, resampled
weights its bootstrap replicates: the headline, its confidence interval and the paired comparison
are one function, so they cannot drift apart.

Groups are named by a `Label`: a format string over the record's meta ("relation/{relation}"; an
unset field reads "None", as `str(meta.get(field))` does) or a function of the record (None: in no
group). A number over no records (an empty group) is not reported.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from string import Formatter
from typing import Any, ClassVar

import numpy as np

from magma_bench.metrics.stats import group_totals

Label = str | Callable[[dict], Any]
Columns = dict[str, np.ndarray]


class Metric(ABC):
    """One declared reduction of the per-sample scores."""

    fills_rest: ClassVar[bool] = False  # reports only score keys that no other declared metric reads

    @property
    def reads(self) -> tuple[str, ...]:
        """The per-sample score keys it reads (a `fills_rest` metric leaves them to it)."""
        return ()

    @abstractmethod
    def columns(self, records: Sequence[dict]) -> Columns:
        """The per-sample arrays its numbers are functions of."""

    @abstractmethod
    def values(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        """Every number it reports, each one value per row of weights (B,); NaN where a
        replicate holds none of its records."""

    def statistic(self, cols: Columns, weights: np.ndarray) -> np.ndarray:
        """Its one number (B,): what a headline and its bootstrap CI are of."""
        raise TypeError(f"{self!r} reports several numbers, so it cannot be a headline")


def report(metrics: Sequence[Metric], records: Sequence[dict]) -> dict[str, float]:
    """Every declared number at weights of one, in declaration order. Two metrics reporting one
    key is a declaration error, not a silent overwrite."""
    ones = np.ones((1, len(records)), dtype=np.float32)
    read = {k for m in metrics for k in m.reads}
    out: dict[str, float] = {}
    for m in sorted(metrics, key=lambda m: m.fills_rest):  # explicit declarations first
        for key, value in m.values(m.columns(records), ones).items():
            if m.fills_rest and key in read:
                continue
            if key in out:
                raise ValueError(f"metric {key!r} is declared twice ({m!r})")
            if not np.isnan(value[0]):
                out[key] = float(value[0])
    return out


# -- reading records --------------------------------------------------------------------------------
def _label_reader(label: Label, skip_unset: bool) -> Callable[[dict], str | None]:
    if callable(label):
        return lambda r: None if (v := label(r)) is None else str(v)
    fields = [f for _, f, _, _ in Formatter().parse(label) if f]

    def read(r: dict) -> str | None:
        meta = r.get("meta") or {}
        values = {f: meta.get(f) for f in fields}
        if skip_unset and any(v is None for v in values.values()):
            return None
        return label.format_map(values)
    return read


def groups_of(records: Sequence[dict], label: Label, skip_unset: bool) -> tuple[np.ndarray, np.ndarray]:
    """(group index per record, -1 for none; the group names, sorted)."""
    read = _label_reader(label, skip_unset)
    names = [read(r) for r in records]
    uniq = sorted({n for n in names if n is not None})
    index = {n: i for i, n in enumerate(uniq)}
    g = np.array([-1 if n is None else index[n] for n in names], dtype=np.int64)
    return g, np.array(uniq, dtype=object)


def group_means(v: np.ndarray, g: np.ndarray, k: int, w: np.ndarray) -> np.ndarray:
    """Per-group weighted means (B x k) of v, whose NaNs count in no group; NaN for empty groups."""
    present = ~np.isnan(v)
    sums, counts = group_totals(np.where(present, v, 0.0), np.where(present, g, -1), k, w)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(counts > 0, sums / counts, np.nan)


def mean_over_groups(x: np.ndarray) -> np.ndarray:
    """Row means over the non-NaN entries; NaN for a row with none."""
    n = (~np.isnan(x)).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n > 0, np.nansum(x, axis=1) / n, np.nan)


@dataclass(frozen=True)
class AllWithin:
    """A per-sample column: the least of `score` over the records sharing this one's label, i.e.
    whether all of them are right (MME's acc+: both questions on an image; an episode's success)."""

    score: str
    within: Label

    def __call__(self, records: Sequence[dict]) -> np.ndarray:
        v = np.array([float(r["scores"].get(self.score, 0.0)) for r in records], dtype=np.float64)
        g, names = groups_of(records, self.within, skip_unset=False)
        lowest = np.full(len(names), np.inf)
        np.minimum.at(lowest, g[g >= 0], v[g >= 0])
        return np.where(g >= 0, lowest[g], v)  # a record in no group stands alone


# -- the reductions -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Mean(Metric):
    """The mean of a per-sample score, in percent: plain, or the mean of per-group means (`over`,
    a macro average), or one mean per group (`by`, reported under each group's label)."""

    score: str | AllWithin
    name: str | None = None  # reported key; None: the score key; "": a headline reported only as such
    over: Label | None = None
    by: Label | tuple[Label, ...] = ()
    missing: float | None = 0.0  # a record without the score counts this; None: it is left out
    skip_unset: bool = False  # a record whose label has an unset meta field is in no group
    scale: float = 100.0

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.score if isinstance(self.score, str) else self.score.score,)

    @property
    def _by(self) -> tuple[Label, ...]:
        return self.by if isinstance(self.by, tuple) else (self.by,)

    def columns(self, records: Sequence[dict]) -> Columns:
        if isinstance(self.score, str):
            missing = np.nan if self.missing is None else self.missing
            v = np.array([_number(r["scores"].get(self.score), missing) for r in records], dtype=np.float64)
        else:
            v = self.score(records)
        cols = {"v": v}
        if self.over is not None:
            cols["g"], cols["g_names"] = groups_of(records, self.over, self.skip_unset)
        for i, label in enumerate(self._by):
            cols[f"by{i}"], cols[f"by{i}_names"] = groups_of(records, label, self.skip_unset)
        return cols

    def statistic(self, cols: Columns, weights: np.ndarray) -> np.ndarray:
        if self._by:
            return super().statistic(cols, weights)
        if "g" in cols:
            return self.scale * mean_over_groups(group_means(cols["v"], cols["g"], len(cols["g_names"]), weights))
        return self.scale * group_means(cols["v"], np.zeros(len(cols["v"]), dtype=np.int64), 1, weights)[:, 0]

    def values(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        if not self._by:
            name = self.reads[0] if self.name is None else self.name
            return {name: self.statistic(cols, weights)} if name else {}
        out = {}
        for i in range(len(self._by)):
            names = cols[f"by{i}_names"]
            means = group_means(cols["v"], cols[f"by{i}"], len(names), weights)
            out.update({str(n): self.scale * means[:, j] for j, n in enumerate(names)})
        return out


@dataclass(frozen=True)
class OtherScores(Metric):
    """The mean of each numeric score key that no other declared metric reads, so a scorer's
    diagnostics (wrong_format, type_match, an environment's grasp rate) are reported undeclared."""

    fills_rest: ClassVar[bool] = True
    missing: float | None = 0.0  # a record without a key counts this; None: it is left out
    scale: float = 100.0

    def columns(self, records: Sequence[dict]) -> Columns:
        keys = sorted({k for r in records for k, v in r["scores"].items() if isinstance(v, int | float)})
        missing = np.nan if self.missing is None else self.missing
        return {k: np.array([_number(r["scores"].get(k), missing) for r in records], dtype=np.float64)
                for k in keys}

    def values(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        return {k: self.scale * group_means(v, np.zeros(len(v), dtype=np.int64), 1, weights)[:, 0]
                for k, v in cols.items()}


def _number(value: Any, missing: float) -> float:
    return float(value) if isinstance(value, int | float) else missing


def standard_metrics(score: str = "accuracy", group: str | None = None) -> tuple[Metric, ...]:
    """The declaration most benchmarks need: the mean of `score` (the mean of its per-group means
    when `group` names a meta field: then each group's mean is `<group>/<value>` and the plain
    mean is reported as `score`), and the mean of every other score."""
    if group is None:
        return (Mean(score), OtherScores())
    return (Mean(score, name="", over=f"{{{group}}}"), Mean(score), Mean(score, by=f"{group}/{{{group}}}"),
            OtherScores())


class per_class:  # noqa: N801 - used as a decorator, like property
    """A declaration computed from the class it is read on: a base whose subclasses vary it through
    class attributes (Benchmark's `headline_key`/`group_key`, VQABase's `type_key`) writes
    `@per_class def metrics(cls): ...`; a subclass may still assign its own tuple."""

    def __init__(self, build: Callable[[type], tuple[Metric, ...]]) -> None:
        self.build = build
        self.__doc__ = build.__doc__

    def __get__(self, obj: Any, cls: type) -> tuple[Metric, ...]:
        return self.build(cls)
