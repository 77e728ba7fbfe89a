"""SpatialEval: official hub layout loads, generated suite is a real task, official extraction rules."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from magma_bench.benchmarks.spatial._spatialeval_extract import extract, is_correct
from magma_bench.benchmarks.spatial.offline.spatialeval import turns
from magma_bench.benchmarks.spatial.spatialeval import SpatialEval, options_of
from magma_bench.errors import UserError
from magma_bench.parsers.choice import option_form_letter
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


@pytest.mark.parametrize("mode", ["tqa", "vqa"])
def test_oracle_exact_and_random_near_chance(data_root, mode):
    oracle = run(RunConfig(benchmark="spatialeval", adapter="oracle", out=data_root / "runs", n=90,
                           benchmark_args={"mode": mode}))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    assert {f"{mode}/spatialmap", "mazenav/q2", "task/spatialgrid"} <= set(oracle["metrics"])
    rnd = run(RunConfig(benchmark="spatialeval", adapter="random", out=data_root / "runs", n=90,
                        benchmark_args={"mode": mode}))
    # chance: 1/4 on eight question types, 1/2 on the maze yes/no one
    assert 10.0 <= rnd["headline"] <= 45.0
    null = run(RunConfig(benchmark="spatialeval", adapter="null", out=data_root / "runs", n=90,
                         benchmark_args={"mode": mode}))
    assert null["headline"] == 0.0


def test_generation_is_deterministic(tmp_path):
    b = SpatialEval()
    a = b.generate(_mk(tmp_path / "a"), 12, seed=3)
    c = b.generate(_mk(tmp_path / "c"), 12, seed=3)
    for mode in ("tqa", "vqa", "vtqa"):
        f = f"{mode}/test-00000-of-00001.parquet"
        assert pq.read_table(a / f).equals(pq.read_table(c / f))


def _mk(p: Path) -> Path:
    p.mkdir(parents=True)
    return p


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


def test_official_hub_layout_loads_and_scores(tmp_path):
    """Hand-written rows in the MilaWang/SpatialEval schema (vqa config, split test)."""
    text = ("This is a map with multiple objects.\n\nPlease answer the following multiple-choice question based on "
            "the provided image. In which direction is Oz Oddities relative to Kite Kingdom? "
            "Available options:\nA. Northeast\nB. Northwest\nC. Southwest\nD. Southeast.")
    rows = {
        "id": ["spatialmap.vqa.0.0", "mazenav.vqa.1.2", "spatialreal.vqa.2.0"],
        "text": [text, "Is the path the shortest path? Available options:\nA. Yes\nB. No.", "x"],
        "image": [{"bytes": _png(), "path": "a.png"}] * 3,
        "oracle_answer": ["Southwest", "No", "two"],
        "oracle_option": ["C", "B", "A"],
        "oracle_full_answer": ["Oz Oddities is to the Southwest of Kite Kingdom.", "No.", "Two."],
    }
    (tmp_path / "vqa").mkdir()
    pq.write_table(pa.table(rows), tmp_path / "vqa" / "test-00000-of-00001.parquet")
    b = SpatialEval(mode="vqa")
    samples = b.load(tmp_path, "test")
    assert [s.id for s in samples] == ["spatialmap.vqa.0.0", "mazenav.vqa.1.2"]  # spatialreal is not scored
    s0, s1 = samples
    assert Path(s0.inputs["image"]).read_bytes() == _png()
    assert s0.inputs["options"] == ["Northeast", "Northwest", "Southwest", "Southeast"]
    assert s0.meta == {"task": "spatialmap", "qid": 0, "mode": "vqa"}
    req = b.request(s0)
    assert req.answer_space.choices == ["A", "B", "C", "D"] and req.images == [s0.inputs["image"]]
    assert b.request(s1).answer_space.choices == ["A", "B"]
    assert b.score(s0, b.parse("C"))["accuracy"] == 1.0
    assert b.score(s0, b.parse("(D)"))["accuracy"] == 0.0
    assert b.score(s0, b.parse("Oz Oddities is to the southwest of Kite Kingdom."))["accuracy"] == 1.0
    assert b.score(s1, b.parse("No, it is not the shortest path."))["accuracy"] == 1.0
    assert b.score(s1, b.parse("I cannot tell."))["accuracy"] == 0.0  # official: "none" contains "no"
    assert SpatialEval(mode="vqa", task="maze_nav").load(tmp_path, "test")[0].id == "mazenav.vqa.1.2"
    reason = SpatialEval(mode="vqa", prompt="reason").request(s0)
    assert reason.prompt_text.endswith("step-by-step explanation.") and reason.max_new_tokens == 512


def test_bad_rows_name_the_file(tmp_path):
    (tmp_path / "tqa").mkdir()
    pq.write_table(pa.table({"id": ["spatialmap.t.0.0"], "text": ["q"], "oracle_answer": ["x"],
                             "oracle_option": ["?"]}), tmp_path / "tqa" / "test.parquet")
    with pytest.raises(UserError, match="oracle_option"):
        SpatialEval(mode="tqa").load(tmp_path, "test")
    with pytest.raises(UserError):
        SpatialEval(mode="bad")
    with pytest.raises(UserError):
        SpatialEval(prompt="cot")


# -- official extraction rules (evals/evaluation.py), worked examples --------------------------------
@pytest.mark.parametrize("task,qid,text,expected", [
    ("spatialmap", 0, "B. Northwest. Because ...", "northwest"),
    ("spatialmap", 0, "It lies to the Southeast of the store.", "Southeast"),
    ("spatialmap", 1, "Kite Kingdom is located to the northeast of Oz.", "Kite Kingdom"),
    ("spatialmap", 1, "The answer is C. Oz Oddities.", "Oz Oddities"),
    ("spatialmap", 2, "There are three objects; 2 of them ...", 3),
    ("spatialmap", 2, "A. 2", 2),
    ("mazenav", 0, "There are 3 right turns", 3),
    ("mazenav", 0, "one right turn and 5 left", 1),  # number words are checked first
    ("mazenav", 1, "In total of 7 turns.", 7),
    ("mazenav", 2, "Yes, this is the shortest path.", "Yes"),
    ("mazenav", 2, "It is not.", "No"),
    ("spatialgrid", 0, "I count 4 cats.", 4),
    ("spatialgrid", 1, "It is a Giraffe.", "Giraffe"),
    ("spatialgrid", 2, "no animal", None),
])
def test_official_extraction(task, qid, text, expected):
    assert extract(task, qid, text) == expected


def test_substring_rule_and_letters():
    assert is_correct("spatialgrid", 0, "There are 12 dogs", "2", "A")  # official substring quirk kept
    assert not is_correct("spatialgrid", 0, "B", "2", "A")
    assert option_form_letter("A cat.") is None and option_form_letter("e.g. A") is None
    assert option_form_letter("Answer: (C)") == "C" and option_form_letter("D", n_options=2) is None


def test_turns():
    # east, east, south (right), east (left), north (left)
    path = [(0, 0), (0, 1), (0, 2), (1, 2), (1, 3), (0, 3)]
    assert turns(path) == (1, 3)


def test_options_of():
    assert options_of("Q? Available options:\nA. 3\nB. 10\nC. 0\nD. 7.") == ["3", "10", "0", "7"]
    assert options_of("Q? Available options: A. Police Supply Store. B. Oz Oddities.") == [
        "Police Supply Store", "Oz Oddities"]
    assert options_of("no options here") == []


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_and_score_never_raise(text):
    b = SpatialEval(mode="tqa")
    from magma_bench.types import Sample

    for task in ("spatialmap", "mazenav", "spatialgrid"):
        for qid in range(3):
            s = Sample("x", "spatialeval", {"text": "", "options": []}, {"answer": "2", "option": "B"},
                       {"task": task, "qid": qid, "mode": "tqa"})
            assert b.score(s, b.parse(text))["accuracy"] in (0.0, 1.0)


def _walk(rows: list[str]) -> list[tuple[int, int]]:
    """Follow the marked path in an ASCII maze from S to E."""
    cells = {(r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch in "S!E"}
    cur = next((r, c) for r, row in enumerate(rows) for c, ch in enumerate(row) if ch == "S")
    path = [cur]
    while rows[cur[0]][cur[1]] != "E":
        cur = next(n for n in ((cur[0] + a, cur[1] + b) for a, b in ((0, 1), (1, 0), (0, -1), (-1, 0)))
                   if n in cells and n not in path)
        path.append(cur)
    return path


def test_text_alone_determines_the_answer():
    """tqa is a real task: an independent reader of the description recovers every answer."""
    import re

    import numpy as np

    from magma_bench.benchmarks.spatial.offline.spatialeval import GENERATORS

    rng = np.random.default_rng(7)
    for _ in range(10):
        for qid in range(2):
            p = GENERATORS["spatialmap"](rng, 0)
            a, b = re.match(r"In which direction is (.+) relative to (.+)\?", p.question).groups()
            m = re.search(rf"{re.escape(a)} is to the (\w+) of {re.escape(b)}\.", p.description)
            flip = {"Northeast": "Southwest", "Southwest": "Northeast", "Northwest": "Southeast", "Southeast": "Northwest"}
            got = m.group(1) if m else flip[re.search(rf"{re.escape(b)} is to the (\w+) of {re.escape(a)}\.",
                                                        p.description).group(1)]
            assert got == p.answer
            p = GENERATORS["mazenav"](rng, qid)
            rows = [r for r in p.description.splitlines() if r and set(r) <= set("#.S!E")]
            assert str(turns(_walk(rows))[qid]) == p.answer
            p = GENERATORS["spatialgrid"](rng, 0)
            animal = re.search(r"contain a (\w+)\?", p.question).group(1)
            assert str(len(re.findall(rf"\b{animal}\b", p.description))) == p.answer
            assert len(set(p.options)) == len(p.options) and p.answer in p.options
