"""SimplerEnv back-end (`simplerenv_bridge`, `simplerenv_google`): the real SimplerEnv scenes
through `simpler_env.make(task)`, when a user has installed SimplerEnv and its ManiSkill2
real2sim assets (neither is on PyPI). Without them every entry point raises one clear
MissingDependency saying what to install.

Conventions bridged here (SimplerEnv's own policy wrappers do the same):
- image: `simpler_env.utils.env.observation_utils.get_image_from_maniskill2_obs_dict`;
- action: our 7 floats [xyz (m), axis-angle (rad), gripper -1 open .. +1 closed] become
  `[world_vector, rot_axangle, gripper]`; WidowX takes an absolute gripper with +1 = open (so the
  sign flips); the Google Robot takes a relative closedness command, so we send the change of
  our absolute target, held ("sticky") for 15 steps once it exceeds 0.5, as SimplerEnv's
  OpenVLA wrapper does;
- episode i of a task is `env.reset(seed=i, options={"obj_init_options": {"episode_id": i}})`;
  the episode ends when SimplerEnv truncates it (its own TimeLimit) or reports success.
Per-task metrics use the tabletop task names, so both suites line up with Figure 8.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.action_spec import SIMPLER_BRIDGE, SIMPLER_GOOGLE
from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import MissingDependency
from magma_bench.types import Episode, StepResult

INSTALL = ("needs SimplerEnv with its ManiSkill2 real2sim assets, which are not on PyPI: "
           "git clone https://github.com/simpler-env/SimplerEnv --recurse-submodules && "
           "pip install -e SimplerEnv/ManiSkill2_real2sim && pip install -e SimplerEnv "
           "(or use the offline stand-ins tabletop_bridge / tabletop_google)")
STICKY_REPEAT = 15  # SimplerEnv OpenVLA wrapper, google_robot


class SimplerEnvBackend(EnvBenchmark):
    domain = "robotics"
    splits = ("visual_matching",)
    default_split = "visual_matching"
    default_n = 96
    requires: ClassVar[tuple[str, ...]] = ("simpler_env",)
    robot: ClassVar[str]
    tasks: ClassVar[dict[str, str]]  # SimplerEnv task name -> our task name
    max_steps: ClassVar[int] = 200  # an upper bound; SimplerEnv's TimeLimit ends episodes first

    def __init__(self, episodes_per_task: int = 24, **args: Any) -> None:
        super().__init__(episodes_per_task=int(episodes_per_task), **args)
        self.per_task = int(episodes_per_task)
        self._envs: dict[str, Any] = {}
        self._cur: dict[str, Any] | None = None

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        if importlib.util.find_spec("simpler_env") is None:
            return False, INSTALL
        return True, ""

    def _require(self) -> Any:
        try:
            import simpler_env
        except ImportError as e:
            raise MissingDependency(f"{self.name} {INSTALL} ({e})") from None
        return simpler_env

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        self._require()
        return super().generate(out_dir, n, seed)

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        self._require()
        out = []
        for sim_task, ours in self.tasks.items():
            for i in range(self.per_task):
                out.append(Episode(f"{self.name}/{sim_task}/{i:04d}", self.name, sim_task, self.max_steps,
                                   {"task": ours, "simpler_task": sim_task, "episode_id": i}))
        return out

    # -- closed loop -----------------------------------------------------------------------------
    def reset(self, episode: Episode) -> dict[str, Any]:
        simpler_env = self._require()
        task = episode.meta["simpler_task"]
        if task not in self._envs:
            try:
                self._envs[task] = simpler_env.make(task)
            except Exception as e:  # missing assets surface here
                raise MissingDependency(f"{self.name}: simpler_env.make({task!r}) failed ({e}); {INSTALL}") from None
        env = self._envs[task]
        i = int(episode.meta["episode_id"])
        obs, _ = env.reset(seed=i, options={"obj_init_options": {"episode_id": i}})
        self._cur = {"env": env, "obs": obs, "prev_g": None, "sticky": 0, "sticky_val": 0.0,
                     "instruction": env.get_language_instruction()}
        # SimplerEnv draws the instruction at reset (move near, drawers): the rollout reads it here
        episode.instruction = self._cur["instruction"]
        return self._observe()

    def _observe(self) -> dict[str, Any]:
        from simpler_env.utils.env.observation_utils import get_image_from_maniskill2_obs_dict

        cur = self._cur
        image = np.asarray(get_image_from_maniskill2_obs_dict(cur["env"], cur["obs"]), dtype=np.uint8)
        return {"image": image, "instruction": cur["instruction"]}

    def to_env_action(self, action: list[float]) -> np.ndarray:
        """Our 7-DoF action -> SimplerEnv's [world_vector, rot_axangle, gripper] for this robot."""
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        if a.shape != (7,) or not np.all(np.isfinite(a)):
            raise ValueError(f"action must be 7 finite numbers, got {action!r}"[:200])
        g = float(np.clip(a[6], -1.0, 1.0))
        if self.robot == "bridge":
            grip = -g  # WidowX: +1 open
        else:
            cur = self._cur
            rel = 0.0 if cur["prev_g"] is None else (g - cur["prev_g"]) / 2.0  # change of closedness
            cur["prev_g"] = g
            if abs(rel) > 0.5 and cur["sticky"] == 0:
                cur["sticky"], cur["sticky_val"] = STICKY_REPEAT, rel
            if cur["sticky"] > 0:
                rel = cur["sticky_val"]
                cur["sticky"] -= 1
            grip = rel
        return np.concatenate([a[:3], a[3:6], [grip]])

    def step(self, action: list[float]) -> StepResult:
        cur = self._cur
        if cur is None:
            raise RuntimeError("step() before reset()")
        obs, _reward, success, truncated, info = cur["env"].step(self.to_env_action(action))
        cur["obs"] = obs
        new = cur["env"].get_language_instruction()
        cur["instruction"] = new or cur["instruction"]
        done = bool(success) or bool(truncated)
        return StepResult(self._observe(), done, {"success": bool(success)})

    def close(self) -> None:
        for env in self._envs.values():
            try:
                env.close()
            except Exception:  # noqa: BLE001 - closing a half-built simulator must not mask results
                pass
        self._envs.clear()


class SimplerEnvBridge(SimplerEnvBackend):
    name = "simplerenv_bridge"
    action_spec = SIMPLER_BRIDGE
    robot = "bridge"
    tasks: ClassVar[dict[str, str]] = {
        "widowx_spoon_on_towel": "put_spoon_on_towel", "widowx_carrot_on_plate": "put_carrot_on_plate",
        "widowx_stack_cube": "stack_green_block_on_yellow_block",
        "widowx_put_eggplant_in_basket": "put_eggplant_in_basket"}


class SimplerEnvGoogle(SimplerEnvBackend):
    name = "simplerenv_google"
    action_spec = SIMPLER_GOOGLE
    robot = "google"
    tasks: ClassVar[dict[str, str]] = {
        "google_robot_pick_coke_can": "pick_coke_can", "google_robot_move_near": "move_near",
        "google_robot_open_drawer": "open_drawer", "google_robot_close_drawer": "close_drawer"}
