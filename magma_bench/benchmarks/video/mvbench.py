"""MVBench (Li et al., CVPR 2024): 20 temporal-understanding tasks, multiple choice.

Official files (hub OpenGVLab/MVBench), found anywhere under --data-dir: `json/<task>.json`, each
a list of {video, question, candidates, answer (the text of the right candidate)}, STAR-based
tasks add start/end seconds; videos from the snapshot's `video/` zips under `video/<source
folder>/` (the folder per task as in lmms-eval's DATA_LIST; lmms-eval's cache drops the `video/`
level, and older snapshots nest `data0613/`; a few tasks give frame folders). Frames are sampled
with MVBench's own `get_index` (middle of K equal segments, inside [start, end] when given). The
prompt is lmms-eval's `mvbench_doc_to_text`; the reference answer uses MVBench's "(A) text" form.
Official id: the question's 0-based position in `json/<task>.json`, lmms-eval's `doc_id` in its
`mvbench_<task>` task. Ids restart in every task, so predictions keyed by them are scored one task
at a time (`--bench-arg task=<task>`); harness ids (`<task>/<position>`) cover all tasks at once.
Replies are read with lmms-eval's `mcq_acc` (the Magma paper's lmms-eval run): "X. text" at the
start, else the FIRST standalone a-e word, any case ("(B) or (C)" is B; bare option text never
counts); see `magma_bench.parsers.choice`. lmms-eval drops empty replies from its denominator; here they are
wrong. Headline: mean accuracy over tasks (MVBench's "Avg"), and accuracy per task.

The offline suite generates these 10 of the 20 task types, the ones procedural clips support
(see `offline.qa.MVBENCH_TASKS`): moving_direction, moving_count, moving_attribute, object_existence,
counterfactual_inference (collision clips, CLEVRER-style), object_interaction, action_sequence
(robot fetch clips, STAR-style), state_change, scene_transition (change clips), character_order
(letters written on a board). Not generated: action_antonym, action_count, action_localization,
action_prediction, egocentric_navigation, episodic_reasoning, fine_grained_action,
fine_grained_pose, object_shuffle, unexpected_action (they need people, camera motion or
real-world footage); their official files load and score all the same.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.video._base import VideoMC, frame_cache_for, require_videos, video_index
from magma_bench.benchmarks.video.offline import clips
from magma_bench.benchmarks.video.offline.qa import MVBENCH_TASKS, mc
from magma_bench.data.hf_files import find_files, read_json_lines_or_array, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.parsers.choice import first_standalone_letter, index_letter
from magma_bench.types import Sample

# task -> source folder under video/ (lmms-eval DATA_LIST)
DATA_LIST = {
    "object_interaction": "star/Charades_segment", "action_sequence": "star/Charades_segment",
    "action_prediction": "star/Charades_segment", "action_localization": "sta/sta_video_segment",
    "moving_count": "clevrer/video_validation", "fine_grained_pose": "nturgbd_convert",
    "character_order": "perception/videos", "object_shuffle": "perception/videos",
    "egocentric_navigation": "vlnqa", "moving_direction": "clevrer/video_validation",
    "episodic_reasoning": "tvqa/video_fps3_hq_segment", "fine_grained_action": "Moments_in_Time_Raw/videos",
    "scene_transition": "scene_qa/video", "state_change": "perception/videos",
    "moving_attribute": "clevrer/video_validation", "action_antonym": "ssv2_video_mp4",
    "unexpected_action": "FunQA_test/test", "counterfactual_inference": "clevrer/video_validation",
    "object_existence": "clevrer/video_validation", "action_count": "perception/videos",
}
FRAME_FOLDER_FPS = {"episodic_reasoning": 3.0}  # tvqa is given as frames at 3 fps
N_CANDIDATES = {"object_existence": 3}
POST_PROMPT = "Only give the best option.\n"


class MVBench(VideoMC):
    name = "mvbench"
    default_n = 200
    group_key = "task"  # headline = mean over tasks
    frame_mode = "middle"
    default_frames = 16  # MVBench evaluates with 16 frames
    official_id = ("position in json/<task>.json, 0-based (lmms-eval's doc_id in mvbench_<task>); restarts per "
                   "task, so select one with --bench-arg task=<task>")

    def __init__(self, task: str | None = None, **args: Any) -> None:
        if task is not None and task not in DATA_LIST:
            raise UserError(f"mvbench: unknown task {task!r}; choose one of {', '.join(sorted(DATA_LIST))}")
        super().__init__(task=task, **args)
        self.task = task

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        wanted = [t for t in DATA_LIST if self.task is None or t == self.task]
        files = self._task_files(data_dir, wanted)
        if not files and self.is_generated(data_dir):
            raise UserError(f"mvbench: the offline suite has no task {self.task!r}; it generates "
                            f"{', '.join(MVBENCH_TASKS)} (point --data-dir at the official files for the rest)")
        if not files:
            raise UserError(f"{data_dir}: no MVBench task files (looked for json/<task>.json, OpenGVLab/MVBench, "
                            f"for tasks such as {', '.join(wanted[:3])}, ...)")
        index = video_index(data_dir)
        cache = frame_cache_for(data_dir)
        roots = list(dict.fromkeys([files[0].parent.parent, data_dir]))  # the snapshot root, then --data-dir
        samples = []
        for f in files:
            for i, row in enumerate(read_json_lines_or_array(f)):
                with record_context(f, i):
                    samples.append(self._sample(f.stem, row, i, f, roots, index, cache))
        require_videos(samples, data_dir, "video/<source folder>/<video> (lmms-eval's DATA_LIST), or the file by name")
        return samples

    @staticmethod
    def _task_files(data_dir: Path, tasks: list[str]) -> list[Path]:
        """`<task>.json` files, from the folder holding the most of them (the snapshot's `json/`)."""
        found = find_files(data_dir, tuple(f"{t}.json" for t in tasks))
        if not found:
            return []
        by_dir: dict[Path, list[Path]] = {}
        for p in found:
            by_dir.setdefault(p.parent, []).append(p)
        best = max(by_dir.values(), key=lambda ps: (len(ps), ps[0].parent.name == "json"))
        return sorted(best, key=lambda p: tasks.index(p.stem))

    def _sample(self, task: str, row: dict[str, Any], i: int, path: Path, roots: list[Path],
                index: dict[str, Path], cache: str) -> Sample:
        require_fields(row, {"video": str, "question": str, "candidates": list, "answer": (str, int, float)},
                       f"{path}: record {i}")
        cands = [str(c) for c in row["candidates"]] if isinstance(row["candidates"], list) else []
        if len(cands) < 2 or len(cands) > 26:
            raise UserError(f"{path}: record {i}: candidates must be a list of 2-26 answers")
        if str(row["answer"]) not in cands:
            raise UserError(f"{path}: record {i}: answer {row['answer']!r} is not one of the candidates")
        bound = None
        if "start" in row and "end" in row:
            bound = [float(row["start"]), float(row["end"])]
        return Sample(
            id=f"{task}/{i}", official_id=str(i), benchmark=self.name,
            inputs={"video": str(self._resolve(task, str(row["video"]), roots, index)),
                    "question": str(row["question"]), "options": cands, "bound": bound,
                    "fps": FRAME_FOLDER_FPS.get(task), "frame_cache": cache},
            target=index_letter(cands.index(str(row["answer"]))),
            meta={"task": task, "video": str(row["video"])})

    @staticmethod
    def _resolve(task: str, video: str, roots: list[Path], index: dict[str, Path]) -> Path:
        folder = DATA_LIST[task]
        for root in roots:
            for base in (root / "video", root, root / "video" / "data0613", root / "data0613"):
                p = base / folder / video
                if p.exists():
                    return p
        return index.get(Path(video).stem, roots[0] / "video" / folder / video)

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """One clip per question, about n / 10 questions for each generated task. The suite does
        not depend on `task` (the runner caches suites by name, n and seed): `task` filters at load."""
        rng = np.random.default_rng(seed)
        tasks = list(MVBENCH_TASKS)
        per_task = max(1, -(-n // len(tasks)))
        (out_dir / "json").mkdir(parents=True, exist_ok=True)
        for task in tasks:
            kind, build = MVBENCH_TASKS[task]
            rows = []
            while len(rows) < per_task:
                clip = self._clip(kind, rng)
                qa = build(clip, rng)
                if qa is None:
                    continue
                name = f"{task}_{len(rows):05d}.mp4"
                clips.write_mp4(clip, out_dir / "video" / DATA_LIST[task] / name)
                options, ans = mc(qa, N_CANDIDATES.get(task, 4), rng)
                row = {"video": name, "question": qa.question, "candidates": options, "answer": options[ans]}
                if DATA_LIST[task].startswith("star/"):  # STAR segments come with a time bound
                    row.update(start=0.0, end=round(clip.n_frames / clips.FPS, 2))
                rows.append(row)
            (out_dir / "json" / f"{task}.json").write_text(json.dumps(rows, indent=1) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    @staticmethod
    def _clip(kind: str, rng: np.random.Generator) -> clips.Clip:
        if kind == "collision":
            return clips.retry(clips.collision, rng, 48)
        if kind == "fetch":
            return clips.retry(clips.fetch, rng, 48, 1)
        if kind == "fetch2":
            return clips.retry(clips.fetch, rng, 80, 2)
        if kind == "change":
            return clips.retry(clips.change, rng, 48)
        return clips.retry(clips.letters, rng, 48)

    # -- model I/O -------------------------------------------------------------------------------
    def read_letter(self, text: str) -> str | None:
        return first_standalone_letter(text)

    def prompt(self, sample: Sample) -> str:
        opts = "".join(f"({index_letter(j)}) {o}\n" for j, o in enumerate(sample.inputs["options"]))
        return "Question:" + sample.inputs["question"] + "\nOption:\n" + opts + POST_PROMPT

    def reference(self, sample: Sample) -> str:
        j = ord(sample.target) - ord("A")
        return f"({sample.target}) {sample.inputs['options'][j]}"
