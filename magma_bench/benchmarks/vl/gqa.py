"""GQA (Hudson & Manning, CVPR 2019): compositional questions over scene graphs, test-dev balanced.

Official files, found anywhere under `--data-dir`: `testdev_balanced_questions.json` (from
questions1.2.zip: {question_id: {imageId, question, answer, fullAnswer, types: {structural,
semantic, detailed}, ...}}) with `images/<imageId>.jpg` (images.zip); or the lmms-lab/GQA hub
snapshot (`testdev_balanced_instructions/testdev-*.parquet`: id, imageId, question, answer,
types...; `testdev_balanced_images/testdev-*.parquet`: id, image; the snapshot's other configs
are ignored). The official id is the question id: the key of the questions file, `id` on the
hub, `questionId` in the predictions file the official eval.py reads. Prompt and metric as lmms-eval:
"\\nAnswer the question using a single word or phrase.", exact match ignoring case and
punctuation; accuracy per structural type is reported too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._files import find_dir, find_one, media_root
from magma_bench.benchmarks.vl.vqa_base import VQABase
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    load_hf_rows,
    materialize_image,
    read_json,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.exact import exact_match
from magma_bench.types import Sample

QUESTIONS = "testdev_balanced_questions.json"
HUB_QUESTIONS, HUB_IMAGES = "testdev_balanced_instructions", "testdev_balanced_images"


def _structural(types: Any) -> str | None:
    if isinstance(types, str):
        try:
            types = json.loads(types)
        except json.JSONDecodeError:
            return None
    return types.get("structural") if isinstance(types, dict) else None


class GQA(VQABase):
    name = "gqa"
    splits = ("testdev",)
    default_split = "testdev"
    default_n = 300
    type_key = "structural"
    official_id = "question id (the key of testdev_balanced_questions.json; `questionId` in eval.py's predictions)"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        file = find_one(data_dir, (QUESTIONS,), "the GQA questions file")
        if file is not None:
            questions = read_json(file)
            if not isinstance(questions, dict):
                raise UserError(f"{file}: expected an object of questions by id")
            rows = [{"id": qid, **q} if isinstance(q, dict) else q for qid, q in questions.items()]
            where = str(file)
        else:
            ins, imgs = find_dir(data_dir, HUB_QUESTIONS), find_dir(data_dir, HUB_IMAGES)
            if not (ins and imgs):
                raise UserError(f"{data_dir}: nothing to load: looked for {QUESTIONS} (+ images/) and for the "
                                f"lmms-lab/GQA folders {HUB_QUESTIONS}/ and {HUB_IMAGES}/")
            rows, where = load_hf_rows(ins, split), str(ins)
        checked = []
        for i, r in enumerate(rows, 1):
            with record_context(where, i):
                require_fields(r, {"id": (str, int), "imageId": (str, int), "question": str, "answer": (str, int)},
                               f"{where}: question {i}")
                checked.append(r)
        if file is not None:
            root = media_root(data_dir, [f"{r['imageId']}.jpg" for r in checked], [file.parent], ("images",),
                              "GQA images") if checked else data_dir
            image_of = {str(r["imageId"]): str(root / f"{r['imageId']}.jpg") for r in checked}
        else:
            cache = data_cache(data_dir, "images")
            image_of = {}
            for i, r in enumerate(load_hf_rows(imgs, split), 1):
                with record_context(imgs, i):
                    image_of[str(r["id"])] = str(materialize_image(r["image"], cache, str(r["id"])))
        samples = []
        for r in checked:
            if str(r["imageId"]) not in image_of:
                raise UserError(f"{where}: question {r['id']}: no image {r['imageId']}")
            samples.append(Sample(
                id=str(r["id"]), official_id=str(r["id"]), benchmark=self.name,
                inputs={"question": r["question"], "image": image_of[str(r["imageId"])]},
                target=str(r["answer"]), meta={"structural": _structural(r.get("types")), "majority": str(r["answer"])}))
        return self.remember_vocab(samples)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": exact_match(parsed, sample.target) if isinstance(parsed, str) else 0.0}

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The original JSON layout: one question per generated scene."""
        from magma_bench.benchmarks.vl.offline.gqa import question
        from magma_bench.benchmarks.vl.offline.scenes import sample_scene
        from magma_bench.benchmarks.vl.offline.vqa import render_scene_jpeg

        rng = np.random.default_rng(seed)
        (out_dir / "images").mkdir(parents=True, exist_ok=True)
        data = {}
        for i in range(n):
            objs = sample_scene(rng)
            image_id = f"n{seed:03d}{i:06d}"
            render_scene_jpeg(objs, out_dir / "images" / f"{image_id}.jpg")
            q, a, structural, semantic = question(rng, objs)
            data[f"{20000000 + i}"] = {
                "imageId": image_id, "question": q, "answer": a, "fullAnswer": a.capitalize() + ".",
                "isBalanced": True, "types": {"structural": structural, "semantic": semantic, "detailed": semantic},
                "semantic": [], "entailed": [], "equivalent": [], "groups": {"global": None, "local": None},
                "annotations": {"answer": {}, "question": {}, "fullAnswer": {}}, "semanticStr": ""}
        (out_dir / "testdev_balanced_questions.json").write_text(json.dumps(data))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
