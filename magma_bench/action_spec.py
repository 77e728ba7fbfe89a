"""The action-decoding contract: what the 7 numbers an adapter returns from `act` mean for one
environment, stated as data instead of left to each adapter's guess.

A model emits actions in the convention it was trained on (upstream Magma-8B: Open-X deltas in
metres, Euler roll/pitch/yaw in radians, gripper as an open-fraction 0..1 with 1 = open); an
environment wants its own (SimplerEnv: axis-angle rotation, gripper -1 open .. +1 closed, the
WidowX gripper binarised). Every `EnvBenchmark` names its `ActionSpec` (`action_spec` attribute)
and the rollout passes it to adapters as `observation["action_spec"]`; `convert` maps an action
from the model's spec into the environment's. Units cannot be converted (metres vs a
controller's normalised [-1, 1]): a mismatch is an error, never a silent rescale. The sweep
planner finds it before anything runs: it asks the env for its spec and the adapter, from its
arguments alone, for the spec its actions come out in (`Adapter.output_action_spec`), and skips a
pair whose units differ, with the reason (`execute/sweep.py: units_gap`).

Sources for the numbers: SimplerEnv policy wrappers (simpler_env/policies/{octo,rt1,openvla}) and
microsoft/Magma `tools/simplerenv-magma/.../magma_model.py` (Euler -> axis-angle via
`euler2axangle`, axes "sxyz"; frames resized to 256x256; WidowX gripper `2 * (open > 0.5) - 1`,
+1 = open on the env side, i.e. -1 in the harness sign), `agents/libero` (256x256 agentview;
gripper `2g - 1`, sign, inverted; arm deltas passed through to OSC_POSE).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from magma_bench.errors import UserError

Rotation = Literal["axis_angle", "euler_xyz"]
Units = Literal["m_rad", "normalized"]
Gripper = Literal["signed_close", "open_fraction"]
# How a reason line names the units (a sweep plan skipping a pair whose units differ, see sweep.units_gap).
UNIT_WORDS: dict[str, str] = {"m_rad": "metres/radians", "normalized": "normalised deltas"}


@dataclass(frozen=True, slots=True)
class ActionSpec:
    """One environment's (or one model's) 7-number action convention: [xyz, rotation, gripper]."""

    name: str  # shown in errors and run headers
    frame: str = "base"  # translation/rotation deltas are expressed in the robot base frame
    units: Units = "m_rad"  # m_rad: metres + radians; normalized: a controller's [-1, 1] (LIBERO OSC_POSE)
    rotation: Rotation = "axis_angle"  # axis_angle: rotation vector; euler_xyz: roll, pitch, yaw (static xyz)
    gripper: Gripper = "signed_close"  # signed_close: -1 open .. +1 closed; open_fraction: 0 closed .. 1 open
    gripper_binary: bool = False  # the env only tells open from closed: send the extreme values
    # Typical per-step range per dimension (the training data's 1st..99th percentile or the
    # controller's clip): `random` samples inside it, so a baseline never sends +-1 m per step.
    low: tuple[float, ...] = (-1.0,) * 7
    high: tuple[float, ...] = (1.0,) * 7
    image_size: tuple[int, int] | None = None  # (width, height) the model should see; None: as rendered
    image_resize: bool = True  # True: frames of another size are resized to image_size; False: refused
    unnorm_key: str | None = None  # the published statistics set whose units match this env (see adapters)

    def __post_init__(self) -> None:
        if len(self.low) != 7 or len(self.high) != 7 or any(lo > hi for lo, hi in zip(self.low, self.high, strict=True)):
            raise UserError(f"action spec {self.name}: low/high must be 7 numbers each with low <= high")

    # -- what baselines use ----------------------------------------------------------------------
    def sample(self, rng: np.random.Generator) -> list[float]:
        """A uniformly random action inside [low, high]; a binary gripper gets one of its two values."""
        a = rng.uniform(np.asarray(self.low), np.asarray(self.high))
        if self.gripper_binary:
            a[6] = self.low[6] if rng.random() < 0.5 else self.high[6]
        return [float(v) for v in a]

    def neutral(self) -> list[float]:
        """No motion, gripper open: the do-nothing action in this convention."""
        return [0.0] * 6 + [gripper_from_open(1.0, self.gripper)]

    def check(self, action: Any) -> np.ndarray:
        """The action as 7 finite float64 numbers; UserError naming the spec otherwise."""
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        if a.shape != (7,) or not np.all(np.isfinite(a)):
            raise UserError(f"action spec {self.name}: an action is 7 finite numbers, got {action!r}"[:240])
        return a


# -- rotations (numpy only; no transforms3d) -------------------------------------------------------
def euler_to_mat(roll: float, pitch: float, yaw: float) -> np.ndarray:
    """Static-axes xyz Euler angles (transforms3d "sxyz", as upstream's `euler2axangle`): Rz Ry Rx."""
    cr, sr, cp, sp, cy, sy = np.cos(roll), np.sin(roll), np.cos(pitch), np.sin(pitch), np.cos(yaw), np.sin(yaw)
    rx = np.array([[1, 0, 0], [0, cr, -sr], [0, sr, cr]])
    ry = np.array([[cp, 0, sp], [0, 1, 0], [-sp, 0, cp]])
    rz = np.array([[cy, -sy, 0], [sy, cy, 0], [0, 0, 1]])
    return rz @ ry @ rx


def mat_to_euler(r: np.ndarray) -> np.ndarray:
    """Inverse of `euler_to_mat` (pitch in [-pi/2, pi/2])."""
    pitch = float(np.arcsin(np.clip(-r[2, 0], -1.0, 1.0)))
    if abs(r[2, 0]) < 1.0 - 1e-9:
        return np.array([np.arctan2(r[2, 1], r[2, 2]), pitch, np.arctan2(r[1, 0], r[0, 0])])
    return np.array([np.arctan2(-r[1, 2], r[1, 1]), pitch, 0.0])  # gimbal lock: yaw folded into roll


def euler_to_axis_angle(rpy: Any) -> np.ndarray:
    from magma_bench.benchmarks.robotics._sim import mat_to_axis_angle  # pure numpy (mujoco loads lazily)

    return mat_to_axis_angle(euler_to_mat(*np.asarray(rpy, dtype=np.float64)))


def axis_angle_to_euler(v: Any) -> np.ndarray:
    from magma_bench.benchmarks.robotics._sim import axis_angle_to_mat

    return mat_to_euler(axis_angle_to_mat(np.asarray(v, dtype=np.float64)))


# -- gripper ---------------------------------------------------------------------------------------
def open_from_gripper(g: float, convention: Gripper) -> float:
    """The gripper as an open-fraction (1 = open) from either convention."""
    return float(g) if convention == "open_fraction" else (1.0 - float(g)) / 2.0


def gripper_from_open(p: float, convention: Gripper) -> float:
    return float(p) if convention == "open_fraction" else 1.0 - 2.0 * float(p)


def convert(action: Any, src: ActionSpec, dst: ActionSpec) -> list[float]:
    """An action in `src`'s convention -> the same command in `dst`'s.

    Rotation: Euler <-> axis-angle. Gripper: via the open-fraction; a binary `dst` gripper is
    thresholded at half open (upstream Bridge: `open > 0.5` is open). Units must agree."""
    a = src.check(action).copy()
    if src.units != dst.units:
        raise UserError(f"actions in {src.units} ({src.name}) cannot drive {dst.name}, which takes {dst.units}; "
                        "use statistics of a dataset recorded in the environment's units (unnorm_key)")
    if src.rotation != dst.rotation:
        a[3:6] = euler_to_axis_angle(a[3:6]) if src.rotation == "euler_xyz" else axis_angle_to_euler(a[3:6])
    p = float(np.clip(open_from_gripper(a[6], src.gripper), 0.0, 1.0))
    if dst.gripper_binary:
        p = 1.0 if p > 0.5 else 0.0
    a[6] = gripper_from_open(p, dst.gripper)
    return [float(v) for v in a]


def spec_of(observation: dict[str, Any], fallback: ActionSpec | None = None) -> ActionSpec:
    """The env's spec the rollout put in the observation, else `fallback` (else the harness default)."""
    spec = observation.get("action_spec")
    if spec is None:
        return fallback or HARNESS
    if not isinstance(spec, ActionSpec):
        raise UserError(f"observation['action_spec'] must be an ActionSpec, got {type(spec).__name__}")
    return spec


# -- the specs -------------------------------------------------------------------------------------
# The harness convention (metres, axis-angle radians in the base frame, gripper -1 open .. +1 close)
# with the widest bounds: what envs without their own spec get.
HARNESS = ActionSpec("harness")

# Upstream Magma-8B's output after un-normalisation with Open-X statistics (bridge_orig, fractal).
UPSTREAM_OXE = ActionSpec("magma-8b/open-x", rotation="euler_xyz", gripper="open_fraction",
                          low=(-1.0,) * 6 + (0.0,), high=(1.0,) * 7)
# Upstream LIBERO checkpoints: OSC_POSE inputs (normalised, axis-angle) with the Open-X gripper.
UPSTREAM_LIBERO = ActionSpec("magma-8b/libero", units="normalized", gripper="open_fraction",
                             low=(-1.0,) * 6 + (0.0,), high=(1.0,) * 7)

_G = (-1.0,), (1.0,)  # gripper bounds in the signed convention
# Offline MuJoCo stand-ins: the controller clips at 3 cm and 0.2 rad per step (`_sim.py`).
TABLETOP_BRIDGE = ActionSpec("tabletop_bridge", low=(-0.03,) * 3 + (-0.2,) * 3 + _G[0], high=(0.03,) * 3 + (0.2,) * 3 + _G[1],
                             unnorm_key="bridge_orig")
TABLETOP_GOOGLE = ActionSpec("tabletop_google", low=TABLETOP_BRIDGE.low, high=TABLETOP_BRIDGE.high,
                             unnorm_key="google_robot")
# Real SimplerEnv; bounds are the Bridge / fractal q01..q99 (rounded out), frames as upstream Magma sees them.
SIMPLER_BRIDGE = ActionSpec("simplerenv_bridge", gripper_binary=True,
                            low=(-0.03, -0.042, -0.027, -0.081, -0.093, -0.21, -1.0),
                            high=(0.029, 0.041, 0.041, 0.082, 0.078, 0.204, 1.0),
                            image_size=(256, 256), unnorm_key="bridge_orig")
SIMPLER_GOOGLE = ActionSpec("simplerenv_google",
                            low=(-0.225, -0.149, -0.232, -0.352, -0.42, -0.437, -1.0),
                            high=(0.179, 0.15, 0.219, 0.59, 0.353, 0.448, 1.0),
                            image_size=(256, 256), unnorm_key="google_robot")


def libero_spec(gripper_mode: str = "openvla", suite: str = "libero") -> ActionSpec:
    """LIBERO's OSC_POSE inputs (normalised deltas, axis-angle) for the env's `gripper` mode:
    "openvla" takes the open-fraction and binarises it itself, "signed" the harness sign, "raw"
    LIBERO's own -1 open / +1 close passed through. Frames must already be 256x256 (the env
    renders them so; upstream trained on those)."""
    gripper: Gripper = "open_fraction" if gripper_mode == "openvla" else "signed_close"
    lo, hi = (0.0, 1.0) if gripper == "open_fraction" else (-1.0, 1.0)
    return ActionSpec(suite, units="normalized", gripper=gripper, gripper_binary=True,
                      low=(-1.0,) * 6 + (lo,), high=(1.0,) * 6 + (hi,),
                      image_size=(256, 256), image_resize=False, unnorm_key=f"{suite}_no_noops")
