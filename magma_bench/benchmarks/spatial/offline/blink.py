"""BLINK-shaped visual perception items (Fu et al., ECCV 2024) on generated images.

- Counting: how many objects of one kind are in a cluttered scene (4 numeric choices).
- Relative_Depth: objects standing on a ground plane seen in perspective (farther = higher in
  the image and smaller, nearer ones occlude farther ones); two points circled and labelled A
  and B; which is closer to the camera (2 choices), as in BLINK.
- Visual_Correspondence: the same scene in two views (shifted and scaled); a reference point
  "REF" on an object in the first, four labelled points on different objects in the second;
  which corresponds (4 choices).
Each item returns the question, the choices, the answer index and PIL images.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from magma_bench.benchmarks.vl.offline.scenes import BACKGROUND, COLORS, KINDS, Obj, draw

SIZE = 320
SUB_TASKS = ("Counting", "Relative_Depth", "Visual_Correspondence")
PLURAL = {"box": "boxes", "cross": "crosses"}


@dataclass
class Item:
    question: str
    choices: list[str]
    answer: int
    images: list[Image.Image]


def _canvas() -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (SIZE, SIZE), BACKGROUND)
    return img, ImageDraw.Draw(img)


def _mark(d: ImageDraw.ImageDraw, x: float, y: float, label: str) -> None:
    d.ellipse((x - 9, y - 9, x + 9, y + 9), outline=(255, 0, 0), width=3)
    font = ImageFont.load_default(size=16)
    d.rectangle((x + 10, y - 22, x + 12 + d.textlength(label, font=font), y - 4), fill=(255, 255, 255))
    d.text((x + 11, y - 22), label, fill=(255, 0, 0), font=font)


def counting(rng: np.random.Generator) -> Item:
    kinds = [str(k) for k in rng.choice(KINDS, int(rng.integers(2, 5)), replace=False)]
    cells = rng.permutation(36)[: int(rng.integers(5, 14))]
    img, d = _canvas()
    placed = []
    for c in cells:
        kind = kinds[int(rng.integers(len(kinds)))]
        cx, cy = 27 + (c % 6) * 53 + int(rng.integers(-6, 7)), 27 + (c // 6) * 53 + int(rng.integers(-6, 7))
        draw(d, Obj(kind, str(rng.choice(list(COLORS))), cx, cy, int(rng.integers(14, 21))))
        placed.append(kind)
    target = kinds[int(rng.integers(len(kinds)))]
    n = placed.count(target)
    opts = {n}
    while len(opts) < 4:
        opts.add(max(0, n + int(rng.integers(-3, 4))))
    choices = [str(v) for v in rng.permutation(sorted(opts))]
    return Item(f"How many {PLURAL.get(target, target + 's')} are in the image?", choices,
                choices.index(str(n)), [img])


def _visible_point(objs: list[tuple[float, Obj]], idx: int) -> tuple[float, float] | None:
    """A point inside object idx that no nearer (later-drawn) object covers."""
    o = objs[idx][1]
    for dy in (-0.5, -0.25, 0.0, 0.25):
        for dx in (0.0, -0.3, 0.3):
            px, py = o.cx + dx * o.r, o.cy + dy * o.r
            if all((px - m.cx) ** 2 + (py - m.cy) ** 2 > (1.45 * m.r + 12) ** 2 for _, m in objs[idx + 1:]):
                return px, py
    return None


def relative_depth(rng: np.random.Generator) -> Item:
    horizon = 110
    while True:
        k = int(rng.integers(2, 5))
        zs = np.sort(rng.uniform(1.0, 6.0, k))[::-1]  # far to near, drawing order
        if np.any(zs[:-1] / zs[1:] < 1.35):
            continue
        objs = []
        for z in zs:
            r = int(60 / z)
            x = int(rng.integers(r + 5, SIZE - r - 5))
            y = int(horizon + (SIZE - horizon - 10) / z) - r
            kind, color = str(rng.choice(("ball", "box", "hexagon", "diamond"))), str(rng.choice(list(COLORS)))
            objs.append((float(z), Obj(kind, color, x, y, r)))
        i, j = (int(v) for v in rng.choice(k, 2, replace=False))
        pa, pb = _visible_point(objs, i), _visible_point(objs, j)
        if pa is not None and pb is not None:
            break
    img, d = _canvas()
    for t in range(12):  # ground lines converge: a perspective cue
        y = horizon + (SIZE - horizon) * (1 - 1 / (1 + 0.35 * t))
        d.line((0, y, SIZE, y), fill=(200, 200, 190), width=1)
    for _, o in objs:
        draw(d, Obj(o.kind, "black", o.cx, o.cy, o.r + 2))
        draw(d, o)
    _mark(d, *pa, "A")
    _mark(d, *pb, "B")
    answer = 0 if objs[i][0] < objs[j][0] else 1
    return Item("Two points are circled on the image, labeled by A and B beside each circle. Which point is "
                "closer to the camera?", ["A", "B"], answer, [img])


def visual_correspondence(rng: np.random.Generator) -> Item:
    n = int(rng.integers(4, 7))
    kinds = [str(k) for k in rng.choice(KINDS, n, replace=False)]
    objs: list[Obj] = []
    while len(objs) < n:
        r = int(rng.integers(20, 30))
        cx, cy = (int(v) for v in rng.integers(r + 40, SIZE - r - 40, 2))
        if all((cx - o.cx) ** 2 + (cy - o.cy) ** 2 > (r + o.r + 12) ** 2 for o in objs):
            objs.append(Obj(kinds[len(objs)], str(rng.choice(list(COLORS))), cx, cy, r))
    s = rng.uniform(0.8, 1.15)
    tx, ty = rng.integers(-30, 31, 2)

    def warp(x: float, y: float) -> tuple[float, float]:
        return (SIZE / 2 + (x - SIZE / 2) * s + tx, SIZE / 2 + (y - SIZE / 2) * s + ty)

    img1, d1 = _canvas()
    img2, d2 = _canvas()
    for o in objs:
        draw(d1, o)
        wx, wy = warp(o.cx, o.cy)
        draw(d2, Obj(o.kind, o.color, int(wx), int(wy), int(o.r * s)))
    picks = [int(v) for v in rng.choice(n, 4, replace=False)]
    ref = picks[0]
    off = rng.uniform(-0.4, 0.4, 2)  # the same relative spot on each candidate object
    _mark(d1, objs[ref].cx + off[0] * objs[ref].r, objs[ref].cy + off[1] * objs[ref].r, "REF")
    order = [picks[int(v)] for v in rng.permutation(4)]
    for label, idx in zip("ABCD", order, strict=True):
        o = objs[idx]
        _mark(d2, *warp(o.cx + off[0] * o.r, o.cy + off[1] * o.r), label)
    return Item("A point is circled on the first image, labeled with REF. We change the camera position or "
                "lighting and shoot the second image. You are given multiple red-circled points on the second "
                "image, choices of \"A, B, C, D\" are drawn beside each circle. Which point on the second image "
                "corresponds to the point in the first image?", ["A", "B", "C", "D"], order.index(ref), [img1, img2])


GENERATORS = {"Counting": counting, "Relative_Depth": relative_depth, "Visual_Correspondence": visual_correspondence}
