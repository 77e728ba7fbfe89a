"""Declared metrics that are not a mean of one score: POPE's rates from summed confusion counts,
MME's acc + acc+ summed over categories. Same contract as `declare.Metric`: columns once, then a
function of bootstrap weights that gives the reported number at weights of one."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from magma_bench.metrics.binary import COUNTS, metrics_from_counts
from magma_bench.metrics.declare import (
    AllWithin,
    Columns,
    Label,
    Metric,
    group_means,
    groups_of,
    mean_over_groups,
)
from magma_bench.metrics.stats import group_totals

RATES = ("accuracy", "precision", "recall", "f1", "yes_ratio")


@dataclass(frozen=True)
class BinaryRates(Metric):
    """Per group, accuracy, precision, recall, F1 and yes-ratio of the group's summed confusion
    counts (`metrics_from_counts`, as the POPE script computes them), as `<group>/<rate>`; each
    rate's mean over the groups as `<rate>`. The headline is the mean of `headline` (POPE: F1)."""

    counts: Callable[[dict], dict[str, float]]  # record -> its tp, fp, tn, fn, pred_yes
    over: Label
    headline: str = "f1"
    scale: float = 100.0

    def columns(self, records: Sequence[dict]) -> Columns:
        rows = [self.counts(r) for r in records]
        cols = {k: np.array([row[k] for row in rows], dtype=np.float64) for k in COUNTS}
        cols["g"], cols["g_names"] = groups_of(records, self.over, skip_unset=False)
        return cols

    def _rates(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        """rate -> B x groups; NaN for a group a replicate does not draw."""
        k = len(cols["g_names"])
        totals = {c: group_totals(cols[c], cols["g"], k, weights)[0] for c in COUNTS}
        n = group_totals(np.ones(len(cols["g"])), cols["g"], k, weights)[1]
        return {r: np.where(n > 0, v, np.nan) for r, v in metrics_from_counts(**totals, n=n).items()}

    def statistic(self, cols: Columns, weights: np.ndarray) -> np.ndarray:
        return self.scale * mean_over_groups(self._rates(cols, weights)[self.headline])

    def values(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        rates = self._rates(cols, weights)
        out = {f"{name}/{r}": self.scale * rates[r][:, j] for j, name in enumerate(cols["g_names"]) for r in RATES}
        out.update({r: self.scale * mean_over_groups(rates[r]) for r in RATES})
        return out


@dataclass(frozen=True)
class AccPlusSum(Metric):
    """MME's score: per category, acc + acc+ in percent (acc+: a record counts only when every
    question on its image is right), as `<category field>/<c>` with its `/acc` and `/acc+`; and each
    family's sum over its categories (perception, max 2000; cognition, max 800). The headline is
    the first family's sum."""

    score: str
    category: str  # meta field naming a record's category
    image: str  # meta field naming its image within the category (the question pair)
    families: tuple[tuple[str, tuple[str, ...]], ...]  # (name, categories), the headline first

    @property
    def reads(self) -> tuple[str, ...]:
        return (self.score,)

    def columns(self, records: Sequence[dict]) -> Columns:
        v = np.array([float(r["scores"].get(self.score, 0.0)) for r in records], dtype=np.float64)
        both = AllWithin(self.score, f"{{{self.category}}}|{{{self.image}}}")(records)
        g, names = groups_of(records, f"{{{self.category}}}", skip_unset=False)
        return {"v": v, "both": both, "g": g, "g_names": names}

    def _parts(self, cols: Columns, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """acc and acc+ in percent, B x categories (per record = per pair when both are present)."""
        k = len(cols["g_names"])
        return (100.0 * group_means(cols["v"], cols["g"], k, weights),
                100.0 * group_means(cols["both"], cols["g"], k, weights))

    def _family(self, score: np.ndarray, names: np.ndarray, members: tuple[str, ...]) -> np.ndarray:
        """A family's sum over its categories; one a replicate does not draw adds 0."""
        mask = np.isin(names.astype(str), members) if len(names) else np.zeros(0, dtype=bool)
        return np.nan_to_num(score[:, mask]).sum(axis=1)

    def statistic(self, cols: Columns, weights: np.ndarray) -> np.ndarray:
        acc, accp = self._parts(cols, weights)
        return self._family(acc + accp, cols["g_names"], self.families[0][1])

    def values(self, cols: Columns, weights: np.ndarray) -> dict[str, np.ndarray]:
        acc, accp = self._parts(cols, weights)
        out = {}
        for j, c in enumerate(cols["g_names"]):
            key = f"{self.category}/{c}"
            out[key], out[f"{key}/acc"], out[f"{key}/acc+"] = acc[:, j] + accp[:, j], acc[:, j], accp[:, j]
        out.update({name: self._family(acc + accp, cols["g_names"], members) for name, members in self.families})
        return out
