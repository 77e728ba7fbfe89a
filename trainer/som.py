"""Set-of-Mark (SoM): numbered marks drawn on an image so a model can ground an action by naming one.

Magma (arXiv 2502.13130, §3.1) turns action grounding into picking a mark: candidate regions or
points are drawn onto the image with numbers and the model answers `Coordinate: (x, y). Mark: k`.
  - UI: candidates are element boxes (DOM boxes), drawn as red rectangles with a number label.
  - robot / video: candidates are image points (gripper and objects, or clustered track starts),
    drawn as filled red circles with white numbers (upstream `data/utils/som_tom.py`: the font grows
    until the text "55" is >= 3% of the image width; mark ids are a random permutation, 1-based).
Pixels come from `magma_bench.marks`, the renderer the UI benchmarks use, so training marks and
evaluation marks are the same pixels; this module picks candidates, numbers them and writes targets.
Points closer than one mark diameter are merged before drawing.
Everything here is a pure function of its inputs and a seed: same inputs, same pixels, same text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from PIL import Image

from magma_bench import marks as marks_render
from magma_bench.geometry import Box, iou
from magma_bench.model.formats import format_coordinate

RED = marks_render.RED


@dataclass(frozen=True)
class Mark:
    id: int  # the number drawn on the image (1-based)
    x: float  # mark centre in pixels (box centre for UI marks)
    y: float
    box: Box | None = None  # UI element box; None for point marks
    source: int = -1  # index of the candidate this mark came from


# -- candidates --------------------------------------------------------------------------------------


def ui_candidates(boxes: Sequence[Box], width: int, height: int, min_side: float = 4.0,
                  max_iou: float = 0.9) -> list[int]:
    """Indices of element boxes worth marking: clipped to the image, not tiny, not near-duplicates
    of an earlier box (a DOM often nests a button in a same-size wrapper)."""
    kept: list[int] = []
    clipped: list[Box] = []
    for i, (x1, y1, x2, y2) in enumerate(boxes):
        b = (max(0.0, x1), max(0.0, y1), min(float(width), x2), min(float(height), y2))
        if b[2] - b[0] < min_side or b[3] - b[1] < min_side:
            continue
        if any(iou(b, clipped[j]) > max_iou for j in range(len(clipped))):
            continue
        kept.append(i)
        clipped.append(b)
    return kept


def spread_points(points: Sequence[tuple[float, float]], min_dist: float) -> list[int]:
    """Greedy, in order: keep a point only if it is >= min_dist from every kept one, so the circles
    drawn on them cannot overlap (order = priority, e.g. the gripper first)."""
    kept: list[int] = []
    for i, (x, y) in enumerate(points):
        if all((x - points[j][0]) ** 2 + (y - points[j][1]) ** 2 >= min_dist ** 2 for j in kept):
            kept.append(i)
    return kept


def robot_candidates(gripper_xy: tuple[float, float], object_xys: Sequence[tuple[float, float]],
                     width: int, height: int, min_dist: float) -> list[tuple[float, float]]:
    """Gripper first, then objects; off-image points dropped, crowded points merged."""
    pts = [(float(x), float(y)) for x, y in [gripper_xy, *object_xys] if 0 <= x < width and 0 <= y < height]
    return [pts[i] for i in spread_points(pts, min_dist)]


def assign_marks(candidates: Sequence[Box] | Sequence[tuple[float, float]], seed: int) -> list[Mark]:
    """Marks for candidates (boxes or points) with ids 1..N in a seeded random order (upstream shuffles
    ids so that a mark's number carries no information about which candidate is the answer)."""
    ids = np.random.default_rng(seed).permutation(len(candidates)) + 1
    marks = []
    for i, c in enumerate(candidates):
        if len(c) == 4:
            x1, y1, x2, y2 = (float(v) for v in c)
            marks.append(Mark(int(ids[i]), (x1 + x2) / 2, (y1 + y2) / 2, (x1, y1, x2, y2), i))
        else:
            marks.append(Mark(int(ids[i]), float(c[0]), float(c[1]), None, i))
    return marks


# -- rendering (the one renderer: magma_bench.marks, shared with the UI benchmarks) ----------------------


def render_box_marks(image: Image.Image, marks: Sequence[Mark], font_frac: float = 0.02,
                     font_px: int | None = None) -> tuple[Image.Image, list[Box]]:
    """UI SoM: the UI benchmarks' box marks with each mark's id as its label. `font_px` fixes the
    label size (the UI benchmarks draw 14 px labels); otherwise it scales with the width.
    Returns a new image and the label rectangles (in mark order)."""
    assert all(m.box is not None for m in marks), "render_box_marks needs box marks"
    out = image.convert("RGB").copy()
    px = font_px or marks_render.scaled_font_px(out.width, font_frac)
    rects = marks_render.draw_box_marks(out, [m.box for m in marks], [str(m.id) for m in marks], px)
    return out, [tuple(float(v) for v in r) for r in rects]  # type: ignore[misc]


def circle_radius(width: int, font_frac: float = 0.03) -> int:
    """Radius of a point mark (see magma_bench.marks.circle_radius)."""
    return marks_render.circle_radius(width, font_frac)


def render_point_marks(image: Image.Image, marks: Sequence[Mark], font_frac: float = 0.03) -> Image.Image:
    """Robot/video SoM: filled red circle with the white number centred on each mark."""
    out = image.convert("RGB").copy()
    marks_render.draw_point_marks(out, [(m.x, m.y) for m in marks], [str(m.id) for m in marks], font_frac)
    return out


# -- targets ------------------------------------------------------------------------------------------


def som_target(mark: Mark, width: int, height: int) -> str:
    """`Coordinate: (x, y). Mark: k` with x, y the mark centre normalised to [0, 1]."""
    return format_coordinate(mark.x / width, mark.y / height, mark.id)


def mark_by_source(marks: Sequence[Mark], source: int) -> Mark:
    """The mark drawn for candidate index `source` (the answer's mark after shuffling)."""
    return next(m for m in marks if m.source == source)
