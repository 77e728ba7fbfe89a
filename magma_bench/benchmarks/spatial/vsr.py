"""VSR, Visual Spatial Reasoning (Liu et al., TACL 2023): is a caption's spatial relation true of
the image? Zero-shot split (concepts in test are unseen in train).

Official files, found anywhere under --data-dir (the zero-shot split; `random/` ones are skipped):
- cambridgeltl/visual-spatial-reasoning: `data/splits/zeroshot/{train,dev,test}.jsonl` (one record
  per line: image, image_link, caption, label 1/0, relation, subj, obj, annotator_id, ...);
- the hub copy cambridgeltl/vsr_zeroshot: `{train,dev,test}.jsonl` at its root, or its parquet
  conversion (`default/{train,validation,test}/0000.parquet`);
with the COCO 2017 images as the VSR data README lays them out: `images/` (its own selection or
the dropbox vsr_images.zip) or `trainval2017/`, or COCO's own `train2017/` + `val2017/`, anywhere
under --data-dir. Official id: the record's 0-based line position in the split file, as the
official `eval_compute_acc_by_rel.py` walks test.jsonl beside one prediction per line.
Metric: accuracy overall (headline), per relation and per VSR meta-category.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Benchmark, image_request
from magma_bench.data.hf_files import (
    find_files,
    load_hf_rows,
    read_json_lines_or_array,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, OtherScores
from magma_bench.parsers.yesno import first_truth_word
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


class VSR(Benchmark):
    name = "vsr"
    domain = "spatial"
    splits = ("test", "dev", "train")
    default_split = "test"
    default_n = 240
    official_id = "0-based line position in the split's .jsonl (as eval_compute_acc_by_rel.py walks it)"
    # Accuracy overall (the headline) and per relation and per relation category, as
    # eval_compute_acc_by_rel.py reports it.
    metrics = (Mean("accuracy"), Mean("accuracy", by=("relation/{relation}", "category/{category}")), OtherScores())
    IMAGE_DIRS = ("images", "trainval2017", "train2017", "val2017")
    HUB_SPLITS = {"dev": "validation"}

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        rows, where = self._rows(data_dir, split)
        roots = self._image_roots(data_dir, Path(where))
        samples = []
        for i, row in enumerate(rows, 1):
            with record_context(where, i):
                require_fields(row, {"image": str, "caption": str, "label": (int, bool), "relation": str}, f"{where}:{i}")
                if row["label"] not in (0, 1, True, False):
                    raise UserError(f"{where}:{i}: label must be 0 or 1, got {row['label']!r}")
                image = self._image(roots, str(row["image"]))
                samples.append(Sample(
                    id=f"{i:06d}-{Path(str(row['image'])).stem}", official_id=str(i - 1), benchmark=self.name,
                    inputs={"caption": row["caption"], "image": image},
                    target="true" if int(row["label"]) == 1 else "false",
                    meta={"relation": row["relation"], "category": CATEGORY_OF.get(row["relation"], "Unallocated")}))
        if samples and not any(Path(s.inputs["image"]).exists() for s in samples):
            raise UserError(f"{data_dir}: none of the {len(samples)} VSR images found (looked in "
                            f"{', '.join(d + '/' for d in self.IMAGE_DIRS)} anywhere under it, and beside {where}; "
                            f"e.g. {rows[0].get('image')})")
        return samples

    def _rows(self, data_dir: Path, split: str) -> tuple[list[Any], str]:
        """The split's records: a `<split>.jsonl` (or .json) of the zero-shot split, else the hub's
        parquet conversion. Several zero-shot candidates are refused, not picked silently."""
        files = [p for p in find_files(data_dir, (f"{split}.jsonl", f"{split}.json"))
                 if not any("random" in part for part in p.relative_to(data_dir).parts)]
        zeroshot = [p for p in files if any("zeroshot" in part for part in p.relative_to(data_dir).parts)]
        files = zeroshot or files
        if len(files) > 1:
            raise UserError(f"{data_dir}: several VSR {split} files ({', '.join(map(str, files[:3]))}); "
                            "point --data-dir at one copy")
        if files:
            return read_json_lines_or_array(files[0]), str(files[0])
        hub = self.HUB_SPLITS.get(split, split)
        shards = [p for p in find_files(data_dir, ("*.parquet",))
                  if (p.parent.name == hub or p.name.startswith(f"{hub}-") or p.stem.endswith(f"-{hub}"))
                  and not any("random" in part for part in p.relative_to(data_dir).parts)]
        if shards:
            return load_hf_rows(shards[0].parent, hub), str(shards[0].parent)
        raise UserError(f"{data_dir}: no VSR {split} split found (looked for splits/zeroshot/{split}.jsonl, "
                        f"{split}.jsonl from cambridgeltl/vsr_zeroshot, or its default/{hub}/*.parquet)")

    def _image_roots(self, data_dir: Path, split_file: Path) -> list[Path]:
        """Image folders by the VSR README's names: beside the split file's ancestors first (the repo
        layout puts `data/images/` three levels above `data/splits/zeroshot/test.jsonl`), then
        anywhere under --data-dir (not descending into image folders), then the split's folder."""
        roots: list[Path] = []
        here = split_file if split_file.is_dir() else split_file.parent
        for anc in [here, *here.parents]:
            roots += [anc / d for d in self.IMAGE_DIRS if (anc / d).is_dir()]
            if anc == data_dir or data_dir not in anc.parents:
                break
        for dirpath, dirnames, _ in os.walk(data_dir):
            hits = [d for d in dirnames if d in self.IMAGE_DIRS]
            roots += [Path(dirpath) / d for d in hits]
            dirnames[:] = [d for d in dirnames if d not in self.IMAGE_DIRS and not d.startswith(".")]
        return list(dict.fromkeys([*roots, here, data_dir]))

    @staticmethod
    def _image(roots: list[Path], name: str) -> str:
        for root in roots:
            if (root / name).exists():
                return str(root / name)
        return str(roots[0] / name)  # a missing image is recorded as that sample's error

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """`splits/zeroshot/test.jsonl` + `images/`: one caption per image, relations in turn,
        true and false captions balanced per relation."""
        from .offline.vsr import RELATIONS, layout, render

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
        """The first true/false (or yes/no, correct/incorrect) word; a reply that is just "1" or
        "0" is the label itself, the form of the official preds.txt (one 0/1 per line)."""
        return first_truth_word(text) if isinstance(text, str) else None

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(parsed == sample.target)}
