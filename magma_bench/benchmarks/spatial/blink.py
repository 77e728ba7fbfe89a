"""BLINK (Fu et al., ECCV 2024): visual perception multiple choice, 14 sub-tasks, val split.

Official files: the BLINK-Benchmark/BLINK hub snapshot, one config per sub-task, found anywhere
under --data-dir: `<Sub_Task>/val-00000-of-00001.parquet` (or the parquet conversion's
`<Sub_Task>/val/0000.parquet`) with idx, question, sub_task, image_1..image_4 (unused ones
empty), choices, answer ("(A)"), prompt, explanation. Official id: `idx` ("val_Art_Style_1"), the
key of the official `evaluate.py` prediction file (and of lmms-eval's blink records).
Prompt, parsing and scoring follow lmms-eval's blink task: "Note: You only need to respond with
A, B, ... without providing any additional information.\n" + prompt; the answer letter is the
letter at the very start of the reply (`_extract_answer_letter`, `parsers.choice.leading_letter`), so a reply naming several
options counts the first ("(A) or (B)" is A) and one that opens with a word reads that word's
initial ("The answer is B" is T: wrong). BLINK's own `multiple_choice.py` maps free text to an
option with GPT-3.5, which an offline harness cannot reproduce. Headline: mean of per-sub-task
accuracies (the official `evaluate.py` "Total"); `accuracy_micro` is the per-question mean
lmms-eval's group reports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Benchmark
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, OtherScores
from magma_bench.parsers.choice import leading_letter, letters
from magma_bench.types import AnswerSpace, Request, Sample

SUB_TASKS = ("Art_Style", "Counting", "Forensic_Detection", "Functional_Correspondence", "IQ_Test", "Jigsaw",
             "Multi-view_Reasoning", "Object_Localization", "Relative_Depth", "Relative_Reflectance",
             "Semantic_Correspondence", "Spatial_Relation", "Visual_Correspondence", "Visual_Similarity")
PRE_PROMPT = "Note: You only need to respond with {} without providing any additional information.\n"


def official_prompt(question: str, choices: Sequence[str]) -> str:
    """BLINK's `prompt` column layout."""
    opts = "\n".join(f"({chr(65 + i)}) {c}" for i, c in enumerate(choices))
    return f"{question}\nSelect from the following choices.\n{opts}"


class Blink(Benchmark):
    name = "blink"
    domain = "spatial"
    splits = ("val",)
    default_split = "val"
    default_n = 300
    # Headline = mean over sub-tasks (BLINK's average); accuracy_micro over every question.
    metrics = (Mean("accuracy", name="", over="{sub_task}"), Mean("accuracy", name="accuracy_micro"),
               Mean("accuracy", by="sub_task/{sub_task}"), OtherScores())
    requires = ("datasets",)
    official_id = "idx (the key of the official evaluate.py prediction file)"

    def __init__(self, sub_task: str | None = None, **args: Any) -> None:
        if sub_task is not None and sub_task not in SUB_TASKS:
            raise UserError(f"blink: unknown sub_task {sub_task!r}; choose one of {', '.join(SUB_TASKS)}")
        super().__init__(sub_task=sub_task, **args)
        self.sub_tasks = (sub_task,) if sub_task else SUB_TASKS

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        dirs = self._task_dirs(data_dir, split)
        if not dirs:
            raise UserError(f"{data_dir}: no BLINK sub-task files (looked for <Sub_Task>/{split}-*.parquet or "
                            f"<Sub_Task>/{split}/*.parquet, BLINK-Benchmark/BLINK, for "
                            f"{', '.join(self.sub_tasks[:3])}, ...)")
        cache = data_cache(data_dir, "images")
        samples = []
        for d in dirs:
            for i, row in enumerate(load_hf_rows(d, split), 1):
                with record_context(d, i):
                    where = f"{d}: row {i}"
                    require_fields(row, {"idx": (str, int), "prompt": str, "choices": list, "answer": str, "sub_task": str},
                                   where)
                    m = re.fullmatch(r"\(?([A-Z])\)?", str(row["answer"]).strip())
                    if not m:
                        raise UserError(f"{where}: answer {row['answer']!r} is not an option like (A)")
                    images = [str(materialize_image(row[k], cache, f"{row['idx']}_{k}"))
                              for k in sorted(x for x in row if re.fullmatch(r"image_\d+", x)) if row[k] is not None]
                    samples.append(Sample(
                        id=str(row["idx"]), official_id=str(row["idx"]), benchmark=self.name,
                        inputs={"prompt": row["prompt"], "choices": list(row["choices"]), "images": images},
                        target=m.group(1), meta={"sub_task": row["sub_task"]}))
        return samples

    def _task_dirs(self, data_dir: Path, split: str) -> list[Path]:
        """The folder holding each wanted sub-task's shards for this split, wherever the snapshot
        sits under data_dir: `<Sub_Task>/` (main) or `<Sub_Task>/<split>/` (parquet conversion)."""
        found: dict[str, Path] = {}
        for p in find_files(data_dir, ("*.parquet",)):
            task = p.parent.name if p.parent.name in self.sub_tasks else p.parent.parent.name
            if task in self.sub_tasks and task not in found and (
                    p.name.startswith(f"{split}-") or p.parent.name == split):
                found[task] = p.parent
        return [found[t] for t in self.sub_tasks if t in found]

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """The hub layout for the perception sub-tasks we can generate, items split evenly."""
        import io

        import pyarrow as pa
        import pyarrow.parquet as pq

        from .offline.blink import GENERATORS

        rng = np.random.default_rng(seed)
        names = list(GENERATORS)
        for t, task in enumerate(names):
            rows: dict[str, list] = {k: [] for k in ("idx", "question", "sub_task", "image_1", "image_2", "image_3",
                                                     "image_4", "choices", "answer", "prompt", "explanation")}
            for i in range(t, n, len(names)):
                item = GENERATORS[task](rng)
                imgs = []
                for im in item.images:
                    buf = io.BytesIO()
                    im.save(buf, format="PNG")
                    imgs.append({"bytes": buf.getvalue(), "path": None})
                idx = f"val_{task}_{i // len(names) + 1}"
                rows["idx"].append(idx)
                rows["question"].append(item.question)
                rows["sub_task"].append(task)
                for k in range(4):
                    rows[f"image_{k + 1}"].append(imgs[k] if k < len(imgs) else None)
                rows["choices"].append(item.choices)
                rows["answer"].append(f"({chr(65 + item.answer)})")
                rows["prompt"].append(official_prompt(item.question, item.choices))
                rows["explanation"].append("")
            (out_dir / task).mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(rows), out_dir / task / "val-00000-of-00001.parquet")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    def request(self, sample: Sample) -> Request:
        images = sample.inputs["images"]
        for im in images:
            if not Path(im).exists():
                raise FileNotFoundError(f"image not found: {im}")
        keys = letters(len(sample.inputs["choices"]))
        text = PRE_PROMPT.format(", ".join(keys)) + sample.inputs["prompt"]
        content: list[dict[str, Any]] = [{"type": "image", "path": im} for im in images]
        content.append({"type": "text", "text": text})
        return Request(id=sample.id, messages=[{"role": "user", "content": content}], images=list(images),
                       answer_space=AnswerSpace("choice", keys), max_new_tokens=8,
                       reference=f"({sample.target})", heuristic="A")

    def parse(self, text: str) -> str | None:
        if not isinstance(text, str):
            return None
        return leading_letter(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(parsed == sample.target)}
