"""IntentQA: offline suite bounds, the official CSV layout and eval_intentqa.py grouping."""

from __future__ import annotations

import pytest

from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import make_record

pytest.importorskip("cv2")

# First rows of JoseponLee/IntentQA datasets/IntentQA/test.csv (official layout).
CSV = """video_id,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4,action,lemma,lemma_id
6102982194,1266,640,360,why does the man playing the white guitar go near the man playing the keytar,2,2,CW,want to talk to him,make music,to energise him,want to hit him,to annoy him,playing,play,141
2934685860,1164,640,480,why did the woman walk back towards the stroller after the kid moved away from the fence at the end,4,11,TN,ignores,follow girl in pink,hold hands and move in circles together,kiss the boy,to push stroller,moved,move,161
5852331173,645,640,360,how did the ladies keep their sunglasses when they are not using it,3,1,CH,put inside bag,wear bib,hang on shirt,put on head,hold in hand,put,put,160
8626931151,2160,640,360,what was the kid doing before he flipped the pages of the book,4,5,TP,flip the book,turn behind to look,look at camera,hold the book in his hands,puts his hand into the robe,flipped,flip,96
"""


def test_generated_schema(offline_run):
    import csv
    import glob

    s = offline_run("intentqa", "oracle", 40)
    path = glob.glob(s["data_dir"] + "/test.csv")[0]
    rows = list(csv.DictReader(open(path)))
    assert list(rows[0]) == ["video_id", "frame_count", "width", "height", "question", "answer", "qid", "type",
                             "a0", "a1", "a2", "a3", "a4", "action", "lemma", "lemma_id"]
    assert {r["type"] for r in rows} <= {"CW", "CH", "TN", "TP"}


def test_official_csv_and_grouping(tmp_path, write_video):
    (tmp_path / "test.csv").write_text(CSV)
    for v in ("6102982194", "2934685860", "5852331173", "8626931151"):
        write_video(tmp_path / "videos" / f"{v}.mp4", 20)
    bench = make_benchmark("intentqa")
    samples = bench.load(tmp_path, "test")
    assert [s.id for s in samples] == ["6102982194_2", "2934685860_11", "5852331173_1", "8626931151_5"]
    assert [s.target for s in samples] == ["C", "E", "D", "E"]
    assert samples[3].inputs["video"].endswith("videos/8626931151.mp4")
    assert len(bench.request(samples[1]).images) == 8
    # eval_intentqa.py: Why / How / Bef&Aft (TP merged into TN) and overall; option text counts in
    # replies over 5 words (NExT-QA's lmms-eval rule)
    recs = [make_record(bench, s, p, None) for s, p in zip(samples, ["C", "A", "they usually just put on head", "B"], strict=True)]
    agg = bench.aggregate(recs)
    assert agg.headline == 50.0
    assert agg.metrics["type/why"] == 100.0 and agg.metrics["type/how"] == 100.0
    assert agg.metrics["type/before_after"] == 0.0
