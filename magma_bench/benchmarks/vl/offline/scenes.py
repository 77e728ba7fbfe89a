"""Procedural scenes of named objects drawn with PIL: the raw material of the offline VL suites.

Object kinds are distinct glyphs a vision model can learn to tell apart; kind frequencies are
skewed and kinds co-occur in families, so POPE's "popular" and "adversarial" negatives are
harder than "random" ones, as on COCO.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

KINDS = ("ball", "box", "star", "triangle", "cross", "ring", "diamond", "moon", "arrow", "bar",
         "hexagon", "heart")
# families of kinds that tend to appear together (drives adversarial negatives)
FAMILIES = (("ball", "ring", "moon"), ("box", "bar", "diamond"), ("star", "cross", "heart"),
            ("triangle", "arrow", "hexagon"))
BACKGROUND = (245, 245, 240)  # the scenes' off-white canvas (a moon is a disc cut by one in this colour)
COLORS = {"red": (220, 40, 40), "green": (40, 170, 60), "blue": (40, 80, 220), "yellow": (230, 200, 30),
          "purple": (140, 60, 190), "orange": (240, 130, 30), "black": (25, 25, 25), "cyan": (30, 190, 200)}


@dataclass(frozen=True)
class Obj:
    kind: str
    color: str
    cx: int
    cy: int
    r: int


def _polygon(cx: float, cy: float, r: float, pts: list[tuple[float, float]]) -> list[tuple[float, float]]:
    return [(cx + r * x, cy + r * y) for x, y in pts]


def draw(d: ImageDraw.ImageDraw, o: Obj) -> None:
    c, (x, y, r) = COLORS[o.color], (o.cx, o.cy, o.r)
    box = (x - r, y - r, x + r, y + r)
    if o.kind == "ball":
        d.ellipse(box, fill=c)
    elif o.kind == "box":
        d.rectangle(box, fill=c)
    elif o.kind == "ring":
        d.ellipse(box, outline=c, width=max(3, r // 3))
    elif o.kind == "bar":
        d.rectangle((x - r, y - r // 3, x + r, y + r // 3), fill=c)
    elif o.kind == "triangle":
        d.polygon(_polygon(x, y, r, [(0, -1), (1, 1), (-1, 1)]), fill=c)
    elif o.kind == "diamond":
        d.polygon(_polygon(x, y, r, [(0, -1), (1, 0), (0, 1), (-1, 0)]), fill=c)
    elif o.kind == "star":
        pts = [(np.cos(a) * (1 if i % 2 == 0 else 0.45), np.sin(a) * (1 if i % 2 == 0 else 0.45))
               for i, a in enumerate(np.linspace(-np.pi / 2, 1.5 * np.pi, 10, endpoint=False))]
        d.polygon(_polygon(x, y, r, pts), fill=c)
    elif o.kind == "cross":
        t = max(2, r // 3)
        d.rectangle((x - r, y - t, x + r, y + t), fill=c)
        d.rectangle((x - t, y - r, x + t, y + r), fill=c)
    elif o.kind == "hexagon":
        pts = [(np.cos(a), np.sin(a)) for a in np.linspace(0, 2 * np.pi, 6, endpoint=False)]
        d.polygon(_polygon(x, y, r, pts), fill=c)
    elif o.kind == "moon":
        d.ellipse(box, fill=c)
        d.ellipse((x - r // 2, y - r, x + r + r // 2, y + r), fill=BACKGROUND)
    elif o.kind == "arrow":
        d.polygon(_polygon(x, y, r, [(-1, -0.3), (0.2, -0.3), (0.2, -0.8), (1, 0), (0.2, 0.8), (0.2, 0.3),
                                     (-1, 0.3)]), fill=c)
    elif o.kind == "heart":
        d.ellipse((x - r, y - r, x, y), fill=c)
        d.ellipse((x, y - r, x + r, y), fill=c)
        d.polygon([(x - r, y - r // 2), (x + r, y - r // 2), (x, y + r)], fill=c)
    else:
        raise ValueError(f"unknown kind {o.kind}")


def kind_weights() -> np.ndarray:
    """Zipf-like frequency of each kind (index order of KINDS)."""
    w = 1.0 / np.arange(1, len(KINDS) + 1) ** 0.8
    return w / w.sum()


def sample_scene(rng: np.random.Generator, size: int = 224, n_min: int = 2, n_max: int = 5) -> list[Obj]:
    """Distinct kinds, drawn family-first so kinds co-occur; non-overlapping placements."""
    k = int(rng.integers(n_min, n_max + 1))
    kinds: list[str] = []
    w = kind_weights()
    while len(kinds) < k:
        first = KINDS[int(rng.choice(len(KINDS), p=w))]
        if first not in kinds:
            kinds.append(first)
        fam = next(f for f in FAMILIES if first in f)
        mate = fam[int(rng.integers(len(fam)))]
        if len(kinds) < k and mate not in kinds and rng.random() < 0.6:
            kinds.append(mate)
    objs: list[Obj] = []
    for kind in kinds:
        for _ in range(100):
            r = int(rng.integers(size // 14, size // 8))
            cx, cy = (int(v) for v in rng.integers(r + 2, size - r - 2, 2))
            if all((cx - o.cx) ** 2 + (cy - o.cy) ** 2 > (r + o.r + 4) ** 2 for o in objs):
                objs.append(Obj(kind, str(rng.choice(list(COLORS))), cx, cy, r))
                break
    return objs


def scene_image(objs: list[Obj], size: int = 224) -> Image.Image:
    """The scene drawn on its canvas, in memory (the suites save it; stage 0 trains on it)."""
    img = Image.new("RGB", (size, size), BACKGROUND)
    d = ImageDraw.Draw(img)
    for o in objs:
        draw(d, o)
    return img


def render(objs: list[Obj], path: Path, size: int = 224) -> None:
    scene_image(objs, size).save(path, format="PNG", optimize=False)
