"""Video frames for video-QA requests: decode a video (or a folder of frame images) and sample K
frames uniformly, caching them as PNG files so requests carry paths, never pixels.

Which frames: `linspace` is the lmms-eval convention its video models use for NExT-QA, VideoMME
and IntentQA (`np.linspace(0, total - 1, K, dtype=int)`: first and last frame included);
`middle` is MVBench's official `get_index` (the middle of each of K equal segments, optionally
inside a [start, end] bound in seconds). OpenCV decodes; nothing here imports torch.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from magma_bench.errors import UserError

SampleMode = Literal["linspace", "middle"]
IMAGE_EXTS = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


@dataclass(frozen=True, slots=True)
class VideoInfo:
    n_frames: int
    fps: float
    width: int
    height: int


def sample_indices(n_frames: int, k: int, mode: SampleMode = "linspace", fps: float = 1.0,
                   bound: tuple[float, float] | None = None) -> list[int]:
    """K frame indices out of n_frames (repeats allowed when the video is shorter than K)."""
    if n_frames <= 0 or k <= 0:
        return []
    if mode == "linspace":
        return [int(i) for i in np.linspace(0, n_frames - 1, k, dtype=int)]
    if mode != "middle":
        raise ValueError(f"unknown frame sampling mode {mode!r} (linspace | middle)")
    max_frame = n_frames - 1
    start, end = bound if bound else (-100000.0, 100000.0)
    start_idx = max(0, round(start * fps))
    end_idx = min(round(end * fps), max_frame)
    seg = float(end_idx - start_idx) / k
    return [min(max_frame, max(0, int(start_idx + seg / 2 + np.round(seg * i)))) for i in range(k)]


def _frame_files(folder: Path) -> list[Path]:
    files = [p for p in folder.iterdir() if p.suffix.lower() in IMAGE_EXTS]
    key = lambda p: [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", p.name)]  # noqa: E731
    return sorted(files, key=key)


def _open(path: Path):  # -> cv2.VideoCapture
    import cv2

    if not path.exists():
        raise UserError(f"{path}: video file not found")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise UserError(f"{path}: cannot read video (not a video file, or a codec OpenCV lacks)")
    return cap


def video_info(path: Path | str) -> VideoInfo:
    """Frame count, fps and size of a video file or a folder of frames (fps 1 for folders)."""
    import cv2

    path = Path(path)
    if path.is_dir():
        files = _frame_files(path)
        if not files:
            raise UserError(f"{path}: no frame images ({', '.join(IMAGE_EXTS)}) in this folder")
        img = cv2.imread(str(files[0]))
        if img is None:
            raise UserError(f"{files[0]}: cannot read frame image")
        return VideoInfo(len(files), 1.0, img.shape[1], img.shape[0])
    cap = _open(path)
    try:
        n = int(cap.get(cv2.CAP_PROP_FRAME_COUNT))
        fps = float(cap.get(cv2.CAP_PROP_FPS)) or 1.0
        w, h = int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)), int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT))
        if n <= 0:  # some containers do not store a count: count by decoding
            n = 0
            while cap.grab():
                n += 1
    finally:
        cap.release()
    if n <= 0:
        raise UserError(f"{path}: video has no decodable frames")
    return VideoInfo(n, fps, w, h)


def read_frames(path: Path | str, indices: list[int]) -> list[np.ndarray]:
    """RGB uint8 frames at `indices` (in the given order), decoded in one sequential pass."""
    import cv2

    path = Path(path)
    if path.is_dir():
        files = _frame_files(path)
        out = []
        for i in indices:
            img = cv2.imread(str(files[min(i, len(files) - 1)]))
            if img is None:
                raise UserError(f"{files[min(i, len(files) - 1)]}: cannot read frame image")
            out.append(cv2.cvtColor(img, cv2.COLOR_BGR2RGB))
        return out
    wanted = set(indices)
    got: dict[int, np.ndarray] = {}
    cap = _open(path)
    try:
        i = 0
        last = max(indices, default=-1)
        while i <= last and cap.grab():
            if i in wanted:
                ok, frame = cap.retrieve()
                if not ok:
                    raise UserError(f"{path}: cannot decode frame {i}")
                got[i] = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            i += 1
    finally:
        cap.release()
    missing = [j for j in indices if j not in got]
    if missing:
        if not got:
            raise UserError(f"{path}: cannot decode frames (stream ended after {i} frames)")
        # The stored count overstated the stream: fall back to the last decoded frame.
        last_ok = got[max(got)]
        return [got.get(j, last_ok) for j in indices]
    return [got[j] for j in indices]


def default_cache_root() -> Path:
    return Path(tempfile.gettempdir()) / "magma_bench_frames"


def _cache_dir(path: Path, k: int, mode: str, bound: tuple[float, float] | None, root: Path) -> Path:
    st = path.stat()
    key = f"{path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{k}|{mode}|{bound}"
    return root / f"{path.stem[:40]}-{hashlib.sha1(key.encode()).hexdigest()[:12]}"


def sample_frames(path: Path | str, k: int, cache_root: Path | str | None = None,
                  mode: SampleMode = "linspace", bound: tuple[float, float] | None = None,
                  fps: float | None = None) -> list[str]:
    """Paths of K uniformly sampled frames. A folder of frame images yields its own files (`fps`
    gives its frame rate for a bound in seconds, default 1); a video's frames are decoded once
    and cached as PNGs under `cache_root` (a temp dir if None)."""
    import cv2

    path = Path(path)
    if path.is_dir():
        files = _frame_files(path)
        if not files:
            raise UserError(f"{path}: no frame images ({', '.join(IMAGE_EXTS)}) in this folder")
        return [str(files[i]) for i in sample_indices(len(files), k, mode, fps or 1.0, bound)]
    if not path.exists():
        raise UserError(f"{path}: video file not found")
    root = Path(cache_root) if cache_root is not None else default_cache_root()
    out_dir = _cache_dir(path, k, mode, bound, root)
    names = [out_dir / f"frame_{j:03d}.png" for j in range(k)]
    if all(p.exists() for p in names):
        return [str(p) for p in names]
    info = video_info(path)
    idx = sample_indices(info.n_frames, k, mode, info.fps, bound)
    frames = read_frames(path, idx)
    out_dir.mkdir(parents=True, exist_ok=True)
    for p, f in zip(names, frames, strict=True):
        tmp = p.with_suffix(".tmp.png")
        cv2.imwrite(str(tmp), cv2.cvtColor(f, cv2.COLOR_RGB2BGR))
        tmp.replace(p)
    return [str(p) for p in names]
