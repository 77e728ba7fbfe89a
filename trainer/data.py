"""One chat-format training example for every pretraining source, and the builders that make them.

Upstream Magma turns every source into LLaVA-style conversations (`data/conversations.py`); here
an `Example` holds the same thing in the chat-message form the model's tokenizer encodes
(`{"role", "content": [{"type": "image", "path"}, {"type": "text", "text"}]}`), plus, for robot
data, the 7-D action the assistant answers with as action tokens (encoded by the training loop
with the checkpoint's q01/q99 statistics, so examples stay model-agnostic).

The SoM/ToM switches are the paper's Table 3 ablation: with them off, UI targets lose their
`Mark: k` and the image its marks (as upstream `data/seeclick/data_utils.py` strips them), and
video clips give a plain "what happens" caption instead of mark traces.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from magma_bench.benchmarks.ui.grounding import PROMPT as UI_PROMPT
from magma_bench.benchmarks.ui.grounding import SOM_PROMPT as UI_SOM_HINT
from magma_bench.data.hf_files import json_lines, read_text
from magma_bench.errors import UserError
from magma_bench.marks import UI_FONT_PX
from magma_bench.model.formats import action_prompt, format_coordinate
from magma_bench.trainer import som, tom

SOURCES = ("ui", "robot", "video", "vl", "suites")
# UI prompts are the evaluation's own (SeeClick's ScreenSpot wording + the SoM hint) and the robot
# prompt is model.formats.action_prompt (upstream OpenXMagma wording), so train and eval never drift.
TOM_PROMPT = ("The task is: {}. Numbered marks are drawn on the first frame. Predict where the marks that move "
              "will be over the next {} frames. Answer one line per mark as Mark k: [(x,y), ...]")
VIDEO_PROMPT = "What is happening in this video clip?"
ROBOT_SOM_PROMPT = ("The task is: {}. Numbered marks are drawn on the gripper and the objects. Which mark should "
                    "the gripper reach next? Answer as Coordinate: (x, y). Mark: k")


@dataclass
class Example:
    id: str  # stable across runs: source/record/variant
    source: str  # one of SOURCES
    messages: list[dict[str, Any]]  # user turn(s) with image parts, then the assistant answer
    action: list[float] | None = None  # robot: the 7-D action the assistant answers with (tokens)
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def images(self) -> list[str]:
        return [p["path"] for m in self.messages if isinstance(m["content"], list)
                for p in m["content"] if p.get("type") == "image"]

    @property
    def target(self) -> str:
        """The assistant's text (empty for a pure action answer)."""
        return next((m["content"] for m in reversed(self.messages) if m["role"] == "assistant"), "")

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "example") -> Example:
        missing = {"id", "source", "messages"} - set(d)
        unknown = set(d) - {"id", "source", "messages", "action", "meta"}
        if missing or unknown:
            raise UserError(f"{where}: bad example record (missing {sorted(missing)}, unknown {sorted(unknown)})")
        if d["source"] not in SOURCES:
            raise UserError(f"{where}: unknown source {d['source']!r}; choose one of {', '.join(SOURCES)}")
        return cls(d["id"], d["source"], d["messages"], d.get("action"), d.get("meta") or {})


def chat(image: str | Path, prompt: str, answer: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": [{"type": "image", "path": str(image)}, {"type": "text", "text": prompt}]},
            {"role": "assistant", "content": answer}]


def write_jsonl(examples: Sequence[Example], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(e.to_json() + "\n" for e in examples), encoding="utf-8")
    return path


def read_jsonl(path: Path) -> list[Example]:
    """The examples `write_jsonl` wrote; a bad line or record is one UserError naming file and line."""
    try:
        text = read_text(path)
    except OSError as e:
        raise UserError(f"{path}: cannot read examples ({e})") from None
    return [Example.from_dict(d, f"{path}: line {lineno}") for lineno, d in json_lines(path, text)]


# -- builders ---------------------------------------------------------------------------------------


def ui_example(eid: str, image: str | Path, boxes: Sequence[som.Box], target: int, instruction: str,
               out_dir: Path, use_som: bool, seed: int) -> Example:
    """Grounding on a screenshot. `boxes` are every candidate element [x1, y1, x2, y2] px, `target`
    the index of the one the instruction names. SoM: marked copy of the image + `Mark: k` target."""
    with Image.open(image) as im:
        img = im.convert("RGB")
    w, h = img.size
    tb = boxes[target]
    if not use_som:
        x, y = (tb[0] + tb[2]) / 2 / w, (tb[1] + tb[3]) / 2 / h
        return Example(eid, "ui", chat(image, UI_PROMPT.format(instruction), format_coordinate(x, y)),
                       meta={"box": list(map(float, tb)), "size": [w, h]})
    keep = som.ui_candidates(boxes, w, h)
    if target not in keep:
        keep = sorted([*keep, target])
    marks = som.assign_marks([boxes[i] for i in keep], seed)
    marked, _ = som.render_box_marks(img, marks, font_px=UI_FONT_PX)
    path = Path(out_dir) / f"{eid.replace('/', '__')}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    marked.save(path, format="PNG", optimize=False)
    mark = som.mark_by_source(marks, keep.index(target))
    return Example(eid, "ui", chat(path, UI_PROMPT.format(instruction) + UI_SOM_HINT, som.som_target(mark, w, h)),
                   meta={"box": list(map(float, tb)), "size": [w, h], "mark": mark.id, "n_marks": len(marks)})


def robot_example(eid: str, image: str | Path, instruction: str, action: Sequence[float]) -> Example:
    """One step of a demonstration: observation image + instruction -> the expert's 7-D action."""
    a = [float(v) for v in action]
    if len(a) != 7:
        raise UserError(f"{eid}: robot action must have 7 values, got {len(a)}")
    return Example(eid, "robot", chat(image, action_prompt(instruction), ""), action=a)


def robot_som_example(eid: str, frame: np.ndarray, instruction: str, points: Sequence[Sequence[float]], goal: int,
                      out_dir: Path, seed: int) -> Example | None:
    """Set-of-Mark on a manipulation frame (action grounding for robots): circles on the gripper
    (points[0]) and the objects, and the answer is the mark of the point the gripper reaches next,
    points[goal]. Points closer than a mark are merged, the gripper first; a goal merged into
    the gripper (it holds the object) is answered by the gripper's mark. None when the goal is
    off-image."""
    h, w = frame.shape[:2]
    inside = [i for i, (x, y) in enumerate(points) if 0 <= x < w and 0 <= y < h]
    if goal not in inside:
        return None
    r = som.circle_radius(w)
    keep = [inside[j] for j in som.spread_points([tuple(points[i]) for i in inside], 2 * r + 1)]
    gx, gy = points[goal]
    answer = min(keep, key=lambda i: (points[i][0] - gx) ** 2 + (points[i][1] - gy) ** 2)
    marks = som.assign_marks([tuple(map(float, points[i])) for i in keep], seed)
    path = Path(out_dir) / f"{eid.replace('/', '__')}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    som.render_point_marks(Image.fromarray(frame), marks).save(path, format="PNG", optimize=False)
    mark = som.mark_by_source(marks, keep.index(answer))
    return Example(eid, "robot", chat(path, ROBOT_SOM_PROMPT.format(instruction), som.som_target(mark, w, h)),
                   meta={"mark": mark.id, "n_marks": len(marks)})


def tom_example(eid: str, frames: np.ndarray, instruction: str, out_dir: Path, use_tom: bool, seed: int,
                cfg: tom.ToMConfig | None = None, caption: str | None = None,
                tracker: Any = None) -> Example | None:
    """Trace-of-Mark on a clip (T >= l+1 frames). ToM off: the first frame with a caption target.
    Returns None when nothing in the clip moves (no foreground mark: no ToM question to ask)."""
    cfg = cfg or tom.ToMConfig()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{eid.replace('/', '__')}.png"
    if not use_tom:
        Image.fromarray(frames[0]).save(path, format="PNG", optimize=False)
        return Example(eid, "video", chat(path, VIDEO_PROMPT, caption or instruction))
    res = tom.trace_of_mark(frames, tracker, cfg, seed)
    if not res.fg_ids:
        return None
    h, w = frames.shape[1:3]
    tom.render_tom(frames[0], res, cfg.font_frac).save(path, format="PNG", optimize=False)
    steps = min(cfg.future, len(frames) - 1)
    return Example(eid, "video", chat(path, TOM_PROMPT.format(instruction, steps), tom.tom_target(res, w, h)),
                   meta={"fg_marks": res.fg_ids, "n_marks": len(res.marks), "camera_moved": res.camera_moved})


def vl_example(eid: str, image: str | Path, question: str, answer: str, question_form: str = "") -> Example:
    return Example(eid, "vl", chat(image, question, answer), meta={"question": question_form} if question_form else {})
