"""The one Set-of-Mark renderer (Magma §3.1), used by the UI benchmarks and by the trainer, so the
marks a model is trained on are the same pixels it is evaluated on.

- Box marks (UI): a red outline per candidate box and a red label with a white number, placed at
  the first anchor that stays in the image and covers no earlier label (the least-covering anchor
  when none is free), so numbers stay readable on dense screens.
- Point marks (robot / video): a filled red circle with the white number centred on it; the font
  grows until "55" is >= 3% of the image width (upstream `data/utils/som_tom.py`).
Everything is a pure function of its inputs: same inputs, same pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from magma_bench.geometry import intersection_area

RED = (255, 0, 0)
WHITE = (255, 255, 255)
UI_FONT_PX = 14  # label size of the UI benchmarks' SoM screenshots


def font(size_px: int) -> Any:
    """Pillow's built-in scalable font at `size_px`."""
    from PIL import ImageFont

    return ImageFont.load_default(size=size_px)


def text_size(fnt: Any, text: str) -> tuple[int, int]:
    x0, y0, x1, y1 = fnt.getbbox(text)
    return x1 - x0, y1 - y0


def scaled_font_px(width: int, frac: float = 0.03, min_px: int = 8) -> int:
    """The smallest font size whose "55" is >= frac * width (and >= min_px) pixels."""
    target = max(float(min_px), frac * width)
    size = 4
    while size <= 200 and min(text_size(font(size), "55")) < target:
        size += 1
    return size


def label_positions(boxes: Sequence[Sequence[float]], size: tuple[int, int],
                    label_wh: Sequence[tuple[int, int]]) -> list[list[int]]:
    """A label rectangle [x1, y1, x2, y2] per box: outside above-left, inside top-left, outside
    below-left, inside top-right, ...: the first that stays in the image and covers no earlier
    label; when every anchor is taken, the one (clamped into the image) covering the least."""
    w, h = size
    placed: list[list[int]] = []
    for (x1, y1, x2, y2), (lw, lh) in zip(boxes, label_wh, strict=True):
        x1, y1, x2, y2 = int(x1), int(y1), int(x2), int(y2)
        anchors = [(x1, y1 - lh), (x1, y1), (x1, y2), (x2 - lw, y1), (x2 - lw, y2 - lh), (x2, y1),
                   (x1 - lw, y1), (x2 - lw, y1 - lh), (x1, y2 - lh)]
        chosen, best_cost = None, float("inf")
        for ox, oy in anchors:
            on_screen = 0 <= ox and 0 <= oy and ox + lw <= w and oy + lh <= h
            ox, oy = min(max(0, ox), max(0, w - lw)), min(max(0, oy), max(0, h - lh))
            r = [ox, oy, ox + lw, oy + lh]
            cost = sum(intersection_area(r, p) for p in placed)
            if on_screen and cost == 0:
                chosen = r
                break
            if cost < best_cost:
                chosen, best_cost = r, cost
        placed.append(chosen)  # type: ignore[arg-type]
    return placed


def draw_box_marks(img: Any, boxes: Sequence[Sequence[float]], labels: Sequence[str] | None = None,
                   font_px: int = UI_FONT_PX) -> list[list[int]]:
    """Draw box marks onto a PIL RGB image in place (labels 1..n by default; "" draws the box
    alone, VisualWebBench's plain red box); returns the label rectangles."""
    from PIL import ImageDraw

    labels = list(labels) if labels is not None else [str(i + 1) for i in range(len(boxes))]
    draw = ImageDraw.Draw(img)
    fnt = font(font_px)
    wh = []
    for lab in labels:
        x0, t, r, b = draw.textbbox((0, 0), lab, font=fnt)
        wh.append((r - x0 + 6, b - t + 4))
    rects = label_positions(boxes, img.size, wh)
    for (x1, y1, x2, y2) in boxes:
        draw.rectangle([int(x1), int(y1), max(int(x1), int(x2) - 1), max(int(y1), int(y2) - 1)],
                       outline=RED, width=2)
    for lab, r in zip(labels, rects, strict=True):
        if not lab:
            continue
        draw.rectangle(r, fill=RED)
        x0, t, _, _ = draw.textbbox((0, 0), lab, font=fnt)
        draw.text((r[0] + 3 - x0, r[1] + 2 - t), lab, fill=WHITE, font=fnt)
    return rects


def circle_radius(width: int, font_frac: float = 0.03) -> int:
    """Radius of a point mark: half the "55" label's larger side plus a pixel (upstream draw_marks)."""
    return max(text_size(font(scaled_font_px(width, font_frac)), "55")) // 2 + 1


def draw_point_marks(img: Any, points: Sequence[tuple[float, float]], labels: Sequence[str],
                     font_frac: float = 0.03) -> None:
    """Draw point marks onto a PIL RGB image in place: a filled red circle, the number centred."""
    from PIL import ImageDraw

    draw = ImageDraw.Draw(img)
    fnt = font(scaled_font_px(img.width, font_frac))
    r = circle_radius(img.width, font_frac)
    for (x, y), lab in zip(points, labels, strict=True):
        draw.ellipse((x - r, y - r, x + r, y + r), fill=RED)
        draw.text((x, y), lab, fill=WHITE, font=fnt, anchor="mm")

