"""GQA-shaped compositional questions over `scenes` images, typed like GQA's
`types.structural` (query, verify, choose, logical, compare), with balanced yes/no and
left/right answers."""

from __future__ import annotations

import numpy as np

from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, Obj

PLURAL = {"box": "boxes", "cross": "crosses"}


def _pl(k: str) -> str:
    return PLURAL.get(k, k + "s")


def question(rng: np.random.Generator, objs: list[Obj]) -> tuple[str, str, str, str]:
    """(question, answer, structural type, semantic type)."""
    kinds = [o.kind for o in objs]
    for _ in range(50):
        t = int(rng.integers(5))
        a = objs[int(rng.integers(len(objs)))]
        if t == 0:
            return f"What color is the {a.kind}?", a.color, "query", "attr"
        if t == 1:
            yes = rng.random() < 0.5
            color = a.color if yes else str(rng.choice([c for c in COLORS if c != a.color]))
            return f"Is the {a.kind} {color}?", "yes" if yes else "no", "verify", "attr"
        if t == 2 and len(objs) > 1:
            b = next(o for o in objs[::-1] if o is not a)
            if abs(a.cx - b.cx) < 20:
                continue
            side = "left" if a.cx < b.cx else "right"
            first, second = ("left", "right") if rng.random() < 0.5 else ("right", "left")
            return (f"Is the {a.kind} to the {first} or to the {second} of the {b.kind}?", side, "choose", "rel")
        if t == 3:
            yes = rng.random() < 0.5
            absent = [k for k in KINDS if k not in kinds]
            other = next((o.kind for o in objs if o is not a), None) if yes else str(rng.choice(absent))
            if other is None:
                continue
            return f"Are there both {_pl(a.kind)} and {_pl(other)} in the picture?", "yes" if yes else "no", \
                "logical", "obj"
        if t == 4 and len(objs) > 1:
            b = next(o for o in objs if o is not a)
            if abs(a.r - b.r) < 5:
                continue
            return (f"Is the {a.kind} larger than the {b.kind}?", "yes" if a.r > b.r else "no", "compare", "attr")
    return f"What color is the {objs[0].kind}?", objs[0].color, "query", "attr"
