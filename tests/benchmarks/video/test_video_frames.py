"""Frame decoding and uniform sampling: index conventions, exact frames, caching, clear errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from magma_bench.benchmarks.video.frames import read_frames, sample_frames, sample_indices, video_info
from magma_bench.errors import UserError

cv2 = pytest.importorskip("cv2")


def _write_counter_video(path: Path, n: int, fps: float = 8.0) -> None:
    """Frame i is a flat grey of level 5*i, so a decoded frame tells which index it was."""
    w = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, (64, 48))
    for i in range(n):
        w.write(np.full((48, 64, 3), 5 * i, np.uint8))
    w.release()


def test_linspace_is_lmms_eval_convention():
    # lmms-eval video loaders: np.linspace(0, total - 1, K, dtype=int)
    assert sample_indices(48, 8) == [0, 6, 13, 20, 26, 33, 40, 47]
    assert sample_indices(10, 4) == [0, 3, 6, 9]
    assert sample_indices(3, 5) == [0, 0, 1, 1, 2]
    assert sample_indices(0, 4) == [] and sample_indices(5, 0) == []


def test_middle_is_mvbench_get_index():
    # MVBench get_index: max_frame = len - 1; seg = (end - start) / K; start + seg/2 + round(seg*i)
    assert sample_indices(48, 8, "middle", fps=8.0) == [2, 8, 14, 20, 26, 31, 37, 43]
    assert sample_indices(161, 16, "middle", fps=30.0) == [5, 15, 25, 35, 45, 55, 65, 75, 85, 95,
                                                          105, 115, 125, 135, 145, 155]
    # a [start, end] bound in seconds (STAR-based tasks): frames 16..32 at 8 fps
    assert sample_indices(48, 4, "middle", fps=8.0, bound=(2.0, 4.0)) == [18, 22, 26, 30]


def test_decode_exact_frames_and_cache(tmp_path):
    video = tmp_path / "clip.mp4"
    _write_counter_video(video, 40)
    info = video_info(video)
    assert (info.n_frames, info.width, info.height) == (40, 64, 48)
    frames = read_frames(video, [0, 13, 39])
    levels = [int(round(float(f.mean()))) for f in frames]
    assert all(abs(lv - 5 * i) <= 3 for lv, i in zip(levels, [0, 13, 39], strict=True)), levels
    paths = sample_frames(video, 4, tmp_path / "cache")
    assert len(paths) == 4 and all(Path(p).exists() for p in paths)
    got = [int(round(float(cv2.imread(p).mean()))) for p in paths]
    assert all(abs(g - 5 * i) <= 3 for g, i in zip(got, [0, 13, 26, 39], strict=True)), got
    mtimes = [Path(p).stat().st_mtime_ns for p in paths]
    assert sample_frames(video, 4, tmp_path / "cache") == paths  # served from the cache
    assert [Path(p).stat().st_mtime_ns for p in paths] == mtimes


def test_frame_folder(tmp_path):
    folder = tmp_path / "frames"
    folder.mkdir()
    for i in range(12):  # natural order: 2 before 10
        cv2.imwrite(str(folder / f"img_{i}.jpg"), np.full((8, 8, 3), 10 * i, np.uint8))
    assert video_info(folder).n_frames == 12
    paths = sample_frames(folder, 3)
    assert [Path(p).name for p in paths] == ["img_0.jpg", "img_5.jpg", "img_11.jpg"]


def test_unreadable_video_names_file(tmp_path):
    bad = tmp_path / "broken.mp4"
    bad.write_bytes(b"not a video at all")
    with pytest.raises(UserError, match="broken.mp4"):
        sample_frames(bad, 4, tmp_path / "c")
    with pytest.raises(UserError, match="missing.mp4"):
        sample_frames(tmp_path / "missing.mp4", 4)
    with pytest.raises(UserError, match="empty"):
        (tmp_path / "empty").mkdir()
        sample_frames(tmp_path / "empty", 4)
