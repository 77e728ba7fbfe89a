"""TextVQA (Singh et al., CVPR 2019): questions that need reading text in the image.

Official files, found anywhere under `--data-dir`: `TextVQA_0.5.1_val.json` ({"dataset_name":
"textvqa", "data": [{question_id, image_id, question, answers: [10 strings], ...}]}) with images
`train_images/<image_id>.jpg` as train_val_images.zip extracts (val images live there too), or
the lmms-lab/textvqa hub snapshot (`data/validation-*.parquet`: question_id, image_id, question,
answers, ocr_tokens, image). The official id is `question_id` (EvalAI's results file and
lmms-eval key by it). Prompt and metric follow lmms-eval
(`textvqa_doc_to_text` capitalises the question; `textvqa_process_results` is VQA accuracy with
the full EvalAI answer processor), without OCR tokens in the prompt (lmms-eval default).
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

VAL_FILE = "TextVQA_0.5.1_val.json"
IMAGE_DIRS = ("train_images", "train_val_images/train_images", "images")


class TextVQA(VQABase):
    name = "textvqa"
    splits = ("validation",)
    default_split = "validation"
    default_n = 300
    style = "textvqa"
    official_id = "question_id (the EvalAI results file's and lmms-eval's key)"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        file = find_one(data_dir, (VAL_FILE,), "the TextVQA val file")
        rows: list[Any]
        if file is not None:
            doc = read_json(file)
            if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
                raise UserError(f"{file}: not the TextVQA layout (expected {{\"data\": [records]}})")
            rows, src, label = doc["data"], file, "record"
        else:
            rows = hub_rows(data_dir, split, VAL_FILE, "lmms-lab/textvqa (data/validation-*)")
            src, label = data_dir, "row"
        cache = data_cache(data_dir, "images")
        kept = []
        for i, row in enumerate(rows, 1):
            with record_context(src, i):
                where = f"{src}: {label} {i}"
                require_fields(row, {"question_id": (int, str), "image_id": (int, str), "question": str,
                                     "answers": list}, where)
                answers = [str(a) for a in (row["answers"] or [])]
                if not answers:
                    raise UserError(f"{where}: no reference answers (test answers are not public; use validation)")
                if file is None:
                    require_fields(row, ("image",), where)
                    image = str(materialize_image(row["image"], cache, str(row["image_id"])))
                else:
                    image = f"{row['image_id']}.jpg"
                kept.append((row, answers, image))
        if file is not None and kept:
            root = media_root(data_dir, [k[2] for k in kept], [file.parent], IMAGE_DIRS, "TextVQA images")
            kept = [(row, answers, str(root / image)) for row, answers, image in kept]
        samples = []
        for row, answers, image in kept:
            ocr = [str(t) for t in (row.get("ocr_tokens") or [])]
            samples.append(Sample(
                id=str(row["question_id"]), official_id=str(row["question_id"]), benchmark=self.name,
                inputs={"question": row["question"], "image": image, "ocr_tokens": ocr,
                        "heuristic": ocr[0] if ocr else None},
                target=answers, meta={"answer_type": "ocr", "majority": majority(answers, self.style)}))
        return self.remember_vocab(samples)

    def question_text(self, sample: Sample) -> str:
        return sample.inputs["question"].capitalize()

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The original JSON layout on generated sign images; `ocr_tokens` are the drawn words."""
        from magma_bench.benchmarks.vl.offline.vqa import render_signs_jpeg, text_qa, text_scene

        rng = np.random.default_rng(seed)
        img_dir = out_dir / "train_images"
        img_dir.mkdir(parents=True, exist_ok=True)
        data = []
        for i in range(n):
            signs = text_scene(rng)
            image_id = f"{seed:04x}{i:08x}"
            render_signs_jpeg(signs, img_dir / f"{image_id}.jpg")
            qa = text_qa(rng, signs)
            data.append({"question": qa.question, "image_id": image_id, "image_classes": [],
                         "image_width": 320, "image_height": 320, "answers": qa.answers,
                         "question_tokens": qa.question.lower().rstrip("?").split(),
                         "question_id": i, "set_name": "val", "ocr_tokens": [s.text for s in signs]})
        (out_dir / "TextVQA_0.5.1_val.json").write_text(json.dumps(
            {"dataset_type": "val", "dataset_name": "textvqa", "dataset_version": "0.5.1", "data": data}))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
