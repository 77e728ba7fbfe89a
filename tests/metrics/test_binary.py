"""POPE's binary metrics when some samples have no answer: wrong in every count, never "no"."""

from __future__ import annotations

import pytest

from magma_bench.metrics.binary import binary_counts, binary_metrics


def test_no_answer_is_never_a_true_negative():
    assert binary_counts(None, "no") == {"tp": 0.0, "fp": 1.0, "tn": 0.0, "fn": 0.0, "pred_yes": 0.0}
    assert binary_counts(None, "yes") == {"tp": 0.0, "fp": 0.0, "tn": 0.0, "fn": 1.0, "pred_yes": 0.0}
    assert binary_counts("no", "no")["tn"] == 1.0


def test_all_unanswered_scores_zero_on_every_metric():
    m = binary_metrics([None] * 6, ["yes", "no"] * 3)
    assert m == {"accuracy": 0.0, "precision": 0.0, "recall": 0.0, "f1": 0.0, "yes_ratio": 0.0}


def test_answered_samples_keep_the_official_numbers():
    preds = ["yes", "yes", "no", "no", "yes"]
    golds = ["yes", "no", "no", "yes", "yes"]
    m = binary_metrics(preds, golds)
    assert m == pytest.approx({"accuracy": 0.6, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "yes_ratio": 0.6})
