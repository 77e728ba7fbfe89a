"""VQA-shaped questions on generated images, each with ten simulated human answers.

VQAv2-shaped: counting, colour, shape and yes/no questions about `scenes` images. TextVQA-shaped:
words and numbers rendered on signs, questions that need reading them. Annotators agree in
7-10 of 10 answers (in surface forms the VQA normalisation equates: "Two", "2", "the red."),
the rest are plausible mistakes, none more than twice, so the majority answer always scores 1.0
and a wrong one at most 0.6 under VQA accuracy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, Obj, scene_image

NUM_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")
WORDS = ("open", "exit", "stop", "cafe", "hotel", "bank", "pizza", "books", "market", "garden", "museum",
         "bakery", "pharmacy", "station", "library", "cinema", "taxi", "sale", "fresh", "river", "north",
         "west", "sunset", "harbor", "pilot", "orbit", "maple", "cedar", "violet", "copper")


@dataclass
class QA:
    question: str
    answer: str  # canonical (the oracle's text)
    answers: list[str]  # ten human answers
    answer_type: str  # yes/no | number | other


def _variants(rng: np.random.Generator, ans: str, kind: str) -> str:
    r = rng.random()
    if kind == "number" and ans.isdigit() and int(ans) <= 10 and r < 0.4:
        return NUM_WORDS[int(ans)].capitalize() if r < 0.2 else NUM_WORDS[int(ans)]
    if r < 0.2:
        return ans.capitalize()
    if r < 0.35:
        return ans + "."
    if kind == "other" and r < 0.5:
        return f"the {ans}"
    return ans


def ten_answers(rng: np.random.Generator, ans: str, wrong: list[str], kind: str) -> list[str]:
    """7-10 agreeing answers (8-10 for yes/no), each mistake at most twice: the majority scores
    1.0 and any other answer at most 0.6."""
    k = int(rng.integers(8 if kind == "yes/no" else 7, 11))
    out = [_variants(rng, ans, kind) for _ in range(k)]
    pool = [w for w in wrong for _ in range(2)] or [ans]
    out += [pool[j] for j in rng.permutation(len(pool))[: 10 - k]] if len(pool) >= 10 - k else [ans] * (10 - k)
    return [out[i] for i in rng.permutation(10)]


def scene_qa(rng: np.random.Generator, objs: list[Obj]) -> QA:
    """One question about a scene: count, colour, shape or presence."""
    kinds = [o.kind for o in objs]
    colors = [o.color for o in objs]
    t = int(rng.integers(4))
    if t == 0:
        n = len(objs)
        return QA("How many objects are in the picture?", str(n),
                  ten_answers(rng, str(n), [str(max(0, n + d)) for d in (-1, 1)], "number"), "number")
    if t == 1:
        o = objs[int(rng.integers(len(objs)))]
        return QA(f"What color is the {o.kind}?", o.color,
                  ten_answers(rng, o.color, [c for c in COLORS if c != o.color], "other"), "other")
    if t == 2:
        uniq = [o for o in objs if colors.count(o.color) == 1]
        if uniq:
            o = uniq[int(rng.integers(len(uniq)))]
            return QA(f"What shape is the {o.color} object?", o.kind,
                      ten_answers(rng, o.kind, [k for k in KINDS if k != o.kind], "other"), "other")
    absent = [k for k in KINDS if k not in kinds]
    ans = "yes" if rng.random() < 0.5 else "no"  # balanced, as VQAv2 balances its pairs
    kind = str(rng.choice(kinds if ans == "yes" else absent))
    return QA(f"Is there a {kind} in the picture?", ans,
              ten_answers(rng, ans, ["no" if ans == "yes" else "yes"], "yes/no"), "yes/no")


def render_scene_jpeg(objs: list[Obj], path, size: int = 224) -> None:
    scene_image(objs, size).save(path, format="JPEG", quality=92)


# -- TextVQA-shaped ------------------------------------------------------------------------------
@dataclass
class Sign:
    text: str
    color: str
    x: int
    y: int
    size: int


def _misread(rng: np.random.Generator, w: str) -> str:
    i = int(rng.integers(len(w)))
    return w[:i] + w[i + 1:] if len(w) > 3 else w + w[-1]


def text_scene(rng: np.random.Generator, size: int = 320) -> list[Sign]:
    n = int(rng.integers(2, 5))
    texts = [str(w) for w in rng.choice(WORDS, n, replace=False)]
    if rng.random() < 0.4:
        texts[-1] = str(int(rng.integers(10, 1000)))
    colors = [str(c) for c in rng.choice([c for c in COLORS if c != "yellow"], n, replace=False)]
    sizes = [int(s) for s in rng.choice(np.arange(18, 46, 4), n, replace=False)]
    rows = rng.permutation(n)
    band = size // n
    return [Sign(texts[i], colors[i], int(rng.integers(8, size // 3)), int(rows[i] * band + 6), sizes[i])
            for i in range(n)]


def text_qa(rng: np.random.Generator, signs: list[Sign]) -> QA:
    t = int(rng.integers(4))
    nums = [s for s in signs if s.text.isdigit()]
    words = [s.text for s in signs]
    if t == 0 and nums:
        s = nums[0]
        wrong = [str(int(s.text) + d) for d in (-1, 1, 10)]
        return QA("What number is written in the image?", s.text, ten_answers(rng, s.text, wrong, "number"),
                  "number")
    if t == 1:
        s = max(signs, key=lambda s: s.size)
        q = "What is the word written in the largest letters?"
    elif t == 2:
        s = min(signs, key=lambda s: s.y)
        q = "What does the top line of text say?"
    else:
        s = signs[int(rng.integers(len(signs)))]
        q = f"What is written in {s.color}?"
    wrong = [w for w in words if w != s.text] + [_misread(rng, s.text)]
    return QA(q, s.text, ten_answers(rng, s.text, wrong, "other"), "other")


def render_signs_jpeg(signs: list[Sign], path, size: int = 320) -> None:
    img = Image.new("RGB", (size, size), (250, 250, 245))
    d = ImageDraw.Draw(img)
    for s in signs:
        font = ImageFont.load_default(size=s.size)
        text = s.text.upper() if s.size > 40 else s.text
        x = max(2, min(s.x, int(size - d.textlength(text, font=font) - 4)))  # keep the word inside
        d.text((x, s.y), text, fill=COLORS[s.color], font=font)
    img.save(path, format="JPEG", quality=92)
