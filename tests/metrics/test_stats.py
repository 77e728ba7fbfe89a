import numpy as np
import pytest

from magma_bench.metrics.stats import (
    bootstrap_ci,
    bootstrap_weights,
    mcnemar_exact,
    paired_difference,
    weighted_group_mean,
    weighted_mean,
)


def test_weights_are_resampling_counts():
    for w in bootstrap_weights(50, 300, seed=1):
        assert w.shape[1] == 50
        assert np.all(w.sum(axis=1) == 50)


def test_weighted_group_mean_with_unit_weights_is_mean_of_group_means():
    v = np.array([1, 0, 1, 1, 0, 0, 1], dtype=float)
    g = np.array([0, 0, 0, 1, 1, 2, 2])
    expected = np.mean([2 / 3, 1 / 2, 1 / 2])
    assert weighted_group_mean(v, g, np.ones((1, 7)))[0] == pytest.approx(expected)
    assert weighted_mean(v, np.ones((1, 7)))[0] == pytest.approx(4 / 7)


def test_bootstrap_ci_covers_mean_and_shrinks_with_n():
    rng = np.random.default_rng(0)
    small = (rng.random(100) < 0.7).astype(float)
    large = (rng.random(4000) < 0.7).astype(float)
    lo1, hi1 = bootstrap_ci(lambda w: weighted_mean(small, w), small.size, seed=0)
    lo2, hi2 = bootstrap_ci(lambda w: weighted_mean(large, w), large.size, seed=0)
    assert lo1 <= small.mean() <= hi1
    assert lo2 <= large.mean() <= hi2
    assert (hi2 - lo2) < (hi1 - lo1) / 3
    # binomial standard error: the 95% interval is about +-1.96 * sqrt(p(1-p)/n)
    assert (hi2 - lo2) == pytest.approx(2 * 1.96 * np.sqrt(0.21 / 4000), rel=0.2)


def test_paired_difference_detects_a_real_gap_and_not_a_null_one():
    rng = np.random.default_rng(3)
    a = (rng.random(500) < 0.8).astype(float)
    b = (rng.random(500) < 0.6).astype(float)
    res = paired_difference(lambda w: weighted_mean(a, w), lambda w: weighted_mean(b, w), 500, seed=0)
    assert res["delta"] == pytest.approx(a.mean() - b.mean())
    assert res["ci_low"] > 0 and res["p_bootstrap"] < 0.01
    same = paired_difference(lambda w: weighted_mean(a, w), lambda w: weighted_mean(a, w), 500, seed=0)
    assert same["delta"] == 0 and same["p_bootstrap"] == 1.0


def test_mcnemar_exact_matches_binomial():
    a = np.array([1] * 10 + [0] * 2 + [1] * 5)
    b = np.array([0] * 10 + [1] * 2 + [1] * 5)
    res = mcnemar_exact(a, b)
    assert (res["only_a"], res["only_b"]) == (10, 2)
    # two-sided exact binomial p for 10 vs 2 of 12 at p=0.5
    assert res["p_mcnemar"] == pytest.approx(0.0386, abs=1e-3)
