"""VQAv2 (Goyal et al., CVPR 2017): open-ended questions on COCO images, ten human answers each.

Official files: `v2_OpenEnded_mscoco_<split>2014_questions.json` ({"questions": [{question_id,
image_id, question}]}) and `v2_mscoco_<split>2014_annotations.json` ({"annotations":
[{question_id, image_id, answers: [{answer, answer_confidence, answer_id}] x10,
multiple_choice_answer, question_type, answer_type}]}) with images
`<split>2014/COCO_<split>2014_<image_id:012d>.jpg`; or the lmms-lab/VQAv2 hub snapshot (parquet,
same fields plus `image`). Scored with VQA accuracy in lmms-eval's VQAv2 variant (`scoring="official"`: the evaluation
server's vqaEval.py normalisation); reported
overall and per answer type (yes/no, number, other) as the official evaluation does. Test-dev
has no public answers (scored by the EvalAI server), so only `validation` is scored here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._vqa_base import VQABase, majority
from magma_bench.errors import UserError
from magma_bench.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    read_json,
    record_context,
    require_fields,
)
from magma_bench.types import Sample


def _answers(ann: dict[str, Any], where: str) -> list[str]:
    answers = ann.get("answers")
    if not isinstance(answers, list) or not answers:
        raise UserError(f"{where}: no reference answers (test-dev/test answers are not public; use validation)")
    return [str(a["answer"]) if isinstance(a, dict) else str(a) for a in answers]


def _records(path: Path, key: str) -> list[Any]:
    """The `key` list of an official VQAv2 JSON file ({"questions": [...]} / {"annotations": [...]})."""
    doc = read_json(path)
    if not isinstance(doc, dict) or not isinstance(doc.get(key), list):
        raise UserError(f"{path}: not the VQAv2 layout (expected {{\"{key}\": [records]}})")
    return doc[key]


class VQAv2(VQABase):
    name = "vqav2"
    splits = ("validation",)
    default_split = "validation"
    default_n = 300
    style = "vqav2"

    def __init__(self, scoring: str = "lmms-eval", **args: Any) -> None:
        if scoring not in ("lmms-eval", "official"):
            raise UserError(f"vqav2: unknown scoring {scoring!r}; choose lmms-eval or official")
        super().__init__(scoring=scoring, **args)
        self.style = "vqav2" if scoring == "lmms-eval" else "official"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        qfiles = find_files(data_dir, ("v2_OpenEnded_mscoco_val2014_questions.json",))
        if qfiles:
            return self.remember_vocab(self._load_original(data_dir, qfiles[0]))
        return self.remember_vocab(self._load_hub(data_dir, split))

    def _load_original(self, data_dir: Path, qfile: Path) -> list[Sample]:
        afile = qfile.with_name("v2_mscoco_val2014_annotations.json")
        if not afile.exists():
            raise UserError(f"{afile}: missing (the annotations file sits beside the questions file)")
        questions, ann_list = _records(qfile, "questions"), _records(afile, "annotations")
        anns = {}
        for i, a in enumerate(ann_list, 1):
            require_fields(a, {"question_id": (int, str)}, f"{afile}: annotation {i}")
            anns[a["question_id"]] = a
        img_root = next(p for p in (data_dir / "val2014", data_dir / "images", data_dir) if p.is_dir())
        samples = []
        for i, q in enumerate(questions, 1):
            with record_context(qfile, i):
                require_fields(q, {"question_id": (int, str), "image_id": (int, str), "question": str},
                               f"{qfile}: question {i}")
                ann = anns.get(q["question_id"])
                if ann is None:
                    raise UserError(f"{afile}: no annotation for question_id {q['question_id']}")
                answers = _answers(ann, f"{afile}: question_id {q['question_id']}")
                image = img_root / f"COCO_val2014_{int(q['image_id']):012d}.jpg"
                samples.append(self._sample(q["question_id"], q["question"], str(image), answers, ann))
        return samples

    def _load_hub(self, data_dir: Path, split: str) -> list[Sample]:
        cache = data_dir / ".magma_cache" / "images"
        samples = []
        for i, row in enumerate(load_hf_rows(data_dir, split), 1):
            with record_context(data_dir, i):
                where = f"{data_dir}: row {i}"
                require_fields(row, ("question_id", "question", "answers", "image"), where)
                image = materialize_image(row["image"], cache, str(row.get("image_id", i)))
                samples.append(self._sample(row["question_id"], row["question"], str(image), _answers(row, where), row))
        return samples

    def _sample(self, qid: Any, question: str, image: str, answers: list[str], ann: dict[str, Any]) -> Sample:
        mc = ann.get("multiple_choice_answer") or majority(answers, self.style)
        return Sample(id=str(qid), benchmark=self.name, inputs={"question": question, "image": image},
                      target=answers, meta={"answer_type": ann.get("answer_type"),
                                            "question_type": ann.get("question_type"), "majority": mc})

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The original JSON layout on generated scenes: one question per image."""
        from magma_bench.benchmarks.vl._scenes import sample_scene
        from magma_bench.benchmarks.vl._vqa_gen import render_scene_jpeg, scene_qa

        rng = np.random.default_rng(seed)
        img_dir = out_dir / "val2014"
        img_dir.mkdir(parents=True, exist_ok=True)
        questions, anns = [], []
        for i in range(n):
            objs = sample_scene(rng)
            image_id = 100000 + i
            render_scene_jpeg(objs, img_dir / f"COCO_val2014_{image_id:012d}.jpg")
            qa = scene_qa(rng, objs)
            qid = image_id * 10
            questions.append({"image_id": image_id, "question": qa.question, "question_id": qid})
            anns.append({
                "question_id": qid, "image_id": image_id, "question_type": " ".join(qa.question.split()[:3]).lower(),
                "answer_type": qa.answer_type, "multiple_choice_answer": qa.answer,
                "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": j + 1}
                            for j, a in enumerate(qa.answers)]})
        info = {"description": "magma-bench generated VQAv2-shaped suite", "data_subtype": "val2014"}
        (out_dir / "v2_OpenEnded_mscoco_val2014_questions.json").write_text(
            json.dumps({**info, "task_type": "Open-Ended", "questions": questions}))
        (out_dir / "v2_mscoco_val2014_annotations.json").write_text(json.dumps({**info, "annotations": anns}))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
