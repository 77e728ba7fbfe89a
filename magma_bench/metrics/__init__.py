"""Pure scoring functions, each tested against worked examples from the official scripts."""

from magma_bench.metrics.binary import binary_counts, binary_metrics, metrics_from_counts

__all__ = ["binary_counts", "binary_metrics", "metrics_from_counts"]
