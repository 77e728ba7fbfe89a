"""IntentQA (Li et al., ICCV 2023): why/how/before-after questions about people's intents in
NExT-QA videos, five options each.

Official files (github.com/JoseponLee/IntentQA), found anywhere under --data-dir:
`datasets/IntentQA/{train,val,test}.csv` with video_id, frame_count, width, height, question,
answer (0-4), qid, type (CW, CH, TP, TN), a0..a4, action, lemma, lemma_id; videos from its
`Videos/` folder (`<video_id>.mp4`), or NExT-QA's through `map_vid_vidorID.json`.
Official id: `<video_id>_<qid>`, the key of `eval_intentqa.py`'s prediction file.
Replies are read with NExT-QA's lmms-eval rule (IntentQA has no text-parsing script; see
`magma_bench.parsers.choice`). Scoring follows `eval_intentqa.py`: accuracy overall (headline) and per type,
TP counted as TN ("Why", "How", "Bef&Aft").
The offline suite asks about a robot's goals in fetch clips: why it went somewhere, how it got
there or moved something, and what it did before/after.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from magma_bench.benchmarks.video.nextqa import NextQA
from magma_bench.benchmarks.video.offline import clips
from magma_bench.benchmarks.video.offline.qa import QA, intent_qas
from magma_bench.metrics.declare import Mean, OtherScores

TYPE_NAMES = {"CW": "why", "CH": "how", "TN": "before_after"}
VERBS = {"go": "go", "going": "go", "stop": "stop", "picking": "pick", "reach": "reach", "get": "get"}
LEMMAS = sorted(set(VERBS.values()))


def type_label(record: dict) -> str | None:
    """`type/<name>` for the question types IntentQA reports (why, how, before/after); None for others."""
    name = TYPE_NAMES.get((record.get("meta") or {}).get("type"))
    return None if name is None else f"type/{name}"


class IntentQA(NextQA):
    name = "intentqa"
    video_col = "video_id"
    csv_extra = ("action", "lemma", "lemma_id")
    official_id = "<video_id>_<qid> (the key of eval_intentqa.py's prediction file)"
    release = "datasets/IntentQA/<split>.csv (JoseponLee/IntentQA)"
    # Accuracy overall (the headline) and per question type, by IntentQA's names for them.
    metrics = (Mean("accuracy"), Mean("accuracy", by=type_label), OtherScores())

    def clip_questions(self, rng: np.random.Generator, i: int) -> tuple[clips.Clip, list[QA]]:
        clip = clips.retry(clips.fetch, rng, 48, 1)
        return clip, intent_qas(clip, rng)

    def row(self, vid: str, clip: clips.Clip, qa: QA, options: list[str], ans: int, qid: int) -> dict[str, Any]:
        out = super().row(vid, clip, qa, options, ans, qid)
        action = next((w for w in qa.question.split() if w in VERBS), "go")
        out.update(action=action, lemma=VERBS[action], lemma_id=LEMMAS.index(VERBS[action]))
        return out
