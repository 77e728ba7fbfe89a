"""NExT-QA multiple choice (Xiao et al., CVPR 2021): causal, temporal and descriptive questions
about everyday videos, five options each.

Official files, found anywhere under --data-dir:
- doc-doc/NExT-QA: `dataset/nextqa/{train,val,test}.csv` (video, frame_count, width, height,
  question, answer 0-4, qid, type CW CH TN TP TC DC DL DO, a0..a4) and `map_vid_vidorID.json`
  (video id -> `<dir>/<id>`), videos from NExTVideo.zip (`NExTVideo/<dir>/<id>.mp4`);
- the lmms-eval hub snapshot lmms-lab/NExTQA: `MC/test-00000-of-00001.parquet` (or
  `MC/test/0000.parquet`), same columns, videos.zip giving `<id>.mp4`.
Official id: `<video>_<qid>`, the key of `eval_mc.py`'s prediction file (`results/*.json`).
The prompt is lmms-eval's `nextqa_doc_to_text_mc` (question, then "A. a0" ... "E. a4") with the
LLaVA post-prompt; frames are sampled with lmms-eval's linspace convention. Replies are read with
lmms-eval's `parse_multi_choice_response` (MMMU's rule: "(X)", "X ", "X." forms, then option
texts in replies over 5 words; of several, the LAST one mentioned wins; nothing found is wrong,
not lmms-eval's random pick; see `magma_bench.parsers.choice`). Scoring follows `eval_mc.py`: accuracy overall
(headline) and per group C/T/D and type, TP counted as TN.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.benchmarks.video._base import (
    VideoMC,
    frame_cache_for,
    hub_shards,
    require_videos,
    video_index,
)
from magma_bench.benchmarks.video.offline import clips
from magma_bench.benchmarks.video.offline.qa import QA, collision_qas, fetch_qas, mc
from magma_bench.data.hf_files import (
    find_files,
    read_json,
    read_parquet,
    read_text,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, OtherScores
from magma_bench.parsers.choice import (
    index_letter,
    last_mentioned_option,
    last_mentioned_option_text,
    reads_option_text,
)
from magma_bench.types import Sample

POST_PROMPT = "Answer with the option's letter from the given choices directly."
GROUPS = {"C": "causal", "T": "temporal", "D": "descriptive"}
TYPES = ("CW", "CH", "TN", "TP", "TC", "DC", "DL", "DO", "DB")


class NextQA(VideoMC):
    name = "nextqa"
    splits = ("test", "val", "train")
    default_split = "test"
    default_n = 200
    video_col: ClassVar[str] = "video"
    csv_extra: ClassVar[tuple[str, ...]] = ()
    questions_per_clip: ClassVar[int] = 4
    # Accuracy overall (the headline), per question group (causal, temporal, descriptive) and per type.
    metrics = (Mean("accuracy"), Mean("accuracy", by=("group/{group}", "type/{type}"), skip_unset=True),
               OtherScores())

    official_id = "<video>_<qid> (the key of eval_mc.py's prediction file)"
    release: ClassVar[str] = "dataset/nextqa/<split>.csv (doc-doc/NExT-QA) or MC/<split>-*.parquet (lmms-lab/NExTQA)"
    hub_splits: ClassVar[dict[str, str]] = {"val": "validation"}

    # -- loading ---------------------------------------------------------------------------------
    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        csvs = self._split_csvs(data_dir, split)
        if csvs:
            where, rows = str(csvs[0]), self._read_csv(csvs[0])
        else:  # hub snapshot: the MC config's parquet shards (beside an OE config)
            shards = hub_shards(data_dir, "MC", self.hub_splits.get(split, split)) or hub_shards(data_dir, "MC", split)
            if not shards:
                raise UserError(f"{data_dir}: no {self.name} {split} files (looked for {self.release.replace('<split>', split)})")
            rows, where = read_parquet(shards), str(shards[0].parent)
        resolve = self._video_resolver(data_dir)
        cache = frame_cache_for(data_dir)
        samples = []
        for i, row in enumerate(rows, 2):  # csv line numbers (line 1 is the header)
            with record_context(where, i):
                if not isinstance(row, dict):
                    raise UserError(f"{where}:{i}: expected a record, got {type(row).__name__}")
                samples.append(self._sample(row, i, where, resolve, cache))
        require_videos(samples, data_dir, f"<{self.video_col}>.mp4 anywhere under it, or through map_vid_vidorID.json")
        return samples

    def _split_csvs(self, data_dir: Path, split: str) -> list[Path]:
        """`<split>.csv` files found under data_dir. NExT-QA's and IntentQA's may sit under one
        folder: several are narrowed to those whose header has this release's video column
        (`video` / `video_id`), then to this benchmark's own folder; still several is refused
        rather than one picked silently."""
        found = find_files(data_dir, (f"{split}.csv",))
        if len(found) > 1:
            found = [p for p in found if self.video_col in read_text(p).split("\n", 1)[0].strip().split(",")] or found
        if len(found) > 1:
            found = [p for p in found if any(self.name in x.lower().replace("-", "") for x in p.parts)] or found
        if len(found) > 1:
            raise UserError(f"{data_dir}: several {self.name} {split}.csv files ({', '.join(map(str, found[:3]))}); "
                            "point --data-dir at one release")
        return found

    @staticmethod
    def _read_csv(path: Path) -> list[dict[str, Any]]:
        return list(csv.DictReader(io.StringIO(read_text(path), newline="")))

    def _video_resolver(self, data_dir: Path):
        """video id -> path: through map_vid_vidorID.json when present, else by file name."""
        maps = find_files(data_dir, ("map_vid_vidorID.json",))
        index = video_index(data_dir)
        vid_map: dict[str, str] = read_json(maps[0]) if maps else {}
        if not isinstance(vid_map, dict):
            raise UserError(f"{maps[0]}: expected an object mapping video ids to VidOR ids")
        roots = [p for p in (data_dir / "NExTVideo", data_dir / "videos", data_dir) if p.is_dir()]

        def resolve(vid: str) -> Path:
            if vid in vid_map:
                for root in roots:
                    p = root / f"{vid_map[vid]}.mp4"
                    if p.exists():
                        return p
            if vid in index:
                return index[vid]
            return (roots[0] if roots else data_dir) / f"{vid}.mp4"  # reported when requested
        return resolve

    def _sample(self, row: dict[str, Any], line: int, where: str, resolve, cache: str) -> Sample:
        need = (self.video_col, "question", "answer", "qid", "type", "a0", "a1", "a2", "a3", "a4")
        require_fields(row, need, f"{where}:{line}", null_is_missing=True)
        try:
            ans = int(row["answer"])
        except (TypeError, ValueError):
            raise UserError(f"{where}:{line}: answer must be an option index 0-4, got {row['answer']!r}") from None
        if not 0 <= ans <= 4:
            raise UserError(f"{where}:{line}: answer must be an option index 0-4, got {ans}")
        qtype = str(row["type"]).strip()
        if qtype not in TYPES:
            raise UserError(f"{where}:{line}: unknown question type {qtype!r}")
        vid = str(row[self.video_col]).strip()
        options = [str(row[f"a{i}"]).strip() for i in range(5)]
        return Sample(
            id=f"{vid}_{row['qid']}", official_id=f"{vid}_{row['qid']}", benchmark=self.name,
            inputs={"video": str(resolve(vid)), "question": str(row["question"]).strip(),
                    "options": options, "frame_cache": cache},
            target=index_letter(ans),
            meta={"type": "TN" if qtype == "TP" else qtype, "group": GROUPS.get(qtype[0], qtype[0]),
                  "video": vid})

    # -- offline suite ---------------------------------------------------------------------------
    def clip_questions(self, rng: np.random.Generator, i: int) -> tuple[clips.Clip, list[QA]]:
        if i % 2 == 0:
            clip = clips.retry(clips.collision, rng, 48)
            return clip, collision_qas(clip, rng)
        clip = clips.retry(clips.fetch, rng, 48, 1)
        return clip, fetch_qas(clip, rng)

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Clips with NExT-QA-shaped questions (about `questions_per_clip` per clip, mixed types),
        written as `<split>.csv` + `map_vid_vidorID.json` + `NExTVideo/<dir>/<id>.mp4`."""
        rng = np.random.default_rng(seed)
        out_dir.mkdir(parents=True, exist_ok=True)
        rows: list[dict[str, Any]] = []
        vid_map: dict[str, str] = {}
        i = 0
        while len(rows) < n:
            clip, qas = self.clip_questions(rng, i)
            vid = str(4000000000 + i)
            vid_map[vid] = f"{i // 100:04d}/{vid}"
            clips.write_mp4(clip, out_dir / "NExTVideo" / f"{vid_map[vid]}.mp4")
            order = rng.permutation(len(qas))[: self.questions_per_clip]
            for qid, k in enumerate(order):
                if len(rows) >= n:
                    break
                options, ans = mc(qas[int(k)], 5, rng)
                rows.append(self.row(vid, clip, qas[int(k)], options, ans, qid))
            i += 1
        cols = [self.video_col, "frame_count", "width", "height", "question", "answer", "qid", "type",
                "a0", "a1", "a2", "a3", "a4", *self.csv_extra]
        with open(out_dir / f"{self.default_split}.csv", "w", newline="", encoding="utf-8") as f:
            w = csv.DictWriter(f, fieldnames=cols)
            w.writeheader()
            w.writerows(rows)
        (out_dir / "map_vid_vidorID.json").write_text(json.dumps(vid_map, sort_keys=True))
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    def row(self, vid: str, clip: clips.Clip, qa: QA, options: list[str], ans: int, qid: int) -> dict[str, Any]:
        return {self.video_col: vid, "frame_count": clip.n_frames, "width": clips.W, "height": clips.H,
                "question": qa.question, "answer": ans, "qid": qid, "type": qa.qtype,
                **{f"a{j}": o for j, o in enumerate(options)}}

    # -- model I/O -------------------------------------------------------------------------------
    def prompt(self, sample: Sample) -> str:
        lines = [sample.inputs["question"]]
        lines += [f"{index_letter(j)}. {o}" for j, o in enumerate(sample.inputs["options"])]
        return "\n".join(lines) + "\n" + POST_PROMPT

    # -- the official rule: lmms-eval's parse_multi_choice_response (magma_bench.parsers.choice) ----------
    def read_letter(self, text: str) -> str | None:
        return last_mentioned_option(text, self.max_options)

    def wants_option_text(self, text: str) -> bool:
        return reads_option_text(text)

    def read_option_text(self, text: str, options: Sequence[str]) -> str | None:
        return last_mentioned_option_text(text, options)

    # -- aggregation: overall accuracy, per group and per type -----------------------------------
