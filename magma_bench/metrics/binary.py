"""The binary-classification metrics POPE reports (its yes/no rule: `parsers.yesno`).

A sample with no answer (errored, unparseable) is wrong in every metric, never read as "no":
the official script would turn it into "no" and score it right on every negative question."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

COUNTS = ("tp", "fp", "tn", "fn", "pred_yes")  # what `binary_counts` returns


def binary_counts(pred: str | None, gold: str, positive: str = "yes") -> dict[str, float]:
    """One sample's confusion counts. A missing answer (None: errored, unparseable) is wrong in
    every count: never a true positive or negative, a false negative when the gold is positive and
    a false positive otherwise; it is not a positive answer, so it never raises the yes-ratio."""
    gold_pos = gold == positive
    if pred is None:
        return {"tp": 0.0, "fp": float(not gold_pos), "tn": 0.0, "fn": float(gold_pos), "pred_yes": 0.0}
    pred_pos = pred == positive
    return {"tp": float(pred_pos and gold_pos), "fp": float(pred_pos and not gold_pos),
            "tn": float(not pred_pos and not gold_pos), "fn": float(not pred_pos and gold_pos),
            "pred_yes": float(pred_pos)}


def metrics_from_counts(tp: Any, fp: Any, tn: Any, fn: Any, pred_yes: Any, n: Any) -> dict[str, Any]:
    """Accuracy, precision, recall, F1 and yes-ratio as fractions (the POPE script's definitions;
    precision/F1 are 0 when there are no true positives). `n` counts every sample, answered or not.
    Counts may be arrays (bootstrap replicates x groups): the rates then come element-wise."""
    tp, fp, tn, fn, pred_yes, n = (np.asarray(x, dtype=np.float64) for x in (tp, fp, tn, fn, pred_yes, n))
    n = np.maximum(n, 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        precision = np.where(tp + fp > 0, tp / (tp + fp), 0.0)
        recall = np.where(tp + fn > 0, tp / (tp + fn), 0.0)
        f1 = np.where(precision + recall > 0, 2 * precision * recall / (precision + recall), 0.0)
    return {"accuracy": (tp + tn) / n, "precision": precision, "recall": recall, "f1": f1, "yes_ratio": pred_yes / n}


def binary_metrics(preds: Sequence[str | None], golds: Sequence[str], positive: str = "yes") -> dict[str, float]:
    """`metrics_from_counts` over predictions; a None prediction counts as wrong (`binary_counts`)."""
    rows = [binary_counts(p, g, positive) for p, g in zip(preds, golds, strict=True)]
    tot = {k: sum(r[k] for r in rows) for k in COUNTS}
    return {k: float(v) for k, v in metrics_from_counts(**tot, n=len(rows)).items()}
