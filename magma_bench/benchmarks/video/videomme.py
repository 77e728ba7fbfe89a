"""Video-MME (Fu et al., 2024), without subtitles: four-option questions about short (<2 min),
medium (4-15 min) and long (30-60 min) videos, three questions per video.

Official files (hub lmms-lab/Video-MME), found anywhere under --data-dir:
`videomme/test-00000-of-00001.parquet` (or `videomme/test/0000.parquet`) with video_id,
duration (short/medium/long), domain, sub_category, url, videoID, question_id, task_type,
question, options (["A. ...", "B. ...", ...]) and answer (a letter); videos from
videos_chunked_*.zip as `data/<videoID>.mp4` (any folder: videos are found by name).
Official id: `question_id` ("001-1"), the id of the official results template
(`evaluation/output_test_template.json`) and of lmms-eval's records.
The prompt is the official frames-only prompt. Replies are read with the official
`eval_your_results.py` `extract_characters_regex`: answer prefixes dropped, then the FIRST
capital A-D anywhere ("A or B" is A; "Black." is B); see `magma_bench.parsers.choice`. Headline: accuracy over
all questions, with accuracy per duration and per task type as in lmms-eval's
`videomme_aggregate_results`.
The offline suite's durations are clip lengths (6 s / 12 s / 20 s) with one, two or three
robot fetch trips, so longer videos hold more events to track.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.video._base import (
    VideoMC,
    frame_cache_for,
    hub_shards,
    require_videos,
    video_index,
)
from magma_bench.benchmarks.video.offline import clips
from magma_bench.benchmarks.video.offline.qa import NUMBERS, QA, absent_names, mc
from magma_bench.data.hf_files import load_hf_rows, read_parquet, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, OtherScores
from magma_bench.parsers.choice import first_capital_letter, index_letter
from magma_bench.types import Sample

DURATIONS = {"short": (48, (1, 2)), "medium": (96, (2, 3)), "long": (160, (3, 4))}  # frames, fetch trips
PROMPT = ("Select the best answer to the following multiple-choice question based on the video. "
          "Respond with only the letter (A, B, C, or D) of the correct option.")
POST_PROMPT = "The best answer is:"
_OPT = re.compile(r"^\s*\(?([A-Z])[.):]\s*")


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:] + "."


def videomme_qas(clip: clips.Clip, rng: np.random.Generator) -> list[QA]:
    """Video-MME task types over a fetch clip with one or more trips."""
    f = clip.facts
    carried, goals = f["carried"], f["goals"]
    fill = absent_names(clip, rng, 4)
    untouched = f["untouched"]
    qs = []
    if len(carried) >= 2:
        if rng.random() < 0.5:
            k = len(carried)
            qs.append(QA("Counting Problem", "How many objects did the robot carry into the zones?",
                         NUMBERS[k], [NUMBERS[j] for j in range(1, 7) if j != k]))
        else:
            k = len(clip.objects)
            qs.append(QA("Counting Problem", "How many objects are in the video, not counting the robot?",
                         NUMBERS[k], [NUMBERS[j] for j in range(1, 8) if j != k]))
        qs.append(QA("Temporal Reasoning", "Which object did the robot carry first?", f"The {carried[0]}",
                     [f"The {o}" for o in carried[1:] + untouched + fill]))
    else:
        k = len(clip.objects)
        qs.append(QA("Counting Problem", "How many objects are in the video, not counting the robot?",
                     NUMBERS[k], [NUMBERS[j] for j in range(1, 7) if j != k]))
        qs.append(QA("Temporal Reasoning", f"What did the robot do after picking up the {carried[0]}?",
                     f"It went to the {goals[0]} zone",
                     [f"It went to the {z} zone" for z in clips.ZONES if z != goals[0]]
                     + [f"It went to the {o}" for o in untouched] + ["It stayed still"]))
    last = carried[-1].split()[0]
    qs.append(QA("Attribute Perception", "What color is the last object the robot carried?", last,
                 [c for c in clips.COLORS if c != last]))
    qs.append(QA("Action Reasoning", f"Why did the robot go to the {carried[-1]}?",
                 f"To bring it to the {goals[-1]} zone",
                 [f"To bring it to the {z} zone" for z in clips.ZONES if z != goals[-1]]))
    if untouched:
        qs.append(QA("Object Recognition", "Which object did the robot never move?", f"The {untouched[0]}",
                     [f"The {o}" for o in carried + fill]))
    qs.append(QA("Spatial Perception", f"Where is the {carried[0]} at the end of the video?",
                 f"In the {goals[0]} zone", [f"In the {z} zone" for z in clips.ZONES if z != goals[0]]))
    return qs


class VideoMME(VideoMC):
    name = "videomme"
    default_n = 180
    max_options = 4
    default_frames = 16  # long offline clips hold up to four trips
    official_id = "question_id (as in the official results template and lmms-eval's records)"
    # Accuracy overall (the headline), per duration (short, medium, long) and per task type.
    metrics = (Mean("accuracy"), Mean("accuracy", by=("duration/{duration}", "task_type/{task_type}"),
                                      skip_unset=True), OtherScores())

    def __init__(self, duration: str | None = None, **args: Any) -> None:
        if duration is not None and duration not in DURATIONS:
            raise UserError(f"videomme: unknown duration {duration!r}; choose one of {', '.join(DURATIONS)}")
        super().__init__(duration=duration, **args)
        self.duration = duration

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        shards = hub_shards(data_dir, "videomme", split)
        if shards:
            rows, where = read_parquet(shards), shards[0].parent
        else:
            try:
                rows, where = load_hf_rows(data_dir, split), data_dir
            except UserError:
                raise UserError(f"{data_dir}: no Video-MME {split} files (looked for videomme/{split}-*.parquet, "
                                "lmms-lab/Video-MME)") from None
        index = video_index(data_dir)
        cache = frame_cache_for(data_dir)
        out = []
        for i, row in enumerate(rows):
            with record_context(where, i):
                s = self._sample(row, i, Path(where), data_dir, index, cache)
                if self.duration is None or s.meta["duration"] == self.duration:
                    out.append(s)
        require_videos(out, data_dir, "data/<videoID>.mp4 (.MP4, .mkv) anywhere under it")
        return out

    def _sample(self, row: dict[str, Any], i: int, where: Path, data_dir: Path, index: dict[str, Path],
                cache: str) -> Sample:
        need = ("videoID", "duration", "question_id", "task_type", "question", "options", "answer")
        require_fields(row, need, f"{where}: row {i}", null_is_missing=True)
        raw = [str(o) for o in row["options"]]
        texts = []
        for j, o in enumerate(raw):
            m = _OPT.match(o)
            if not m or m.group(1) != index_letter(j):
                raise UserError(f"{where}: row {i} ({row['question_id']}): option {j} must start with "
                                f"'{index_letter(j)}. ', got {o!r}")
            texts.append(o[m.end():].strip())
        ans = str(row["answer"]).strip().upper()
        if ans not in [index_letter(j) for j in range(len(raw))]:
            raise UserError(f"{where}: row {i} ({row['question_id']}): answer must be an option letter, got {ans!r}")
        if row["duration"] not in DURATIONS:
            raise UserError(f"{where}: row {i}: duration must be short/medium/long, got {row['duration']!r}")
        vid = str(row["videoID"])
        video = next((data_dir / "data" / f"{vid}{e}" for e in (".mp4", ".MP4", ".mkv")
                      if (data_dir / "data" / f"{vid}{e}").exists()), index.get(vid, data_dir / "data" / f"{vid}.mp4"))
        return Sample(
            id=str(row["question_id"]), official_id=str(row["question_id"]), benchmark=self.name,
            inputs={"video": str(video), "question": str(row["question"]), "options": texts,
                    "option_lines": raw, "frame_cache": cache},
            target=ans,
            meta={"duration": row["duration"], "task_type": row["task_type"], "domain": row.get("domain"),
                  "sub_category": row.get("sub_category"), "video": vid})

    # -- offline suite ---------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Three questions per video; durations cycle short/medium/long (always all three: the
        runner caches suites by name, n and seed, so `duration` filters at load)."""
        import pandas as pd

        rng = np.random.default_rng(seed)
        rows: list[dict[str, Any]] = []
        durations = list(DURATIONS)
        v = 0
        while len(rows) < n:
            dur = durations[v % len(durations)]
            frames, (t0, t1) = DURATIONS[dur]
            trips = int(rng.integers(t0, t1 + 1))
            clip = clips.retry(clips.fetch, rng, frames, trips)
            vid = "".join(rng.choice(list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-"), 11))
            clips.write_mp4(clip, out_dir / "data" / f"{vid}.mp4")
            qas = videomme_qas(clip, rng)
            for q, k in enumerate(rng.permutation(len(qas))[:3]):
                if len(rows) >= n:
                    break
                qa = qas[int(k)]
                options, ans = mc(qa, 4, rng)
                rows.append({"video_id": f"{v + 1:03d}", "duration": dur, "domain": "Life Record",
                             "sub_category": "Daily Life", "url": f"https://www.youtube.com/watch?v={vid}",
                             "videoID": vid, "question_id": f"{v + 1:03d}-{q + 1}", "task_type": qa.qtype,
                             "question": _cap(qa.question).rstrip(".").rstrip("?") + "?",
                             "options": [f"{index_letter(j)}. {_cap(o)}" for j, o in enumerate(options)],
                             "answer": index_letter(ans)})
            v += 1
        (out_dir / "videomme").mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_parquet(out_dir / "videomme" / "test-00000-of-00001.parquet", index=False)
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    # -- model I/O -------------------------------------------------------------------------------
    def read_letter(self, text: str) -> str | None:
        return first_capital_letter(text)

    def prompt(self, sample: Sample) -> str:
        lines = sample.inputs.get("option_lines") or [
            f"{index_letter(j)}. {o}" for j, o in enumerate(sample.inputs["options"])]
        return PROMPT + "\n" + sample.inputs["question"] + "\n" + "\n".join(lines) + "\n" + POST_PROMPT
