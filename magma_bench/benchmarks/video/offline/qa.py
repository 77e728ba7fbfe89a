"""Questions built from a clip's ground-truth event log (see `clips`).

Each builder returns a `QA` (question, the right answer, wrong answers of the same form drawn
from the clip's own objects, zones and directions) or None when the clip does not support it.
NExT-QA type codes: CW/CH causal why/how, TN/TP/TC temporal next/previous/concurrent, DC/DL/DO
descriptive count/location/other. `mc()` shuffles one QA into n options.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from magma_bench.benchmarks.video.offline.clips import COLORS, DIRS, LETTER_POOL, ROOMS, SHAPES, ZONES, Clip

NUMBERS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight"]
OPPOSITE = {"left": "right", "right": "left", "up": "down", "down": "up"}
AFTER = {"stop": "stopped", "bounce": "bounced back", "follow": "kept moving {d}"}


@dataclass
class QA:
    qtype: str
    question: str
    answer: str
    distractors: list[str]


def mc(qa: QA, n: int, rng: np.random.Generator) -> tuple[list[str], int]:
    """n options (the answer + n-1 distinct distractors) in random order, and the answer's index."""
    pool = list(dict.fromkeys(d for d in qa.distractors if d != qa.answer))
    if len(pool) < n - 1:
        raise ValueError(f"{qa.question!r}: only {len(pool)} distractors for {n} options")
    opts = [qa.answer] + [pool[int(i)] for i in rng.permutation(len(pool))[: n - 1]]
    order = rng.permutation(n)
    options = [opts[int(i)] for i in order]
    return options, int(np.where(order == 0)[0][0])


def _others(clip: Clip, *exclude: str) -> list[str]:
    return [t.name for t in clip.objects if t.name not in exclude]


def absent_names(clip: Clip, rng: np.random.Generator, k: int) -> list[str]:
    """Names of objects not in the clip, for filler distractors."""
    present = {t.name for t in clip.objects}
    pool = [f"{c} {s}" for c in COLORS for s in SHAPES if f"{c} {s}" not in present]
    return [pool[int(i)] for i in rng.permutation(len(pool))[:k]]


# -- collision clips ------------------------------------------------------------------------------
def collision_qas(clip: Clip, rng: np.random.Generator) -> list[QA]:
    f = clip.facts
    a, b, d = f["mover"], f["struck"], f["dir"]
    others = _others(clip, a, b)
    perp = [x for x in DIRS if x not in (d, OPPOSITE[d])]
    n_obj = len(clip.objects)
    qs = [
        QA("CW", f"why did the {b} start moving", f"the {a} hit it",
           [f"the {x} hit it" for x in others + absent_names(clip, rng, 3)]
           + ["the robot pushed it", "it was moving from the start"]),
        QA("CH", f"how did the {a} reach the {b}", f"by moving {d}",
           [f"by moving {x}" for x in DIRS if x != d] + ["it did not move", "by jumping"]),
        QA("TN", f"what did the {a} do after hitting the {b}", AFTER[f["after"]].format(d=d),
           [x.format(d=d) for k, x in AFTER.items() if k != f["after"]]
           + [f"turned {perp[0]}", f"turned {perp[1]}", "sped up"]),
        QA("TP", f"what did the {a} do before hitting the {b}", f"moved {d}",
           [f"moved {x}" for x in DIRS if x != d] + ["stayed still", "spun around"]),
        QA("DC", "how many objects are there in the video", NUMBERS[n_obj],
           [NUMBERS[k] for k in range(1, 8) if k != n_obj]),
        QA("DO", f"what color is the object that hit the {b}", a.split()[0],
           [c for c in COLORS if c != a.split()[0]]),
        QA("DL", f"which side of the scene does the {b} move towards", f"the {_side(d)}",
           [f"the {_side(x)}" for x in DIRS if x != d] + ["the center"]),
    ]
    # what another object was doing at the moment of the hit: mostly a drifter, sometimes a rester
    if f["drifter"] or (f["static"] and rng.random() < 0.25):
        name, dd = f["drifter"] or (f["static"][0], None)
        ans = f"moving {dd}" if dd else "staying still"
        qs.append(QA("TC", f"what was the {name} doing when the {a} hit the {b}", ans,
                     [f"moving {x}" for x in DIRS] + ["staying still"]))
    return qs


def _side(d: str) -> str:
    return {"left": "left side", "right": "right side", "up": "top", "down": "bottom"}[d]


# -- fetch clips ----------------------------------------------------------------------------------
def fetch_qas(clip: Clip, rng: np.random.Generator) -> list[QA]:
    f = clip.facts
    x, z = f["carried"][0], f["goals"][0]
    other_zones = [o for o in ZONES if o != z]
    others = _others(clip, x)
    fillers = absent_names(clip, rng, 3)
    qs = [
        QA("CW", f"why did the robot go to the {x}", f"to bring it to the {z} zone",
           [f"to bring it to the {o} zone" for o in other_zones] + ["to push it off the screen"]),
        QA("CW", f"why did the robot stop at the {z} zone", f"to drop off the {x}",
           [f"to drop off the {o}" for o in others + fillers] + ["to pick up an object", "to rest"]),
        QA("TN", f"what did the robot do after picking up the {x}", f"went to the {z} zone",
           [f"went to the {o} zone" for o in other_zones] + ["dropped it at once"]),
        QA("TP", f"what did the robot do before going to the {z} zone", f"picked up the {x}",
           [f"picked up the {o}" for o in others + fillers] + ["stayed still", f"pushed the {x}"]),
        QA("TC", f"what was the robot carrying when it reached the {z} zone", f"the {x}",
           [f"the {o}" for o in others + fillers] + ["nothing"]),
        QA("DL", f"where is the {x} at the end of the video", f"in the {z} zone",
           [f"in the {o} zone" for o in other_zones] + ["where it started"]),
        QA("DC", "how many objects are there in the video, not counting the robot",
           NUMBERS[len(clip.objects)], [NUMBERS[k] for k in range(1, 8) if k != len(clip.objects)]),
        QA("DO", "what color is the object the robot picked up", x.split()[0],
           [c for c in COLORS if c != x.split()[0]]),
    ]
    d = compass(np.array(f["first_leg"]))
    if d is not None:
        qs.append(QA("CH", f"how did the robot reach the {x}", f"by moving {d}",
                     [f"by moving {o}" for o in COMPASS if o != d]))
    return qs


COMPASS = ["right", "down and to the right", "down", "down and to the left", "left", "up and to the left",
           "up", "up and to the right"]


def compass(v: np.ndarray) -> str | None:
    """One of 8 directions (image y grows downwards), None within 8 degrees of a sector edge."""
    ang = float(np.degrees(np.arctan2(v[1], v[0]))) % 360.0
    sector = int(((ang + 22.5) % 360.0) // 45)
    off = (ang + 22.5) % 45.0
    return COMPASS[sector] if 8.0 <= off <= 37.0 else None


def intent_qas(clip: Clip, rng: np.random.Generator) -> list[QA]:
    """IntentQA-style: the robot's goals (why), means (how) and what it did before/after."""
    return [q for q in fetch_qas(clip, rng) if q.qtype in ("CW", "CH", "TN", "TP")]


# -- MVBench-shaped tasks (CLEVRER / STAR / perception-test style) --------------------------------
def _mv_collision(task: str) -> Callable[[Clip, np.random.Generator], QA | None]:
    def build(clip: Clip, rng: np.random.Generator) -> QA | None:
        f = clip.facts
        a, b, d = f["mover"], f["struck"], f["dir"]
        moving = [b] + ([f["drifter"][0]] if f["drifter"] else []) + ([a] if f["after"] != "stop" else [])
        if task == "moving_direction":
            return QA(task, f"What direction is the {b} moving when the video ends?", d,
                      [x for x in DIRS if x != d] + ["not moving"])
        if task == "moving_count":
            k = len(moving)
            lo = max(0, k - int(rng.integers(0, 4)))  # four consecutive counts around the answer
            return QA(task, "How many objects are moving when the video ends?", str(k),
                      [str(i) for i in range(lo, lo + 4) if i != k])
        if task == "moving_attribute":
            c = b.split()[0]
            return QA(task, "What color is the object that starts moving after being hit?", c,
                      [x for x in COLORS if x != c])
        if task == "object_existence":
            present = {m.split()[0] for m in moving}
            c = str(rng.choice(sorted(present) if rng.random() < 0.5 else
                               [t.color for t in clip.objects if t.color not in present]
                               or sorted(present)))
            ans = "yes" if c in present else "no"
            return QA(task, f"Are there any moving {c} objects when the video ends?", ans,
                      [o for o in ("yes", "no", "not sure") if o != ans])
        if task == "counterfactual_inference":
            perp = [x for x in DIRS if x not in (d, OPPOSITE[d])]
            outcomes = [f"The {b} stays still.", f"The {b} moves {d}.", f"The {b} moves {OPPOSITE[d]}.",
                        f"The {b} moves {perp[0]}.", f"The {b} moves {perp[1]}."]
            others = [o for o in _others(clip, a, b) if not f["drifter"] or o != f["drifter"][0]]
            if others and rng.random() < 0.5:  # removing a bystander changes nothing
                return QA(task, f"What will happen if the {others[0]} is removed?", outcomes[1],
                          [o for o in outcomes if o != outcomes[1]])
            return QA(task, f"What will happen if the {a} is removed?", outcomes[0], outcomes[1:])
        raise KeyError(task)
    return build


def _mv_fetch(task: str) -> Callable[[Clip, np.random.Generator], QA | None]:
    def build(clip: Clip, rng: np.random.Generator) -> QA | None:
        f = clip.facts
        others = _others(clip, *f["carried"]) + absent_names(clip, rng, 3)
        if task == "object_interaction":
            x = f["carried"][0]
            return QA(task, "Which object was taken by the robot?", f"The {x}.",
                      [f"The {o}." for o in others])
        if task == "action_sequence":
            if len(f["carried"]) < 2:
                return None
            x, y = f["carried"][0], f["carried"][1]
            return QA(task, "Which object did the robot carry first?", f"The {x}.",
                      [f"The {y}."] + [f"The {o}." for o in others])
        raise KeyError(task)
    return build


def _mv_change(task: str) -> Callable[[Clip, np.random.Generator], QA | None]:
    def build(clip: Clip, rng: np.random.Generator) -> QA | None:
        f = clip.facts
        if task == "state_change":
            return QA(task, f"What happened to the {f['from']} {f['shape']} during the video?",
                      f"It turned {f['to']}.", [f"It turned {c}." for c in COLORS if c not in (f["to"], f["from"])]
                      + ["Nothing changed.", "It disappeared."])
        if task == "scene_transition":
            r1, r2 = f["rooms"]
            wrong = [(p, q) for p in ROOMS for q in ROOMS if p != q and (p, q) != (r1, r2)]
            return QA(task, "What's the right option for how the scenes in the video change?",
                      f"From the {r1} room to the {r2} room.",
                      [f"From the {p} room to the {q} room." for p, q in wrong])
        raise KeyError(task)
    return build


def _mv_letters(clip: Clip, rng: np.random.Generator) -> QA:
    order = clip.facts["order"]
    return QA("character_order", "What letter did the robot write first on the board?", order[0],
              order[1:] + [c for c in LETTER_POOL if c not in order])


MVBENCH_TASKS: dict[str, tuple[str, Callable[[Clip, np.random.Generator], QA | None]]] = {
    # task -> (clip kind, builder); the subset of MVBench's 20 tasks procedural clips support
    "moving_direction": ("collision", _mv_collision("moving_direction")),
    "moving_count": ("collision", _mv_collision("moving_count")),
    "moving_attribute": ("collision", _mv_collision("moving_attribute")),
    "object_existence": ("collision", _mv_collision("object_existence")),
    "counterfactual_inference": ("collision", _mv_collision("counterfactual_inference")),
    "object_interaction": ("fetch", _mv_fetch("object_interaction")),
    "action_sequence": ("fetch2", _mv_fetch("action_sequence")),
    "state_change": ("change", _mv_change("state_change")),
    "scene_transition": ("change", _mv_change("scene_transition")),
    "character_order": ("letters", _mv_letters),
}
