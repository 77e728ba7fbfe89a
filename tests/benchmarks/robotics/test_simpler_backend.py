"""SimplerEnv back-end against a stand-in: a fake `simpler_env` (and `mani_skill2_real2sim`,
`sapien`) put into sys.modules, whose env records every call (make, reset with its options,
each action, which object the instruction and image are read from) and replays scripted
`terminated` flags and `episode_stats`. It proves the loop matches SimplerEnv's own evaluator:
no stop at the first success, success read at the last step, binarised WidowX gripper, Octo's
sticky Google gripper, episode_stats as partial scores, and refusals before make()."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import json
import sys
import types
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from magma_bench.benchmarks.robotics import _simpler_setup as setup
from magma_bench.benchmarks.robotics.simpler import SimplerEnvBridge, SimplerEnvGoogle, partial_scores
from magma_bench.errors import MissingDependency, UserError
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.rollout import rollout
from magma_bench.run.runner import run
from magma_bench.types import Episode

# (task, episode_id) -> {step (1-based): (terminated, episode_stats)}; unscripted steps: (False, {})
SCRIPT: dict[tuple[str, int], dict[int, tuple[bool, dict[str, Any]]]] = {
    # lifted, then dropped: success at step 3 only -> a failure under the official protocol
    ("google_robot_pick_coke_can", 1): {3: (True, {"n_lift_significant": 1, "consec_grasp": True, "grasped": True})},
    # succeeds at the last step
    ("widowx_carrot_on_plate", 1): {60: (True, {"moved_correct_obj": True, "moved_wrong_obj": False,
                                                "is_src_obj_grasped": True, "consecutive_grasp": True,
                                                "src_on_target": True})},
}


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple] = []


class _Unwrapped:
    def __init__(self, task: str, log: Recorder) -> None:
        self.task, self.log = task, log
        self.robot_uid = "google_robot_static" if task.startswith("google") else "widowx"

    def get_language_instruction(self) -> str:
        self.log.calls.append(("instruction", self.task))
        return "open middle drawer" if "drawer" in self.task else f"do {self.task}"


class _Env:
    """A gym-wrapper-shaped env: `unwrapped`, `spec.max_episode_steps`, 5-tuple step, TimeLimit;
    episode_stats accumulate over the episode as SimplerEnv's do."""

    LIMITS: dict[str, int] = {}  # time-limit overrides per task

    def __init__(self, task: str, log: Recorder) -> None:
        self.task, self.log, self.t, self.ep, self.stats = task, log, 0, 0, {}
        self.unwrapped = _Unwrapped(task, log)
        self.spec = types.SimpleNamespace(max_episode_steps=self.LIMITS.get(task, setup.TASKS[task].time_limit))

    def get_language_instruction(self) -> str:  # the deprecated wrapper path: must not be used
        self.log.calls.append(("wrapper_instruction", self.task))
        return "wrong"

    def _obs(self) -> dict:
        cam = "overhead_camera" if self.task.startswith("google") else "3rd_view_camera"
        return {"image": {cam: {"rgb": np.full((256, 320, 3), self.ep, np.uint8)}}}

    def reset(self, seed: Any = None, options: Any = None) -> tuple[dict, dict]:
        self.log.calls.append(("reset", self.task, seed, json.loads(json.dumps(options))))
        self.t, self.ep, self.stats = 0, int(options["obj_init_options"]["episode_id"]), {}
        return self._obs(), {}

    def step(self, action: Any) -> tuple:
        a = np.asarray(action, dtype=np.float64)
        assert a.shape == (7,)
        self.log.calls.append(("step", self.task, self.ep, a.tolist()))
        self.t += 1
        term, stats = SCRIPT.get((self.task, self.ep), {}).get(self.t, (False, {}))
        self.stats.update(stats)
        return self._obs(), 0.0, term, self.t >= self.spec.max_episode_steps, {"episode_stats": self.stats}

    def close(self) -> None:
        self.log.calls.append(("close", self.task))


def _module(name: str, **attrs: Any) -> types.ModuleType:
    m = types.ModuleType(name)
    m.__spec__ = importlib.machinery.ModuleSpec(name, None, origin=f"/fake/{name}/__init__.py")
    m.__dict__.update(attrs)
    return m


def _get_image(env: Any, obs: dict, camera_name: str | None = None) -> np.ndarray:
    assert isinstance(env, _Unwrapped), "image must be read through env.unwrapped"
    cam = "overhead_camera" if "google_robot" in env.robot_uid else "3rd_view_camera"
    return obs["image"][cam]["rgb"]


def write_assets(root: Path, tasks: list[str] | None = None) -> None:
    """Every file the named tasks (default: all) load, as tiny non-empty files."""
    for name in tasks or list(setup.TASKS):
        t = setup.TASKS[name]
        paths = list(t.files) + [f"custom/models/{m}/{f}" for m in t.models for f in ("collision.obj", "textured.dae")]
        for rel in paths:
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(b"x" * 300)


@pytest.fixture
def fake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    log = Recorder()

    def make(task: str, **kwargs: Any) -> _Env:
        log.calls.append(("make", task, kwargs))
        return _Env(task, log)

    mods = {"simpler_env": _module("simpler_env", make=make), "simpler_env.utils": _module("simpler_env.utils"),
            "simpler_env.utils.env": _module("simpler_env.utils.env"),
            "simpler_env.utils.env.observation_utils": _module("simpler_env.utils.env.observation_utils",
                                                               get_image_from_maniskill2_obs_dict=_get_image),
            "mani_skill2_real2sim": _module("mani_skill2_real2sim"), "sapien": _module("sapien")}
    for name, m in mods.items():
        monkeypatch.setitem(sys.modules, name, m)
    root = tmp_path / "assets"
    write_assets(root)
    monkeypatch.setenv("MS2_REAL2SIM_ASSET_DIR", str(root))
    monkeypatch.setattr(setup, "rendering_problem", lambda: None)
    monkeypatch.setattr(setup, "probe_renderer", lambda timeout=120.0: log.calls.append(("probe",)))
    monkeypatch.setattr(setup, "vulkan_icds", lambda: [])  # "a GPU": no software-only driver seen
    return log


class Scripted:
    """An adapter that replays gripper values (-1 open .. +1 closed), arm still."""

    def __init__(self, grips: list[float]) -> None:
        self.grips, self.t = grips, 0

    def reset(self, slots: Any = None) -> None:
        self.t = 0

    def act(self, observations: list[dict], instructions: list[str]) -> list[list[float]]:
        g = self.grips[min(self.t, len(self.grips) - 1)]
        self.t += 1
        return [[0.01, 0.0, 0.0, 0.0, 0.0, 0.1, g]]


def _episode(env: Any, task: str, i: int) -> Any:
    return next(e for e in env.episodes(None, "visual_matching") if e.meta["simpler_task"] == task
                and e.meta["episode_id"] == i)


def test_no_early_stop_and_success_is_the_last_step(fake: Recorder) -> None:
    env = SimplerEnvGoogle(episodes_per_task=2, tasks=["pick_coke_can"])
    rec = rollout(env, Scripted([-1.0]), _episode(env, "google_robot_pick_coke_can", 1))
    steps = [c for c in fake.calls if c[0] == "step"]
    assert len(steps) == 80 and rec["scores"]["steps"] == 80.0  # ran to the TimeLimit past the success at step 3
    assert rec["scores"]["success"] == 0.0 and rec["error"] is None  # dropped again: the last step decides
    assert rec["scores"]["progress_grasp"] == 1.0 and rec["scores"]["progress_lifted"] == 1.0
    bridge = SimplerEnvBridge(episodes_per_task=2, tasks=["put_carrot_on_plate"])
    rec = rollout(bridge, Scripted([-1.0]), _episode(bridge, "widowx_carrot_on_plate", 1))
    assert rec["scores"]["success"] == 1.0 and rec["scores"]["steps"] == 60.0
    # episode_stats of the last step are the partial scores, as the official loop reads them
    assert rec["scores"]["progress_is_src_obj_grasped"] == 1.0 and rec["scores"]["progress_grasp"] == 1.0
    assert rec["scores"]["progress_src_on_target"] == 1.0 and rec["scores"]["progress_moved_wrong_obj"] == 0.0


def test_reset_options_instruction_and_image_paths(fake: Recorder) -> None:
    env = SimplerEnvGoogle(episodes_per_task=3)
    eps = env.episodes(None, "visual_matching")
    assert [e.max_steps for e in eps[::3]] == [80, 80, 113, 113]  # each task's own TimeLimit
    obs = env.reset(eps[8])  # open drawer, episode 2
    assert ("reset", "google_robot_open_drawer", 2, {"obj_init_options": {"episode_id": 2}}) in fake.calls
    assert obs["instruction"] == "open middle drawer" and obs["image"].shape == (256, 320, 3)
    env.step([0.0] * 6 + [-1.0])
    assert not [c for c in fake.calls if c[0] == "wrapper_instruction"]  # only env.unwrapped is asked
    assert [c[0] for c in fake.calls if c[0] in ("probe", "make")] == ["probe", "make"]  # renderer probed first
    env.reset(eps[7])  # same task: the env is reused, no second make
    assert sum(c[0] == "make" for c in fake.calls) == 1


def test_widowx_gripper_is_binarised_plus_one_open(fake: Recorder) -> None:
    env = SimplerEnvBridge(episodes_per_task=1)
    env.reset(env.episodes(None, "visual_matching")[0])
    sent = [env.to_env_action([0.01, 0, 0, 0, 0, 0.1, g])[6] for g in (-1.0, -0.3, -1e-3, 0.0, 0.2, 1.0, 7.0)]
    assert sent == [1.0, 1.0, 1.0, -1.0, -1.0, -1.0, -1.0]  # open-fraction > 0.5 -> +1 (open), as Octo
    np.testing.assert_allclose(env.to_env_action([0.01, 0, 0, 0, 0, 0.1, 1.0])[:6], [0.01, 0, 0, 0, 0, 0.1])
    with pytest.raises(ValueError):
        env.to_env_action([0.0] * 6)


def test_sticky_repeat_defaults_to_magmas_agent() -> None:
    """microsoft/Magma tools/simplerenv-magma magma_model.py: sticky_gripper_num_repeat=10
    (main_inference_magma.py leaves the override commented out); Octo's wrapper uses 15."""
    assert SimplerEnvGoogle(episodes_per_task=1).sticky_repeat == 10


@pytest.mark.parametrize("repeat", [15, 10])
def test_google_gripper_follows_octo_sticky_rule(fake: Recorder, repeat: int) -> None:
    env = SimplerEnvGoogle(episodes_per_task=1, sticky_repeat=repeat)
    env.reset(env.episodes(None, "visual_matching")[0])
    grips = [-1.0, -1.0] + [1.0] * 30 + [-1.0] * 3 + [0.0]
    sent = [env.to_env_action([0, 0, 0, 0, 0, 0, g])[6] for g in grips]
    # first step 0; the close (open-fraction 1 -> 0: +1) held for `repeat` steps counting the trigger
    assert sent[:2] == [0.0, 0.0] and sent[2:2 + repeat] == [1.0] * repeat
    assert sent[2 + repeat:32] == [0.0] * (30 - repeat)
    assert sent[32] == -1.0 and sent[33:35] == [-1.0, -1.0]  # reopening triggers -1, held too
    assert sent[35] == -1.0  # a half step (0.5) while sticky is held: still -1
    env.reset(env.episodes(None, "visual_matching")[0])  # a new episode forgets the previous gripper
    assert env.to_env_action([0, 0, 0, 0, 0, 0, 1.0])[6] == 0.0


def test_partial_scores_from_episode_stats() -> None:
    assert partial_scores("pick_coke_can", {"n_lift_significant": 0, "consec_grasp": False, "grasped": True}) == {
        "progress_consec_grasp": 0.0, "progress_grasped": 1.0, "progress_lifted": 0.0, "progress_grasp": 1.0}
    move = partial_scores("move_near", {"all_obj_keep_height": True, "moved_correct_obj": True, "moved_wrong_obj": False,
                                        "near_tgt_obj": False, "is_closest_to_tgt": False})
    assert move["progress_moved_correct_obj"] == 1.0 and "progress_grasp" not in move
    assert partial_scores("open_drawer", {"qpos": "0.075"}) == {"progress": 0.5}
    assert partial_scores("close_drawer", {"qpos": "0.050"}) == {"progress": 1.0}
    assert partial_scores("close_drawer", {"qpos": "0.250"}) == {"progress": 0.0}


def test_runs_through_the_runner_with_partial_scores(fake: Recorder, tmp_path: Path) -> None:
    s = run(RunConfig(benchmark="simplerenv_google", adapter="heuristic", out=tmp_path / "runs", data_dir=tmp_path,
                      benchmark_args={"episodes_per_task": 2, "tasks": ["pick_coke_can"]}))
    assert s["n"] == 2 and s["errors"] == 0 and s["headline"] == 0.0  # episode 1 dropped the can
    assert s["metrics"]["steps"] == 80.0 and s["metrics"]["task/pick_coke_can"] == 0.0
    # the partial score is averaged over the episodes that report it (episode 1 only)
    assert s["metrics"]["progress_grasp"] == 100.0 and s["metrics"]["progress_lifted"] == 100.0


def test_missing_asset_refused_before_make(fake: Recorder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "partial"
    write_assets(root, ["google_robot_open_drawer", "google_robot_close_drawer", "google_robot_move_near"])
    (root / "custom/models/baked_sponge_v2/collision.obj").write_text("version https://git-lfs.github.com/spec/v1\n")
    monkeypatch.setenv("MS2_REAL2SIM_ASSET_DIR", str(root))
    ok, why = SimplerEnvGoogle.availability()  # drawers can run: runnable, with a note naming what cannot
    assert ok and "tasks=open_drawer,close_drawer" in why and "google_coke_can_real_eval_1.png (+2 more)" in why
    with pytest.raises(MissingDependency, match=r"asset files missing under .*google_robot_pick_coke_can needs "
                                                r"real_inpainting/google_coke_can_real_eval_1\.png"):
        SimplerEnvGoogle().episodes(None, "visual_matching")
    env = SimplerEnvGoogle(tasks=["move_near"])
    with pytest.raises(MissingDependency, match="baked_sponge_v2/collision.obj"):  # an LFS pointer is no mesh
        env.episodes(None, "visual_matching")
    with pytest.raises(MissingDependency, match="asset files missing"):  # reset checks again before make()
        env.reset(Episode("x", "simplerenv_google", "", 80, {"task": "pick_coke_can", "episode_id": 0,
                                                             "simpler_task": "google_robot_pick_coke_can"}))
    assert not [c for c in fake.calls if c[0] == "make"]
    write_assets(root)
    monkeypatch.setenv("MS2_REAL2SIM_ASSET_DIR", str(tmp_path / "nowhere"))
    ok, why = SimplerEnvBridge.availability()
    assert not ok and why.startswith("asset files missing") and "MS2_REAL2SIM_ASSET_DIR" in why


def test_raytraced_drawers_refused_on_a_cpu_driver(fake: Recorder, tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    icd = tmp_path / "lvp_icd.x86_64.json"
    icd.write_text(json.dumps({"ICD": {"library_path": "/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so"}}))
    monkeypatch.setattr(setup, "vulkan_icds", lambda: [icd])
    with pytest.raises(MissingDependency, match=r"open_drawer, close_drawer render ray-traced and need a GPU .*"
                                                r"run tasks=pick_coke_can,move_near"):
        SimplerEnvGoogle().episodes(None, "visual_matching")
    assert len(SimplerEnvGoogle(tasks=["pick_coke_can"]).episodes(None, "visual_matching")) == 24
    assert len(SimplerEnvGoogle(tasks=["open_drawer"], allow_cpu_raytracing=True).episodes(None, "x")) == 24
    ok, why = SimplerEnvGoogle.availability()
    assert ok and "ray-traced and need a GPU" in why
    assert SimplerEnvBridge.availability() == (True, "")


def test_bad_arguments_one_line() -> None:
    with pytest.raises(UserError, match="unknown task.*pick_can.*choose from pick_coke_can"):
        SimplerEnvGoogle(tasks=["pick_can"])
    with pytest.raises(UserError, match="sticky_repeat must be >= 1"):
        SimplerEnvGoogle(sticky_repeat=0)


def test_time_limit_mismatch_refused(fake: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(_Env.LIMITS, "widowx_spoon_on_towel", 100)
    env = SimplerEnvBridge(tasks=["put_spoon_on_towel"])
    with pytest.raises(UserError, match="time limit of 100 steps .* expects 60"):
        env.reset(env.episodes(None, "visual_matching")[0])


# -- availability without the packages, and the rendering checks ------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("simpler_env") is not None, reason="SimplerEnv is installed")
def test_missing_simplerenv_says_what_to_install(tmp_path: Path) -> None:
    ok, why = SimplerEnvBridge.availability()
    assert not ok and why.startswith("simpler_env not installed") and "ManiSkill2_real2sim" in why
    with pytest.raises(MissingDependency, match="git clone https://github.com/simpler-env/SimplerEnv"):
        SimplerEnvGoogle().episodes(None, "visual_matching")
    with pytest.raises(UserError, match="cannot run here: simpler_env not installed"):
        run(RunConfig(benchmark="simplerenv_bridge", adapter="random", out=tmp_path))


def test_rendering_problems_are_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VK_DRIVER_FILES", raising=False)
    monkeypatch.setattr(setup, "_has_loader", lambda: False)
    assert setup.rendering_problem().startswith("Vulkan/rendering unavailable: no Vulkan loader")
    monkeypatch.setattr(setup, "_has_loader", lambda: True)
    monkeypatch.setenv("VK_ICD_FILENAMES", str(tmp_path / "none.json"))
    assert "no Vulkan driver manifest" in setup.rendering_problem()
    lvp, nv = tmp_path / "lvp_icd.json", tmp_path / "nvidia_icd.json"
    lvp.write_text(json.dumps({"ICD": {"library_path": "libvulkan_lvp.so"}}))
    nv.write_text(json.dumps({"ICD": {"library_path": "libGLX_nvidia.so.0"}}))
    monkeypatch.setenv("VK_ICD_FILENAMES", f"{lvp}:{nv}")
    assert setup.rendering_problem() is None and not setup.software_only(setup.vulkan_icds())
    assert setup.software_only([lvp])
    # the renderer probe runs in a child: a crash or a Vulkan error becomes one rendering line
    monkeypatch.setattr(setup, "PROBE", "import sys; sys.exit('RuntimeError: vk::Device::createSemaphore failed')")
    why = setup.probe_renderer()
    assert why.startswith("Vulkan/rendering unavailable") and "VK_KHR_external_semaphore_fd" in why
    monkeypatch.setattr(setup, "PROBE", "import os; os.abort()")
    assert setup.probe_renderer().startswith("Vulkan/rendering unavailable")
    monkeypatch.setattr(setup, "PROBE", "print('ok')")
    assert setup.probe_renderer() is None
    assert setup.looks_like_rendering(RuntimeError("vk::PhysicalDevice::getFeatures2: ErrorInitializationFailed"))
    assert not setup.looks_like_rendering(KeyError("episode_id"))
