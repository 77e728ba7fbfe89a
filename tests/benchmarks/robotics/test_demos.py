"""Expert demonstrations: RLDS-like episodes that replay to the same success, with q01/q99 stats."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import numpy as np
import pytest

if importlib.util.find_spec("mujoco") is None:
    pytest.skip("needs mujoco", allow_module_level=True)
os.environ.setdefault("MUJOCO_GL", "egl")

from magma_bench.benchmarks.robotics.demos import read_demonstrations, write_demonstrations  # noqa: E402
from magma_bench.benchmarks.robotics.tabletop import TabletopBridge, TabletopGoogle  # noqa: E402
from magma_bench.errors import UserError  # noqa: E402
from magma_bench.types import Episode  # noqa: E402


def test_write_read_and_replay(tmp_path: Path) -> None:
    out = write_demonstrations(TabletopBridge(tasks=["put_carrot_on_plate", "put_eggplant_in_basket"], size=96),
                               tmp_path / "demos", n=4, seed=2)
    info = json.loads((out / "dataset_info.json").read_text())
    stats = json.loads((out / "dataset_statistics.json").read_text())
    assert len(info["episodes"]) == 2 and all(r["success"] for r in info["episodes"])
    eps = list(read_demonstrations(out))
    assert {e["task"] for e in eps} == {"put_carrot_on_plate", "put_eggplant_in_basket"}
    total = sum(len(e["steps"]["action"]) for e in eps)
    assert stats["num_transitions"] == total and stats["num_trajectories"] == 2
    a = np.concatenate([e["steps"]["action"] for e in eps])
    assert np.all(np.array(stats["action"]["q01"]) <= np.array(stats["action"]["q99"]))
    np.testing.assert_allclose(stats["action"]["max"], a.max(0), rtol=1e-5)
    e = eps[0]
    s = e["steps"]
    assert s["observation/image"].dtype == np.uint8 and s["observation/image"].shape[1:] == (96, 96, 3)
    assert s["is_first"][0] and s["is_last"][-1] and s["is_terminal"][-1] and s["reward"][-1] == 1.0
    assert not s["is_last"][:-1].any() and e["language_instruction"] in ("put carrot on plate",
                                                                         "put eggplant into yellow basket")
    # SoM candidates per step: gripper, source, target; the goal moves from the source to the target
    # once the expert has grasped it
    t = len(s["action"])
    assert e["mark_names"][0] == "gripper" and s["observation/mark_points"].shape == (t, 3, 2)
    goals = s["observation/mark_goal"].tolist()
    assert goals[0] == 1 and goals[-1] == 2 and goals == sorted(goals)
    # open-loop replay of the recorded actions reproduces the success (the simulator is deterministic)
    row = next(r for r in info["episodes"] if r["id"] == e["id"])
    env = TabletopBridge(tasks=[row["task"]], size=96)
    try:
        env.reset(Episode(row["id"], env.name, row["language_instruction"], 60, {"task": row["task"],
                                                                               "seed": row["seed"]}))
        for act in s["action"]:
            res = env.step(act.tolist())
        assert res.info["success"] and res.done
    finally:
        env.close()


def test_bad_demonstration_dirs(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="dataset_info.json"):
        list(read_demonstrations(tmp_path))
    (tmp_path / "dataset_info.json").write_text(json.dumps({"format": "other", "version": 1, "episodes": []}))
    with pytest.raises(UserError, match="expected magma_bench.rlds_npz"):
        list(read_demonstrations(tmp_path))
    (tmp_path / "dataset_info.json").write_text(json.dumps(
        {"format": "magma_bench.rlds_npz", "version": 1, "episodes": [{"id": "x", "file": "episodes/x.npz"}]}))
    with pytest.raises(UserError, match="x.npz"):
        list(read_demonstrations(tmp_path))
    with pytest.raises(UserError, match="tabletop"):
        write_demonstrations(object(), tmp_path, 1)


def test_google_demos_cover_drawers(tmp_path: Path) -> None:
    out = write_demonstrations(TabletopGoogle(tasks=["close_drawer"]), tmp_path, n=4, seed=0)
    eps = list(read_demonstrations(out))
    assert len(eps) == 1 and "drawer" in eps[0]["language_instruction"]
    assert eps[0]["steps"]["observation/state"].shape[1] == 8
    assert eps[0]["mark_names"] == ["gripper", "handle_bottom"] and set(eps[0]["steps"]["observation/mark_goal"]) == {1}


def test_mark_keys_are_optional_and_checked(tmp_path: Path) -> None:
    out = write_demonstrations(TabletopGoogle(tasks=["pick_coke_can"], size=64), tmp_path, n=4, seed=0)
    file = next((out / "episodes").iterdir())
    with np.load(file) as z:
        steps = dict(z)
    np.savez_compressed(file, **{k: v for k, v in steps.items() if "mark" not in k})
    assert "observation/mark_points" not in next(read_demonstrations(out))["steps"]  # older recordings load
    np.savez_compressed(file, **{**steps, "observation/mark_goal": steps["observation/mark_goal"][:-1]})
    with pytest.raises(UserError, match="one row per step"):
        list(read_demonstrations(out))
