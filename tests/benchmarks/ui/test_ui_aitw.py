"""AITW: SeeClick-layout fixture, official action matching through the benchmark, generated suite."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from ui_testutil import load_error, needs_browser

from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig, make_record
from magma_bench.run.runner import run


def _step(j, t, text, **kw):
    base = {"ep_id": "e1", "step": j, "img_filename": f"general/e1_{j}", "goal": "open settings",
            "action_type_id": t, "action_type_text": text, "touch": [-1.0, -1.0], "lift": [-1.0, -1.0],
            "type_text": "", "annot_position": [0.40, 0.40, 0.10, 0.10]}  # (y, x, h, w)
    return {**base, **kw}


def _fixture(root: Path) -> None:
    steps = [_step(0, 4, "click", touch=[0.45, 0.45], lift=[0.45, 0.45]), _step(1, 4, "scroll down"),
             _step(2, 3, "type", type_text="Wi-Fi"), _step(3, 5, "press back")]
    (root / "aitw_images" / "general").mkdir(parents=True)
    for s in steps:
        Image.new("RGB", (100, 200), "white").save(root / "aitw_images" / f"{s['img_filename']}.png")
    (root / "aitw_data_test.json").write_text(json.dumps({"general": [steps], "single": []}))


def test_seeclick_fixture_and_official_matching(tmp_path):
    _fixture(tmp_path)
    bench = make_benchmark("aitw")
    samples = bench.load(tmp_path, "test")
    assert [s.id for s in samples] == ["general-e1-0", "general-e1-1", "general-e1-2", "general-e1-3"]
    assert samples[0].target["annot"] == [[0.40, 0.40, 0.10, 0.10]]
    assert samples[1].inputs["previous"] == 'Step0: {"action_type": 4, "click_point": [0.45, 0.45]}.'

    def hit(i, text):
        return make_record(bench, samples[i], text, None)["scores"]["accuracy"]

    assert hit(0, '{"action_type": 4, "click_point": [0.56, 0.34]}') == 1.0  # same enlarged box, 0.16 away
    assert hit(0, "(0.45, 0.32)") == 1.0  # 0.13 away (a bare point is a tap)
    assert hit(0, '{"action_type": 4, "click_point": [0.9, 0.9]}') == 0.0
    assert hit(0, '{"action_type": 0}') == 0.0  # a scroll is not a tap
    assert hit(1, '{"action_type": 0}') == 1.0 and hit(1, "scroll up") == 1.0  # main axis only (official)
    assert hit(1, '{"action_type": 8}') == 0.0
    assert hit(2, '{"action_type": 3, "typed_text": "bluetooth"}') == 1.0  # type matches on type only
    assert hit(3, "press back") == 1.0 and hit(3, '{"action_type": 6}') == 0.0
    assert hit(3, "nonsense") == 0.0
    for i in range(4):  # the oracle's reference matches every step
        assert hit(i, bench.request(samples[i]).reference) == 1.0


def test_bad_step_names_subset_episode_and_step(tmp_path):
    files = {"aitw_data_test.json": {"install": [[_step(0, 4, "wiggle")]]}}
    assert "install episode 0 step 0: action_type_text" in load_error("aitw", tmp_path, "test", files)


@pytest.mark.browser
@needs_browser
def test_generated_suite_oracle_and_random(data_root):
    cfg = dict(benchmark="aitw", out=data_root / "runs", n=10)
    oracle = run(RunConfig(adapter="oracle", **cfg))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    assert {k for k in oracle["metrics"] if k.startswith("subset/")} == {
        f"subset/{s}" for s in ("general", "install", "googleapps", "single", "webshopping")}
    rnd = run(RunConfig(adapter="random", **cfg))
    # exact chance: the share of the uniform answer space that the official matcher accepts, per step
    bench = make_benchmark("aitw")
    by: dict[str, list[float]] = {}
    for s in bench.load(Path(oracle["data_dir"]), "test"):
        choices = bench.request(s).answer_space.choices
        p = np.mean([make_record(bench, s, c, None)["scores"]["accuracy"] for c in choices])
        by.setdefault(s.meta["subset"], []).append(float(p))
    chance = 100 * np.mean([np.mean(v) for v in by.values()])
    sd = 100 * np.sqrt(sum(sum(p * (1 - p) for p in v) / len(v) ** 2 for v in by.values())) / len(by)
    assert abs(rnd["headline"] - chance) <= 4 * sd + 1.0, (rnd["headline"], chance, sd)
