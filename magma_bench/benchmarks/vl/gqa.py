"""GQA (Hudson & Manning, CVPR 2019): compositional questions over scene graphs, test-dev balanced.

Official files: `testdev_balanced_questions.json` ({question_id: {imageId, question, answer,
fullAnswer, types: {structural, semantic, detailed}, ...}}) with `images/<imageId>.jpg`; or the
lmms-lab/GQA hub snapshot (`testdev_balanced_instructions/` parquet: id, imageId, question,
answer, types...; `testdev_balanced_images/` parquet: id, image). Prompt and metric as lmms-eval:
"\\nAnswer the question using a single word or phrase.", exact match ignoring case and
punctuation; accuracy per structural type is reported too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._vqa_base import VQABase
from magma_bench.cache import data_cache
from magma_bench.errors import UserError
from magma_bench.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    read_json,
    record_context,
    require_fields,
)
from magma_bench.metrics.exact import exact_match
from magma_bench.types import Sample


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

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        files = find_files(data_dir, ("testdev_balanced_questions.json",))
        if files:
            questions = read_json(files[0])
            if not isinstance(questions, dict):
                raise UserError(f"{files[0]}: expected an object of questions by id")
            img_root = next(p for p in (data_dir / "images", data_dir) if p.is_dir())
            rows = [{"id": qid, **q} if isinstance(q, dict) else q for qid, q in questions.items()]
            image_of = {str(r["imageId"]): str(img_root / f"{r['imageId']}.jpg") for r in rows
                        if isinstance(r, dict) and isinstance(r.get("imageId"), str | int)}
            where = str(files[0])
        else:
            ins, imgs = data_dir / "testdev_balanced_instructions", data_dir / "testdev_balanced_images"
            if not (ins.is_dir() and imgs.is_dir()):
                raise UserError(f"{data_dir}: neither testdev_balanced_questions.json nor the hub folders "
                                "testdev_balanced_instructions/ and testdev_balanced_images/")
            rows, where = load_hf_rows(ins, split), str(ins)
            cache = data_cache(data_dir, "images")
            image_of = {str(r["id"]): str(materialize_image(r["image"], cache, str(r["id"])))
                        for r in load_hf_rows(imgs, split)}
        samples = []
        for i, r in enumerate(rows, 1):
            with record_context(where, i):
                require_fields(r, {"id": (str, int), "imageId": (str, int), "question": str, "answer": (str, int)},
                               f"{where}: question {i}")
                if str(r["imageId"]) not in image_of:
                    raise UserError(f"{where}: question {r['id']}: no image {r['imageId']}")
                samples.append(Sample(
                    id=str(r["id"]), benchmark=self.name,
                    inputs={"question": r["question"], "image": image_of[str(r["imageId"])]},
                    target=str(r["answer"]), meta={"structural": _structural(r.get("types")), "majority": str(r["answer"])}))
        return self.remember_vocab(samples)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": exact_match(parsed, sample.target) if isinstance(parsed, str) else 0.0}

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The original JSON layout: one question per generated scene."""
        from magma_bench.benchmarks.vl._gqa_gen import question
        from magma_bench.benchmarks.vl._scenes import sample_scene
        from magma_bench.benchmarks.vl._vqa_gen import render_scene_jpeg

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
