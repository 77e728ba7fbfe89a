"""SpatialEval (Wang et al., NeurIPS 2024): Spatial-Map, Maze-Nav, Spatial-Grid, each text-only
(tqa), vision-only (vqa) or vision+text (vtqa).

Official files: the MilaWang/SpatialEval hub snapshot, one config per mode, found anywhere under
--data-dir: `<mode>/test-0000k-of-0000n.parquet` (or the parquet conversion's
`<mode>/test/000k.parquet`) with columns id, text, image (not in tqa), oracle_answer,
oracle_option, oracle_full_answer. Official id: `id`, `task.mode.index.qid`
(`spatialmap.vqa.2000.0`), the key the official `evals/evaluation.py` reads from each output line
(its task and question type come from it). Spatial-Real rows (`spatialreal.*`) are skipped.
Prompt: the official `text` column plus the option-letter instruction (`prompt="option"`, the
"standard option matching" Magma Table 6 used) or the official step-by-step suffix
(`prompt="reason"`). Scoring: option letter, else the official extraction rule
(`_spatialeval_extract`). A reply naming several options counts the one it leads with: the
leading letter of an option-form reply ("B. Northeast, or C. ..." is B), else the extractor's
first match in the text ("Northwest or northeast" is northwest; "yes or no" is yes), as
`evaluation.py` reads it. Headline: mean over tasks; per task, per question type and per
`<mode>/<task>` accuracies too. The paper does not say which mode Magma used; the default is
vqa (image only), the visual setting.
"""

from __future__ import annotations

import re
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
from magma_bench.metrics.declare import Mean, standard_metrics
from magma_bench.parsers.choice import letters
from magma_bench.parsers.text import nonblank
from magma_bench.types import AnswerSpace, Request, Sample

from ._spatialeval_extract import is_correct

MODES = ("tqa", "vqa", "vtqa")
TASKS = ("spatialmap", "mazenav", "spatialgrid")
ALIASES = {"spatial_map": "spatialmap", "maze_nav": "mazenav", "spatial_grid": "spatialgrid"}
SUFFIXES = {  # option: the "standard option matching" Magma used; reason: the official w_reason prompt
    "option": ("\nAnswer with the option's letter from the given choices directly.", 16),
    "reason": ("\nFirst, provide a concise answer in one sentence. Then, elaborate on the reasoning behind your "
               "answer in a detailed, step-by-step explanation.", 512),
}
_OPTS = re.compile(r"\b([A-H])\.\s+(.+?)(?=\s+[A-H]\.\s|$)", re.DOTALL)


def options_of(text: str) -> list[str]:
    """Option texts listed after "Available options:" (empty when the layout is unknown)."""
    tail = text.rsplit("Available options:", 1)
    if len(tail) < 2:
        return []
    opts = _OPTS.findall(tail[1].strip())
    out = []
    for i, (letter, body) in enumerate(opts):
        if ord(letter) - 65 != i:
            break
        out.append(body.strip().rstrip("."))
    return out


class SpatialEval(Benchmark):
    name = "spatialeval"
    domain = "spatial"
    default_n = 300
    # Headline = mean over tasks; each task per input mode (`<mode>/<task>`) and per question
    # (`<task>/q<qid>`), as the paper's tables break it down.
    metrics = (*standard_metrics("accuracy", group="task"),
               Mean("accuracy", by=("{mode}/{task}", "{task}/q{qid}")))
    requires = ("datasets",)
    official_id = "id (task.mode.index.qid, as evals/evaluation.py reads it)"

    def __init__(self, mode: str = "vqa", task: str | None = None, prompt: str = "option", **args: Any) -> None:
        if mode not in MODES:
            raise UserError(f"spatialeval: unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        if prompt not in SUFFIXES:
            raise UserError(f"spatialeval: unknown prompt {prompt!r}; choose one of {', '.join(SUFFIXES)}")
        task = ALIASES.get(task, task) if task else None
        if task is not None and task not in TASKS:
            raise UserError(f"spatialeval: unknown task {task!r}; choose one of {', '.join(TASKS)}")
        super().__init__(mode=mode, task=task, prompt=prompt, **args)
        self.mode = mode
        self.suffix, self.max_new_tokens = SUFFIXES[prompt]
        self.tasks = (task,) if task else TASKS

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        root = self._mode_dir(data_dir, split)
        cache = data_cache(data_dir, "images") / self.mode
        samples = []
        for i, row in enumerate(load_hf_rows(root, split), 1):
            with record_context(root, i):
                where = f"{root}: row {i}"
                require_fields(row, {"id": str, "text": str, "oracle_answer": (str, int), "oracle_option": str}, where)
                parts = str(row["id"]).split(".")
                task = parts[0]
                if task not in self.tasks:
                    continue
                try:
                    qid = int(parts[-1])
                except ValueError:
                    raise UserError(f"{where}: id {row['id']!r} does not end in a question number") from None
                m = re.match(r"^\s*\(?([A-H])", str(row["oracle_option"]))
                if not m:
                    raise UserError(f"{where}: oracle_option {row['oracle_option']!r} is not an option letter")
                inputs: dict[str, Any] = {"text": row["text"], "options": options_of(row["text"])}
                if self.mode != "tqa":
                    if row.get("image") is None:
                        raise UserError(f"{where}: mode {self.mode} needs an image")
                    inputs["image"] = str(materialize_image(row["image"], cache, str(row["id"])))
                samples.append(Sample(
                    id=str(row["id"]), official_id=str(row["id"]), benchmark=self.name, inputs=inputs,
                    target={"answer": str(row["oracle_answer"]), "option": m.group(1)},
                    meta={"task": task, "qid": qid, "mode": self.mode}))
        if not samples:
            raise UserError(f"{root}: no SpatialEval rows for task(s) {', '.join(self.tasks)}")
        return samples

    def _mode_dir(self, data_dir: Path, split: str) -> Path:
        """The mode's folder of the snapshot wherever it sits under data_dir (`<mode>/` holding
        `<split>-*.parquet`, or `<mode>/<split>/*.parquet`); data_dir itself when it holds the
        shards directly (one mode copied on its own)."""
        shards = find_files(data_dir, ("*.parquet",))
        for p in shards:
            if p.parent.name == self.mode and split in p.name:
                return p.parent
            if p.parent.name == split and p.parent.parent.name == self.mode:
                return p.parent
        if any(p.parent == data_dir for p in shards):
            return data_dir
        raise UserError(f"{data_dir}: no SpatialEval {self.mode} files (looked for {self.mode}/{split}-*.parquet or "
                        f"{self.mode}/{split}/*.parquet, MilaWang/SpatialEval)")

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """All three modes over the same puzzles (tasks x question types in turn), as the hub
        layout has them: `<mode>/test-00000-of-00001.parquet`, images embedded as PNG bytes."""
        import pyarrow as pa
        import pyarrow.parquet as pq

        from .offline.spatialeval import GENERATORS, compose

        rng = np.random.default_rng(seed)
        puzzles = []
        for i in range(n):
            task = TASKS[i % 3]
            qid = (i // 3) % 3
            puzzles.append((i, qid, task, GENERATORS[task](rng, qid)))
        for mode in MODES:
            cols: dict[str, list] = {"id": [], "text": []}
            if mode != "tqa":
                cols["image"] = []
            for key in ("oracle_answer", "oracle_option", "oracle_full_answer"):
                cols[key] = []
            for i, qid, task, p in puzzles:
                pid = f"{task}.{mode}.{i}.{qid}"
                cols["id"].append(pid)
                cols["text"].append(compose(p, mode))
                if mode != "tqa":
                    cols["image"].append({"bytes": p.image, "path": f"{pid}.png"})
                cols["oracle_answer"].append(p.answer)
                cols["oracle_option"].append(chr(65 + p.options.index(p.answer)))
                cols["oracle_full_answer"].append(p.full_answer)
            (out_dir / mode).mkdir(parents=True, exist_ok=True)
            pq.write_table(pa.table(cols), out_dir / mode / "test-00000-of-00001.parquet")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    # -- model I/O -------------------------------------------------------------------------------
    def request(self, sample: Sample) -> Request:
        text = sample.inputs["text"] + self.suffix
        content: list[dict[str, Any]] = []
        images = []
        if "image" in sample.inputs:
            image = sample.inputs["image"]
            if not Path(image).exists():
                raise FileNotFoundError(f"image not found: {image}")
            content.append({"type": "image", "path": image})
            images.append(image)
        content.append({"type": "text", "text": text})
        n_opt = len(sample.inputs.get("options") or []) or 4
        letter = sample.target["option"]
        return Request(
            id=sample.id, messages=[{"role": "user", "content": content}], images=images,
            answer_space=AnswerSpace("choice", letters(n_opt)),
            max_new_tokens=self.max_new_tokens,
            reference=f"{letter}. {sample.target['answer']}", heuristic="A")

    def parse(self, text: str) -> str | None:
        """Scoring needs the task's extraction rules, so parsing only cleans the text."""
        return nonblank(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        if not isinstance(parsed, str):
            return {"accuracy": 0.0}
        n_opt = len(sample.inputs.get("options") or []) or 4
        ok = is_correct(sample.meta["task"], int(sample.meta["qid"]), parsed, sample.target["answer"],
                        sample.target["option"], n_opt)
        return {"accuracy": float(ok)}
