"""VisualWebBench (Liu et al., COLM 2024): seven web understanding and grounding tasks.

Magma's Table 2 reports element grounding and action grounding: multiple choice over eight
candidate elements drawn on the screenshot as red boxes labelled A-H (`visualwebbench`, the mean
of the two). `visualwebbench_all` runs all seven with VisualWebBench's metrics and its "Average"
(mean of the task scores): web_caption, heading_ocr, element_ocr (ROUGE-L; ROUGE-1/2 too), webqa
(best ROUGE-1 F over the gold answers), action_prediction, element_ground, action_ground (accuracy).
Official files: the hub snapshot (visualwebbench/VisualWebBench), one folder per task of parquet
shards (`<task>/test-0000k-of-0000n.parquet`; the hub's converted copy has `<task>/test/0000.parquet`)
with id, task_type, website, image, image_size, and per task answer, question, bbox, options,
elem_desc, instruction (the grounding tasks also raw_image). The task folders are found at any
depth under --data-dir (a `huggingface-cli download` folder, or the hub cache's snapshot). Official
id: the row's `id`. The official `run.py` and lmms-eval score one task (hub config) at a time, so
if ids repeat across tasks, select one with `--bench-arg task=<task>` to score predictions keyed
by them. Prompts (`utils/prompts.py`), answer post-processing (the official model adapters') and
metrics (`utils/eval_utils.py`) follow the official code.

Multiple choice (action_prediction and both grounding tasks) is `parse_multi_choice_response` of
`utils/eval_utils.py`, identical in lmms-eval's `visualwebbench` tasks: a one-character reply is
that letter upper-cased; a reply starting "X." is X; otherwise, after removing , . ! ? ; : ' ",
letters written "(X)" are candidates, else letters standing alone as words; of several
candidates the one mentioned LAST wins ("A or (C)" -> C, "not A but B" -> B); none -> wrong.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.benchmark import Benchmark, image_request
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    record_context,
    require_fields,
)
from magma_bench.errors import MissingDependency, UserError
from magma_bench.metrics.declare import Mean, standard_metrics
from magma_bench.metrics.ui import vwb_rouge, vwb_webqa_f1
from magma_bench.parsers.choice import vwb_choice_index
from magma_bench.registry import missing_modules
from magma_bench.types import AnswerSpace, Request, Sample

GROUNDING = ("element_ground", "action_ground")
TASKS = ("web_caption", "heading_ocr", "webqa", "element_ocr", "action_prediction", *GROUNDING)
CHOICE_TASKS = ("action_prediction", *GROUNDING)
_END = "\nYou should directly tell me your choice in a single uppercase letter, and do not output any explanation or any other contents.\n"
PROMPTS = {
    "web_caption": ('You are given a screenshot of a webpage. Please generate the meta web description information of '
                    'this webpage, i.e., content attribute in <meta name="description" content=""> HTML element.\n\n'
                    'You should use the following format, and do not output any explanation or any other contents:\n'
                    '<meta name="description" content="YOUR ANSWER">\n'),
    "heading_ocr": ("You are given a screenshot of a webpage. Please generate the main text within the screenshot, which "
                    "can be regarded as the heading of the webpage.\n\nYou should directly tell me the main content, and "
                    "do not output any explanation or any other contents.\n"),
    "webqa": ("{question}\nYou should directly tell me your answer in the fewest words possible, and do not output any "
              "explanation or any other contents.\n"),
    "element_ocr": ("You are given a screenshot of a webpage with a red rectangle bounding box. The [x1, y1, x2, y2] "
                    "coordinates of the bounding box is {bbox_ratio}.\nPlease perform OCR in the bounding box and recognize "
                    "the text content within the red bounding box.\n\nYou should use the following format:\nThe text "
                    "content within the red bounding box is: <YOUR ANSWER>\n"),
    "action_prediction": ("You are given a screenshot of a webpage with a red rectangle bounding box. The [x1, y1, x2, y2] "
                          "coordinates of the bounding box is {bbox_ratio}.\nPlease select the best webpage description "
                          "that matches the new webpage after clicking the selected element in the bounding box:\n"
                          "{choices_text}\n" + _END),
    "element_ground": ("In this website screenshot, I have labeled IDs for some HTML elements as candicates. Tell me which "
                       "one best matches the description: {element_desc}\n" + _END),
    "action_ground": ("In this website screenshot, I have labeled IDs for some HTML elements as candicates. Tell me which "
                      "one I should click to complete the following task: {instruction}\n" + _END),
}
N_OPTIONS = 8


def _caption(text: str) -> str:
    """The official adapters' caption post-processing: the meta tag's content if present."""
    m = re.findall(r'<meta name="description" content="(.*)">', text)
    return m[0] if m else text


def _ocr(text: str) -> str:
    """The official adapters' element-OCR post-processing: what follows the first colon."""
    if ":" not in text:
        return text
    return ":".join(text.split(":")[1:]).strip().strip('"').strip("'")


def _task_folder(data_dir: Path, task: str) -> Path | None:
    """The one folder named `task` holding parquet shards or a saved dataset, at any depth (data_dir
    itself included); two copies (say, two hub revisions) are refused by name."""
    dirs = [data_dir] if data_dir.name == task else []
    dirs += [p for p in find_files(data_dir, (task,)) if p.is_dir()]
    dirs = [d for d in dict.fromkeys(dirs)
            if (d / "dataset_info.json").exists() or (d / "dataset_dict.json").exists() or find_files(d, ("*.parquet",))]
    if len(dirs) > 1:
        raise UserError(f"{data_dir}: {len(dirs)} VisualWebBench {task}/ folders ({', '.join(map(str, dirs[:4]))}); "
                        "point --data-dir at the snapshot of one")
    return dirs[0] if dirs else None


class VisualWebBench(Benchmark):
    name = "visualwebbench"
    domain = "ui"
    splits = ("test",)
    default_n = 48
    requires: ClassVar[tuple[str, ...]] = ("datasets", "playwright")  # + rouge for the text tasks
    # Headline = mean over tasks of each task's own metric (`score`: ROUGE-L, F1 or accuracy),
    # VisualWebBench's "Average"; each task as task_type/<task>; accuracy, f1 and rouge_* over the
    # records of the tasks that have them, not diluted by the others.
    metrics = (*standard_metrics("score", group="task_type"),
               *(Mean(k, missing=None) for k in ("accuracy", "f1", "rouge_1", "rouge_2", "rouge_l")))
    official_id = "id (the row's own; one task at a time, as the official run.py scores them)"

    def __init__(self, task: str = "grounding", **args: Any) -> None:
        choices = {"grounding": GROUNDING, "all": TASKS, **{t: (t,) for t in TASKS}}
        if task not in choices:
            raise UserError(f"visualwebbench: task must be grounding, all or one of {', '.join(TASKS)}, got {task!r}")
        super().__init__(task=task, **args)
        self.tasks = choices[task]
        if set(self.tasks) - set(CHOICE_TASKS) and missing_modules(("rouge",)):
            raise MissingDependency(f"visualwebbench task {task!r} scores with ROUGE: pip install rouge")

    # -- loading -----------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        cache = data_cache(data_dir, "images")
        samples = []
        folders = {task: _task_folder(data_dir, task) for task in self.tasks}
        missing = [t for t, f in folders.items() if f is None]
        if missing:
            raise UserError(f"{data_dir}: no VisualWebBench task folder {', '.join(f'{t}/' for t in missing)} holding "
                            "parquet shards found at any depth (the hub snapshot visualwebbench/VisualWebBench "
                            "has one per task)")
        for task, folder in folders.items():
            for i, row in enumerate(load_hf_rows(folder, split)):
                with record_context(folder, i):
                    inputs = self._inputs(task, row, f"{folder}: row {i}")
                    inputs["image"] = str(materialize_image(row["image"], cache, f"{task}-{row['id']}"))
                    samples.append(Sample(id=f"{task}-{row['id']}", benchmark=self.name, inputs=inputs,
                                          official_id=str(row["id"]),
                                          target=self._target(task, row, f"{folder}: row {i}"),
                                          meta={"task_type": task, "website": row.get("website")}))
        return samples

    @staticmethod
    def _inputs(task: str, row: dict, where: str) -> dict[str, Any]:
        need = {"webqa": ("question",), "element_ocr": ("bbox",), "action_prediction": ("bbox", "options"),
                "element_ground": ("elem_desc", "options"), "action_ground": ("instruction", "options")}.get(task, ())
        require_fields(row, ("id", "image", "answer", *need), where)
        inputs: dict[str, Any] = {k: row[k] for k in need}
        if "options" in need:
            opts = row["options"]
            if task in GROUNDING and (not isinstance(opts, list) or not 2 <= len(opts) <= 26 or any(len(o) != 4 for o in opts)):
                raise UserError(f"{where}: options must be a list of [x1, y1, x2, y2] boxes")
            if task == "action_prediction" and isinstance(opts, list):  # as the official loader joins them
                inputs["options"] = "\n".join(f"{chr(ord('A') + j)}. {o}" for j, o in enumerate(opts))
            inputs["n_options"] = len(opts) if isinstance(opts, list) else len(str(opts).splitlines())
        return inputs

    @staticmethod
    def _target(task: str, row: dict, where: str) -> Any:
        ans = row["answer"]
        if task in CHOICE_TASKS:
            if not isinstance(ans, int | np.integer) or not 0 <= int(ans) < N_OPTIONS:
                raise UserError(f"{where}: answer must be an option index, got {ans!r}")
            return int(ans)
        if task == "webqa":
            if not isinstance(ans, list) or not all(isinstance(a, str) for a in ans):
                raise UserError(f"{where}: webqa answer must be a list of strings")
            return list(ans)
        if not isinstance(ans, str):
            raise UserError(f"{where}: answer must be a string")
        return ans

    # -- offline suite -----------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        from magma_bench.benchmarks.ui.offline.visualwebbench import write_vwb

        blocked = write_vwb(out_dir, n, seed, self.tasks)
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed, blocked_requests=blocked)
        return out_dir

    # -- model I/O ---------------------------------------------------------------------------------
    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        task, x = sample.meta["task_type"], sample.inputs
        text = PROMPTS[task].format(question=x.get("question"), bbox_ratio=x.get("bbox"), choices_text=x.get("options"),
                                    element_desc=x.get("elem_desc"), instruction=x.get("instruction"))
        heuristic = None
        if task in CHOICE_TASKS:
            letters = [chr(ord("A") + i) for i in range(x["n_options"])]
            space, reference = AnswerSpace("choice", letters), letters[sample.target]
            if task in GROUNDING:  # the natural guess: the largest candidate
                o = x["options"]
                heuristic = letters[max(range(len(o)), key=lambda i: (o[i][2] - o[i][0]) * (o[i][3] - o[i][1]))]
        else:
            space = AnswerSpace("text")
            gold = sample.target[0] if task == "webqa" else sample.target
            reference = {"web_caption": f'<meta name="description" content="{gold}">',
                         "element_ocr": f"The text content within the red bounding box is: {gold}"}.get(task, gold)
        return image_request(
            sample.id, image, text, answer_space=space, max_new_tokens=4 if task in CHOICE_TASKS else 64,
            reference=reference, heuristic=heuristic)

    def parse(self, text: str) -> dict[str, Any] | None:
        """Every task's reading of the text (parse does not know the sample's task)."""
        if not isinstance(text, str):
            return None
        idx = vwb_choice_index(text, N_OPTIONS)
        return {"text": text, "caption": _caption(text), "ocr": _ocr(text), "choice": None if idx < 0 else idx}

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        task = sample.meta["task_type"]
        p = parsed or {"text": "", "caption": "", "ocr": "", "choice": None}
        if task in CHOICE_TASKS:
            acc = float(p["choice"] == sample.target)
            return {"score": acc, "accuracy": acc}
        if task == "webqa":
            f1 = vwb_webqa_f1(p["text"], sample.target)
            return {"score": f1, "f1": f1}
        r = vwb_rouge(p["caption"] if task == "web_caption" else p["ocr"] if task == "element_ocr" else p["text"],
                      sample.target, min_len=1 if task == "element_ocr" else 0)
        return {"score": r["rouge_l"], **r}
