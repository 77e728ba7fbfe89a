"""Box geometry shared by the benchmarks, their metrics and the trainer: one definition of a box,
its overlap and its IoU, so a hit or a duplicate means the same thing everywhere.

A box is `[x1, y1, x2, y2]` (any sequence of four numbers) in one unit system, x2 >= x1, y2 >= y1.
"""

from __future__ import annotations

from collections.abc import Sequence

Box = tuple[float, float, float, float]  # x1, y1, x2, y2


def intersection_area(a: Sequence[float], b: Sequence[float]) -> float:
    """Area shared by two boxes (0 when they only touch or are apart)."""
    ix = max(0.0, min(a[2], b[2]) - max(a[0], b[0]))
    iy = max(0.0, min(a[3], b[3]) - max(a[1], b[1]))
    return ix * iy


def iou(a: Sequence[float], b: Sequence[float]) -> float:
    """Intersection over union; 0 for two empty boxes."""
    inter = intersection_area(a, b)
    union = (a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter
    return inter / union if union > 0 else 0.0


def overlaps(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when the boxes share a positive area (edges touching do not count)."""
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def point_in_box(point: Sequence[float] | None, box: Sequence[float]) -> bool:
    """SeeClick's hit test: x1 <= x <= x2 and y1 <= y <= y2, edges inclusive; no point never hits."""
    if point is None:
        return False
    return bool(box[0] <= point[0] <= box[2] and box[1] <= point[1] <= box[3])


def xywh_to_xyxy(b: Sequence[float]) -> list[float]:
    """ScreenSpot v1 / COCO `[x, y, w, h]` to `[x1, y1, x2, y2]`."""
    return [b[0], b[1], b[0] + b[2], b[1] + b[3]]
