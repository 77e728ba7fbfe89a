"""Shared helpers for the video-QA tests: offline runs through the real runner, tiny videos."""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import pytest


@pytest.fixture(scope="session")
def offline_run(tmp_path_factory):
    """run(benchmark, adapter, n, **RunConfig fields) -> summary, with the offline data cached in
    one session directory (so oracle and random share a generated suite)."""
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import run

    data = tmp_path_factory.mktemp("video_data")
    out = tmp_path_factory.mktemp("video_runs")

    def go(benchmark: str, adapter: str, n: int, **kw):
        old = os.environ.get("MAGMA_BENCH_DATA")
        os.environ["MAGMA_BENCH_DATA"] = str(data)
        try:
            return run(RunConfig(benchmark=benchmark, adapter=adapter, out=out, n=n, **kw))
        finally:
            if old is None:
                os.environ.pop("MAGMA_BENCH_DATA", None)
            else:
                os.environ["MAGMA_BENCH_DATA"] = old
    return go


@pytest.fixture
def write_video():
    """write(path, n_frames, fps) -> path: frame i is a flat grey of level 4*i (a tiny real mp4)."""
    import cv2

    def go(path: Path, n: int = 24, fps: float = 8.0) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (32, 24))
        for i in range(n):
            w.write(np.full((24, 32, 3), 4 * i, np.uint8))
        w.release()
        return path
    return go


def assert_near_chance(summary: dict, chance: float) -> None:
    """Random must sit within 3.5 binomial standard deviations of chance (in percent)."""
    n = summary["n"]
    sd = 100.0 * math.sqrt(chance * (1 - chance) / n)
    assert abs(summary["headline"] - 100.0 * chance) <= 3.5 * sd + 1e-9, (summary["headline"], chance, n)


@pytest.fixture
def near_chance():
    return assert_near_chance
