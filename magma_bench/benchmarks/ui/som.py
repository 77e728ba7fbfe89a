"""Set-of-Mark for screens: candidate element boxes drawn as numbered marks (Magma §3.1).

Marks are drawn by `magma_bench.marks` (the renderer the trainer uses too). Candidates come from
the DOM for generated suites, or from a detector's output file for real screenshots (`load_candidates`: {"<image file>": [[x1, y1, x2, y2], ...]} in pixels).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from magma_bench.data.hf_files import read_json
from magma_bench.errors import UserError
from magma_bench.marks import UI_FONT_PX, draw_box_marks


def draw_marks(src: Path, boxes: Sequence[Sequence[float]], dst: Path,
               labels: Sequence[str] | None = None, font_px: int = UI_FONT_PX) -> list[list[int]]:
    """Write `src` with numbered marks (1..n, or `labels`; "" draws the box alone) to `dst`; returns
    the label rectangles."""
    from PIL import Image

    img = Image.open(src).convert("RGB")
    rects = draw_box_marks(img, boxes, labels, font_px)
    dst.parent.mkdir(parents=True, exist_ok=True)
    img.save(dst)
    return rects


def load_candidates(path: Path) -> dict[str, list[list[float]]]:
    """A detector's (or the generator's) candidate boxes: {image file: [[x1, y1, x2, y2], ...]}."""
    try:
        data = read_json(Path(path))
    except OSError as e:
        raise UserError(f"{path}: cannot read SoM candidates ({e})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: SoM candidates must map image file -> list of [x1, y1, x2, y2]")
    for key, boxes in data.items():
        if not isinstance(boxes, list) or any(not isinstance(b, list) or len(b) != 4 for b in boxes):
            raise UserError(f"{path}: record {key!r}: expected a list of [x1, y1, x2, y2] boxes")
    return data
