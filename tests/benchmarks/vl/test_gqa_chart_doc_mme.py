"""GQA, ChartQA, DocVQA, MME: official layouts load, generated suites are real tasks, lmms-eval
scoring conventions (exact match, relaxed accuracy, ANLS, MME acc + acc+)."""

from __future__ import annotations

import io
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from magma_bench.benchmarks.vl.chartqa import ChartQA
from magma_bench.benchmarks.vl.docvqa import DocVQA
from magma_bench.benchmarks.vl.gqa import GQA
from magma_bench.benchmarks.vl.mme import MME
from magma_bench.errors import UserError
from magma_bench.parsers.yesno import opening_yes_no
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run
from magma_bench.types import Sample


def test_mme_oracle_full_marks_random_and_yes_baselines(data_root):
    oracle = run(RunConfig(benchmark="mme", adapter="oracle", out=data_root / "runs", n=48))
    cats = {k: v for k, v in oracle["metrics"].items() if k.startswith("category/") and "/acc" not in k}
    assert len(cats) == 6 and all(v == 200.0 for v in cats.values())
    assert oracle["headline"] == 1000.0 and oracle["metrics"]["accuracy"] == 100.0  # 5 perception categories
    yes = run(RunConfig(benchmark="mme", adapter="heuristic", out=data_root / "runs", n=48))
    assert yes["metrics"]["accuracy"] == 50.0 and yes["headline"] == 250.0  # acc 50 + acc+ 0 per category
    rnd = run(RunConfig(benchmark="mme", adapter="random", out=data_root / "runs", n=48))
    assert 150.0 <= rnd["headline"] <= 600.0  # chance: 50 + 25 per category


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (3, 3, 3)).save(buf, format="PNG")
    return buf.getvalue()


def test_gqa_original_and_hub(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "n161313.jpg")
    (tmp_path / "testdev_balanced_questions.json").write_text(json.dumps({"201307251": {
        "imageId": "n161313", "question": "Is it overcast?", "answer": "no", "fullAnswer": "No, it is clear.",
        "types": {"structural": "verify", "semantic": "global", "detailed": "weatherVerify"}, "isBalanced": True}}))
    b = GQA()
    (s,) = b.load(tmp_path, "testdev")
    assert s.id == "201307251" and s.meta["structural"] == "verify"
    assert b.score(s, b.parse("No.")) == {"accuracy": 1.0} and b.score(s, b.parse("no way"))["accuracy"] == 0.0
    hub = tmp_path / "hub"
    for sub, table in (("testdev_balanced_instructions", {"id": ["1"], "imageId": ["n1"], "question": ["Color?"],
                                                          "answer": ["red"], "types": ['{"structural": "query"}']}),
                       ("testdev_balanced_images", {"id": ["n1"], "image": [{"bytes": _png(), "path": None}]})):
        (hub / sub).mkdir(parents=True)
        pq.write_table(pa.table(table), hub / sub / "testdev-00000-of-00001.parquet")
    (h,) = GQA().load(hub, "testdev")
    assert h.target == "red" and h.meta["structural"] == "query"
    with pytest.raises(UserError, match="testdev_balanced"):
        GQA().load(tmp_path / "images", "testdev")


def test_chartqa_original_layout_and_headline(tmp_path):
    png = tmp_path / "ChartQA Dataset" / "test" / "png"
    png.mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(png / "41699051005347.png")
    (png.parent / "test_human.json").write_text(json.dumps(
        [{"imgname": "41699051005347.png", "query": "What is the highest value?", "label": "48.2"}]))
    (png.parent / "test_augmented.json").write_text(json.dumps(
        [{"imgname": "41699051005347.png", "query": "Which year?", "label": "2019"},
         {"imgname": "41699051005347.png", "query": "Which party?", "label": "Labour"}]))
    b = ChartQA()
    samples = b.load(tmp_path, "test")
    assert sorted(s.meta["type"] for s in samples) == ["augmented_test", "augmented_test", "human_test"]
    assert b.request(samples[0]).prompt_text.endswith("\nAnswer the question with a single word.")
    preds = {"48.2": "50", "2019": "2019", "Labour": "Tory"}  # 50 is within 5% of 48.2
    recs = [{"scores": b.score(s, b.parse(preds[s.target])), "meta": s.meta} for s in samples]
    agg = b.aggregate(recs)
    assert agg.headline == pytest.approx(75.0)  # mean of human (100) and augmented (50)
    assert agg.metrics["relaxed_overall"] == pytest.approx(200 / 3)


def test_docvqa_original_and_hub(tmp_path):
    (tmp_path / "documents").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "documents" / "pybv0228_81.png")
    (tmp_path / "val_v1.0.json").write_text(json.dumps({"dataset_name": "docvqa", "data": [
        {"questionId": 49153, "question": "What is the ‘actual’ value per 1000, during the year 1975?",
         "question_types": ["figure/diagram"], "image": "documents/pybv0228_81.png", "docId": 14465,
         "answers": ["0.28"], "data_split": "val"}]}))
    b = DocVQA()
    (s,) = b.load(tmp_path, "validation")
    assert s.inputs["image"].endswith("documents/pybv0228_81.png") and s.meta["question_type"] == "figure/diagram"
    assert b.score(s, b.parse("0.28"))["accuracy"] == 1.0 and b.score(s, b.parse("0.29"))["accuracy"] == 0.75
    hub = tmp_path / "hub"
    hub.mkdir()
    pq.write_table(pa.table({"questionId": ["7"], "question": ["Date?"], "question_types": [["form"]],
                             "image": [{"bytes": _png(), "path": None}], "docId": [1], "answers": [["1/2/99"]]}),
                   hub / "validation-00000-of-00001.parquet")
    (h,) = DocVQA().load(hub, "validation")
    assert h.target == ["1/2/99"]


def test_mme_hub_and_original_layouts(tmp_path):
    rows = {"question_id": ["code_reasoning/0020.png"] * 2,
            "question": ["Is a c++ code shown? Please answer yes or no.", "Is a python code shown? Please answer yes or no."],
            "answer": ["Yes", "No"], "category": ["code_reasoning"] * 2, "image": [{"bytes": _png(), "path": None}] * 2}
    pq.write_table(pa.table(rows), tmp_path / "test-00000-of-00001.parquet")
    b = MME()
    s1, s2 = b.load(tmp_path, "test")
    assert (s1.id, s2.id) == ("code_reasoning/0020.png#1", "code_reasoning/0020.png#2")
    assert b.request(s1).prompt_text == "Is a c++ code shown?\nAnswer the question using a single word or phrase."
    recs = [{"scores": b.score(s, b.parse(p)), "meta": s.meta} for s, p in ((s1, "Yes"), (s2, "Yes"))]
    agg = b.aggregate(recs)
    assert agg.metrics["category/code_reasoning"] == 50.0 and agg.metrics["cognition"] == 50.0
    assert agg.headline == 0.0  # no perception category
    orig = tmp_path / "orig" / "landmark"
    orig.mkdir(parents=True)
    Image.new("RGB", (8, 8)).save(orig / "0001.jpg")
    (orig / "0001.txt").write_text("Is this a photo of Big Ben?\tYes\nIs this a photo of the Louvre?\tNo\n")
    o1, o2 = MME().load(tmp_path / "orig", "test")
    assert o1.meta == {"category": "landmark", "question_id": "landmark/0001.jpg"} and o2.target == "no"
    (orig / "0002.txt").write_text("no tab here\n")
    with pytest.raises(UserError, match="0002.txt:1"):
        MME().load(tmp_path / "orig", "test")


@pytest.mark.parametrize("text,label", [
    ("Yes", "yes"), ("No.", "no"), ("y", "yes"), ("n", "no"), ("x", "other"), ("Yes, it is.", "yes"),
    ("Not really", "no"), ("I think yes", "other"), ("", "other"),
])
def test_mme_parse_matches_lmms_eval(text, label):
    assert (opening_yes_no(text) or "other") == label  # None is lmms-eval's "other"


def test_mme_bootstrap_statistic_matches_aggregate():
    b = MME()
    recs = [{"scores": {"accuracy": v}, "meta": {"category": "color", "question_id": q}}
            for v, q in ((1.0, "a"), (1.0, "a"), (1.0, "b"), (0.0, "b"))]
    cols = b.columns(recs)
    assert b.statistic(cols, np.ones((1, 4)))[0] == pytest.approx(b.aggregate(recs).headline) == pytest.approx(125.0)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_parsers_never_raise(text):
    for b, target in ((GQA(), "red"), (ChartQA(), "12"), (DocVQA(), ["abc"]), (MME(), "yes")):
        s = Sample("x", b.name, {"question": "q", "image": "i"}, target, {"majority": "a", "category": "color"})
        assert 0.0 <= b.score(s, b.parse(text))["accuracy"] <= 1.0
