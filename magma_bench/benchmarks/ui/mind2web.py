"""Mind2Web (Deng et al., NeurIPS 2023), multimodal setting as SeeClick and Magma evaluate it.

Official files (SeeClick's release, which Magma's Table 4 follows): `mind2web_data_test_{task,
website,domain}.json` (cross-task / cross-website / cross-domain), JSON arrays of episodes
{annotation_id, confirmed_task, website, domain, subdomain, action_reprs, actions: [{action_uid,
operation {original_op, value, op}, bbox {x, y, width, height}, pos_candidates}]}, screenshots
`<imgs_dir>/<annotation_id>-<action_uid>.jpg`, the folder SeeClick's README calls `mind2web_imgs`
(`mind2web_images` is found too, as is any folder the first screenshots are in). Files and
screenshots are found at any depth under --data-dir.

Splits: each test split is its own run (`--split test_task|test_website|test_domain`, one file each,
as `mind2web_test.py --task task|website|domain` reads them); a sweep entry runs all three with
`splits: [test_task, test_website, test_domain]`. There is no pooled headline: Magma's Table 4, like
SeeClick, reports Ele.Acc / Op.F1 / Step SR per split. Official id: the step's `action_uid`.

Scoring is SeeClick's `mind2web_test.py`: element accuracy = click point inside the target box,
operation F1 = token F1 of "type [value]", step success = both; Op.F1 is averaged per operation
type then over types, as that script logs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Capability
from magma_bench.benchmark import Benchmark, image_request
from magma_bench.benchmarks.ui._files import lazy_image_root, one_file
from magma_bench.benchmarks.ui.grounding import image_size
from magma_bench.data.hf_files import read_json, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.geometry import point_in_box
from magma_bench.metrics.declare import AllWithin, Mean, OtherScores
from magma_bench.metrics.ui import mind2web_f1, mind2web_op_string
from magma_bench.parsers.actions import MIND2WEB_OPS as OP_IDS
from magma_bench.parsers.actions import mind2web_action
from magma_bench.parsers.grounding import resolve_point
from magma_bench.types import AnswerSpace, Request, Sample

SPLITS = ("test_task", "test_website", "test_domain")
IMAGE_DIRS = ("mind2web_imgs", "mind2web_images")
PROMPT = ("Please generate the next move according to the ui screenshot, instruction and previous actions. "
          "Instruction: {}. Previous actions: {}")


def action_text(op_id: int, point: Sequence[float], value: str = "") -> str:
    """An action in SeeClick's answer format (as JSON): {"action_type", "click_point"[, "value"]}."""
    d: dict[str, Any] = {"action_type": op_id, "click_point": [round(point[0], 4), round(point[1], 4)]}
    if op_id in (2, 3):
        d["value"] = value
    return json.dumps(d)


def _probes(episodes: list) -> list[str]:
    """The screenshot names of the first few steps (what `image_root` looks for)."""
    out = []
    for ep in episodes[:3]:
        if isinstance(ep, dict) and isinstance(ep.get("actions"), list):
            out += [f"{ep.get('annotation_id')}-{a['action_uid']}.jpg" for a in ep["actions"][:2]
                    if isinstance(a, dict) and isinstance(a.get("action_uid"), str)]
    return out


def op_type(record: dict) -> Any:
    """The gold operation (click, type, select) a step's Op.F1 is grouped by."""
    return (record.get("target") or {}).get("op")


class Mind2Web(Benchmark):
    name = "mind2web"
    domain = "ui"
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT, Capability.GROUNDING})
    splits = SPLITS
    default_split = "test_task"
    default_n = 30
    headline_key = "step_success"
    # Step SR (the headline), Ele.Acc, Op.F1 as the paper takes it (per op type, then averaged;
    # op_f1_micro over every step), episode success (every step of it right) and SeeClick's macro
    # (per-episode) variants.
    metrics = (Mean(headline_key), Mean("element_acc"), Mean("op_f1", over=op_type), Mean("op_f1", name="op_f1_micro"),
               Mean(AllWithin("step_success", "{episode}"), name="episode_success", over="{episode}"),
               *(Mean(k, name=f"macro_{k}", over="{episode}") for k in ("element_acc", "op_f1", "step_success")),
               OtherScores())
    official_id = "action_uid (each step's own, unique within a split)"
    requires: ClassVar[tuple[str, ...]] = ("playwright",)

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        path = one_file(data_dir, f"mind2web_data_{split}.json")
        if path is None:
            raise UserError(f"{data_dir}: no mind2web_data_{split}.json found at any depth (SeeClick's Mind2Web "
                            f"release; splits {', '.join(SPLITS)})")
        episodes = read_json(path)
        if not isinstance(episodes, list):
            raise UserError(f"{path}: expected a JSON array of Mind2Web episodes")
        img_root = lazy_image_root(data_dir, path, IMAGE_DIRS, _probes(episodes))
        samples = []
        for i, ep in enumerate(episodes):
            with record_context(path, f"episode {i}"):
                require_fields(ep, {"annotation_id": (str, int), "confirmed_task": str, "actions": list},
                               f"{path}: episode {i}")
                history: list[str] = []
                for j, step in enumerate(ep["actions"]):
                    where = f"{path}: episode {i} step {j}"
                    if "bbox" not in step:  # SeeClick skips steps whose element was not found
                        continue
                    op = step.get("operation", {})
                    if op.get("original_op") not in OP_IDS:
                        raise UserError(f"{where}: operation.original_op must be one of {', '.join(OP_IDS)}")
                    b = step["bbox"]
                    try:
                        box = [float(b["x"]), float(b["y"]), float(b["x"]) + float(b["width"]), float(b["y"]) + float(b["height"])]
                    except (KeyError, TypeError, ValueError):
                        raise UserError(f"{where}: bbox must be {{x, y, width, height}}") from None
                    img = img_root() / f"{ep['annotation_id']}-{step['action_uid']}.jpg"
                    size = image_size(img) if img.exists() else (1280, 720)
                    op_id = OP_IDS[op["original_op"]]
                    center = [(box[0] + box[2]) / 2 / size[0], (box[1] + box[3]) / 2 / size[1]]
                    prev = " ".join(f"Step{k}: {a}." for k, a in enumerate(history[-4:]))
                    samples.append(Sample(
                        id=f"{ep['annotation_id']}-{step['action_uid']}", benchmark=self.name,
                        official_id=str(step["action_uid"]),
                        inputs={"image": str(img), "task": ep["confirmed_task"], "previous": prev, "size": list(size)},
                        target={"op": op_id, "value": str(op.get("value", "")), "box": box},
                        meta={"episode": ep["annotation_id"], "step": j, "split": split,
                              "website": ep.get("website"), "domain": ep.get("domain")}))
                    history.append(action_text(op_id, center, str(op.get("value", ""))))
        return samples

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        from magma_bench.benchmarks.ui.offline.mind2web import write_mind2web

        blocked = write_mind2web(out_dir, n, seed, SPLITS)
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed, blocked_requests=blocked)
        return out_dir

    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        w, h = sample.inputs["size"]
        t = sample.target
        center = [(t["box"][0] + t["box"][2]) / 2 / w, (t["box"][1] + t["box"][3]) / 2 / h]
        text = PROMPT.format(sample.inputs["task"], sample.inputs["previous"])
        return image_request(
            sample.id, image, text, answer_space=AnswerSpace("point"), max_new_tokens=64,
            reference=action_text(t["op"], center, t["value"]))

    def parse(self, text: str) -> dict[str, Any] | None:
        return mind2web_action(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        t = sample.target
        if not parsed:
            return {"element_acc": 0.0, "op_f1": 0.0, "op_match": 0.0, "step_success": 0.0}
        point = resolve_point(parsed.get("parsed"), sample.inputs["size"])
        ele = point_in_box(point, t["box"])
        f1 = mind2web_f1(mind2web_op_string(parsed["action_type"], parsed["value"]),
                         mind2web_op_string(t["op"], t["value"]))
        return {"element_acc": float(ele), "op_f1": f1, "op_match": float(parsed["action_type"] == t["op"]),
                "step_success": float(ele and f1 == 1.0)}
