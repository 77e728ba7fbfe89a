"""Pure scoring functions, each tested against worked examples from the official scripts, and the
metric declarations a benchmark reduces its per-sample scores with (`declare`), and the statistics
behind every reported number (`stats`: bootstrap CIs, paired comparisons)."""

from magma_bench.metrics.binary import binary_counts, binary_metrics, metrics_from_counts
from magma_bench.metrics.declare import AllWithin, Mean, Metric, OtherScores, standard_metrics
from magma_bench.metrics.declare_counts import AccPlusSum, BinaryRates

__all__ = ["AccPlusSum", "AllWithin", "BinaryRates", "Mean", "Metric", "OtherScores", "binary_counts",
           "binary_metrics", "metrics_from_counts", "standard_metrics"]
