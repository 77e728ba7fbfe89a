"""DocVQA (Mathew et al., WACV 2021): questions on scanned documents, validation split, ANLS.

Official files, found anywhere under `--data-dir`: `val_v1.0_withQT.json` (RRC's spdocvqa_qas.zip;
the older val.tar.gz has `val/val_v1.0.json`): {"dataset_name": "docvqa", "data": [{questionId,
question, question_types, image: "documents/<name>.png", docId, answers: [...], ...}]}, the
image paths relative to the folder holding `documents/` (beside the JSON in val.tar.gz,
`spdocvqa_images/` from spdocvqa_images.tar.gz); or the lmms-lab/DocVQA hub snapshot
(`DocVQA/validation-*.parquet`: questionId, question, question_types, image, docId, answers;
its `InfographicVQA/` shards are not read). The official id is `questionId` (the RRC results
file [{questionId, answer}] and lmms-eval key by it). Prompt and metric as lmms-eval
("\\nAnswer the question using a single word or phrase.", ANLS with threshold 0.5); the
headline is mean ANLS in percent. Test answers are not public (scored by the RRC server).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._files import find_dir, find_one, hub_rows, media_root
from magma_bench.benchmarks.vl.vqa_base import VQABase
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import materialize_image, read_json, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.metrics.anls import anls
from magma_bench.types import Sample

VAL_FILES = ("val_v1.0_withQT.json", "val_v1.0.json")

NAMES = ("John Smith", "Mary Jones", "R. J. Reynolds", "Alice Brown", "Peter Wong", "Laura Diaz", "Tom Baker")
COMPANIES = ("Acme Tobacco Co.", "Lorillard Corp.", "Global Foods Inc.", "Brown & Sons", "Northwind Traders")
TITLES = ("INVOICE", "MEMORANDUM", "PURCHASE ORDER", "EXPENSE REPORT", "SHIPPING NOTICE")


class DocVQA(VQABase):
    name = "docvqa"
    splits = ("validation",)
    default_split = "validation"
    default_n = 300
    type_key = "question_type"
    max_new_tokens = 32
    official_id = "questionId (the RRC results file's and lmms-eval's key)"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        file = find_one(data_dir, VAL_FILES, "the DocVQA val file")
        if file is not None:
            doc = read_json(file)
            if not isinstance(doc, dict) or not isinstance(doc.get("data"), list):
                raise UserError(f"{file}: not the DocVQA layout (expected {{\"data\": [records]}})")
            rows, where = doc["data"], file
        else:
            # the hub snapshot holds DocVQA/ and InfographicVQA/ configs: read only DocVQA's shards
            hub = find_dir(data_dir, "DocVQA") or data_dir
            rows, where = hub_rows(hub, split, " or ".join(VAL_FILES), "lmms-lab/DocVQA (DocVQA/validation-*)"), hub
            cache = data_cache(data_dir, "images")
        kept = []
        for i, r in enumerate(rows, 1):
            with record_context(where, i):
                require_fields(r, {"questionId": (str, int), "question": str, "answers": list,
                                   "image": str if file else (str, dict)}, f"{where}: record {i}")
                image = r["image"] if file else str(materialize_image(r["image"], cache, str(r["questionId"])))
                answers = [str(a) for a in (r["answers"] or [])]
                if not answers:
                    raise UserError(f"{where}: record {i}: no answers (test answers are not public; use validation)")
                qtype = str((r.get("question_types") or ["others"])[0])
                kept.append((r, image, answers, qtype))
        if file is not None and kept:
            root = media_root(data_dir, [k[1] for k in kept], [file.parent, file.parent.parent],
                              ("spdocvqa_images", "val"), "DocVQA document images")
            kept = [(r, str(root / image), *rest) for r, image, *rest in kept]
        samples = []
        for r, image, answers, qtype in kept:
            samples.append(Sample(id=str(r["questionId"]), official_id=str(r["questionId"]), benchmark=self.name,
                                  inputs={"question": r["question"], "image": image}, target=answers,
                                  meta={"question_type": qtype, "majority": answers[0]}))
        return self.remember_vocab(samples)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": anls(parsed, sample.target) if isinstance(parsed, str) else 0.0}

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """`val_v1.0.json` + `documents/` on rendered business documents (title, addressee,
        sender company, date, reference number, total), one question per document."""
        from PIL import Image, ImageDraw, ImageFont

        rng = np.random.default_rng(seed)
        (out_dir / "documents").mkdir(parents=True, exist_ok=True)
        font, big = ImageFont.load_default(size=15), ImageFont.load_default(size=24)
        data = []
        for i in range(n):
            f = {"title": str(rng.choice(TITLES)), "to": str(rng.choice(NAMES)), "company": str(rng.choice(COMPANIES)),
                 "date": f"{int(rng.integers(1, 13)):02d}/{int(rng.integers(1, 29)):02d}/19{int(rng.integers(70, 100))}",
                 "number": str(int(rng.integers(10000, 99999))),
                 "total": f"${int(rng.integers(10, 9999)):,}.{int(rng.integers(0, 100)):02d}"}
            img = Image.new("RGB", (500, 420), (252, 252, 248))
            d = ImageDraw.Draw(img)
            d.text((30, 25), f["title"], fill=(0, 0, 0), font=big)
            lines = [("To:", f["to"]), ("From:", f["company"]), ("Date:", f["date"]), ("Ref. No.:", f["number"])]
            order = rng.permutation(len(lines))
            for j, k in enumerate(order):
                d.text((30, 90 + 32 * j), lines[k][0], fill=(60, 60, 60), font=font)
                d.text((130, 90 + 32 * j), lines[k][1], fill=(0, 0, 0), font=font)
            d.line((30, 240, 470, 240), fill=(0, 0, 0))
            d.text((30, 255), "Total amount due:", fill=(60, 60, 60), font=font)
            d.text((200, 255), f["total"], fill=(0, 0, 0), font=font)
            name = f"documents/gen{seed:03d}_{i:05d}.png"
            img.save(out_dir / name)
            key = ("title", "to", "company", "date", "number", "total")[int(rng.integers(6))]
            q, answers, qtype = {
                "title": ("What is the title of the document?", [f["title"]], "layout"),
                "to": ("To whom is the document addressed?", [f["to"]], "form"),
                "company": ("Which company is the document from?", [f["company"], f["company"].rstrip(".")], "form"),
                "date": ("What is the date mentioned in the document?", [f["date"]], "form"),
                "number": ("What is the reference number?", [f["number"]], "form"),
                "total": ("What is the total amount due?", [f["total"], f["total"].lstrip("$")], "table/list"),
            }[key]
            data.append({"questionId": 50000 + i, "question": q, "question_types": [qtype], "image": name,
                         "docId": 9000 + i, "ucsf_document_id": f"gen{i:05d}", "ucsf_document_page_no": "1",
                         "answers": answers, "data_split": "val"})
        (out_dir / "val_v1.0.json").write_text(json.dumps(
            {"dataset_name": "docvqa", "dataset_split": "val", "dataset_version": "1.0", "data": data}))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
