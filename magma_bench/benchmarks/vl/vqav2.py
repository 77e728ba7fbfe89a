"""VQAv2 (Goyal et al., CVPR 2017): open-ended questions on COCO images, ten human answers each.

Official files, found anywhere under `--data-dir`: `v2_OpenEnded_mscoco_val2014_questions.json`
({"questions": [{question_id, image_id, question}]}, from v2_Questions_Val_mscoco.zip) and
`v2_mscoco_val2014_annotations.json` ({"annotations": [{question_id, image_id, answers: [{answer,
answer_confidence, answer_id}] x10, multiple_choice_answer, question_type, answer_type}]}, from
v2_Annotations_Val_mscoco.zip), beside each other or in the VQA API's `Questions/` and
`Annotations/` folders, with images `COCO_val2014_<image_id:012d>.jpg` in COCO's `val2014/` (or
the API's `Images/mscoco/val2014/`); or the lmms-lab/VQAv2 hub snapshot (`data/validation-*.parquet`,
same fields plus `image`). The official id is `question_id`, what the evaluation server's results
file ([{question_id, answer}]) and lmms-eval key by. Scored with VQA accuracy in lmms-eval's VQAv2 variant (`scoring="official"`: the evaluation
server's vqaEval.py normalisation); reported
overall and per answer type (yes/no, number, other) as the official evaluation does. Test-dev
has no public answers (scored by the EvalAI server), so only `validation` is scored here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._files import find_one, hub_rows, media_root
from magma_bench.benchmarks.vl.vqa_base import VQABase, majority
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import materialize_image, read_json, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.types import Sample

QUESTIONS = "v2_OpenEnded_mscoco_val2014_questions.json"
ANNOTATIONS = "v2_mscoco_val2014_annotations.json"
IMAGE_DIRS = ("val2014", "Images/mscoco/val2014", "mscoco/val2014", "images/val2014", "images")


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
    official_id = "question_id (the VQA evaluation server's and lmms-eval's key)"

    def __init__(self, scoring: str = "lmms-eval", **args: Any) -> None:
        if scoring not in ("lmms-eval", "official"):
            raise UserError(f"vqav2: unknown scoring {scoring!r}; choose lmms-eval or official")
        super().__init__(scoring=scoring, **args)
        self.style = "vqav2" if scoring == "lmms-eval" else "official"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        qfile = find_one(data_dir, (QUESTIONS,), "the questions file")
        if qfile is not None:
            return self.remember_vocab(self._load_original(data_dir, qfile))
        return self.remember_vocab(self._load_hub(data_dir, split))

    def _load_original(self, data_dir: Path, qfile: Path) -> list[Sample]:
        """The zips as they extract: the annotations beside the questions, or anywhere else below
        `data_dir` (the VQA API's `Questions/` and `Annotations/` folders)."""
        afile = qfile.with_name(ANNOTATIONS)
        if not afile.exists():
            afile = find_one(data_dir, (ANNOTATIONS,), "the annotations file")
        if afile is None:
            raise UserError(f"{data_dir}: {ANNOTATIONS} not found (questions are in {qfile}; val answers come "
                            "from v2_Annotations_Val_mscoco.zip)")
        questions, ann_list = _records(qfile, "questions"), _records(afile, "annotations")
        anns = {}
        for i, a in enumerate(ann_list, 1):
            require_fields(a, {"question_id": (int, str)}, f"{afile}: annotation {i}")
            anns[a["question_id"]] = a
        rows = []
        for i, q in enumerate(questions, 1):
            with record_context(qfile, i):
                require_fields(q, {"question_id": (int, str), "image_id": (int, str), "question": str},
                               f"{qfile}: question {i}")
                ann = anns.get(q["question_id"])
                if ann is None:
                    raise UserError(f"{afile}: no annotation for question_id {q['question_id']}")
                rows.append((q, ann, _answers(ann, f"{afile}: question_id {q['question_id']}"),
                             f"COCO_val2014_{int(q['image_id']):012d}.jpg"))
        img_root = media_root(data_dir, [r[3] for r in rows], [qfile.parent, qfile.parent.parent],
                              IMAGE_DIRS, "COCO val2014 images") if rows else data_dir
        return [self._sample(q["question_id"], q["question"], str(img_root / name), answers, ann)
                for q, ann, answers, name in rows]

    def _load_hub(self, data_dir: Path, split: str) -> list[Sample]:
        cache = data_cache(data_dir, "images")
        samples = []
        rows = hub_rows(data_dir, split, f"{QUESTIONS} + {ANNOTATIONS}", "lmms-lab/VQAv2 (data/validation-*)")
        for i, row in enumerate(rows, 1):
            with record_context(data_dir, i):
                where = f"{data_dir}: row {i}"
                require_fields(row, ("question_id", "question", "answers", "image"), where)
                image = materialize_image(row["image"], cache, str(row.get("image_id", i)))
                samples.append(self._sample(row["question_id"], row["question"], str(image), _answers(row, where), row))
        return samples

    def _sample(self, qid: Any, question: str, image: str, answers: list[str], ann: dict[str, Any]) -> Sample:
        mc = ann.get("multiple_choice_answer") or majority(answers, self.style)
        return Sample(id=str(qid), official_id=str(qid), benchmark=self.name,
                      inputs={"question": question, "image": image}, target=answers, meta={"answer_type": ann.get("answer_type"),
                                            "question_type": ann.get("question_type"), "majority": mc})

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The original JSON layout on generated scenes: one question per image."""
        from magma_bench.benchmarks.vl.offline.scenes import sample_scene
        from magma_bench.benchmarks.vl.offline.vqa import render_scene_jpeg, scene_qa

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
