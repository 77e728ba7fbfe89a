"""One compiled tabletop scene and the 7-DoF end-effector controller that drives it.

Action convention (SimplerEnv / OpenVLA, the harness `Action` type), in the robot base frame:
    [dx, dy, dz]          TCP translation delta in metres, each clipped to +-MAX_TRANSLATION
    [droll, dpitch, dyaw] rotation delta as an axis-angle vector in radians (applied in the base
                          frame: R_new = exp(delta) @ R_now), each clipped to +-MAX_ROTATION
    gripper               absolute target in [-1, 1]: -1 fully open, +1 fully closed
Deltas are taken from the *measured* TCP pose, one action per CONTROL_DT (5 Hz, like Bridge).
The TCP target is kept inside WORKSPACE. MuJoCo is imported here, after the GL back-end is chosen.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from magma_bench.benchmarks.robotics._scene import (
    FINGER_OPEN,
    HOME_TCP,
    OBJECTS,
    TCP_OFFSET,
    TIMESTEP,
    build_xml,
)
from magma_bench.errors import MissingDependency

MAX_TRANSLATION = 0.03  # m per step, per axis
MAX_ROTATION = 0.2  # rad per step, per axis
CONTROL_DT = 0.2  # s per action (5 Hz)
WORKSPACE = np.array([[0.15, -0.42, 0.011], [0.85, 0.42, 0.45]])  # TCP bounds (m): min row, max row


def import_mujoco() -> Any:
    """Import mujoco with a headless GL back-end (EGL unless MUJOCO_GL is set), or say what to install."""
    os.environ.setdefault("MUJOCO_GL", "egl")
    if os.environ["MUJOCO_GL"] in ("egl", "osmesa"):
        os.environ.setdefault("PYOPENGL_PLATFORM", os.environ["MUJOCO_GL"])
    try:
        import mujoco
    except ImportError as e:
        raise MissingDependency(f"the tabletop suites need MuJoCo: pip install mujoco ({e})") from None
    except RuntimeError as e:  # mujoco rejects an unknown MUJOCO_GL at import
        raise MissingDependency(f"MuJoCo cannot start its GL back-end ({e}); set MUJOCO_GL=egl or osmesa") from None
    return mujoco


def axis_angle_to_mat(v: np.ndarray) -> np.ndarray:
    """Rodrigues: rotation matrix of an axis-angle vector (rad)."""
    th = float(np.linalg.norm(v))
    if th < 1e-12:
        return np.eye(3)
    k = np.asarray(v, dtype=np.float64) / th
    kx = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    return np.eye(3) + np.sin(th) * kx + (1 - np.cos(th)) * kx @ kx


def mat_to_axis_angle(r: np.ndarray) -> np.ndarray:
    """Inverse of `axis_angle_to_mat` (angle in [0, pi])."""
    c = np.clip((np.trace(r) - 1) / 2, -1.0, 1.0)
    th = float(np.arccos(c))
    if th < 1e-9:
        return np.zeros(3)
    if np.pi - th < 1e-4:  # near pi: axis from the symmetric part
        w, v = np.linalg.eigh((r + np.eye(3)) / 2)
        return v[:, int(np.argmax(w))] * th
    return np.array([r[2, 1] - r[1, 2], r[0, 2] - r[2, 0], r[1, 0] - r[0, 1]]) * th / (2 * np.sin(th))


class Sim:
    """A compiled scene with its renderer. Object poses are set per episode, never recompiled."""

    def __init__(self, objects: tuple[str, ...], cabinet: bool, size: int) -> None:
        mj = self.mj = import_mujoco()
        try:
            self.model = mj.MjModel.from_xml_string(build_xml(objects, cabinet, size))
            self.data = mj.MjData(self.model)
            self.renderer = mj.Renderer(self.model, size, size)
        except Exception as e:
            raise MissingDependency(
                f"MuJoCo could not render headless with MUJOCO_GL={os.environ.get('MUJOCO_GL')} ({e}); "
                "install the Mesa EGL/OSMesa libraries (apt-get install libegl1 libgl1-mesa-dri libosmesa6) "
                "or set MUJOCO_GL=osmesa") from None
        m = self.model
        self.objects = objects
        self.hand = m.body("hand").id
        self.fingers = (m.geom("finger_l").id, m.geom("finger_r").id)
        self.finger_q = (m.jnt_qposadr[m.joint("finger_l").id], m.jnt_qposadr[m.joint("finger_r").id])
        self.substeps = round(CONTROL_DT / TIMESTEP)
        self.body = {n: m.body(n).id for n in objects}
        self.geoms = {n: set(np.flatnonzero(m.geom_bodyid == self.body[n]).tolist()) for n in objects}
        self.nominal_rgba = m.geom_rgba.copy()
        self.nominal_light = (m.light_pos.copy(), m.light_dir.copy(), m.light_diffuse.copy())
        self.nominal_cam = m.cam_pos.copy()
        self.nominal_fovy = m.cam_fovy.copy()
        self.drawers = {}
        if cabinet:
            from magma_bench.benchmarks.robotics._scene import DRAWERS
            self.drawers = {d: m.jnt_qposadr[m.joint(f"drawer_{d}").id] for d in DRAWERS}

    # -- episode setup ---------------------------------------------------------------------------
    def reset(self, poses: dict[str, tuple[float, float, float, np.ndarray]], drawer_q: dict[str, float],
              cabinet_pos: tuple[float, float] | None = None) -> None:
        """Place objects ((x, y, z, quat) each), set drawer openings, home the gripper, let things settle."""
        mj, m, d = self.mj, self.model, self.data
        mj.mj_resetData(m, d)
        for name, (x, y, z, quat) in poses.items():
            b = self.body[name]
            if OBJECTS[name].free:
                adr = m.jnt_qposadr[m.body_jntadr[b]]
                d.qpos[adr:adr + 3] = (x, y, z)
                d.qpos[adr + 3:adr + 7] = quat
            else:
                m.body_pos[b] = (x, y, z)
                m.body_quat[b] = quat
        if cabinet_pos is not None:
            m.body_pos[m.body("cabinet").id][:2] = cabinet_pos
        for name, q in drawer_q.items():
            d.qpos[self.drawers[name]] = q
        hand = np.array(HOME_TCP) - np.array(TCP_OFFSET)
        d.qpos[:3] = hand
        d.qpos[3:7] = (1, 0, 0, 0)
        d.mocap_pos[0] = hand
        d.mocap_quat[0] = (1, 0, 0, 0)
        d.ctrl[:] = FINGER_OPEN
        d.qpos[self.finger_q[0]] = d.qpos[self.finger_q[1]] = FINGER_OPEN
        mj.mj_forward(m, d)
        for _ in range(150):  # settle objects onto the table
            mj.mj_step(m, d)

    # -- control ---------------------------------------------------------------------------------
    def tcp(self) -> tuple[np.ndarray, np.ndarray]:
        """(TCP position (3,), hand rotation matrix (3, 3)) in the base frame."""
        r = self.data.xmat[self.hand].reshape(3, 3)
        return self.data.xpos[self.hand] + r @ np.array(TCP_OFFSET), r.copy()

    def apply(self, action: np.ndarray) -> None:
        """Execute one 7-DoF action over CONTROL_DT of simulated time (see the module docstring)."""
        mj, m, d = self.mj, self.model, self.data
        a = np.asarray(action, dtype=np.float64)
        pos, rot = self.tcp()
        target = np.clip(pos + np.clip(a[:3], -MAX_TRANSLATION, MAX_TRANSLATION), WORKSPACE[0], WORKSPACE[1])
        rot_t = axis_angle_to_mat(np.clip(a[3:6], -MAX_ROTATION, MAX_ROTATION)) @ rot
        quat = np.zeros(4)
        mj.mju_mat2Quat(quat, rot_t.reshape(-1))
        hand_t = target - rot_t @ np.array(TCP_OFFSET)
        hand_0 = d.xpos[self.hand].copy()
        g = float(np.clip(a[6], -1.0, 1.0))
        d.ctrl[:] = (1.0 - g) / 2.0 * FINGER_OPEN
        d.mocap_quat[0] = quat
        ramp = self.substeps // 2
        for k in range(self.substeps):
            d.mocap_pos[0] = hand_0 + (hand_t - hand_0) * min(1.0, (k + 1) / ramp)
            mj.mj_step(m, d)

    # -- state -----------------------------------------------------------------------------------
    def pose(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """(position, rotation matrix) of an object body."""
        b = self.body[name]
        return self.data.xpos[b].copy(), self.data.xmat[b].reshape(3, 3).copy()

    def speed(self, name: str) -> float:
        b = self.body[name]
        if not OBJECTS[name].free:
            return 0.0
        adr = self.model.jnt_dofadr[self.model.body_jntadr[b]]
        return float(np.linalg.norm(self.data.qvel[adr:adr + 3]))

    def opening(self) -> float:
        """Distance between the finger pads (m)."""
        return float(self.data.qpos[self.finger_q[0]] + self.data.qpos[self.finger_q[1]])

    def grasped(self, name: str) -> bool:
        """Both fingers touch the object."""
        return self.touching(self.geoms[name])

    def grasped_geom(self, geom: str) -> bool:
        return self.touching({self.model.geom(geom).id})

    def touching(self, mine: set[int]) -> bool:
        """Both finger pads are in contact with one of the geoms `mine`."""
        d = self.data
        n = d.ncon
        if n == 0:
            return False
        g1, g2 = d.contact.geom1[:n], d.contact.geom2[:n]
        touch = set()
        for a, b in zip(g1.tolist(), g2.tolist(), strict=True):
            if a in self.fingers and b in mine:
                touch.add(a)
            elif b in self.fingers and a in mine:
                touch.add(b)
        return len(touch) == 2

    def drawer(self, name: str) -> float:
        return float(self.data.qpos[self.drawers[name]])

    def handle(self, name: str) -> np.ndarray:
        return self.data.site_xpos[self.model.site(f"handle_{name}").id].copy()

    def state(self) -> np.ndarray:
        """Proprioception: TCP xyz (m), hand quaternion (w, x, y, z), finger opening (m)."""
        pos, _ = self.tcp()
        return np.concatenate([pos, self.data.xquat[self.hand], [self.opening()]]).astype(np.float32)

    def render(self) -> np.ndarray:
        self.renderer.update_scene(self.data, camera="third_person")
        return self.renderer.render().copy()

    def project(self, points: np.ndarray) -> np.ndarray:
        """Pixel (x, y) of world points (N, 3) in the rendered third-person image (pinhole model of
        MuJoCo's camera: it looks down its -z axis, y up, vertical field of view fovy)."""
        m, d = self.model, self.data
        cam = m.camera("third_person").id
        h, w = self.renderer.height, self.renderer.width
        rel = (np.asarray(points, dtype=np.float64).reshape(-1, 3) - d.cam_xpos[cam]) @ d.cam_xmat[cam].reshape(3, 3)
        f = 0.5 * h / np.tan(np.deg2rad(m.cam_fovy[cam]) / 2)
        depth = np.maximum(-rel[:, 2], 1e-9)
        return np.stack([w / 2 + f * rel[:, 0] / depth, h / 2 - f * rel[:, 1] / depth], axis=1)

    def restore_visuals(self) -> None:
        m = self.model
        m.geom_rgba[:] = self.nominal_rgba
        m.light_pos[:], m.light_dir[:], m.light_diffuse[:] = self.nominal_light
        m.cam_pos[:] = self.nominal_cam
        m.cam_fovy[:] = self.nominal_fovy

    def close(self) -> None:
        try:
            self.renderer.close()
        except Exception:  # noqa: BLE001 - GL teardown errors at exit are harmless
            pass
