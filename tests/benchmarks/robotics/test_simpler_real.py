"""The SimplerEnv back-end against the real SimplerEnv, where it imports (skipped otherwise; CI
cannot fetch it). One episode of the first task whose assets are present runs twice with the same
actions: through our back-end, and through the loop of SimplerEnv's own evaluator
(`simple_inference_visual_matching_prepackaged_envs.py`: step until truncated, success = the last
step's flag, `episode_stats` of the last info). Steps, success, episode_stats and the last frame
must agree. Set up with `make simplerenv SIMPLER_DIR=<clone>` (docs/simplerenv.md), then run
`.venv-simpler/bin/python -m pytest -q tests/benchmarks/robotics/test_simpler_real.py`."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from magma_bench.benchmarks.robotics import _simpler_setup as setup
from magma_bench.benchmarks.robotics.simpler import SimplerEnvBridge, SimplerEnvGoogle, partial_scores

pytestmark = pytest.mark.skipif(importlib.util.find_spec("simpler_env") is None, reason="SimplerEnv not installed")


def _task() -> str:
    why = setup.rendering_problem() or setup.probe_renderer()
    if why:
        pytest.skip(why)
    gpu = not setup.software_only(setup.vulkan_icds())
    for name, t in setup.TASKS.items():
        if not setup.missing_files(t) and (gpu or not t.raytraced):
            return name
    pytest.skip("no SimplerEnv task has its asset files here")


def _actions(n: int) -> list[list[float]]:
    """Drift forward and down, close the gripper halfway through: exercises arm and gripper."""
    return [[0.005, 0.0, -0.005, 0.0, 0.0, 0.02, -1.0 if t < n // 2 else 1.0] for t in range(n)]


def test_backend_matches_the_official_loop() -> None:
    import simpler_env
    from simpler_env.utils.env.observation_utils import get_image_from_maniskill2_obs_dict

    task = _task()
    cls = SimplerEnvGoogle if task.startswith("google") else SimplerEnvBridge
    env = cls(episodes_per_task=1, tasks=[task], allow_cpu_raytracing=True)
    ep = env.episodes(None, "visual_matching")[0]
    acts = _actions(ep.max_steps)
    obs = env.reset(ep)
    assert obs["image"].dtype == np.uint8 and obs["image"].ndim == 3 and obs["instruction"]
    ours, steps, res = [], 0, None
    for a in acts:
        ours.append(env.to_env_action(a))
        res = env.step(a)
        steps += 1
        if res.done:
            break
    last_ours = res.observation["image"]
    env.close()

    # the official loop, fed the same env actions
    off = simpler_env.make(task)
    i = ep.meta["episode_id"]
    off.reset(seed=i, options={"obj_init_options": {"episode_id": i}})
    truncated, t, success, info, frame = False, 0, False, {}, None
    while not truncated:
        o, _r, success, truncated, info = off.step(ours[t])
        frame = get_image_from_maniskill2_obs_dict(off.unwrapped, o)
        t += 1
    off.close()
    assert steps == t == setup.TASKS[task].time_limit
    assert res.info["success"] == bool(success)
    assert res.info["episode_stats"] == dict(info.get("episode_stats", {}))
    assert partial_scores(ep.meta["task"], res.info["episode_stats"]).keys() <= res.info.keys()
    np.testing.assert_array_equal(last_ours, frame)
