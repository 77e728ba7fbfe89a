"""ActionSpec: conversions between action conventions, checked against worked values (Euler ->
axis-angle values from transforms3d's `euler2axangle`, which upstream Magma's SimplerEnv agent uses)."""

from __future__ import annotations

import numpy as np
import pytest

from magma_bench.action_spec import (
    HARNESS,
    SIMPLER_BRIDGE,
    SIMPLER_GOOGLE,
    UPSTREAM_LIBERO,
    UPSTREAM_OXE,
    ActionSpec,
    axis_angle_to_euler,
    convert,
    euler_to_axis_angle,
    libero_spec,
    spec_of,
)
from magma_bench.benchmarks.robotics.libero import Libero
from magma_bench.benchmarks.robotics.simpler import SimplerEnvBridge, SimplerEnvGoogle
from magma_bench.benchmarks.robotics.tabletop import TabletopBridge, TabletopGoogle
from magma_bench.errors import UserError

# transforms3d.euler.euler2axangle(r, p, y) -> axis * angle (run once with transforms3d 0.4.2)
EULER_CASES = [((0.1, -0.2, 0.3), (0.12892336372590388, -0.18342579500937847, 0.30874816361702984)),
               ((0.0, 0.0, 0.0), (0.0, 0.0, 0.0)),
               ((-0.05, 0.02, -0.15), (-0.04840455221464066, 0.023708049299998882, -0.1494637254859116))]


@pytest.mark.parametrize("rpy,axang", EULER_CASES)
def test_euler_to_axis_angle_matches_transforms3d(rpy, axang):
    np.testing.assert_allclose(euler_to_axis_angle(rpy), axang, atol=1e-12)
    np.testing.assert_allclose(axis_angle_to_euler(axang), rpy, atol=1e-12)


def test_upstream_output_to_simplerenv():
    a = [0.01, -0.02, 0.03, 0.1, -0.2, 0.3, 0.8]  # Euler, open-fraction 0.8 (open)
    bridge = convert(a, UPSTREAM_OXE, SIMPLER_BRIDGE)
    assert bridge[:3] == a[:3] and bridge[6] == -1.0  # binarised, harness sign: -1 = open
    np.testing.assert_allclose(bridge[3:6], EULER_CASES[0][1], atol=1e-12)
    assert convert(a[:6] + [0.5], UPSTREAM_OXE, SIMPLER_BRIDGE)[6] == 1.0  # upstream: open only when > 0.5
    google = convert(a[:6] + [0.25], UPSTREAM_OXE, SIMPLER_GOOGLE)
    assert google[6] == pytest.approx(0.5)  # continuous closedness 1 - 2 * open
    assert convert(a[:6] + [1.7], UPSTREAM_OXE, SIMPLER_GOOGLE)[6] == -1.0  # open-fraction clipped to [0, 1]


def test_libero_gripper_modes_and_units():
    a = [0.5, -0.5, 0.1, 0.01, 0.02, -0.03, 0.3]
    assert convert(a, UPSTREAM_LIBERO, libero_spec("openvla")) == a[:6] + [0.0]
    assert convert(a, UPSTREAM_LIBERO, libero_spec("signed")) == a[:6] + [1.0]  # closed
    with pytest.raises(UserError, match="actions in normalized .* cannot drive simplerenv_google"):
        convert(a, UPSTREAM_LIBERO, SIMPLER_GOOGLE)
    with pytest.raises(UserError, match="an action is 7 finite numbers"):
        convert(a[:6], UPSTREAM_OXE, HARNESS)
    with pytest.raises(UserError, match="low/high must be 7 numbers"):
        ActionSpec("bad", low=(1.0,) * 7, high=(0.0,) * 7)


def test_envs_name_their_specs():
    assert TabletopBridge.action_spec.unnorm_key == "bridge_orig" and TabletopGoogle.action_spec.unnorm_key == "google_robot"
    assert SimplerEnvBridge.action_spec is SIMPLER_BRIDGE and SimplerEnvGoogle.action_spec is SIMPLER_GOOGLE
    assert SIMPLER_BRIDGE.image_size == (256, 256) and SIMPLER_BRIDGE.gripper_binary
    lib = Libero.__new__(Libero)
    lib.gripper, lib.suite = "signed", "libero_10"
    assert lib.action_spec.gripper == "signed_close" and lib.action_spec.unnorm_key == "libero_10_no_noops"
    assert not lib.action_spec.image_resize
    assert spec_of({}) is HARNESS and spec_of({"action_spec": SIMPLER_GOOGLE}) is SIMPLER_GOOGLE
    with pytest.raises(UserError, match="must be an ActionSpec"):
        spec_of({"action_spec": "simplerenv_bridge"})
