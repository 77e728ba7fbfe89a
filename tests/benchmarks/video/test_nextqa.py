"""NExT-QA: offline suite bounds, official CSV layout, eval_mc.py grouping, prompt and frames."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import make_record

pytest.importorskip("cv2")

# Rows in the official val.csv layout (first lines of doc-doc/NExT-QA dataset/nextqa/val.csv,
# plus a TP row written in the same schema).
CSV = """video,frame_count,width,height,question,answer,qid,type,a0,a1,a2,a3,a4
4010069381,369,640,480,how do the two man play the instrument,0,6,CH,roll the handle,tap their feet,strum the string,hit with sticks,pat with hand
4882821564,2697,640,480,why did the boy pick up one present from the group of them and move to the sofa,2,1,CW,share with the girl,approach lady sitting there,unwrap it,playing with toy train,gesture something
2834146886,1881,496,370,what does the white dog do after going to the cushion,2,8,TN,drink again,shake its body,smells the black dog,wagging tail,touch lady in blue stripes
6329077812,1835,640,360,what did the lady do before wipping the baby s mouth,4,7,TP,touch the baby again,turn away,adjusts the baby in grey,smiling,take napkin
8547321641,327,640,362,how many babies are in the video,4,7,DC,kitchen,four,two,three,one
"""


@pytest.fixture
def official(tmp_path, write_video):
    d = tmp_path / "nextqa"
    (d / "dataset" / "nextqa").mkdir(parents=True)
    (d / "dataset" / "nextqa" / "val.csv").write_text(CSV)
    vids = ["4010069381", "4882821564", "2834146886", "6329077812", "8547321641"]
    mapping = {v: f"{1000 + i}/{v}" for i, v in enumerate(vids)}
    (d / "dataset" / "nextqa" / "map_vid_vidorID.json").write_text(json.dumps(mapping))
    for v in vids:
        write_video(d / "NExTVideo" / f"{mapping[v]}.mp4", 30)
    return d


def test_official_csv(official):
    bench = make_benchmark("nextqa")
    samples = bench.load(official, "val")
    assert [s.id for s in samples] == ["4010069381_6", "4882821564_1", "2834146886_8", "6329077812_7", "8547321641_7"]
    assert [s.target for s in samples] == ["A", "C", "C", "E", "E"]
    assert [s.meta["type"] for s in samples] == ["CH", "CW", "TN", "TN", "DC"]  # TP counted as TN
    assert [s.meta["group"] for s in samples] == ["causal", "causal", "temporal", "temporal", "descriptive"]
    assert samples[0].inputs["video"].endswith("NExTVideo/1000/4010069381.mp4")
    req = bench.request(samples[0])
    assert len(req.images) == 8 and all(Path(p).exists() for p in req.images)
    assert req.messages[0]["content"][-1]["text"] == (
        "how do the two man play the instrument\nA. roll the handle\nB. tap their feet\n"
        "C. strum the string\nD. hit with sticks\nE. pat with hand\n"
        "Answer with the option's letter from the given choices directly.")
    assert req.answer_space.choices == ["A", "B", "C", "D", "E"] and req.reference == "A"
    assert len(bench.request(samples[0]).images) == 8  # cached frames are reused
    assert make_benchmark("nextqa", num_frames=4).request(samples[1]).images.__len__() == 4


def test_eval_mc_grouping(official):
    """eval_mc.py: accuracy per type (TP merged into TN), per C/T/D group, and overall."""
    bench = make_benchmark("nextqa")
    samples = bench.load(official, "val")
    preds = ["A", "the answer is B", "in the video he smells the black dog", "(E) take napkin", "three"]
    recs = [make_record(bench, s, p, None) for s, p in zip(samples, preds, strict=True)]
    assert [r["scores"]["accuracy"] for r in recs] == [1.0, 0.0, 1.0, 1.0, 0.0]
    agg = bench.aggregate(recs)
    assert agg.headline == pytest.approx(60.0)
    assert agg.metrics["group/causal"] == 50.0 and agg.metrics["group/temporal"] == 100.0
    assert agg.metrics["group/descriptive"] == 0.0 and agg.metrics["type/TN"] == 100.0


def test_bad_rows_name_file_and_line(official):
    bench = make_benchmark("nextqa")
    path = official / "dataset" / "nextqa" / "val.csv"
    path.write_text(CSV.replace("how many babies are in the video,4,", "how many babies are in the video,9,"))
    with pytest.raises(UserError, match=r"val\.csv:6: answer"):
        bench.load(official, "val")
    with pytest.raises(UserError, match="no nextqa test files"):
        bench.load(official, "test")


def test_missing_video_is_a_recorded_error(official):
    bench = make_benchmark("nextqa")
    samples = bench.load(official, "val")
    Path(samples[2].inputs["video"]).unlink()
    with pytest.raises(UserError, match="2834146886.mp4"):
        bench.request(samples[2])


def test_hub_parquet_layout(tmp_path, write_video):
    """lmms-lab/NExTQA: MC/test-*.parquet (same columns, answer an int) beside an OE config,
    videos flat as <id>.mp4."""
    pd = pytest.importorskip("pandas")
    pytest.importorskip("datasets")
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(CSV)))
    df = pd.DataFrame(rows).astype({"video": int, "frame_count": int, "width": int, "height": int,
                                     "answer": int, "qid": int})
    (tmp_path / "MC").mkdir()
    (tmp_path / "OE").mkdir()
    df.to_parquet(tmp_path / "MC" / "test-00000-of-00001.parquet", index=False)
    pd.DataFrame([{"video": 1, "question": "q", "answer": "free text", "qid": 0, "type": "CW",
                   "additional_ref_answer": ""}]).to_parquet(tmp_path / "OE" / "test-00000-of-00001.parquet")
    for v in df["video"]:
        write_video(tmp_path / "NExTVideo" / f"{v}.mp4", 12)
    bench = make_benchmark("nextqa")
    samples = bench.load(tmp_path, "test")
    assert [s.id for s in samples][:2] == ["4010069381_6", "4882821564_1"]
    assert samples[4].target == "E" and samples[4].inputs["video"].endswith("NExTVideo/8547321641.mp4")
    assert len(bench.request(samples[4]).images) == 8


def test_generation_is_deterministic(tmp_path):
    bench = make_benchmark("nextqa")
    a, b = bench.generate(tmp_path / "a", 6, 3), bench.generate(tmp_path / "b", 6, 3)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
    assert (a / "test.csv").read_bytes() != bench.generate(tmp_path / "c", 6, 4).joinpath("test.csv").read_bytes()
