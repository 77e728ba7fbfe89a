"""AITW (Rawles et al., Android in the Wild, NeurIPS 2023) as SeeClick and Magma (Table 5) evaluate it.

Official files (SeeClick's split of AITW): `aitw_data_test.json`, {subset: [episode: [step]]} for
subsets general, install, googleapps, single, webshopping; a step has ep_id, step, img_filename,
goal, action_type_id (3 type, 4 dual point, 5 back, 6 home, 7 enter, 10 complete, 11 impossible),
action_type_text (click, scroll up/down/left/right, ...), touch / lift [x, y] normalised, type_text
and annot_position (flat (y, x, h, w) normalised boxes); screenshots `<imgs_dir>/<img_filename>.png`,
the folder SeeClick's README calls `aitw_imgs` (`aitw_images` is found too, as is any folder the
first screenshots are in). Files and screenshots are found at any depth under --data-dir.

Official id: `<ep_id>_<step>` (the step's own episode id and step index, which AITW names its
screenshots by); a step without them falls back to its img_filename's last part.
Scoring is the official action matching (`metrics.ui.aitw_actions_match`) after SeeClick's
`action_2_format` / `pred_2_format`; the headline is the mean of the per-subset accuracies, as
`aitw_test.py` logs "Average score".
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.adapter import Capability
from magma_bench.benchmark import Benchmark, image_request
from magma_bench.benchmarks.ui._files import lazy_image_root, one_file
from magma_bench.benchmarks.ui.grounding import image_size
from magma_bench.data.hf_files import read_json, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.metrics.ui import aitw_actions_match
from magma_bench.parsers.actions import AITW_SCROLLS as SCROLLS
from magma_bench.parsers.actions import aitw_step
from magma_bench.parsers.grounding import resolve_point
from magma_bench.types import AnswerSpace, Request, Sample

SUBSETS = ("general", "install", "googleapps", "single", "webshopping")
IMAGE_DIRS = ("aitw_imgs", "aitw_images")
PROMPT = ("Please generate the next move according to the ui screenshot, instruction and previous actions. "
          "Instruction: {}. Previous actions: {}")
_SCROLL_BY_ID = {v[0]: v for v in SCROLLS.values()}


def step_text(step: dict[str, Any]) -> str:
    """SeeClick's `action2step`: the gold step in the model's answer format (as JSON)."""
    t = step["action_type_id"]
    if t == 4 and step["action_type_text"] == "click":
        x, y = (np.add(step["touch"], step["lift"]) / 2).tolist()
        return json.dumps({"action_type": 4, "click_point": [round(x, 4), round(y, 4)]})
    if t == 4:
        return json.dumps({"action_type": SCROLLS[step["action_type_text"]][0]})
    if t == 3:
        return json.dumps({"action_type": 3, "typed_text": step.get("type_text", "")})
    return json.dumps({"action_type": t})


def _to_match(t: int, touch: Any, lift: Any, text: str = "") -> dict[str, Any]:
    """(type, touch (y, x), lift (y, x), text) for matching, from (x, y) points."""
    return {"type": t, "touch": (touch[1], touch[0]), "lift": (lift[1], lift[0]), "text": text.lower()}


def gold_action(step: dict[str, Any]) -> dict[str, Any]:
    """SeeClick's `action_2_format`."""
    t = step["action_type_id"]
    if t == 4 and step["action_type_text"] == "click":
        return _to_match(4, step["touch"], step["lift"])
    if t == 4:
        _, touch, lift = SCROLLS[step["action_type_text"]]
        return _to_match(4, touch, lift)
    return _to_match(t, (-1.0, -1.0), (-1.0, -1.0), step.get("type_text", "") if t == 3 else "")


def pred_action(p: dict[str, Any], size: Any) -> dict[str, Any] | None:
    """SeeClick's `pred_2_format` (the click point resolved from any coordinate form)."""
    t = p["type"]
    if t in _SCROLL_BY_ID:
        _, touch, lift = _SCROLL_BY_ID[t]
        return _to_match(4, touch, lift)
    if t == 4:
        pt = resolve_point(p["parsed"], size)
        if pt is None:
            return None
        xy = (pt[0] / size[0], pt[1] / size[1])
        return _to_match(4, xy, xy)
    return _to_match(t, (-1.0, -1.0), (-1.0, -1.0), p["text"] if t == 3 else "")


def _probes(data: dict, subsets: tuple[str, ...]) -> list[str]:
    """The screenshot names of the first steps of each subset (what `image_root` looks for)."""
    out = []
    for subset in subsets:
        eps = data.get(subset)
        step = eps[0][0] if isinstance(eps, list) and eps and isinstance(eps[0], list) and eps[0] else None
        if isinstance(step, dict) and isinstance(step.get("img_filename"), str):
            out.append(f"{step['img_filename']}.png")
    return out


class AITW(Benchmark):
    name = "aitw"
    domain = "ui"
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT, Capability.GROUNDING})
    splits = ("test",)
    default_n = 40
    group_key = "subset"
    official_id = "<ep_id>_<step> (the step's episode id and step index)"
    requires: ClassVar[tuple[str, ...]] = ("playwright",)

    def __init__(self, subset: str | None = None, **args: Any) -> None:
        if subset is not None and subset not in SUBSETS:
            raise UserError(f"aitw: unknown subset {subset!r}; choose one of {', '.join(SUBSETS)}")
        super().__init__(subset=subset, **args)
        self.subsets = (subset,) if subset else SUBSETS

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        path = one_file(data_dir, f"aitw_data_{split}.json")
        if path is None:
            raise UserError(f"{data_dir}: no aitw_data_{split}.json found at any depth (SeeClick's AITW split)")
        data = read_json(path)
        if not isinstance(data, dict):
            raise UserError(f"{path}: expected {{subset: [episodes]}}")
        img_root = lazy_image_root(data_dir, path, IMAGE_DIRS, _probes(data, self.subsets))
        samples = []
        for subset in self.subsets:
            for i, episode in enumerate(data.get(subset, [])):
                with record_context(path, f"{subset} episode {i}"):
                    history: list[str] = []
                    for j, step in enumerate(episode):
                        with record_context(path, f"{subset} episode {i} step {j}"):
                            where = f"{path}: {subset} episode {i} step {j}"
                            require_fields(step, {"img_filename": str, "goal": str, "action_type_id": int,
                                                  "annot_position": list}, where)
                            t = step["action_type_id"]
                            if t == 4 and step.get("action_type_text") not in ("click", *SCROLLS):
                                raise UserError(f"{where}: action_type_text must be click or a scroll, got {step.get('action_type_text')!r}")
                            if t == 4 and step.get("action_type_text") == "click" and not ("touch" in step and "lift" in step):
                                raise UserError(f"{where}: a click needs touch and lift")
                            ann = step["annot_position"]
                            if len(ann) % 4:
                                raise UserError(f"{where}: annot_position must hold (y, x, h, w) groups")
                            img = img_root() / f"{step['img_filename']}.png"
                            size = image_size(img) if img.exists() else (1080, 2400)
                            prev = " ".join(f"Step{k}: {a}." for k, a in enumerate(history[-4:]))
                            target = {k: step.get(k) for k in ("action_type_id", "action_type_text", "touch", "lift", "type_text")}
                            target["annot"] = [ann[k:k + 4] for k in range(0, len(ann), 4)]
                            official = (f"{step['ep_id']}_{step['step']}" if "ep_id" in step and "step" in step
                                        else Path(step["img_filename"]).name)
                            samples.append(Sample(
                                id=f"{subset}-{step.get('ep_id', i)}-{j}", benchmark=self.name, official_id=official,
                                inputs={"image": str(img), "goal": step["goal"], "previous": prev, "size": list(size)},
                                target=target, meta={"subset": subset, "episode": f"{subset}-{i}", "step": j}))
                            history.append(step_text(step))
        if not samples:
            raise UserError(f"{path}: no episodes for subsets {', '.join(self.subsets)}")
        return samples

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        from magma_bench.benchmarks.ui.offline.aitw import write_aitw

        blocked = write_aitw(out_dir, n, seed, SUBSETS)  # all: the cached suite is shared by subset variants
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed, blocked_requests=blocked)
        return out_dir

    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        grid = [json.dumps({"action_type": 4, "click_point": [x, y]}) for y in (0.1, 0.3, 0.5, 0.7, 0.9)
                for x in (0.1, 0.3, 0.5, 0.7, 0.9)]
        others = [json.dumps({"action_type": t}) for t in (0, 1, 8, 9, 5, 6, 7, 10)]
        space = AnswerSpace("choice", grid + others + [json.dumps({"action_type": 3, "typed_text": ""})])
        text = PROMPT.format(sample.inputs["goal"], sample.inputs["previous"])
        return image_request(
            sample.id, image, text, answer_space=space, max_new_tokens=64, reference=step_text(sample.target))

    def parse(self, text: str) -> dict[str, Any] | None:
        return aitw_step(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        gold = gold_action(sample.target)
        pred = pred_action(parsed, sample.inputs["size"]) if parsed else None
        if pred is None:
            return {"accuracy": 0.0, "type_match": 0.0}
        ok = aitw_actions_match(pred["touch"], pred["lift"], pred["type"], gold["touch"], gold["lift"], gold["type"],
                                sample.target["annot"])
        return {"accuracy": float(ok), "type_match": float(pred["type"] == gold["type"])}
