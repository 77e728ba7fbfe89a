"""webnav: live episodes in offline Chromium through the runner; the action encoding."""

from __future__ import annotations

import numpy as np
import pytest
from ui_testutil import needs_browser

from magma_bench.benchmarks.ui._webnav_sites import FAMILIES, make_site
from magma_bench.benchmarks.ui.webnav import decode_action, encode_action
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def test_action_encoding_round_trips():
    for op in ("CLICK", "TYPE", "SCROLL"):
        for k in range(5):
            a = encode_action(op, (0.25, 0.75), k, 5, scroll=0.5)
            assert len(a) == 7 and all(-1 <= v <= 1 for v in a)
            got = decode_action(a, 5, n_marks=9)
            assert got[0] == op and got[1] == pytest.approx((0.25, 0.75)) and got[2] == k and got[4] is None
            assert decode_action(encode_action(op, mark=k, n_marks=9), 5, 9)[4] == k
    assert decode_action([9, 9, -9, 9, 0, 9, 9], 3, 4) == ("SCROLL", (1.0, 0.0), 2, 0.0, 3)  # clipped, never raises
    assert decode_action([0, 0, 0, 0, 0, 1, 0], 3, 0)[4] is None  # no marks: the point is used


def test_sites_are_seeded_and_plans_name_real_elements():
    for fam in FAMILIES:
        a, b = make_site(fam, np.random.default_rng(3)), make_site(fam, np.random.default_rng(3))
        assert a.html == b.html and a.goal == b.goal
        for _, eid, value in a.plan:
            assert f"data-mb='{eid}'" in a.html
            assert not value or value in a.values


@pytest.mark.browser
@needs_browser
def test_oracle_succeeds_and_random_fails(data_root):
    cfg = dict(benchmark="webnav", out=data_root / "runs", n=5)
    oracle = run(RunConfig(adapter="oracle", **cfg))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    assert {k for k in oracle["metrics"] if k.startswith("task/")} == {f"task/{f}" for f in FAMILIES}
    rnd = run(RunConfig(adapter="random", limit=3, **cfg))
    assert rnd["errors"] == 0 and rnd["headline"] <= 20.0  # uniform clicks on a 1024x640 page rarely solve a task
    assert rnd["metrics"]["steps"] > oracle["metrics"]["steps"]
    som = run(RunConfig(adapter="oracle", benchmark_args={"som": True}, limit=2, **cfg))  # acts on marks
    assert som["headline"] == 100.0


# -- text actions (Magma's UI-agent format, for text models) -------------------------------------
MARKS = [[0, 0, 100, 50], [200, 100, 300, 140], [500, 300, 700, 360]]


@pytest.mark.parametrize("text,want", [
    ("Coordinate: (0.25, 0.3). Mark: 2", ("CLICK", (250.0, 120.0), "", 0.0)),  # a valid mark wins
    ("Coordinate: (0.5, 0.5)", ("CLICK", (512.0, 320.0), "", 0.0)),
    ("Mark: 9", None),  # no such mark, no point: no action
    ("CLICK: (10, 20)", ("CLICK", (10.0, 20.0), "", 0.0)),  # pixels, with a CLICK prefix
    ("Coordinate: (0.1, 0.1). Mark: 3. TYPE: maple#9", ("TYPE", (600.0, 330.0), "maple#9", 0.0)),
    ("TYPE: \"Ana Lima\"", ("TYPE", None, "Ana Lima", 0.0)),  # into the focused field
    ("SCROLL: down", ("SCROLL", None, "", 400.0)),
    ("scroll: up", ("SCROLL", None, "", -400.0)),
    ("SCROLL: 1e999", None),
    ("", None), (None, None), ("I would click the button", None),
    ("Coordinate: (1e999, 2). Mark: 0", None),
])
def test_text_actions_parse_with_the_grounding_parser(text, want):
    from magma_bench.benchmarks.ui.webnav import parse_text_action

    assert parse_text_action(text, MARKS) == want


def test_action_text_round_trips_through_the_parser():
    from magma_bench.benchmarks.ui.webnav import action_text, parse_text_action

    assert action_text("CLICK", (0.25, 0.5), 2) == "Coordinate: (0.250, 0.500). Mark: 2"
    assert parse_text_action(action_text("TYPE", (0.25, 0.5), 3, "blue-river"), MARKS) == (
        "TYPE", (600.0, 330.0), "blue-river", 0.0)
    assert parse_text_action(action_text("SCROLL", scroll_px=-1), MARKS)[3] == -400.0


@pytest.mark.browser
@needs_browser
def test_text_models_drive_it_oracle_100_random_near_0(data_root):
    """The default asks in text: oracle replies with the expert's text action, random with a
    uniform point; both go through `generate` and the reply parser, not `act`."""
    from magma_bench.adapter import Adapter
    from magma_bench.registry import make_benchmark

    env = make_benchmark("webnav")
    (ep,) = env.episodes(env.generate(data_root / "eps", 1, 0), "test")
    try:
        obs = env.reset(ep)
        req = obs["request"]
        assert req.images[0] is obs["image"] and "numbered red boxes" in req.messages[0]["content"][1]["text"]
        assert ep.instruction in req.messages[0]["content"][1]["text"] and req.reference.startswith("Coordinate:")
        # the marks are drawn: red label pixels on the page the model sees
        assert ((obs["image"][..., 0] > 200) & (obs["image"][..., 1] < 60) & (obs["image"][..., 2] < 60)).sum() > 50
        res = env.step(req.reference)
        assert res.observation["request"].id.endswith("/step1")
        assert req.reference in res.observation["request"].messages[0]["content"][1]["text"]  # history
    finally:
        env.close()

    class TextOnly(Adapter):  # no act at all: a plain text model
        name = "textonly"

        def generate(self, requests):
            return [r.reference for r in requests]

    from magma_bench.run.rollout import rollout

    env = make_benchmark("webnav")
    try:
        assert rollout(env, TextOnly(), ep)["scores"]["success"] == 1.0
    finally:
        env.close()
    cfg = dict(benchmark="webnav", out=data_root / "runs_text", n=5)
    oracle = run(RunConfig(adapter="oracle", **cfg))
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    rnd = run(RunConfig(adapter="random", **cfg))
    assert rnd["errors"] == 0 and rnd["headline"] <= 20.0
    vec = run(RunConfig(adapter="oracle", benchmark_args={"actions": "vector"}, limit=2, **cfg))
    assert vec["headline"] == 100.0
