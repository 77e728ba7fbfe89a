"""VSR and BLINK: official layouts load, generated suites are real tasks, lmms-eval parsing."""

from __future__ import annotations

import io
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from magma_bench.benchmarks.spatial.blink import Blink, official_prompt
from magma_bench.benchmarks.spatial.vsr import VSR
from magma_bench.errors import UserError
from magma_bench.parsers.choice import leading_letter
from magma_bench.types import Sample


def test_vsr_generated_labels_balanced_per_relation(tmp_path):
    VSR().generate(tmp_path, 32, seed=2)
    rows = [json.loads(x) for x in (tmp_path / "splits/zeroshot/test.jsonl").read_text().splitlines()]
    by: dict[str, list[int]] = {}
    for r in rows:
        by.setdefault(r["relation"], []).append(r["label"])
        assert r["caption"] == f"The {r['subj']} is {r['relation']} the {r['obj']}."
    assert len(by) == 8 and all(sorted(v) == [0, 0, 1, 1] for v in by.values())


def test_vsr_official_layout(tmp_path):
    (tmp_path / "images").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "images" / "000000085637.jpg")
    z = tmp_path / "splits" / "zeroshot"
    z.mkdir(parents=True)
    rows = [{"image": "000000085637.jpg", "image_link": "http://x", "caption": "The cat is behind the laptop.",
             "label": 1, "relation": "behind", "subj": "cat", "obj": "laptop"},
            {"image": "000000085637.jpg", "caption": "The cat is facing the laptop.", "label": 0,
             "relation": "facing", "subj": "cat", "obj": "laptop"}]
    (z / "test.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    (tmp_path / "splits" / "random").mkdir()
    (tmp_path / "splits" / "random" / "test.jsonl").write_text("garbage that must not be read\n")
    b = VSR()
    s1, s2 = b.load(tmp_path, "test")
    assert (s1.target, s1.meta) == ("true", {"relation": "behind", "category": "Projective"})
    assert (s2.target, s2.meta["category"]) == ("false", "Orientation")
    assert b.request(s1).answer_space.choices == ["true", "false"]
    assert b.parse("True, the cat is behind.") == "true" and b.parse("No.") == "false" and b.parse("?") is None
    recs = [{"scores": b.score(s, b.parse(t)), "meta": s.meta} for s, t in ((s1, "true"), (s2, "true"))]
    agg = b.aggregate(recs)
    assert agg.headline == 50.0 and agg.metrics["relation/behind"] == 100.0 and agg.metrics["category/Orientation"] == 0


def test_vsr_bad_label(tmp_path):
    (tmp_path / "test.jsonl").write_text(json.dumps({"image": "a.jpg", "caption": "c", "label": 3,
                                                     "relation": "on"}) + "\n")
    with pytest.raises(UserError, match="test.jsonl:1"):
        VSR().load(tmp_path, "test")


def _png() -> dict:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(buf, format="PNG")
    return {"bytes": buf.getvalue(), "path": None}


def test_blink_hub_layout(tmp_path):
    d = tmp_path / "Relative_Depth"
    d.mkdir()
    q = "Two points are circled on the image, labeled by A and B beside each circle. Which point is closer to the camera?"
    pq.write_table(pa.table({
        "idx": ["val_Relative_Depth_1"], "question": [q], "sub_task": ["Relative_Depth"],
        "image_1": [_png()], "image_2": pa.array([None], type=pa.struct([("bytes", pa.binary()), ("path", pa.string())])),
        "choices": [["A", "B"]], "answer": ["(B)"], "prompt": [official_prompt(q, ["A", "B"])],
        "explanation": [""]}), d / "val-00000-of-00001.parquet")
    b = Blink()
    (s,) = b.load(tmp_path, "val")
    assert s.target == "B" and len(s.inputs["images"]) == 1 and s.meta == {"sub_task": "Relative_Depth"}
    req = b.request(s)
    assert req.prompt_text.startswith("Note: You only need to respond with A, B without providing")
    assert req.prompt_text.endswith("(A) A\n(B) B")
    assert b.score(s, b.parse("(B) the second"))["accuracy"] == 1.0
    with pytest.raises(UserError):
        Blink(sub_task="Nope")
    with pytest.raises(UserError, match="no BLINK sub-task"):
        Blink(sub_task="Counting").load(tmp_path, "val")


@pytest.mark.parametrize("text,letter", [
    ("A answer1", "A"), ("A) answer2", "A"), ("(B) answer", "B"), ("C", "C"), ("(C)", "C"), ("A.", "A"),
    ("b", "B"), ("  (d)", "D"), ("The answer is B", "T"), ("", ""), ("42", ""),
])
def test_blink_letter_extraction_matches_lmms_eval(text, letter):
    assert (leading_letter(text) or "") == letter  # docstring examples of lmms-eval's _extract_answer_letter


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parsers_never_raise(text):
    sv = Sample("x", "vsr", {}, "true", {"relation": "on"})
    sb = Sample("x", "blink", {}, "A", {"sub_task": "Counting"})
    assert VSR().score(sv, VSR().parse(text))["accuracy"] in (0.0, 1.0)
    assert Blink().score(sb, Blink().parse(text))["accuracy"] in (0.0, 1.0)
