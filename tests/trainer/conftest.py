"""Tiny fixtures in the real on-disk formats the trainer reads (ScreenSpot suite, SeeClick JSON,
robot demonstrations), written by hand so the loaders are tested without Chromium or MuJoCo."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

BUTTONS = [(20, 20, 120, 50), (140, 20, 240, 50), (20, 80, 240, 110), (20, 140, 60, 170)]


def _screen(path: Path) -> None:
    img = Image.new("RGB", (260, 200), (250, 250, 250))
    d = ImageDraw.Draw(img)
    for b in BUTTONS:
        d.rectangle(b, fill=(200, 210, 230), outline=(90, 90, 90))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path)


@pytest.fixture
def screenspot_suite(tmp_path: Path) -> Path:
    root = tmp_path / "ss"
    _screen(root / "screenspot_imgs" / "a.png")
    rows = [{"img_filename": "a.png", "bbox": [140, 20, 100, 30], "instruction": "open settings",
             "data_type": "text", "data_source": "android"},
            {"img_filename": "a.png", "bbox": [20, 140, 40, 30], "instruction": "go back", "data_type": "icon",
             "data_source": "android"}]
    (root / "screenspot_mobile.json").write_text(json.dumps(rows))
    (root / "som_candidates.json").write_text(json.dumps({"a.png": [list(b) for b in BUTTONS[:3]]}))
    return root


@pytest.fixture
def seeclick_json(tmp_path: Path) -> tuple[Path, Path]:
    img_dir = tmp_path / "seeclick_web_imgs"
    _screen(img_dir / "w.png")
    _screen(img_dir / "m.png")
    items = [{"img_filename": "w.png", "url": "https://example.org", "elements": [
        {"instruction": "Sign in", "bbox": [20 / 260, 20 / 200, 120 / 260, 50 / 200], "data_type": "text"},
        {"instruction": "Search", "bbox": [140 / 260, 20 / 200, 240 / 260, 50 / 200], "data_type": "hover"},
        {"instruction": "broken", "bbox": [-0.1, 0.1, 0.2, 0.2], "data_type": "text"}]},
        {"img_filename": "m.png", "instruction": "tap the long bar", "bbox": [20 / 260, 80 / 200, 240 / 260, 110 / 200]}]
    path = tmp_path / "seeclick_web.json"
    path.write_text(json.dumps(items))
    return path, img_dir


@pytest.fixture
def demos_dir(tmp_path: Path) -> Path:
    """One 20-step episode in the robotics suite's RLDS-like npz layout; frames from a clip with
    moving blocks so Trace-of-Mark has something to trace."""
    from magma_bench.trainer.videos import make_video

    root = tmp_path / "demos"
    (root / "episodes").mkdir(parents=True)
    t = 20
    frames = make_video(5, frames=t, size=128, camera="static", obj_speed=(2.5, 3.5)).frames
    steps = {"observation/image": frames, "observation/state": np.zeros((t, 8), np.float32),
             "action": np.tile(np.linspace(-0.5, 0.5, 7, dtype=np.float32), (t, 1)),
             "reward": np.r_[np.zeros(t - 1), 1.0].astype(np.float32), "discount": np.ones(t, np.float32),
             "is_first": np.r_[True, np.zeros(t - 1, bool)], "is_last": np.r_[np.zeros(t - 1, bool), True],
             "is_terminal": np.r_[np.zeros(t - 1, bool), True], "language_instruction": np.array("Put the block left."),
             # SoM candidates: gripper, block, goal spot; the block is the goal until step 10, then the spot
             "observation/mark_points": np.tile(np.array([[10, 10], [60, 60], [100, 100]], np.float32), (t, 1, 1)),
             "observation/mark_goal": np.r_[np.ones(10), np.full(t - 10, 2)].astype(np.int16)}
    np.savez_compressed(root / "episodes" / "ep0.npz", **steps)
    info = {"format": "magma_bench.rlds_npz", "version": 1, "benchmark": "fixture", "mode": "visual_matching",
            "image_size": 128, "episodes": [{"id": "fixture/ep0", "file": "episodes/ep0.npz", "task": "push",
                                             "seed": 0, "length": t, "success": True,
                                             "language_instruction": "Put the block left."}]}
    (root / "dataset_info.json").write_text(json.dumps(info))
    return root
