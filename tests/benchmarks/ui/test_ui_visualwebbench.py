"""VisualWebBench element/action grounding: hub-layout fixture, official parser, generated suite."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image
from ui_testutil import needs_browser

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def _png_bytes(size=(64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, format="PNG")
    return buf.getvalue()


def _write_hub(root: Path, task: str, rows: list[dict]) -> None:
    """A hand-written snapshot of visualwebbench/VisualWebBench: <task>/test-*.parquet."""
    import datasets

    (root / task).mkdir(parents=True, exist_ok=True)
    ds = datasets.Dataset.from_list(rows).cast_column("image", datasets.Image()).cast_column("raw_image", datasets.Image())
    ds.to_parquet(str(root / task / "test-00000-of-00001.parquet"))


def _row(i: int, answer: int, text_key: str, text: str) -> dict:
    opts = [[0.1 * k, 0.1, 0.1 * k + 0.05, 0.2] for k in range(8)]
    return {"id": f"{i}", "task_type": "x", "website": "example.com", "image": {"bytes": _png_bytes(), "path": None},
            "raw_image": {"bytes": _png_bytes(), "path": None}, "image_size": [64, 48], "options": opts,
            text_key: text, "answer": answer}


def test_hub_fixture_and_official_scoring(tmp_path):
    _write_hub(tmp_path, "element_ground", [_row(0, 2, "elem_desc", "The search box"), _row(1, 7, "elem_desc", "Logo")])
    _write_hub(tmp_path, "action_ground", [_row(0, 0, "instruction", "Sign in")])
    bench = make_benchmark("visualwebbench")
    samples = bench.load(tmp_path, "test")
    assert [s.id for s in samples] == ["element_ground-0", "element_ground-1", "action_ground-0"]
    assert samples[0].target == 2 and samples[1].inputs["elem_desc"] == "Logo" and len(samples[0].inputs["options"]) == 8
    req = bench.request(samples[0])
    assert req.reference == "C" and "best matches the description: The search box" in req.prompt_text
    assert req.answer_space.choices == list("ABCDEFGH")
    # official parse_multi_choice_response: "(C)" -> C; several letters -> last; none -> wrong
    assert bench.score(samples[0], bench.parse("The answer is (C)"))["accuracy"] == 1.0
    assert bench.score(samples[0], bench.parse("A or C or D"))["accuracy"] == 0.0
    assert bench.parse("no idea")["choice"] is None and bench.parse("")["choice"] is None
    assert "should click to complete the following task: Sign in" in bench.request(samples[2]).prompt_text
    records = [{"scores": {"score": a, "accuracy": a}, "meta": s.meta} for a, s in zip((1.0, 0.0, 1.0), samples, strict=True)]
    agg = bench.aggregate(records)
    assert agg.metrics["task_type/element_ground"] == 50.0 and agg.headline == 75.0  # mean of the two tasks
    only = make_benchmark("visualwebbench_action_ground")
    assert [s.id for s in only.load(tmp_path, "test")] == ["action_ground-0"]


def test_bad_answer_names_the_row(tmp_path):
    _write_hub(tmp_path, "element_ground", [_row(0, 9, "elem_desc", "x")])
    with pytest.raises(UserError, match="element_ground: row 0: answer"):
        make_benchmark("visualwebbench_element_ground").load(tmp_path, "test")


def test_all_seven_tasks_fixture_prompts_and_official_metrics(tmp_path):
    base = {"task_type": "x", "website": "example.com", "image": {"bytes": _png_bytes(), "path": None},
            "image_size": [64, 48]}
    _write_hub(tmp_path, "web_caption", [{**base, "id": "0", "answer": "the cat sat on the mat"}])
    _write_hub(tmp_path, "heading_ocr", [{**base, "id": "0", "answer": "Welcome to Example"}])
    _write_hub(tmp_path, "webqa", [{**base, "id": "0", "question": "What is the price?", "answer": ["$5", "5 dollars"]}])
    _write_hub(tmp_path, "element_ocr", [{**base, "id": "0", "bbox": [0.1, 0.2, 0.3, 0.4], "answer": "Sign in"}])
    _write_hub(tmp_path, "action_prediction", [{**base, "id": "0", "bbox": [0.1, 0.2, 0.3, 0.4], "answer": 1,
                                                "options": [f"Page {k}" for k in range(8)]}])
    _write_hub(tmp_path, "element_ground", [_row(0, 2, "elem_desc", "The search box")])
    _write_hub(tmp_path, "action_ground", [_row(0, 0, "instruction", "Sign in")])
    bench = make_benchmark("visualwebbench_all")
    by = {s.meta["task_type"]: s for s in bench.load(tmp_path, "test")}
    assert len(by) == 7

    def score(task, text):
        return bench.score(by[task], bench.parse(text))

    # eval_web_caption on the meta content (official adapter post-processing). The `rouge` package
    # counts n-gram *sets*: "the cat is on the mat" vs "the cat sat on the mat" share 4 of 5
    # distinct unigrams (F 0.8) and 3 of 5 distinct bigrams (F 0.6)
    r = score("web_caption", '<meta name="description" content="the cat is on the mat">')
    assert r["rouge_1"] == pytest.approx(0.8, abs=1e-6) and r["rouge_2"] == pytest.approx(0.6, abs=1e-6)
    assert r["score"] == r["rouge_l"]
    assert score("heading_ocr", "Welcome to Example")["score"] == 1.0
    assert score("webqa", "5 dollars")["f1"] == 1.0 and score("webqa", "$5")["f1"] == 1.0
    assert score("webqa", "")["f1"] == 0.0
    assert score("element_ocr", "The text content within the red bounding box is: 'Sign in'")["score"] == 1.0
    assert score("element_ocr", "S")["score"] == 0.0  # one-character answers count as empty (official)
    assert score("action_prediction", "B")["score"] == 1.0
    prompt = bench.request(by["action_prediction"]).prompt_text
    assert "coordinates of the bounding box is [0.1, 0.2, 0.3, 0.4]" in prompt and "\nB. Page 1\n" in prompt
    assert "{" not in prompt and "{" not in bench.request(by["webqa"]).prompt_text
    for task, s in by.items():  # the oracle's reference scores 1 everywhere
        assert bench.score(s, bench.parse(bench.request(s).reference))["score"] == 1.0, task


@pytest.mark.browser
@needs_browser
def test_generated_suite_oracle_and_random(data_root):
    cfg = dict(benchmark="visualwebbench_all", out=data_root / "runs", n=14)
    oracle = run(RunConfig(adapter="oracle", **cfg))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    assert len([k for k in oracle["metrics"] if k.startswith("task_type/")]) == 7
    rnd = run(RunConfig(adapter="random", **cfg))
    # open-ended tasks: a guesser that knows no text scores 0; choice tasks: 1/8 each (2 per task)
    choice = [rnd["metrics"][f"task_type/{t}"] for t in ("action_prediction", "element_ground", "action_ground")]
    assert all(rnd["metrics"][f"task_type/{t}"] == 0.0 for t in ("web_caption", "heading_ocr", "webqa", "element_ocr"))
    assert abs(sum(choice) / 3 - 12.5) <= 4 * 100 * (0.125 * 0.875 / 6) ** 0.5
    samples = make_benchmark("visualwebbench").load(Path(oracle["data_dir"]), "test")
    assert {s.meta["task_type"] for s in samples} == {"element_ground", "action_ground"}
    g = run(RunConfig(adapter="oracle", **{**cfg, "benchmark": "visualwebbench"}, data_dir=Path(oracle["data_dir"])))
    assert g["headline"] == 100.0 and g["n"] == 4
