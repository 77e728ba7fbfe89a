"""The binary-classification metrics POPE reports (its yes/no rule: `parsers.yesno`).

A sample with no answer (errored, unparseable) is wrong in every metric, never read as "no":
the official script would turn it into "no" and score it right on every negative question."""

from __future__ import annotations

from collections.abc import Sequence


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


def metrics_from_counts(tp: float, fp: float, tn: float, fn: float, pred_yes: float, n: float) -> dict[str, float]:
    """Accuracy, precision, recall, F1 and yes-ratio as fractions (the POPE script's definitions;
    precision/F1 are 0 when there are no true positives). `n` counts every sample, answered or not."""
    n = max(n, 1)
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"accuracy": (tp + tn) / n, "precision": precision, "recall": recall, "f1": f1, "yes_ratio": pred_yes / n}


def binary_metrics(preds: Sequence[str | None], golds: Sequence[str], positive: str = "yes") -> dict[str, float]:
    """`metrics_from_counts` over predictions; a None prediction counts as wrong (`binary_counts`)."""
    rows = [binary_counts(p, g, positive) for p, g in zip(preds, golds, strict=True)]
    tot = {k: sum(r[k] for r in rows) for k in ("tp", "fp", "tn", "fn", "pred_yes")}
    return metrics_from_counts(**tot, n=len(rows))
