"""Pretraining sources -> Examples: loaders for the real formats and the generated stand-ins.

  ui     ScreenSpot-shaped suites (the UI generator's output: `screenspot_<platform>.json` rows
         {img_filename, bbox [x, y, w, h], instruction, data_type} + `som_candidates.json` DOM boxes)
         and SeeClick pretraining JSON (web: {img_filename, elements: [{instruction, bbox}]},
         mobile: {img_filename, instruction, bbox}; boxes [x1, y1, x2, y2] normalised or px)
  robot  demonstration directories in the robotics suite's RLDS-like npz format (Open-X shape),
         and Open-X RLDS datasets as TFDS stores them (trainer.open_x)
  video  "instructional" clips: objects moved across a moving camera's view (trainer.videos)
  vl     question answering on the VL suites' procedural scenes (benchmarks/vl/offline/scenes)
Every builder is deterministic per seed and writes its images under `out_dir`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from magma_bench.errors import UserError
from magma_bench.geometry import iou
from magma_bench.trainer import data
from magma_bench.trainer.data import Example

UI_PLATFORMS = ("mobile", "desktop", "web")
POOL_VERSION = 3  # bump when a generator below changes what it writes (invalidates cached pools)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(Path(path).read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise UserError(f"{path}: cannot read JSON ({e})") from None


def _with_target(boxes: list[list[float]], box: list[float]) -> tuple[list[list[float]], int]:
    """Candidates plus the index of the target box (appended when no candidate matches it)."""
    best = max(range(len(boxes)), key=lambda i: iou(boxes[i], box), default=-1)
    if best >= 0 and iou(boxes[best], box) > 0.9:
        return boxes, best
    return [*boxes, box], len(boxes)


# -- UI -----------------------------------------------------------------------------------------------


def _som_draw(use_som: bool, plain_share: float, seed: int):
    """Per record: marks or not. A `plain_share` of a SoM source's records is asked as without SoM
    (plain screenshot, coordinate target), drawn from the source's own seed."""
    rng = np.random.default_rng([seed, 7243])
    return lambda: use_som and bool(rng.random() >= plain_share)


def ui_from_screenspot(suite: Path, out_dir: Path, use_som: bool, seed: int = 0, limit: int | None = None,
                       plain_share: float = 0.0) -> list[Example]:
    suite = Path(suite)
    marked = _som_draw(use_som, plain_share, seed)
    cands_path = suite / "som_candidates.json"
    cands = _read_json(cands_path) if cands_path.is_file() else {}
    img_dir = next((suite / d for d in ("screenspot_imgs", "screenspotv2_image") if (suite / d).is_dir()), suite)
    out: list[Example] = []
    for platform in UI_PLATFORMS:
        path = suite / f"screenspot_{platform}.json"
        if not path.is_file():
            continue
        for i, row in enumerate(_read_json(path)):
            try:
                x, y, w, h = (float(v) for v in row["bbox"])
                file, instruction = row["img_filename"], row["instruction"]
            except (KeyError, TypeError, ValueError) as e:
                raise UserError(f"{path}: record {i} lacks img_filename/bbox [x, y, w, h]/instruction ({e})") from None
            boxes, t = _with_target([list(map(float, b)) for b in cands.get(file, [])], [x, y, x + w, y + h])
            out.append(data.ui_example(f"ui/{platform}/{i}", img_dir / file, boxes, t, instruction,
                                       Path(out_dir) / "ui", marked(), seed + len(out)))
            if limit and len(out) >= limit:
                return out
    if not out:
        raise UserError(f"{suite}: no screenspot_<platform>.json records found")
    return out


def ui_from_seeclick(json_path: Path, img_dir: Path, out_dir: Path, use_som: bool, seed: int = 0,
                     limit: int | None = None, plain_share: float = 0.0) -> list[Example]:
    items = _read_json(json_path)
    marked = _som_draw(use_som, plain_share, seed)
    if not isinstance(items, list):
        raise UserError(f"{json_path}: expected a JSON list of SeeClick records")
    out: list[Example] = []
    for i, item in enumerate(items):
        try:
            file = item["img_filename"]
            els = item["elements"] if "elements" in item else [{"instruction": item["instruction"], "bbox": item["bbox"]}]
            raw = [[float(v) for v in e["bbox"]] for e in els]
            instr = [str(e["instruction"]) for e in els]
        except (KeyError, TypeError, ValueError) as e:
            raise UserError(f"{json_path}: record {i} is not SeeClick-shaped ({e})") from None
        img_path = Path(img_dir) / file
        try:
            with Image.open(img_path) as im:
                w, h = im.size
        except OSError as e:
            raise UserError(f"{json_path}: record {i}: image {img_path} unreadable ({e})") from None
        boxes = [[b[0] * w, b[1] * h, b[2] * w, b[3] * h] if max(b) <= 1.0 else b for b in raw]
        for j, text in enumerate(instr):
            if any(v < 0 for v in raw[j]) or boxes[j][2] <= boxes[j][0] or boxes[j][3] <= boxes[j][1]:
                continue  # SeeClick's own filter drops negative / empty boxes
            out.append(data.ui_example(f"seeclick/{i}/{j}", img_path, boxes, j, text, Path(out_dir) / "ui",
                                       marked(), seed + len(out)))
            if limit and len(out) >= limit:
                return out
    return out


def generate_ui_suite(suite: Path, n: int, seed: int) -> Path:
    """Render a ScreenSpot-shaped suite with the UI generator (Chromium via Playwright)."""
    from magma_bench.benchmarks.ui.screenspot import ScreenSpot

    return ScreenSpot().generate(Path(suite), n, seed)


# -- robot ---------------------------------------------------------------------------------------------


def robot_from_demos(demos: Path, out_dir: Path, use_tom: bool, seed: int = 0, **kw: Any) -> list[Example]:
    """Examples from a demonstrations directory in the robotics suite's npz layout (robot_from_episodes)."""
    from magma_bench.benchmarks.robotics.demos import read_demonstrations

    return robot_from_episodes(read_demonstrations(Path(demos)), out_dir, use_tom, seed, **kw)


def robot_from_episodes(episodes: Iterable[dict], out_dir: Path, use_tom: bool, seed: int = 0, every: int = 1,
                        tom_every: int = 8, limit: int | None = None, use_som: bool = False,
                        som_every: int = 4) -> list[Example]:
    """Every `every`-th step -> an action example; with ToM, every `tom_every`-th step also a
    trace example over the episode's next l frames (Magma traces Open-X videos the same way);
    with SoM, every `som_every`-th step also a mark-grounding example (gripper and objects marked,
    answer: the mark the gripper reaches next) where the demonstrations carry mark candidates.
    Episodes are {"id", "language_instruction", "steps": {"observation/image", "action", ...}}
    (demos.read_demonstrations, open_x.read_episodes)."""
    out: list[Example] = []
    img_dir = Path(out_dir) / "robot"
    img_dir.mkdir(parents=True, exist_ok=True)
    for ep in episodes:
        st, eid, instr = ep["steps"], ep["id"].replace("/", "__"), ep["language_instruction"]
        frames = st["observation/image"]
        for t in range(0, len(frames), every):
            path = img_dir / f"{eid}_{t:04d}.png"
            Image.fromarray(frames[t]).save(path, format="PNG", optimize=False)
            out.append(data.robot_example(f"robot/{eid}/{t}", path, instr, st["action"][t]))
            if use_som and t % som_every == 0 and "observation/mark_points" in st:
                ex = data.robot_som_example(f"robot_som/{eid}/{t}", frames[t], instr, st["observation/mark_points"][t],
                                            int(st["observation/mark_goal"][t]), img_dir, seed + t)
                if ex is not None:
                    out.append(ex)
            if use_tom and t % tom_every == 0 and len(frames) - t >= 9:
                ex = data.tom_example(f"robot_tom/{eid}/{t}", frames[t:t + 17], instr, img_dir, True, seed + t)
                if ex is not None:
                    ex.source = "robot"
                    out.append(ex)
            if limit and len(out) >= limit:
                return out
    return out


# -- instructional video ---------------------------------------------------------------------------------


def video_source(out_dir: Path, n: int, seed: int, use_tom: bool, size: int = 192) -> list[Example]:
    """Clips of coloured blocks slid across a panning/rotating camera's view; the instruction names
    what moves. ToM: mark traces; without: a caption of the same motion."""
    from magma_bench.trainer.videos import make_video

    out: list[Example] = []
    k = 0
    while len(out) < n and k < 4 * n + 8:
        cam = ("static", "translate", "affine")[k % 3]
        v = make_video(seed * 100003 + k, frames=17, size=size, n_objects=2, camera=cam)
        moves = []
        for j, color in enumerate(v.obj_color):
            dx = v.obj_origin[j, -1, 0] - v.obj_origin[j, 0, 0]
            moves.append(f"the {color} block {'right' if dx > 0 else 'left'}")
        instruction = "move " + " and ".join(moves)
        caption = "Someone moves " + " and ".join(moves) + "."
        ex = data.tom_example(f"video/{seed}/{k}", v.frames, instruction, Path(out_dir) / "video", use_tom,
                              seed + k, caption=caption)
        k += 1
        if ex is not None:
            out.append(ex)
    return out


# -- VL ----------------------------------------------------------------------------------------------------


def place_cell(o, size: int) -> tuple[int, int]:
    """(row, col) of an object's centre in the 3x3 partition of a size x size canvas that the
    captions' place words name (0 = top / left)."""
    return min(2, 3 * o.cy // size), min(2, 3 * o.cx // size)


def _where(o, size: int) -> str:
    """Coarse 3x3 location of an object: 'top left', 'center', 'bottom', ..."""
    row, col = place_cell(o, size)
    return f"{('top', '', 'bottom')[row]} {('left', '', 'right')[col]}".strip() or "center"


def caption(objs: list, size: int) -> str:
    """Dense description in reading order: every object's colour, kind and coarse place (the
    ShareGPT4V-caption role in Magma's pretraining: many image-dependent target tokens per image)."""
    order = sorted(objs, key=lambda o: (3 * o.cy // size, o.cx))
    return "; ".join(f"{o.color} {o.kind} {_where(o, size)}" for o in order) + "."


def _with_or_without(objs: list, kind: str, present: bool, rng: np.random.Generator) -> list:
    """The scene with one object's kind swapped so that `kind` is present (or absent) as asked;
    colours and places are kept."""
    from magma_bench.benchmarks.vl.offline.scenes import KINDS, Obj

    kinds = [o.kind for o in objs]
    if present == (kind in kinds):
        return objs
    if present:
        i, new = int(rng.integers(len(objs))), kind
    else:
        i, new = kinds.index(kind), str(rng.choice([k for k in KINDS if k not in kinds]))
    o = objs[i]
    return [*objs[:i], Obj(new, o.color, o.cx, o.cy, o.r), *objs[i + 1:]]


VL_QUESTIONS = ("caption", "presence", "color", "caption", "shape", "count", "relation")
VL_FORMS = ("caption", "checklist", "attributes", "presence", "color", "shape", "count", "relation")  # a cycle's forms
CHECKLIST_PROMPT = "Which shapes are in the image? Mark each one + or -."
ATTRIBUTES_PROMPT = "Name each shape in the image, then its colour and place."


def checklist(objs: list, rng: np.random.Generator) -> str:
    """Every kind in a fresh random order, each followed at once by + (in the scene) or - (not):
    the mark sits one token after the word it is about, the form a small decoder learns to bind
    (scripts/binding_toy.py; docs/training.md, sessions 10-11). The order is shuffled so the mark
    must be read off the word, not off its place in the line."""
    from magma_bench.benchmarks.vl.offline.scenes import KINDS

    present = {o.kind for o in objs}
    return " ".join(f"{k}{'+' if k in present else '-'}" for k in rng.permutation(KINDS))


def attributes(objs: list, size: int, rng: np.random.Generator) -> str:
    """Every object as "kind: colour, place" in a random order ("star: red, top left; ball: blue,
    center."): each attribute comes right after the kind word it belongs to, so producing it is one
    look-up keyed by a word already written, the form the checklist is for presence. A caption puts
    colour first, which asks the decoder to choose an object and bind two of its attributes at
    once (docs/training.md, session 18)."""
    return "; ".join(f"{o.kind}: {o.color}, {_where(o, size)}" for o in (objs[i] for i in rng.permutation(len(objs)))) + "."


def vl_source(out_dir: Path, n: int, seed: int, size: int = 224,
              questions: tuple[str, ...] | list[str] | None = None) -> list[Example]:
    """Captions and questions on the VL suites' procedural scenes, example i asking form
    questions[i % len] (default VL_QUESTIONS; meta["question"] records it, so a curriculum phase
    can draw some forms only), one fresh scene per example (the
    suites reuse a scene for many questions: too few images to learn to see from), worded with the
    benchmarks' own prompts (POPE's, VQAv2's) so train and eval agree. Captions come twice per cycle: at the tiny budget the
    vision tower learns mostly from them (a yes/no answer is one image-dependent token)."""
    from magma_bench.benchmarks.vl.offline.scenes import KINDS, render, sample_scene
    from magma_bench.benchmarks.vl.pope import PROMPT as POPE_PROMPT
    from magma_bench.benchmarks.vl.vqa_base import POST_PROMPT as VQA_POST

    cycle = tuple(questions or VL_QUESTIONS)
    if bad := [q for q in cycle if q not in VL_FORMS]:
        raise UserError(f"vl source: unknown question form {bad[0]!r}; choose from {', '.join(VL_FORMS)}")
    rng = np.random.default_rng(seed)
    img_dir = Path(out_dir) / "vl"
    img_dir.mkdir(parents=True, exist_ok=True)
    out: list[Example] = []
    for i in range(n):
        objs = sample_scene(rng, size)
        q = cycle[i % len(cycle)]
        if q == "presence":  # every kind asked equally often, present half the time: the word alone says nothing
            kind, present = KINDS[int(rng.integers(len(KINDS)))], bool(rng.random() < 0.5)
            objs = _with_or_without(objs, kind, present, rng)
        path = img_dir / f"{seed}_{i:05d}.png"
        render(objs, path, size)
        o = objs[int(rng.integers(len(objs)))]
        if q == "checklist":
            ques, ans = CHECKLIST_PROMPT, checklist(objs, rng)
        elif q == "attributes":
            ques, ans = ATTRIBUTES_PROMPT, attributes(objs, size, rng)
        elif q == "caption":
            ques, ans = "Describe the image: list every object with its colour and place.", caption(objs, size)
        elif q == "presence":
            ques, ans = POPE_PROMPT.format(question=f"Is there a {kind} in the image?"), "Yes" if present else "No"
        elif q == "shape" and sum(x.color == o.color for x in objs) == 1:  # else the colour names no one object
            ques, ans = f"What shape is the {o.color} object?{VQA_POST}", o.kind
        elif q in ("color", "shape"):
            ques, ans = f"What color is the {o.kind}?{VQA_POST}", o.color
        elif q == "count":
            ques, ans = f"How many objects are in the image?{VQA_POST}", str(len(objs))
        else:
            b = next((x for x in objs if x is not o), o)
            side = "left" if o.cx < b.cx else "right"
            ques, ans = f"Is the {o.kind} to the left or to the right of the {b.kind}?{VQA_POST}", side
        out.append(data.vl_example(f"vl/{seed}/{i}", path, ques, ans, question_form=q))
    return out


# -- instruction data in the offline suites' own formats ------------------------------------------------------

SUITE_SEED = 1_000_003  # generator seed offset for training data: never an evaluation seed (those are 0, 1, ...)
SOM_SUITES = ("screenspot", "screenspot_v2", "screenspot_pro")


def suites_source(names: list[str], out_dir: Path, n: int, seed: int, use_som: bool) -> list[Example]:
    """LLaVA-SFT-style instruction data in every offline suite's own format: each benchmark's
    generator run at a training seed (SUITE_SEED + seed, so no evaluation sample is reused), its
    request as the prompt and its reference answer (what the oracle emits) as the target."""
    from magma_bench.registry import make_benchmark
    from magma_bench.run.evaluator import is_env

    out: list[Example] = []
    for name in names:
        bench = make_benchmark(name, **({"som": use_som} if name in SOM_SUITES else {}))
        if is_env(bench):
            raise UserError(f"suites source: {name} is closed-loop; robot data comes from the robot source")
        d = Path(out_dir) / "suites" / name
        if not bench.is_generated(d):
            d.mkdir(parents=True, exist_ok=True)
            bench.generate(d, n, SUITE_SEED + seed)
        split = bench.check_split(None)
        for s in bench.load(d, split):
            req = bench.request(s)
            if not req.reference:
                continue
            msgs, k = [], 0
            for m in req.messages:
                if isinstance(m["content"], str):
                    msgs.append(dict(m))
                    continue
                parts = []
                for p in m["content"]:
                    if p.get("type") == "image":
                        src = p.get("path") or (req.images[k] if k < len(req.images) else p.get("image"))
                        if not isinstance(src, str | Path):
                            src = d / "_frames" / f"{s.id}_{k}.png"
                            src.parent.mkdir(parents=True, exist_ok=True)
                            Image.fromarray(np.asarray(req.images[k] if k < len(req.images) else p.get("image"),
                                                       np.uint8)).save(src)
                        parts.append({"type": "image", "path": str(src)})
                        k += 1
                    else:
                        parts.append(dict(p))
                msgs.append({"role": m["role"], "content": parts})
            msgs.append({"role": "assistant", "content": req.reference})
            out.append(Example(f"suites/{name}/{s.id}", "suites", msgs, meta={"benchmark": name}))
    return out
