"""Episodes batched over 2 environment workers match a sequential run; SimplerEnv's MMRV / Pearson r worked examples."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

from magma_bench.benchmarks.robotics.simpler_stats import (
    compare,
    compare_with_paper,
    figure8_from_tasks,
    mean_maximum_rank_violation,
    paper_figure8,
    pearson_correlation,
)
from magma_bench.errors import UserError

# SimplerEnv `simpler_env/utils/metrics.py` REAL_PERF / SIMPLER_PERF, google_robot_pick_coke_can,
# policies in the order rt-2-x, rt-1-converged, rt-1-15pct, rt-1-x, rt-1-begin, octo-base.
REAL = [0.907, 0.853, 0.920, 0.760, 0.133, 0.293]
SIM = [0.787, 0.857, 0.710, 0.567, 0.027, 0.170]


def test_mmrv_worked_example() -> None:
    # Violating pairs: (rt-2-x, rt-1-converged) |.907-.853|=.054, (rt-2-x, 15pct) .013,
    # (converged, 15pct) .067 -> per-policy maxima .054, .067, .067, 0, 0, 0 -> mean .188/6.
    assert mean_maximum_rank_violation(SIM, REAL) == pytest.approx(0.188 / 6)
    assert mean_maximum_rank_violation([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]) == 0.0
    assert mean_maximum_rank_violation([0.3, 0.1], [0.1, 0.3]) == pytest.approx(0.2)  # both rows violate by .2


def test_pearson_worked_example() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    assert pearson_correlation(SIM, REAL) == pytest.approx(scipy_stats.pearsonr(SIM, REAL)[0], abs=1e-7)
    assert pearson_correlation(SIM, REAL) == pytest.approx(0.9754, abs=1e-4)
    assert pearson_correlation([0.5, 0.5], [0.2, 0.2]) == 1.0  # SimplerEnv: identical centred vectors -> 1
    assert pearson_correlation([0.0, 1.0], [1.0, 0.0]) == pytest.approx(-1.0, abs=1e-6)
    with pytest.raises(UserError):
        pearson_correlation([1.0], [1.0, 2.0])


def test_comparison_with_the_paper_figure8() -> None:
    paper = paper_figure8("magma")
    assert paper["google_pick_coke_can"] == 76.3 and "average" not in paper
    ours = figure8_from_tasks({"open_drawer": 40.0, "close_drawer": 60.0, "pick_coke_can": 90.0})
    assert ours == {"google_open_close_drawer": 50.0, "google_pick_coke_can": 90.0}
    same = compare(paper, paper)
    assert same["mmrv"] == 0.0 and same["pearson"] == 1.0 and same["n"] == 8
    # ours 100 > 50 > 0 ranks like the paper's 76.3 (coke) > 65.6 (near) > 54.7 (drawers): no violation
    summaries = [{"metrics": {"task/pick_coke_can": 100.0, "task/move_near": 50.0, "task/open_drawer": 0.0,
                              "task/close_drawer": 0.0, "success": 37.5}}]
    got = compare_with_paper(summaries)
    assert got["n"] == 3 and got["mmrv"] == 0.0 and got["pearson"] > 0.99
    swapped = compare_with_paper([{"metrics": {"task/pick_coke_can": 0.0, "task/move_near": 50.0,
                                               "task/open_drawer": 100.0, "task/close_drawer": 100.0}}])
    # every pair violates: near-drawer .109, near-coke .107, drawer-coke .216; per-task maxima
    # near .109, drawer .216, coke .216 -> mean .541 / 3
    assert swapped["mmrv"] == pytest.approx(0.541 / 3) and swapped["pearson"] < -0.9
    with pytest.raises(UserError, match="no row"):
        paper_figure8("gpt5")


def _records(summary: dict) -> dict[str, dict]:
    """id -> record without its timing (the only field a batched run may change)."""
    lines = (Path(summary["run_dir"]) / "records.jsonl").read_text().splitlines()
    return {r["id"]: {k: v for k, v in r.items() if k != "timing"} for r in map(json.loads, lines)}


@pytest.mark.skipif(importlib.util.find_spec("mujoco") is None, reason="needs mujoco")
def test_batched_envs_match_a_sequential_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`--envs 2` (two simulators in worker processes, one batched act per step) writes the same
    records as the in-process run: the expert to success, and random actions on an episode list
    cut to 6 steps (partial-credit keys included), then resumes by episode id."""
    monkeypatch.setenv("MUJOCO_GL", os.environ.get("MUJOCO_GL", "egl"))
    from magma_bench.registry import make_benchmark
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import run

    args = {"tasks": ["pick_coke_can", "close_drawer"], "size": 64}
    short = make_benchmark("tabletop_google", **args).generate(tmp_path / "short", 8, seed=0)
    doc = json.loads((short / "episodes.json").read_text())
    for row in doc["episodes"]:
        row["max_steps"] = 6  # a few steps are enough to compare trajectories
    (short / "episodes.json").write_text(json.dumps(doc))
    for adapter, data_dir in (("oracle", None), ("random", short)):
        runs = {envs: run(RunConfig(benchmark="tabletop_google", adapter=adapter, n=8, data_dir=data_dir,
                                    out=tmp_path / f"{adapter}{envs}", benchmark_args=args, num_envs=envs))
                for envs in (1, 2)}
        seq, vec = _records(runs[1]), _records(runs[2])
        assert len(seq) == 4 and vec == seq
        assert runs[2]["headline"] == runs[1]["headline"] == (100.0 if adapter == "oracle" else 0.0)
        if adapter == "random":
            assert {r["scores"]["steps"] for r in seq.values()} == {6.0}
            assert any(k.startswith("progress") for r in seq.values() for k in r["scores"])
    again = run(RunConfig(benchmark="tabletop_google", adapter="random", n=8, data_dir=short,
                          out=tmp_path / "random2", benchmark_args=args, num_envs=2))
    assert again["resumed"] == 4 and np.isclose(again["headline"], 0.0)
