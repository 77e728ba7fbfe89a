"""`_part` takes a plain score key's grouping from the benchmark's declared metrics (issue #21)."""

from __future__ import annotations

import numpy as np
import pytest

from magma_bench.leaderboards.results import _part
from magma_bench.registry import make_benchmark


def _unbalanced_mind2web() -> list[dict]:
    # 30 CLICK steps with F1 1.0, 10 TYPE steps with F1 0.0: plain mean 75, per-op macro mean 50
    return [{"id": f"s{i}", "scores": {"element_acc": 1.0, "op_f1": 1.0 if i < 30 else 0.0,
                                       "op_match": 1.0, "step_success": 0.0},
             "target": {"op": 4 if i < 30 else 3}, "meta": {"episode": f"e{i % 3}"}} for i in range(40)]


def test_op_f1_uses_the_declared_grouping() -> None:
    bench = make_benchmark("mind2web")
    recs = _unbalanced_mind2web()
    agg = bench.aggregate(recs)
    assert agg.metrics["op_f1"] == pytest.approx(50.0) and agg.metrics["op_f1_micro"] == pytest.approx(75.0)
    n, stat = _part(bench, recs, "op_f1")
    ones = np.ones((1, n), dtype=np.float32)
    assert n == 40 and float(stat(ones)[0]) == pytest.approx(agg.metrics["op_f1"], abs=1e-6)
    # a resample of only CLICK steps has one group: its macro mean is that group's mean
    w = np.zeros((1, n), dtype=np.float32)
    w[0, :30] = 1.0
    assert float(stat(w)[0]) == pytest.approx(100.0)


def test_plain_score_key_without_a_grouping_is_its_mean() -> None:
    bench = make_benchmark("mind2web")
    recs = _unbalanced_mind2web()
    recs[0]["scores"]["element_acc"] = 0.0
    n, stat = _part(bench, recs, "element_acc")
    assert float(stat(np.ones((1, n), dtype=np.float32))[0]) == pytest.approx(bench.aggregate(recs).metrics["element_acc"])
