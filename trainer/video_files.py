"""Real videos for the Trace-of-Mark source: a folder of video files, or Something-Something v2.

Magma traces marks on instructional and egocentric videos (Something-Something v2, Ego4D,
Epic-Kitchens). Two on-disk layouts are read:
  format: files   `path` is a directory of videos (.mp4 .webm .avi .mov .mkv .m4v, recursive). A
                  clip's text is its entry in `<path>/annotations.json` ({"<relative path>": "text"})
                  when there is one, else the file name with _ and - as spaces.
  format: ssv2    `path` is an SSv2 labels file (something-something-v2-{train,validation}.json:
                  [{"id", "label", "template", "placeholders"}]); videos are `<id>.webm` in `images`
                  (default: the labels file's folder, or its 20bn-something-something-v2/ subfolder).
Each video gives one clip of `clip_frames` frames sampled at about `fps` frames/s from its start
(OpenCV decodes; frames larger than `size` px on the long side are shrunk to it), and the clip goes through the
same ToM pipeline as the generated ones. Malformed annotation records are errors naming the file
and record; a video OpenCV cannot decode is skipped with a warning naming it (corpora this size
always hold a few), and a source with no readable video at all is an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from magma_bench.data.hf_files import read_json
from magma_bench.errors import UserError
from magma_bench.trainer import data
from magma_bench.trainer.data import Example

VIDEO_SUFFIXES = (".mp4", ".webm", ".avi", ".mov", ".mkv", ".m4v")
ANNOTATIONS = "annotations.json"


def list_files(root: Path) -> list[tuple[Path, str]]:
    """(video, text) for every video under `root`, in sorted order."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: not a directory of videos")
    texts: dict[str, str] = {}
    ann = root / ANNOTATIONS
    if ann.is_file():
        texts = read_json(ann)
        if not isinstance(texts, dict) or not all(isinstance(v, str) for v in texts.values()):
            raise UserError(f"{ann}: expected an object mapping video paths to their text")
    vids = sorted(p for p in root.rglob("*") if p.suffix.lower() in VIDEO_SUFFIXES and p.is_file())
    if not vids:
        raise UserError(f"{root}: no video files ({', '.join(VIDEO_SUFFIXES)})")
    out = []
    for p in vids:
        rel = p.relative_to(root).as_posix()
        out.append((p, texts.get(rel) or p.stem.replace("_", " ").replace("-", " ")))
    return out


def list_ssv2(labels: Path, videos: Path | None = None) -> list[tuple[Path, str]]:
    """(video, label) per record of a Something-Something v2 labels file."""
    labels = Path(labels)
    try:
        rows = read_json(labels)
    except OSError as e:
        raise UserError(f"{labels}: cannot read the SSv2 labels file ({e})") from None
    if not isinstance(rows, list):
        raise UserError(f"{labels}: expected a JSON array of SSv2 records")
    if videos is None:
        sub = labels.parent / "20bn-something-something-v2"
        videos = sub if sub.is_dir() else labels.parent
    out = []
    for i, r in enumerate(rows):
        if not isinstance(r, dict) or not isinstance(r.get("id"), str | int) or not isinstance(r.get("label"), str):
            raise UserError(f"{labels}: record {i}: needs a string 'id' and 'label'")
        out.append((Path(videos) / f"{r['id']}.webm", r["label"]))
    return out


def read_clip(path: Path, frames: int = 17, fps: float = 8.0, size: int = 192) -> np.ndarray | None:
    """`frames` RGB frames (T, H, W, 3) from the start of the video, about `fps` apart; None when
    the video cannot be decoded or is too short."""
    import cv2

    cap = cv2.VideoCapture(str(path))
    try:
        if not cap.isOpened():
            return None
        native = cap.get(cv2.CAP_PROP_FPS) or 0.0
        stride = max(1, round(native / fps)) if native > 0 else 1
        out, i = [], 0
        while len(out) < frames:
            ok, bgr = cap.read()
            if not ok:
                break
            if i % stride == 0:
                h, w = bgr.shape[:2]
                s = size / max(h, w)
                if s < 1:  # only ever shrink
                    bgr = cv2.resize(bgr, (max(1, round(w * s)), max(1, round(h * s))), interpolation=cv2.INTER_AREA)
                out.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            i += 1
    finally:
        cap.release()
    return np.stack(out) if len(out) == frames else None


def video_from_files(items: list[tuple[Path, str]], out_dir: Path, n: int, seed: int, use_tom: bool,
                     clip_frames: int = 17, size: int = 192, where: str = "video") -> list[Example]:
    """Up to n ToM (or, without ToM, caption) examples, one per readable video, in order. Clips
    where nothing moves give no ToM question and are passed over, as with the generated clips."""
    out: list[Example] = []
    bad: list[str] = []
    for k, (path, text) in enumerate(items):
        if len(out) >= n:
            break
        frames = read_clip(path, clip_frames, size=size)
        if frames is None:
            bad.append(str(path))
            continue
        ex = data.tom_example(f"video/{path.stem}/{k}", frames, text, Path(out_dir) / "video", use_tom, seed + k,
                              caption=text)
        if ex is not None:
            out.append(ex)
    if bad:
        print(f"warning: {where}: skipped {len(bad)} video(s) OpenCV could not decode or shorter than "
              f"{clip_frames} frames: {', '.join(bad[:5])}{' ...' if len(bad) > 5 else ''}", file=sys.stderr)
    if not out:
        raise UserError(f"{where}: no usable clip among {len(items)} video(s)"
                        + (f" ({len(bad)} unreadable or too short)" if bad else ""))
    return out
