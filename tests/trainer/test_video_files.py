"""Real-video ToM source: a folder of video files or Something-Something v2, decoded with OpenCV."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from magma_bench.errors import UserError
from magma_bench.model.formats import parse_trace
from magma_bench.trainer import mixtures, video_files

cv2 = pytest.importorskip("cv2")


def _write(path: Path, frames: np.ndarray, fourcc: str, fps: float = 30.0) -> Path:
    h, w = frames.shape[1:3]
    out = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*fourcc), fps, (w, h))
    assert out.isOpened(), fourcc
    for f in frames:
        out.write(cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
    out.release()
    return path


@pytest.fixture
def clips() -> np.ndarray:
    from magma_bench.trainer.videos import make_video

    return make_video(3, frames=70, size=128, camera="static", obj_speed=(0.6, 0.9)).frames


def test_clip_is_sampled_at_the_asked_rate_and_only_shrunk(tmp_path, clips):
    video = _write(tmp_path / "a.mp4", clips, "mp4v", fps=32.0)
    clip = video_files.read_clip(video, frames=17, fps=8.0, size=192)
    assert clip.shape == (17, 128, 128, 3)
    # every 4th frame (32 fps -> 8 fps): frame k of the clip is frame 4k of the video (lossy codec:
    # the nearest source frame)
    for k in (1, 5, 16):
        err = np.abs(clips.astype(int) - clip[k].astype(int)).mean(axis=(1, 2, 3))
        assert int(np.argmin(err)) == 4 * k
    assert video_files.read_clip(video, frames=17, size=64).shape == (17, 64, 64, 3)
    assert video_files.read_clip(video, frames=40) is None  # 70 frames at stride 4 hold 18
    (tmp_path / "broken.mp4").write_bytes(b"not a video")
    assert video_files.read_clip(tmp_path / "broken.mp4") is None


def test_folder_of_videos_with_annotations_gives_tom_examples(tmp_path, clips, capsys):
    root = tmp_path / "videos"
    (root / "kitchen").mkdir(parents=True)
    _write(root / "kitchen" / "slide_blocks.mp4", clips, "mp4v")
    _write(root / "b.avi", clips[::-1].copy(), "MJPG")
    (root / "c.mp4").write_bytes(b"corrupt")
    (root / "annotations.json").write_text(json.dumps({"b.avi": "push the blocks back"}))
    items = video_files.list_files(root)
    assert [(p.name, t) for p, t in items] == [("b.avi", "push the blocks back"), ("c.mp4", "c"),
                                               ("slide_blocks.mp4", "slide blocks")]
    exs = video_files.video_from_files(items, tmp_path / "out", n=5, seed=0, use_tom=True)
    assert len(exs) == 2 and all(parse_trace(e.target) for e in exs) and {e.source for e in exs} == {"video"}
    assert "push the blocks back" in exs[0].messages[0]["content"][1]["text"]
    assert "c.mp4" in capsys.readouterr().err  # the corrupt file is named, the rest still loads
    plain = video_files.video_from_files(items, tmp_path / "plain", n=1, seed=0, use_tom=False)
    assert len(plain) == 1 and plain[0].target == "push the blocks back"


def test_ssv2_labels_and_webm_videos_through_a_mixture(tmp_path, clips):
    videos = tmp_path / "20bn-something-something-v2"
    videos.mkdir()
    _write(videos / "78687.webm", clips, "VP80")
    labels = tmp_path / "something-something-v2-train.json"
    labels.write_text(json.dumps([{"id": "78687", "label": "pushing green block from left to right",
                                   "template": "Pushing [something] from left to right", "placeholders": ["green block"]}]))
    mix = mixtures.parse_mixture({"name": "v", "sources": {"video": {"n": 4, "format": "ssv2", "path": str(labels)}}})
    pool = mixtures.build_pools(mix, tmp_path / "pool")["video"]
    assert len(pool) == 1 and "pushing green block" in pool[0].messages[0]["content"][1]["text"]


def test_bad_video_sources_are_user_errors(tmp_path):
    with pytest.raises(UserError, match="not a directory"):
        video_files.list_files(tmp_path / "missing")
    with pytest.raises(UserError, match="no video files"):
        video_files.list_files(tmp_path)
    (tmp_path / "x.mp4").write_bytes(b"junk")
    (tmp_path / "annotations.json").write_text("{oops")
    with pytest.raises(UserError, match=r"annotations.json:1: not valid JSON"):
        video_files.list_files(tmp_path)
    labels = tmp_path / "labels.json"
    labels.write_text(json.dumps([{"id": "1", "label": "ok"}, {"label": "no id"}]))
    with pytest.raises(UserError, match="record 1: needs a string 'id'"):
        video_files.list_ssv2(labels)
    (tmp_path / "annotations.json").unlink()
    with pytest.raises(UserError, match=r"no usable clip among 1 video\(s\) \(1 unreadable"):
        video_files.video_from_files(video_files.list_files(tmp_path), tmp_path / "o", 2, 0, True)
    with pytest.raises(UserError, match="format 'files' but no path"):
        mixtures.parse_mixture({"name": "v", "sources": {"video": {"format": "files"}}})
