"""ChartQA (Masry et al., ACL Findings 2022): questions about charts, test split, human-written
and machine-generated ("augmented") questions.

Official files, found anywhere under `--data-dir` (the repository's `ChartQA Dataset/test/`):
`test_human.json` and `test_augmented.json` ([{imgname, query, label}]) with images in `png/`
beside them; or the lmms-lab/ChartQA hub snapshot (`data/test-*.parquet`: type
"human_test"/"augmented_test", question, answer, image; built from the two files in order,
human first). The release has no id field: the official id is the 0-based position in its file
(among the rows of its type on the hub), so ids restart per file; `subset=human|augmented`
reads one file, which official-id predictions need. Prompt and metric as lmms-eval
("\\nAnswer the question with a single word.", relaxed correctness at 5%). Headline: mean of the
human and augmented accuracies (the paper's convention); `relaxed_overall` is lmms-eval's
per-question mean.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.vl._files import find_one, hub_rows, media_root
from magma_bench.benchmarks.vl.vqa_base import VQABase
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    materialize_image,
    read_json_lines_or_array,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, OtherScores
from magma_bench.metrics.relaxed import relaxed_correctness
from magma_bench.types import Sample

TYPES = {"test_human": "human_test", "test_augmented": "augmented_test"}  # file stem -> hub `type`
SUBSETS = {"human": "test_human", "augmented": "test_augmented"}
LABELS = ("Brazil", "Canada", "France", "Japan", "Kenya", "Mexico", "Norway", "Peru", "Spain", "Sweden", "Chile",
          "India")


class ChartQA(VQABase):
    name = "chartqa"
    default_n = 300
    type_key = "type"
    # Headline = mean over the two sets (human, augmented) of relaxed accuracy; relaxed_overall
    # over every question; each set's as type/<set>.
    metrics = (Mean("accuracy", name="", over="{type}"), Mean("accuracy", name="relaxed_overall"),
               Mean("accuracy", by="type/{type}"), OtherScores())
    post_prompt = "\nAnswer the question with a single word."
    official_id = ("position in test_human.json / test_augmented.json, 0-based (on the hub: among rows of that "
                   "type, which lmms-eval's upload script wrote in file order); ids restart per file, so "
                   "official-id predictions need --bench-arg subset=human|augmented")

    def __init__(self, subset: str | None = None, **args: Any) -> None:
        if subset is not None and subset not in SUBSETS:
            raise UserError(f"chartqa: unknown subset {subset!r}; choose human or augmented")
        super().__init__(subset=subset, **args)
        self.types = (TYPES[SUBSETS[subset]],) if subset else tuple(TYPES.values())

    def generation_args(self) -> dict[str, Any]:
        """`subset` only filters at load time: both files come from one generated suite."""
        return {k: v for k, v in super().generation_args().items() if k != "subset"}

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        files = [f for f in (find_one(data_dir, (f"{stem}.json",), "ChartQA's test file") for stem in TYPES) if f]
        samples = []
        if files:
            for f in files:
                if TYPES[f.stem] not in self.types:
                    continue
                rows = []
                for i, r in enumerate(read_json_lines_or_array(f), 1):
                    with record_context(f, i):
                        require_fields(r, {"imgname": str, "query": str, "label": (str, int, float)}, f"{f}:{i}")
                        rows.append(r)
                png = media_root(data_dir, [r["imgname"] for r in rows], [f.parent], ("png",),
                                 "ChartQA test images") if rows else f.parent / "png"
                for i, r in enumerate(rows):
                    samples.append(self._sample(f"{f.stem}-{i + 1}", str(i), r["query"], str(r["label"]),
                                                str(png / r["imgname"]), TYPES[f.stem]))
        else:
            cache = data_cache(data_dir, "images")
            seen = {t: 0 for t in TYPES.values()}
            rows = hub_rows(data_dir, split, "test_human.json and test_augmented.json", "lmms-lab/ChartQA (data/test-*)")
            for i, r in enumerate(rows, 1):
                with record_context(data_dir, i):
                    require_fields(r, ("type", "question", "answer", "image"), f"{data_dir}: row {i}")
                    if r["type"] not in seen:
                        raise UserError(f"{data_dir}: row {i}: type must be human_test or augmented_test, "
                                        f"got {r['type']!r}")
                    pos = seen[r["type"]]
                    seen[r["type"]] += 1
                    if r["type"] in self.types:
                        samples.append(self._sample(
                            f"{r['type']}-{i}", str(pos), r["question"], str(r["answer"]),
                            str(materialize_image(r["image"], cache, f"chart{i}")), r["type"]))
        if not samples:
            raise UserError(f"{data_dir}: no ChartQA questions of type {', '.join(self.types)}")
        return self.remember_vocab(samples)

    def _sample(self, sid: str, official: str, question: str, label: str, image: str, qtype: str) -> Sample:
        return Sample(id=sid, official_id=official, benchmark=self.name, inputs={"question": question, "image": image},
                      target=label, meta={"type": qtype, "majority": label})

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(relaxed_correctness(parsed, sample.target)) if isinstance(parsed, str) else 0.0}

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
