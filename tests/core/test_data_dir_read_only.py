"""Nothing is written under --data-dir: derived files (decoded hub images, SoM screenshots) go to
the cache root (`MAGMA_BENCH_CACHE`), so read-only and shared dataset folders work."""

from __future__ import annotations

import io
import os
import stat
from pathlib import Path

import pytest

from magma_bench.data.cache import cache_root, data_cache
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(root)): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def _read_only(root: Path) -> None:
    for p in [root, *root.rglob("*")]:
        mode = p.stat().st_mode
        p.chmod(mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def _pope_hub_snapshot(root: Path) -> None:
    """lmms-lab/POPE as the hub snapshot lays it out: data/test-*.parquet with embedded images."""
    datasets = pytest.importorskip("datasets")
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buf, format="PNG")
    ds = datasets.Dataset.from_dict({
        "id": [str(i) for i in range(6)], "question_id": [str(i + 1) for i in range(6)],
        "question": ["Is there a snowboard in the image?", "Is there a car in the image?"] * 3,
        "answer": ["yes", "no"] * 3, "image_source": ["COCO_val2014_000000310196"] * 6,
        "image": [{"bytes": buf.getvalue(), "path": None}] * 6,
        "category": ["popular", "popular", "random", "random", "adversarial", "adversarial"],
    }).cast_column("image", datasets.Image())
    (root / "data").mkdir(parents=True)
    ds.to_parquet(str(root / "data" / "test-00000-of-00001.parquet"))


def test_cache_root_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_CACHE", str(tmp_path / "c"))
    assert cache_root() == tmp_path / "c"
    a, b = data_cache(tmp_path / "x" / "pope", "images"), data_cache(tmp_path / "y" / "pope", "images")
    assert a != b and a.parent.parent == tmp_path / "c" / "data" and a.name == "images"
    monkeypatch.delenv("MAGMA_BENCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_root() == tmp_path / "xdg" / "magma-bench"


def test_a_read_only_hub_snapshot_runs_and_nothing_is_written_into_it(tmp_path):
    data = tmp_path / "POPE"
    _pope_hub_snapshot(data)
    before = _tree(data)
    _read_only(data)
    try:
        summary = run(RunConfig(benchmark="pope", adapter="oracle", data_dir=data, out=tmp_path / "runs"))
        assert summary["n"] == 6 and summary["errors"] == 0 and summary["headline"] == 100.0
        assert _tree(data) == before  # root ignores permission bits: compare the tree itself
        images = list(data_cache(data, "images").glob("*.img"))
        assert images and all(p.read_bytes()[:4] == b"\x89PNG" for p in images)
    finally:
        for p in [data, *data.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only permission bits")
def test_read_only_permissions_are_enough(tmp_path):
    data = tmp_path / "POPE"
    _pope_hub_snapshot(data)
    _read_only(data)
    try:
        summary = run(RunConfig(benchmark="pope", adapter="oracle", data_dir=data, out=tmp_path / "runs"))
        assert summary["headline"] == 100.0
    finally:
        for p in [data, *data.rglob("*")]:
            p.chmod(p.stat().st_mode | stat.S_IWUSR)
