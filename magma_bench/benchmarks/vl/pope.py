"""POPE (Li et al., EMNLP 2023): object-presence yes/no questions, random/popular/adversarial.

Official files, found anywhere under `--data-dir`: `coco_pope_{random,popular,adversarial}.json`
(JSON Lines of {question_id, image, text, label}; the POPE repository's `output/coco/`, LLaVA's
`playground/data/eval/pope/coco/`) with the COCO val2014 images (`val2014/`) anywhere below; or
the lmms-lab/POPE hub snapshot (`data/test-*.parquet`: id, question_id, question, answer,
image_source, image, category; its `Full/` shards are not read). The repository's `output/` also
holds SEEM-built sets on other images (`output/seem/{aokvqa,gqa}/<name>_pope_seem_<category>.json`,
JSON arrays): they are kept apart as sources; COCO's is read unless `source=` names another
(`aokvqa_seem`, `gqa_seem`, or any `<dataset>` a user built with main.py). The official id is
`question_id`, which restarts in each category's file (evaluate.py scores one file at a time).

Parsing follows POPE's `evaluate.py` (the rule LLaVA's `eval_pope.py` copies): keep the first
sentence, drop commas, and answer "no" when its words contain "No", "no" or "not", else "yes".
So a reply naming both options is "no" unless the first sentence leaves "no" out: "Yes, no" and
"Yes or no" are no, "Yes. No" is yes. lmms-eval's POPE task compares the lower-cased reply
to "yes"/"no" exactly (a reply naming both is wrong there); the two agree on the bare one-word
replies the prompt asks for. A blank reply is no answer here (the script would read it as
"yes"). The headline is the mean F1 over the three categories (LLaVA's convention, which the Magma paper's baselines use); accuracy, precision,
recall and yes-ratio are reported per category.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Benchmark, image_request
from magma_bench.benchmarks.vl._files import hub_rows, media_root
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    find_files,
    materialize_image,
    read_json_lines_or_array,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.binary import binary_counts
from magma_bench.metrics.declare_counts import BinaryRates
from magma_bench.parsers.yesno import first_sentence_negation
from magma_bench.types import AnswerSpace, Request, Sample

CATEGORIES = ("random", "popular", "adversarial")
# `{dataset}_pope_{category}.json` (main.py's names), `{dataset}_pope_seem_{category}.json` for SEEM-built sets
FILE_NAME = re.compile(r"^(?P<src>[A-Za-z0-9-]+)_pope_(?P<seem>seem_)?(?P<cat>random|popular|adversarial)\.jsonl?$")
IMAGE_DIRS = ("val2014", "images", "coco/val2014", "COCO/val2014", "images/val2014")
PROMPT = "{question}\nAnswer the question using a single word or phrase."


def record_counts(r: dict) -> dict[str, float]:
    """Confusion counts of one record, from its parsed answer and target rather than its stored
    scores, so records written before errored samples counted as wrong are counted alike."""
    parsed = r.get("parsed") if not r.get("error") else None
    return binary_counts(parsed if parsed in ("yes", "no") else None, str(r.get("target")))


def record_category(r: dict) -> str | None:
    category = (r.get("meta") or {}).get("category")
    return category if category in CATEGORIES else None


class Pope(Benchmark):
    name = "pope"
    domain = "vl"
    default_n = 540
    # Per category accuracy, precision, recall, F1 and yes-ratio, each also averaged over the
    # categories; headline = that mean F1.
    metrics = (BinaryRates(counts=record_counts, over=record_category),)
    official_id = ("question_id (restarts at 1 in each coco_pope_<category>.json, which evaluate.py scores one "
                   "at a time: official-id predictions need --bench-arg category=...)")

    def __init__(self, category: str | None = None, source: str | None = None, **args: Any) -> None:
        if category is not None and category not in CATEGORIES:
            raise UserError(f"pope: unknown category {category!r}; choose one of {', '.join(CATEGORIES)}")
        if source is not None and not re.fullmatch(r"[A-Za-z0-9-]+(_seem)?", source):
            raise UserError(f"pope: bad source {source!r}; a POPE set's file-name prefix, e.g. coco, gqa_seem")
        super().__init__(category=category, source=source, **args)
        self.categories = (category,) if category else CATEGORIES
        self.source = source

    def generation_args(self) -> dict[str, Any]:
        """`category` and `source` only filter at load time: all categories share one generated suite."""
        return {k: v for k, v in super().generation_args().items() if k not in ("category", "source")}

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        sets: dict[str, dict[str, list[Path]]] = {}
        for path in find_files(data_dir, ("*_pope_*.json", "*_pope_*.jsonl")):
            m = FILE_NAME.match(path.name)
            if m:
                src = m["src"] + ("_seem" if m["seem"] else "")
                sets.setdefault(src, {}).setdefault(m["cat"], []).append(path)
        if sets:
            return self._load_original(data_dir, *self._pick(data_dir, sets))
        if self.source not in (None, "coco"):
            raise UserError(f"{data_dir}: no {self.source}_pope_<category>.json files (the hub snapshot is COCO only)")
        return self._load_hub(data_dir, split)

    def _pick(self, data_dir: Path, sets: dict[str, dict[str, list[Path]]]) -> tuple[str, dict[str, Path]]:
        """One POPE set: `source`, else COCO (the paper's), else the only one there is."""
        names = ", ".join(sorted(sets))
        if self.source is not None and self.source not in sets:
            raise UserError(f"{data_dir}: no POPE files for source {self.source!r} (found: {names})")
        src = self.source or ("coco" if "coco" in sets else next(iter(sets)) if len(sets) == 1 else None)
        if src is None:
            raise UserError(f"{data_dir}: several POPE sets ({names}) and none is COCO's; "
                            "choose one with --bench-arg source=<name>")
        chosen = {}
        for cat, paths in sets[src].items():
            if len(paths) > 1:
                raise UserError(f"{data_dir}: {len(paths)} copies of {paths[0].name} ({paths[0]}, {paths[1]}); "
                                "point --data-dir at one of them")
            chosen[cat] = paths[0]
        return src, chosen

    def _load_original(self, data_dir: Path, src: str, files: dict[str, Path]) -> list[Sample]:
        samples = []
        prefix = "" if src == "coco" else f"{src}-"
        for cat in self.categories:
            path = files.get(cat)
            if path is None:
                continue
            rows = []
            for i, row in enumerate(read_json_lines_or_array(path), 1):
                with record_context(path, i):
                    require_fields(row, {"question_id": (int, str), "image": str, "text": str, "label": str},
                                   f"{path}:{i}")
                    if row["label"] not in ("yes", "no"):
                        raise UserError(f"{path}:{i}: label must be yes/no, got {row['label']!r}")
                    rows.append(row)
            if not rows:
                continue
            near = [path.parent, path.parent.parent, path.parent.parent.parent]
            root = media_root(data_dir, [r["image"] for r in rows], near, IMAGE_DIRS, f"images of {path.name}")
            for row in rows:
                samples.append(Sample(
                    id=f"{prefix}{cat}-{row['question_id']}", official_id=str(row["question_id"]), benchmark=self.name,
                    inputs={"question": row["text"], "image": str(root / row["image"])},
                    target=row["label"], meta={"category": cat, "image": row["image"], "source": src}))
        if not samples:
            raise UserError(f"{data_dir}: no {src} POPE files for categories {', '.join(self.categories)} "
                            f"(found {', '.join(p.name for p in files.values())})")
        return samples

    def _load_hub(self, data_dir: Path, split: str) -> list[Sample]:
        cache = data_cache(data_dir, "images")
        samples = []
        rows = hub_rows(data_dir, split, "coco_pope_{random,popular,adversarial}.json", "lmms-lab/POPE (data/test-*)")
        for i, row in enumerate(rows, 1):
            with record_context(data_dir, i):
                cat = row.get("category")
                if cat not in self.categories:
                    continue
                answer = str(row.get("answer", "")).strip().lower()
                if answer not in ("yes", "no"):
                    raise UserError(f"{data_dir}: row {i}: answer must be yes/no, got {row.get('answer')!r}")
                img = materialize_image(row["image"], cache, str(row.get("image_source", i)))
                samples.append(Sample(
                    id=f"{cat}-{row['question_id']}", official_id=str(row["question_id"]), benchmark=self.name,
                    inputs={"question": row["question"], "image": str(img)},
                    target=answer, meta={"category": cat, "image": row.get("image_source"), "source": "coco"}))
        return samples

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """POPE's construction on generated scenes: per image up to 3 present objects ("yes") and
        as many absent ones ("no"), negatives sampled uniformly (random), by dataset frequency
        (popular) or by co-occurrence with the present objects (adversarial)."""
        from magma_bench.benchmarks.vl.offline.scenes import KINDS, render, sample_scene

        rng = np.random.default_rng(seed)
        n_images = max(1, -(-n // 18))
        img_dir = out_dir / "images"
        img_dir.mkdir(parents=True, exist_ok=True)
        scenes = [sample_scene(rng) for _ in range(n_images)]
        freq = Counter(o.kind for s in scenes for o in s)
        co = Counter((a.kind, b.kind) for s in scenes for a in s for b in s if a.kind != b.kind)
        rows: dict[str, list[dict]] = {c: [] for c in CATEGORIES}
        for i, objs in enumerate(scenes):
            name = f"scene_{i:06d}.png"
            render(objs, img_dir / name)
            present = [o.kind for o in objs]
            absent = [k for k in KINDS if k not in present]
            pos = list(rng.permutation(present))[:3]
            m = len(pos)
            negs = {
                "random": list(rng.permutation(absent))[:m],
                "popular": sorted(absent, key=lambda k: (-freq[k], k))[:m],
                "adversarial": sorted(absent, key=lambda k: (-sum(co[(p, k)] for p in present), k))[:m],
            }
            for cat in CATEGORIES:
                for kind, label in [(k, "yes") for k in pos] + [(k, "no") for k in negs[cat]]:
                    rows[cat].append({"question_id": len(rows[cat]) + 1, "image": name,
                                      "text": f"Is there a {kind} in the image?", "label": label})
        per_cat = -(-n // 3)
        for cat in CATEGORIES:
            lines = "".join(json.dumps(r) + "\n" for r in rows[cat][:per_cat])
            (out_dir / f"coco_pope_{cat}.json").write_text(lines)
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    # -- model I/O -------------------------------------------------------------------------------
    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        text = PROMPT.format(question=sample.inputs["question"])
        return image_request(
            sample.id, image, text, answer_space=AnswerSpace("yesno", ["yes", "no"]), max_new_tokens=4,
            reference=sample.target.capitalize(), heuristic="yes")

    def parse(self, text: str) -> str | None:
        """The official rule, except that a blank reply is no answer (the rule would read it as "yes")."""
        if not isinstance(text, str) or not text.strip():
            return None
        return first_sentence_negation(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        """Accuracy and the confusion counts; no answer is wrong in every count (`binary_counts`)."""
        pred = parsed if parsed in ("yes", "no") else None
        return {"accuracy": float(pred is not None and pred == sample.target), **binary_counts(pred, sample.target)}
