"""NExT-QA, IntentQA, Video-MME and MVBench read from the releases as users unpack them, under a
parent folder: the oracle scores 100, and predictions keyed by the release's own ids score exactly
as the same predictions keyed by harness ids.

Layouts (file and folder names, keys and id fields as published):
- NExT-QA: a clone of doc-doc/NExT-QA (`dataset/nextqa/test.csv`, `map_vid_vidorID.json`) with
  NExTVideo (`NExTVideo/<dir>/<id>.mp4`), and the lmms-lab/NExTQA snapshot (`MC/test-*.parquet`,
  flat videos). The CSV rows are the first two of the repo's `dataset/nextqa/test.csv` (MIT).
- IntentQA: a clone of JoseponLee/IntentQA (`datasets/IntentQA/test.csv`) beside its `Videos/`
  folder, and beside a NExT-QA clone in the same parent (each reads its own CSV). The rows are the
  first two of the repo's `datasets/IntentQA/test.csv`.
- Video-MME: the lmms-lab/Video-MME snapshot (`videomme/test-00000-of-00001.parquet`, videos as
  `data/<videoID>.mp4` from the chunked zips). Rows are made up (the release forbids copying).
- MVBench: the OpenGVLab/MVBench snapshot (`json/<task>.json`, `video/<source folder>/...`) and
  lmms-eval's cache layout (no `video/` level). Rows are made up in the published schema.
Videos are tiny stand-ins written with OpenCV.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run, score_predictions

pytest.importorskip("cv2")
pd = pytest.importorskip("pandas")

NEXTQA_CSV = """video,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4
2574374895,719,320,240,what did the baby do after throwing the green cup away while on the floor near the end,2,8,TN,clap proudly,the lady sitting down,lay on floor,just picked it up,crawl
2925959064,1233,500,375,where is this place,1,1,DL,mall,river,swimming pool,living room,mountain
"""
INTENTQA_CSV = """video_id,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4,action,lemma,lemma_id
6102982194,1266,640,360,why does the man playing the white guitar go near the man playing the keytar,2,2,CW,want to talk to him,make music,to energise him,want to hit him,to annoy him,playing,play,141
8319941339,318,640,1138,why does the boy cross his legs on the bed,1,7,CW,resting,put keyboard on his lap,wants to get on the bed,point to the video recorder,follow the instructions,cross,cross,82
"""


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_CACHE", str(tmp_path / "cache"))


def oracle_and_ids(name: str, data: Path, out: Path, preds_by_official: dict[str, str] | None = None,
                   **args) -> dict:
    """Run the oracle (headline 100), then score replies keyed by official ids and by harness ids
    through score_predictions: both give the same numbers. Returns the official-id score."""
    summary = run(RunConfig(benchmark=name, adapter="oracle", data_dir=data, out=out, benchmark_args=args))
    assert summary["errors"] == 0 and summary["headline"] == 100.0, summary
    bench = make_benchmark(name, **args)
    samples = bench.load(data, bench.check_split(None))
    by_official = preds_by_official or {s.official_id: bench.reference(s) for s in samples}
    by_id = {s.id: by_official[s.official_id] for s in samples}
    a, b = score_predictions(bench, samples, by_official), score_predictions(bench, samples, by_id)
    same = all(s.official_id == s.id for s in samples)
    assert a["matched_by"] == ("id" if same else "official_id") and b["matched_by"] == "id"
    assert (a["headline"], a["metrics"], a["missing_ids"]) == (b["headline"], b["metrics"], b["missing_ids"])
    return a


def _nextqa_repo(root: Path, write_video) -> None:
    (root / "dataset" / "nextqa").mkdir(parents=True)
    (root / "dataset" / "nextqa" / "test.csv").write_text(NEXTQA_CSV)
    (root / "dataset" / "nextqa" / "map_vid_vidorID.json").write_text(
        json.dumps({"2574374895": "0000/2574374895", "2925959064": "1105/2925959064"}))
    for v in ("0000/2574374895", "1105/2925959064"):
        write_video(root.parent / "NExTVideo" / f"{v}.mp4", 16)


def test_nextqa_repo_clone_and_hub_snapshot(tmp_path, write_video):
    _nextqa_repo(tmp_path / "data" / "NExT-QA", write_video)
    samples = make_benchmark("nextqa").load(tmp_path / "data", "test")
    assert [s.official_id for s in samples] == ["2574374895_8", "2925959064_1"]
    # eval_mc.py's result file keys predictions by <video>_<qid>; one right, one wrong
    scored = oracle_and_ids("nextqa", tmp_path / "data", tmp_path / "runs",
                            {"2574374895_8": "C", "2925959064_1": "A"})
    assert scored["headline"] == 50.0

    hub = tmp_path / "hub" / "NExTQA"
    (hub / "MC").mkdir(parents=True)
    rows = list(csv.DictReader(io.StringIO(NEXTQA_CSV)))
    for r in rows:  # the hub stores numbers as numbers
        for k in ("video", "frame_count", "width", "height", "answer", "qid"):
            r[k] = int(r[k])
        write_video(hub / "videos" / f"{r['video']}.mp4", 16)
    pd.DataFrame(rows).to_parquet(hub / "MC" / "test-00000-of-00001.parquet", index=False)
    samples = make_benchmark("nextqa").load(tmp_path / "hub", "test")
    assert [s.official_id for s in samples] == ["2574374895_8", "2925959064_1"]
    oracle_and_ids("nextqa", tmp_path / "hub", tmp_path / "runs_hub")


def test_intentqa_beside_nextqa(tmp_path, write_video):
    _nextqa_repo(tmp_path / "data" / "NExT-QA", write_video)
    repo = tmp_path / "data" / "IntentQA"
    (repo / "datasets" / "IntentQA").mkdir(parents=True)
    (repo / "datasets" / "IntentQA" / "test.csv").write_text(INTENTQA_CSV)
    for v in ("6102982194", "8319941339"):
        write_video(tmp_path / "data" / "Videos" / f"{v}.mp4", 16)
    samples = make_benchmark("intentqa").load(tmp_path / "data", "test")
    assert [s.official_id for s in samples] == ["6102982194_2", "8319941339_7"]
    assert [s.id for s in make_benchmark("nextqa").load(tmp_path / "data", "test")] == ["2574374895_8",
                                                                                          "2925959064_1"]
    oracle_and_ids("intentqa", tmp_path / "data", tmp_path / "runs")


VIDEOMME_ROWS = [
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Astronomy",
     "url": "https://www.youtube.com/watch?v=aaaaaaaaaaa", "videoID": "aaaaaaaaaaa", "question_id": "001-1",
     "task_type": "Counting Problem", "question": "How many planets are shown?",
     "options": ["A. Two.", "B. Three.", "C. Four.", "D. Five."], "answer": "B"},
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Astronomy",
     "url": "https://www.youtube.com/watch?v=aaaaaaaaaaa", "videoID": "aaaaaaaaaaa", "question_id": "001-2",
     "task_type": "Object Recognition", "question": "Which planet is shown first?",
     "options": ["A. Mars.", "B. Venus.", "C. Earth.", "D. Jupiter."], "answer": "D"},
    {"video_id": "601", "duration": "long", "domain": "Sports Competition", "sub_category": "Football",
     "url": "https://www.youtube.com/watch?v=bbbbbbbbbbb", "videoID": "bbbbbbbbbbb", "question_id": "601-1",
     "task_type": "Temporal Reasoning", "question": "Which team scored first?",
     "options": ["A. Red.", "B. Blue.", "C. Neither.", "D. Both."], "answer": "A"},
]


def test_videomme_hub_snapshot(tmp_path, write_video):
    snap = tmp_path / "hf" / "Video-MME"
    (snap / "videomme").mkdir(parents=True)
    pd.DataFrame(VIDEOMME_ROWS).to_parquet(snap / "videomme" / "test-00000-of-00001.parquet", index=False)
    write_video(snap / "data" / "aaaaaaaaaaa.mp4", 16)
    write_video(snap / "data" / "bbbbbbbbbbb.MP4", 16)
    samples = make_benchmark("videomme").load(tmp_path / "hf", "test")
    assert [s.official_id for s in samples] == ["001-1", "001-2", "601-1"]
    # replies in the official template's "response" form; several options named: the first capital A-D
    scored = oracle_and_ids("videomme", tmp_path / "hf", tmp_path / "runs",
                            {"001-1": "B. Three.", "001-2": "D or maybe A", "601-1": "Answer: B"})
    assert scored["headline"] == pytest.approx(200 / 3)
    with pytest.raises(UserError, match=r"none of the 3 questions' videos found"):
        for p in (snap / "data").iterdir():
            p.rename(tmp_path / p.name)
        make_benchmark("videomme").load(tmp_path / "hf", "test")


MVBENCH = {
    "action_sequence": [
        {"video": "6H78U.mp4", "question": "What happened after the person took the food?",
         "candidates": ["Ate the medicine.", "Tidied up the blanket.", "Put down the cup/glass/bottle.",
                        "Took the box."], "answer": "Ate the medicine.", "start": 0.0, "end": 2.0},
        {"video": "Z2ZC0.mp4", "question": "What happened after the person held the door?",
         "candidates": ["Opened the bag.", "Closed the door.", "Took the pillow.", "Sat on the bed."],
         "answer": "Closed the door.", "start": 0.5, "end": 1.5}],
    "moving_direction": [
        {"video": "video_10000.mp4", "question": "What direction is the cyan cube moving when the video ends?",
         "candidates": ["Down and to the right.", "Up and to the left.", "Not moving at all.", "Up and to the right."],
         "answer": "Up and to the left."}],
}


def _mvbench(root: Path, write_video, video_level: bool) -> None:
    (root / "json").mkdir(parents=True)
    folders = {"action_sequence": "star/Charades_segment", "moving_direction": "clevrer/video_validation"}
    for task, rows in MVBENCH.items():
        (root / "json" / f"{task}.json").write_text(json.dumps(rows, indent=1))
        for r in rows:
            write_video(root / ("video" if video_level else "") / folders[task] / r["video"], 24)


@pytest.mark.parametrize("video_level", [True, False], ids=["hub_snapshot", "lmms_eval_cache"])
def test_mvbench_per_task_official_ids(tmp_path, write_video, video_level):
    _mvbench(tmp_path / "data" / "MVBench", write_video, video_level)
    samples = make_benchmark("mvbench").load(tmp_path / "data", "test")
    assert [(s.id, s.official_id) for s in samples] == [
        ("action_sequence/0", "0"), ("action_sequence/1", "1"), ("moving_direction/0", "0")]
    # lmms-eval's doc_ids restart per task: keyed by them, one task is scored at a time
    scored = oracle_and_ids("mvbench", tmp_path / "data", tmp_path / "runs", {"0": "(A) or (B)", "1": "(C)"},
                            task="action_sequence")
    assert scored["headline"] == 50.0
    oracle_and_ids("mvbench", tmp_path / "data", tmp_path / "runs_md", task="moving_direction")
    bench = make_benchmark("mvbench")
    with pytest.raises(UserError, match="select one file/category with --bench-arg"):
        score_predictions(bench, samples, {"0": "A", "1": "B"})
    assert run(RunConfig(benchmark="mvbench", adapter="oracle", data_dir=tmp_path / "data",
                         out=tmp_path / "runs_all"))["headline"] == 100.0
