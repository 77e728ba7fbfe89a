"""ChartQA (Masry et al., ACL Findings 2022): questions about charts, test split, human-written
and machine-generated ("augmented") questions.

Official files: `test/test_human.json` and `test/test_augmented.json` ([{imgname, query,
label}]) with images in `test/png/`; or the lmms-lab/ChartQA hub snapshot (parquet: type
"human_test"/"augmented_test", question, answer, image). Prompt and metric as lmms-eval
("\\nAnswer the question with a single word.", relaxed correctness at 5%). Headline: mean of the
human and augmented accuracies (the paper's convention); `relaxed_overall` is lmms-eval's
per-question mean.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Aggregate
from magma_bench.benchmarks.vl._vqa_base import VQABase
from magma_bench.errors import UserError
from magma_bench.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    read_json_lines_or_array,
    record_context,
    require_fields,
)
from magma_bench.metrics.relaxed import relaxed_correctness
from magma_bench.types import Sample

TYPES = {"test_human": "human_test", "test_augmented": "augmented_test"}
LABELS = ("Brazil", "Canada", "France", "Japan", "Kenya", "Mexico", "Norway", "Peru", "Spain", "Sweden", "Chile",
          "India")


class ChartQA(VQABase):
    name = "chartqa"
    splits = ("test",)
    default_split = "test"
    default_n = 300
    type_key = "type"
    group_key = "type"
    post_prompt = "\nAnswer the question with a single word."

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        files = find_files(data_dir, ("test_human.json", "test_augmented.json"))
        samples = []
        if files:
            for f in files:
                png = f.parent / "png"
                for i, r in enumerate(read_json_lines_or_array(f), 1):
                    with record_context(f, i):
                        require_fields(r, {"imgname": str, "query": str, "label": (str, int, float)}, f"{f}:{i}")
                        samples.append(self._sample(f"{f.stem}-{i}", r["query"], str(r["label"]),
                                                    str(png / r["imgname"]), TYPES[f.stem]))
        else:
            cache = data_dir / ".magma_cache" / "images"
            for i, r in enumerate(load_hf_rows(data_dir, split), 1):
                with record_context(data_dir, i):
                    require_fields(r, ("type", "question", "answer", "image"), f"{data_dir}: row {i}")
                    samples.append(self._sample(f"{r['type']}-{i}", r["question"], str(r["answer"]),
                                                str(materialize_image(r["image"], cache, f"chart{i}")), r["type"]))
        if not samples:
            raise UserError(f"{data_dir}: no ChartQA questions")
        return self.remember_vocab(samples)

    def _sample(self, sid: str, question: str, label: str, image: str, qtype: str) -> Sample:
        return Sample(id=sid, benchmark=self.name, inputs={"question": question, "image": image}, target=label,
                      meta={"type": qtype, "majority": label})

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(relaxed_correctness(parsed, sample.target)) if isinstance(parsed, str) else 0.0}

    def aggregate(self, records: Sequence[dict]) -> Aggregate:
        agg = super().aggregate(records)
        agg.metrics["relaxed_overall"] = agg.metrics.pop("accuracy", 0.0)
        return agg

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """`test/test_{human,augmented}.json` + `test/png/` on generated bar charts: value
        look-ups (augmented) and comparisons, differences and sums (human)."""
        from PIL import Image, ImageDraw, ImageFont

        rng = np.random.default_rng(seed)
        png = out_dir / "test" / "png"
        png.mkdir(parents=True, exist_ok=True)
        out: dict[str, list[dict]] = {"test_human": [], "test_augmented": []}
        for i in range(n):
            k = int(rng.integers(3, 7))
            labels = [str(x) for x in rng.choice(LABELS, k, replace=False)]
            values = [int(v) for v in rng.choice(np.arange(5, 100), k, replace=False)]
            img = Image.new("RGB", (400, 300), (255, 255, 255))
            d = ImageDraw.Draw(img)
            font = ImageFont.load_default(size=12)
            d.line((30, 260, 390, 260), fill=(0, 0, 0))
            w = 340 // k
            for j, (lab, v) in enumerate(zip(labels, values, strict=True)):
                x0 = 40 + j * w
                top = 260 - int(v * 2.2)
                d.rectangle((x0, top, x0 + w - 14, 260), fill=(60, 110, 200))
                d.text((x0 + 2, top - 15), str(v), fill=(0, 0, 0), font=font)
                d.text((x0, 266), lab, fill=(0, 0, 0), font=font)
            name = f"gen_{seed}_{i:05d}.png"
            img.save(png / name)
            a, b = (int(x) for x in rng.choice(k, 2, replace=False))
            if i % 2 == 0:
                q, ans, split = f"What is the value of {labels[a]}?", str(values[a]), "test_augmented"
            else:
                t = int(rng.integers(3))
                if t == 0:
                    q, ans = "Which country has the highest value?", labels[int(np.argmax(values))]
                elif t == 1:
                    q, ans = f"What is the difference between {labels[a]} and {labels[b]}?", str(abs(values[a] - values[b]))
                else:
                    q, ans = f"What is the sum of {labels[a]} and {labels[b]}?", str(values[a] + values[b])
                split = "test_human"
            out[split].append({"imgname": name, "query": q, "label": ans})
        for split, rows in out.items():
            (out_dir / "test" / f"{split}.json").write_text(json.dumps(rows))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir
