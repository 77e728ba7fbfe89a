"""Static suites end to end on their offline data: the oracle scores exactly 100 with no errors,
random answers land in the band chance allows, and the null adapter (no answer) scores 0."""

from __future__ import annotations

import pytest

from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


@pytest.mark.parametrize("name,n,lo,hi", [
    ("vqav2", 80, 15.0, 45.0), ("textvqa", 80, 0.0, 12.0), ("gqa", 60, 20.0, 60.0), ("chartqa", 60, 0.0, 15.0),
    ("docvqa", 60, 0.0, 25.0), ("vsr", 64, 30.0, 70.0), ("blink", 60, 15.0, 50.0),
])
def test_oracle_exact_and_random_near_chance(data_root, name, n, lo, hi):
    oracle = run(RunConfig(benchmark=name, adapter="oracle", out=data_root / "runs", n=n))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    rnd = run(RunConfig(benchmark=name, adapter="random", out=data_root / "runs", n=n))
    assert lo <= rnd["headline"] <= hi
    assert run(RunConfig(benchmark=name, adapter="null", out=data_root / "runs", n=n))["headline"] == 0.0
