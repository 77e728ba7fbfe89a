"""MME-shaped image pairs of questions: each generator draws one image and returns the question
whose answer is Yes and the one whose answer is No, in MME's phrasing."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, Obj, render, sample_scene
from magma_bench.benchmarks.vl.offline.vqa import WORDS

PLURAL = {"box": "boxes", "cross": "crosses"}


def existence(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    objs = sample_scene(rng)
    render(objs, path)
    present = objs[int(rng.integers(len(objs)))].kind
    absent = str(rng.choice([k for k in KINDS if k not in {o.kind for o in objs}]))
    return f"Is there a {present} in this image?", f"Is there a {absent} in this image?"


def count(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    kind = str(rng.choice(KINDS))
    m = int(rng.integers(1, 5))
    objs: list[Obj] = []
    cells = rng.permutation(16)
    for j in range(m + int(rng.integers(0, 3))):
        k = kind if j < m else str(rng.choice([x for x in KINDS if x != kind]))
        c = int(cells[j])
        objs.append(Obj(k, str(rng.choice(list(COLORS))), 28 + (c % 4) * 56, 28 + (c // 4) * 56, 20))
    render(objs, path)
    wrong = m + (1 if m == 1 or rng.random() < 0.5 else -1)
    noun = lambda v: kind if v == 1 else PLURAL.get(kind, kind + "s")  # noqa: E731
    verb = lambda v: "Is there" if v == 1 else "Are there"  # noqa: E731
    return f"{verb(m)} {m} {noun(m)} in this image?", f"{verb(wrong)} {wrong} {noun(wrong)} in this image?"


def position(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    a, b = (str(k) for k in rng.choice(KINDS, 2, replace=False))
    y = int(rng.integers(60, 164))
    xa, xb = (int(rng.integers(30, 90)), int(rng.integers(134, 194)))
    if rng.random() < 0.5:
        xa, xb = xb, xa
    objs = [Obj(a, str(rng.choice(list(COLORS))), xa, y + int(rng.integers(-20, 21)), 24),
            Obj(b, str(rng.choice(list(COLORS))), xb, y + int(rng.integers(-20, 21)), 24)]
    render(objs, path)
    side, other = ("left", "right") if xa < xb else ("right", "left")
    return f"Is the {a} on the {side} of the {b}?", f"Is the {a} on the {other} of the {b}?"


def color(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    objs = sample_scene(rng)
    render(objs, path)
    o = objs[int(rng.integers(len(objs)))]
    wrong = str(rng.choice([c for c in COLORS if c != o.color]))
    return f"Is the {o.kind} {o.color}?", f"Is the {o.kind} {wrong}?"


def _text_image(text: str, path: Path) -> None:
    img = Image.new("RGB", (320, 120), (255, 255, 255))
    d = ImageDraw.Draw(img)
    font = ImageFont.load_default(size=34)
    d.text(((320 - d.textlength(text, font=font)) / 2, 38), text, fill=(0, 0, 0), font=font)
    img.save(path)


def ocr(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    w, other = (str(x) for x in rng.choice(WORDS, 2, replace=False))
    _text_image(w, path)
    return f'Is the word in the image "{w}"?', f'Is the word in the image "{other}"?'


def numerical_calculation(rng: np.random.Generator, path: Path) -> tuple[str, str]:
    a, b = (int(x) for x in rng.integers(2, 50, 2))
    op = "+" if rng.random() < 0.5 else "-"
    ans = a + b if op == "+" else a - b
    _text_image(f"{a} {op} {b} =", path)
    wrong = ans + int(rng.choice([-10, -2, -1, 1, 2, 10]))
    return (f"Is the answer to the arithmetic question in the image {ans}?",
            f"Is the answer to the arithmetic question in the image {wrong}?")


GENERATORS = {"existence": existence, "count": count, "position": position, "color": color, "OCR": ocr,
              "numerical_calculation": numerical_calculation}
