"""Bootstrap confidence intervals and paired comparisons.

Every statistic is written as a function of resampling weights W (B x n: how often each sample is
drawn in each bootstrap replicate), so a whole bootstrap is a few matrix products instead of B
Python loops, and a paired comparison draws one W for both runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

DENSE_GROUPS = 32  # up to this many groups, group_totals multiplies by a one-hot (BLAS beats bincount)
Statistic = Callable[[np.ndarray], np.ndarray]  # weights (B x n) -> B values


def bootstrap_weights(n: int, n_boot: int, seed: int, chunk: int = 250) -> Iterator[np.ndarray]:
    """Multinomial resampling counts, `chunk` replicates at a time (bounded memory)."""
    rng = np.random.default_rng(seed)
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        idx = rng.integers(0, n, size=(b, n))
        w = np.zeros((b, n), dtype=np.float32)
        np.add.at(w, (np.arange(b)[:, None], idx), 1.0)
        done += b
        yield w


def weighted_mean(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    return (w @ v) / np.maximum(w.sum(axis=1), 1e-12)


def group_totals(v: np.ndarray, g: np.ndarray, k: int, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-group weighted sums of v and of the weights (each B x k) for group indices g in [0, k);
    a sample with g < 0 is in no group. A few groups: two matrix products with a one-hot; many
    (Mind2Web's episodes): one bincount over all replicates, with no n x k one-hot."""
    if k <= DENSE_GROUPS:
        onehot = (g[:, None] == np.arange(k)[None, :]).astype(np.float64)
        return w @ (onehot * v[:, None]), w @ onehot
    b, inside = w.shape[0], g >= 0
    idx = (np.arange(b)[:, None] * k + np.where(inside, g, 0)[None, :]).ravel()
    wg = (w * inside).astype(np.float64)
    sums = np.bincount(idx, weights=(wg * v).ravel(), minlength=b * k).reshape(b, k)
    counts = np.bincount(idx, weights=wg.ravel(), minlength=b * k).reshape(b, k)
    return sums, counts


def weighted_group_mean(v: np.ndarray, g: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Mean over groups of the per-group weighted mean (groups absent from a replicate are skipped)."""
    k = int(g.max()) + 1 if g.size else 0
    sums, counts = group_totals(v, g, k, w)
    present = counts > 0
    means = np.where(present, sums / np.maximum(counts, 1e-12), 0.0)
    return means.sum(axis=1) / np.maximum(present.sum(axis=1), 1)


def bootstrap_ci(stat: Statistic, n: int, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of `stat` over n samples."""
    if n == 0:
        return (float("nan"), float("nan"))
    vals = np.concatenate([stat(w) for w in bootstrap_weights(n, n_boot, seed)])
    lo, hi = np.quantile(vals, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)


def paired_difference(stat_a: Statistic, stat_b: Statistic, n: int, n_boot: int = 2000,
                      seed: int = 0, level: float = 0.95) -> dict[str, float]:
    """Difference a - b on the same n samples: point estimate, bootstrap CI and a two-sided
    bootstrap p-value (how often the resampled difference lands on the other side of 0)."""
    ones = np.ones((1, n), dtype=np.float32)
    delta = float(stat_a(ones)[0] - stat_b(ones)[0])
    diffs = np.concatenate([stat_a(w) - stat_b(w) for w in bootstrap_weights(n, n_boot, seed)])
    lo, hi = np.quantile(diffs, [(1 - level) / 2, 1 - (1 - level) / 2])
    p = 2.0 * min(float(np.mean(diffs <= 0)), float(np.mean(diffs >= 0)))
    return {"delta": delta, "ci_low": float(lo), "ci_high": float(hi), "p_bootstrap": min(1.0, p)}


def mcnemar_exact(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Exact McNemar test for two paired 0/1 vectors: a binomial test on the discordant pairs."""
    from scipy.stats import binomtest

    a = a.astype(bool)
    b = b.astype(bool)
    only_a = int(np.sum(a & ~b))
    only_b = int(np.sum(~a & b))
    n = only_a + only_b
    p = 1.0 if n == 0 else float(binomtest(only_a, n, 0.5).pvalue)
    return {"only_a": only_a, "only_b": only_b, "p_mcnemar": p}
