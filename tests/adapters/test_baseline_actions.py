"""Baselines act in the environment's ActionSpec, and a baseline that cannot act at all (oracle on
LIBERO: no expert) shows as n/a on the leaderboard, not as 0.0."""

from __future__ import annotations

import json

import numpy as np
import pytest

from magma_bench.action_spec import HARNESS, SIMPLER_BRIDGE, SIMPLER_GOOGLE, TABLETOP_BRIDGE, libero_spec
from magma_bench.errors import NotApplicable
from magma_bench.registry import make_adapter


@pytest.mark.parametrize("spec", [SIMPLER_BRIDGE, SIMPLER_GOOGLE, TABLETOP_BRIDGE, libero_spec()], ids=lambda s: s.name)
def test_random_samples_inside_the_spec(spec):
    ad = make_adapter("random", seed=3)
    obs = [{"image": None, "action_spec": spec, "episode_id": f"e{i}", "step": s} for i in range(8) for s in range(8)]
    acts = np.array(ad.act(obs, ["x"] * len(obs)))
    assert acts.shape == (64, 7)
    assert np.all(acts >= np.array(spec.low)) and np.all(acts <= np.array(spec.high))
    assert np.abs(acts[:, :3]).max() <= max(abs(v) for v in spec.low[:3] + spec.high[:3])
    if spec.gripper_binary:
        assert set(acts[:, 6]) == {spec.low[6], spec.high[6]}
    assert ad.act(obs[:5], ["x"] * 5) == acts[:5].tolist()  # deterministic per (seed, episode, step)
    assert len({tuple(a) for a in acts.tolist()}) == 64


def test_random_without_a_spec_keeps_the_unit_cube():
    from magma_bench.adapters.baselines import _rng

    ad = make_adapter("random", seed=1)
    got = ad.act([{"episode_id": "e", "step": 2}], ["x"])[0]
    assert got == [float(v) for v in _rng(1, "e", 2).uniform(-1, 1, 7)]  # unchanged for spec-less envs (webnav)


def test_simplerenv_random_steps_are_centimetres_not_metres():
    ad = make_adapter("random")
    acts = np.array(ad.act([{"action_spec": SIMPLER_BRIDGE, "episode_id": "e", "step": s} for s in range(50)], ["x"] * 50))
    assert np.abs(acts[:, :3]).max() < 0.05


def test_heuristic_default_is_no_motion_gripper_open_in_the_env_convention():
    ad = make_adapter("heuristic")
    lib, sim, plain = ad.act([{"action_spec": libero_spec()}, {"action_spec": SIMPLER_BRIDGE}, {}], ["x"] * 3)
    assert lib == [0.0] * 6 + [1.0]  # LIBERO "openvla" mode: open-fraction, 1 = open
    assert sim == plain == [0.0] * 6 + [-1.0]  # harness sign: -1 = open
    assert ad.act([{"heuristic_action": [0.1] * 7, "action_spec": SIMPLER_BRIDGE}], ["x"])[0] == [0.1] * 7
    assert HARNESS.neutral() == plain


def test_oracle_without_expert_is_na_on_the_leaderboard(tmp_path):
    from lb_runs import write_run

    from magma_bench.leaderboards.html import runs_table
    from magma_bench.leaderboards.results import load_results

    with pytest.raises(NotApplicable, match="oracle is n/a here: this environment exposes no expert action"):
        make_adapter("oracle").act([{"image": None, "action_spec": libero_spec()}], ["x"])
    recs = [{"id": f"libero_goal/0/{i}", "scores": {"success": 0.0, "steps": 0.0}, "error": "NotApplicable: no expert"}
            for i in range(3)]
    d = write_run(tmp_path, "libero", "oracle", recs, headline=0.0)
    s = json.loads((d / "summary.json").read_text())
    (d / "summary.json").write_text(json.dumps({**s, "errors": 3}))
    write_run(tmp_path, "libero", "random", [{**r, "error": None} for r in recs], headline=0.0)
    res = {r.adapter: r for r in load_results(tmp_path)}
    assert not res["oracle"].measured and res["random"].measured
    html = runs_table(list(res.values()))
    assert html.count(">n/a</td>") == 1 and 'data-v="0.0">0.0</td>' in html
