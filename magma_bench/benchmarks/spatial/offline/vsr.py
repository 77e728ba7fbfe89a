"""VSR-shaped scenes: two named objects placed so that a spatial relation holds or is reversed.

A caption states one relation; half the captions are true of their image and half are false
(the image shows the opposite arrangement), as VSR pairs each caption with a true and a false
image. Depth ("in front of", "behind") is shown by occlusion and size, contact ("touching") by
shapes meeting edge to edge, distance ("far from") by the gap between them.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from magma_bench.benchmarks.vl.offline.scenes import BACKGROUND, COLORS, KINDS, Obj, draw

# relation -> VSR meta-category (Liu et al., TACL 2023, Table 1)
RELATIONS = {"left of": "Projective", "right of": "Projective", "above": "Projective",
             "below": "Projective", "in front of": "Projective", "behind": "Projective",
             "touching": "Topological", "far from": "Proximity"}
OPPOSITE = {"left of": "right of", "right of": "left of", "above": "below", "below": "above",
            "in front of": "behind", "behind": "in front of"}
SIZE = 320
SOLID = ("ball", "box", "hexagon", "diamond")


def _pair(rng: np.random.Generator) -> tuple[str, str, str, str]:
    a, b = (str(k) for k in rng.choice(KINDS, 2, replace=False))
    ca, cb = (str(c) for c in rng.choice(list(COLORS), 2, replace=False))
    return a, b, ca, cb


def layout(rng: np.random.Generator, relation: str, truth: bool) -> tuple[list[Obj], str, str]:
    """Objects in drawing order (later = in front) and the subject/object kinds of the caption."""
    a, b, ca, cb = _pair(rng)
    shown = relation if truth or relation not in OPPOSITE else OPPOSITE[relation]
    r = int(rng.integers(26, 40))
    cx, cy = int(rng.integers(130, 191)), int(rng.integers(130, 191))
    if shown in ("left of", "right of", "above", "below"):
        d = int(rng.integers(2 * r + 20, 2 * r + 60))
        jitter = int(rng.integers(-15, 16))
        sign = -1 if shown in ("left of", "above") else 1
        if shown in ("left of", "right of"):
            pa, pb = (cx + sign * d // 2, cy + jitter), (cx - sign * d // 2, cy - jitter)
        else:
            pa, pb = (cx + jitter, cy + sign * d // 2), (cx - jitter, cy - sign * d // 2)
        objs = [Obj(a, ca, *pa, r), Obj(b, cb, *pb, r)]
    elif shown in ("in front of", "behind"):
        front_is_a = shown == "in front of"
        a, b = (str(k) for k in rng.choice(SOLID + ("triangle", "star", "heart"), 2, replace=False))
        big, small = int(r * 1.3), int(r * 0.9)
        off = int(rng.integers(small // 2, small + 4)) * (1 if rng.random() < 0.5 else -1)
        back = Obj(b if front_is_a else a, cb if front_is_a else ca, cx + off, cy - small // 2, small)
        front = Obj(a if front_is_a else b, ca if front_is_a else cb, cx - off // 2, cy + small // 3, big)
        objs = [back, front]
    elif relation == "touching":
        ang = rng.uniform(0, 2 * np.pi)
        dist = 2 * r - 4 if truth else 2 * r + int(rng.integers(30, 90))
        dx, dy = int(np.cos(ang) * dist / 2), int(np.sin(ang) * dist / 2)
        a, b = (str(k) for k in rng.choice(SOLID, 2, replace=False))  # solid outlines meet visibly
        objs = [Obj(a, ca, cx + dx, cy + dy, r), Obj(b, cb, cx - dx, cy - dy, r)]
    else:  # far from
        r = int(rng.integers(20, 30))
        if truth:
            pa, pb = (r + 10, int(rng.integers(r + 10, SIZE - r - 10))), (SIZE - r - 10, int(rng.integers(r + 10, SIZE - r - 10)))
        else:
            ang = rng.uniform(0, 2 * np.pi)
            dx, dy = int(np.cos(ang) * (r + 8)), int(np.sin(ang) * (r + 8))
            pa, pb = (cx + dx, cy + dy), (cx - dx, cy - dy)
        if rng.random() < 0.5:
            pa, pb = pb, pa
        objs = [Obj(a, ca, *pa, r), Obj(b, cb, *pb, r)]
    return objs, a, b


def render(objs: list[Obj], path, size: int = SIZE) -> None:
    img = Image.new("RGB", (size, size), BACKGROUND)
    d = ImageDraw.Draw(img)
    for o in objs:
        draw(d, Obj(o.kind, "black", o.cx, o.cy, o.r + 2))  # a dark rim makes occlusion edges visible
        draw(d, o)
    img.save(path, format="JPEG", quality=92)
