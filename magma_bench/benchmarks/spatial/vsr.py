"""VSR, Visual Spatial Reasoning (Liu et al., TACL 2023): is a caption's spatial relation true of
the image? Zero-shot split (concepts in test are unseen in train).

Official files: `splits/zeroshot/{train,dev,test}.jsonl` from cambridgeltl/visual-spatial-reasoning
(one record per line: image, image_link, caption, label 1/0, relation, subj, obj, ...) with the
COCO 2017 images in `images/` (or `trainval2017/`, `train2017/`, `val2017/`); the HF mirror
(cambridgeltl/vsr_zeroshot) has the same fields as JSONL/parquet. Metric: accuracy overall
(headline), per relation and per VSR meta-category.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Aggregate, Benchmark, image_request
from magma_bench.errors import UserError
from magma_bench.hf_files import (
    find_files,
    load_hf_rows,
    read_json_lines_or_array,
    record_context,
    require_fields,
)
from magma_bench.types import AnswerSpace, Request, Sample

# VSR meta-categories of its 66 relations (paper Table 1; the few "Unallocated" ones omitted)
CATEGORIES = {
    "Adjacency": ("adjacent to", "alongside", "at the side of", "at the right side of", "at the left side of",
                  "attached to", "at the back of", "ahead of", "against", "at the edge of"),
    "Directional": ("off", "past", "toward", "down", "deep down", "up", "away from", "along", "around", "from",
                    "into", "to", "across", "across from", "through", "down from"),
    "Orientation": ("facing", "facing away from", "parallel to", "perpendicular to"),
    "Projective": ("on top of", "beneath", "beside", "behind", "left of", "right of", "under", "in front of",
                   "below", "above", "over", "in the middle of"),
    "Proximity": ("by", "close to", "near", "far from", "far away from"),
    "Topological": ("connected to", "detached from", "has as a part", "part of", "contains", "within", "at", "on",
                    "in", "with", "surrounding", "among", "consists of", "out of", "between", "inside", "outside",
                    "touching"),
}
CATEGORY_OF = {r: c for c, rs in CATEGORIES.items() for r in rs}
PROMPT = ("Is the following statement about the image true or false?\nStatement: {caption}\n"
          "Answer with a single word: true or false.")
_TF = re.compile(r"\b(true|false|yes|no|correct|incorrect)\b", re.IGNORECASE)


class VSR(Benchmark):
    name = "vsr"
    domain = "spatial"
    splits = ("test", "dev", "train")
    default_split = "test"
    default_n = 240

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        files = [p for p in find_files(data_dir, (f"{split}.jsonl", f"{split}.json"))
                 if "random" not in p.parts]  # the zero-shot split, not the random one
        if files:
            rows, where = read_json_lines_or_array(files[0]), str(files[0])
        else:
            rows, where = load_hf_rows(data_dir, split), str(data_dir)
        img_root = next((p for p in (data_dir / "images", data_dir / "trainval2017", data_dir)
                         if p.is_dir()), data_dir)
        samples = []
        for i, row in enumerate(rows, 1):
            with record_context(where, i):
                require_fields(row, {"image": str, "caption": str, "label": (int, bool), "relation": str}, f"{where}:{i}")
                if row["label"] not in (0, 1, True, False):
                    raise UserError(f"{where}:{i}: label must be 0 or 1, got {row['label']!r}")
                image = self._image(img_root, data_dir, str(row["image"]))
                samples.append(Sample(
                    id=f"{i:06d}-{Path(str(row['image'])).stem}", benchmark=self.name,
                    inputs={"caption": row["caption"], "image": image},
                    target="true" if int(row["label"]) == 1 else "false",
                    meta={"relation": row["relation"], "category": CATEGORY_OF.get(row["relation"], "Unallocated")}))
        return samples

    @staticmethod
    def _image(img_root: Path, data_dir: Path, name: str) -> str:
        for root in (img_root, data_dir / "train2017", data_dir / "val2017"):
            if (root / name).exists():
                return str(root / name)
        return str(img_root / name)  # a missing image is recorded as that sample's error

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """`splits/zeroshot/test.jsonl` + `images/`: one caption per image, relations in turn,
        true and false captions balanced per relation."""
        from ._vsr_gen import RELATIONS, layout, render

        rng = np.random.default_rng(seed)
        (out_dir / "images").mkdir(parents=True, exist_ok=True)
        split_dir = out_dir / "splits" / "zeroshot"
        split_dir.mkdir(parents=True, exist_ok=True)
        rels = list(RELATIONS)
        lines = []
        for i in range(n):
            rel = rels[i % len(rels)]
            truth = (i // len(rels)) % 2 == 0
            objs, subj, obj = layout(rng, rel, truth)
            name = f"{700000 + i:012d}.jpg"
            render(objs, out_dir / "images" / name)
            lines.append(json.dumps({"image": name, "image_link": "", "caption": f"The {subj} is {rel} the {obj}.",
                                     "label": int(truth), "relation": rel, "subj": subj, "obj": obj,
                                     "annotator_id": 0, "vote_true_validator_id": [],
                                     "vote_false_validator_id": []}))
        (split_dir / "test.jsonl").write_text("\n".join(lines) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    # -- model I/O -------------------------------------------------------------------------------
    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        text = PROMPT.format(caption=sample.inputs["caption"])
        return image_request(
            sample.id, image, text, answer_space=AnswerSpace("choice", ["true", "false"]), max_new_tokens=4,
            reference=sample.target.capitalize(), heuristic="true")

    def parse(self, text: str) -> str | None:
        """The first true/false (or yes/no, correct/incorrect) word."""
        if not isinstance(text, str):
            return None
        m = _TF.search(text)
        if not m:
            return None
        return "true" if m.group(1).lower() in ("true", "yes", "correct") else "false"

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(parsed == sample.target)}

    def aggregate(self, records: Sequence[dict]) -> Aggregate:
        agg = super().aggregate(records)
        for key in ("relation", "category"):
            by: dict[str, list[float]] = {}
            for r in records:
                by.setdefault(str(r["meta"].get(key)), []).append(r["scores"].get("accuracy", 0.0))
            for k in sorted(by):
                agg.metrics[f"{key}/{k}"] = 100.0 * float(np.mean(by[k]))
        return agg
