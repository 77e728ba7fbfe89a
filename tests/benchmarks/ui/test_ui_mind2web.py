"""Mind2Web: SeeClick-layout fixture, SeeClick's metrics on a worked example, generated suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from ui_testutil import load_error, needs_browser

from magma_bench.metrics.ui import mind2web_f1, mind2web_op_string
from magma_bench.parsers.actions import mind2web_action
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig, make_record
from magma_bench.run.runner import run


def _fixture(root: Path) -> None:
    (root / "mind2web_images").mkdir(parents=True)
    steps = [("s1", "CLICK", "", [100, 100, 50, 20]), ("s2", "TYPE", "New York City", [200, 300, 100, 30]),
             ("s3", "CLICK", "", [10, 10, 20, 20])]
    for uid, *_ in steps:
        Image.new("RGB", (1000, 500), "white").save(root / "mind2web_images" / f"ep1-{uid}.jpg")
    ep = {"website": "seatgeek", "domain": "Entertainment", "subdomain": "Event", "annotation_id": "ep1",
          "confirmed_task": "Find events in New York City", "action_reprs": ["a", "b", "c"],
          "actions": [{"action_uid": uid, "operation": {"original_op": op, "value": v, "op": op}, "pos_candidates": [],
                       "bbox": {"x": b[0], "y": b[1], "width": b[2], "height": b[3]}} for uid, op, v, b in steps]
          + [{"action_uid": "s4", "operation": {"original_op": "CLICK", "value": "", "op": "CLICK"}}]}  # no bbox: skipped
    (root / "mind2web_data_test_task.json").write_text(json.dumps([ep]))


def test_seeclick_fixture_and_worked_metrics(tmp_path):
    _fixture(tmp_path)
    bench = make_benchmark("mind2web")
    samples = bench.load(tmp_path, "test_task")
    assert [s.id for s in samples] == ["ep1-s1", "ep1-s2", "ep1-s3"]
    assert samples[1].target == {"op": 3, "value": "New York City", "box": [200.0, 300.0, 300.0, 330.0]}
    assert samples[1].inputs["previous"].startswith('Step0: {"action_type": 4, "click_point": [0.125, 0.22]}')
    preds = ['{"action_type": 4, "click_point": [0.125, 0.22]}',  # hit, CLICK: F1 1 -> step success
             "{'action_type': 3, 'click_point': (0.25, 0.63), 'value': 'new york'}",  # hit, F1 6/7
             '{"action_type": 4, "click_point": [0.9, 0.9]}']  # miss, F1 1
    records = [make_record(bench, s, p, None) for s, p in zip(samples, preds, strict=True)]
    assert [r["scores"]["element_acc"] for r in records] == [1.0, 1.0, 0.0]
    assert records[1]["scores"]["op_f1"] == pytest.approx(6 / 7)
    agg = bench.aggregate(records)
    assert agg.headline == pytest.approx(100 / 3)  # step SR
    assert agg.metrics["element_acc"] == pytest.approx(200 / 3)
    # SeeClick's "Operation F1": mean over op types of the per-type mean ({4: [1, 1], 3: [6/7]})
    assert agg.metrics["op_f1"] == pytest.approx(100 * (1.0 + 6 / 7) / 2)
    assert agg.metrics["episode_success"] == 0.0


def test_parse_action_forms():
    sel = mind2web_action('{"action_type": 2, "click_point": [0.1, 0.2], "value": "Red"}')
    assert sel["value"] == "Red" and sel["action_type"] == 2
    assert mind2web_action("SELECT: Large at (0.1, 0.2)")["value"] == "Large"
    # SELECT's op string carries the value: "2 red" vs gold "2 dark red" -> F1 = 2 * 1 * 2/3 / (5/3) = 0.8
    assert mind2web_f1(mind2web_op_string(2, "Red"), mind2web_op_string(2, "Dark Red")) == pytest.approx(0.8)
    assert mind2web_action("TYPE: new york at (0.3, 0.4)") == {
        "action_type": 3, "value": "new york", "parsed": mind2web_action("(0.3, 0.4)")["parsed"]}
    assert mind2web_action("(0.3, 0.4)")["action_type"] == 4
    assert mind2web_action("{'action_type': 4, 'click_point': (1, 2), }")["parsed"]["point"] == [1.0, 2.0]
    for bad in ("", None, "{bad", "I do not know", "{'action_type': 'x'}"):
        assert mind2web_action(bad) is None


def test_bad_operation_names_episode_and_step(tmp_path):
    ep = {"annotation_id": "e", "confirmed_task": "t", "actions": [
        {"action_uid": "u", "operation": {"original_op": "DRAG"}, "bbox": {"x": 0, "y": 0, "width": 1, "height": 1}}]}
    files = {"mind2web_data_test_domain.json": [ep]}
    assert "episode 0 step 0" in load_error("mind2web", tmp_path, "test_domain", files)


@pytest.mark.browser
@needs_browser
def test_generated_suite_oracle_and_random(data_root):
    cfg = dict(benchmark="mind2web", out=data_root / "runs", n=4)
    oracle = run(RunConfig(adapter="oracle", split="test_website", **cfg))
    assert oracle["headline"] == 100.0 and oracle["metrics"]["element_acc"] == 100.0 and oracle["errors"] == 0
    rnd = run(RunConfig(adapter="random", split="test_website", **cfg))
    d = Path(oracle["data_dir"])
    samples = make_benchmark("mind2web").load(d, "test_website")
    p = [(b[2] - b[0]) * (b[3] - b[1]) / (s.inputs["size"][0] * s.inputs["size"][1])
         for s in samples for b in [s.target["box"]]]
    chance, sd = 100 * sum(p) / len(p), 100 * sum(q * (1 - q) for q in p) ** 0.5 / len(p)
    assert abs(rnd["metrics"]["element_acc"] - chance) <= 4 * sd + 1.0
    assert rnd["headline"] <= rnd["metrics"]["element_acc"]
    for split in ("test_task", "test_website", "test_domain"):
        eps = json.loads((d / f"mind2web_data_{split}.json").read_text())
        assert sum(len(e["actions"]) for e in eps) >= 4
        for e in eps:
            for a in e["actions"]:
                assert (d / "mind2web_images" / f"{e['annotation_id']}-{a['action_uid']}.jpg").exists()
