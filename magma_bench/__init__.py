"""magma-bench: one evaluator for multimodal agent models, built around Magma (arXiv 2502.13130).

The public API is re-exported here from small private modules; nothing here imports torch,
mujoco or playwright, so `import magma_bench` (and `magma-bench list`) stays fast.
"""

from magma_bench.adapter import Adapter, Capability
from magma_bench.benchmark import Aggregate, Benchmark, EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.types import AnswerSpace, Episode, Request, Sample, StepResult

__version__ = "0.1.0"
_FROM_RECORDS = ("SCHEMA_VERSION", "Record", "Summary")


def __getattr__(name: str) -> object:
    """`magma_bench.run.records` is loaded on first use, so `python -m magma_bench.run.records` runs it fresh."""
    if name in _FROM_RECORDS:
        from magma_bench.run import records

        return getattr(records, name)
    raise AttributeError(f"module 'magma_bench' has no attribute {name!r}")


__all__ = [
    "Adapter", "Aggregate", "AnswerSpace", "Benchmark", "Capability", "EnvBenchmark",
    "Episode", "Record", "Request", "Sample", "StepResult", "Summary", "UserError", "SCHEMA_VERSION",
    "__version__",
]
