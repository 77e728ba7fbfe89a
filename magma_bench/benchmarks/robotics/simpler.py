"""SimplerEnv back-end (`simplerenv_bridge`, `simplerenv_google`): the real SimplerEnv scenes
through `simpler_env.make(task)`, when a user has installed SimplerEnv and its ManiSkill2
real2sim assets (neither is on PyPI; `make simplerenv`, docs/simplerenv.md). Without them every
entry point raises one clear MissingDependency saying which of three things is missing
(`_simpler_setup`: the packages, Vulkan rendering, or the task's asset files).

The episode loop follows SimplerEnv's own evaluation step for step
(`simpler_env/evaluation/maniskill2_evaluator.py`, `simple_inference_visual_matching_prepackaged_envs.py`):
- episode i of a task is `env.reset(seed=i, options={"obj_init_options": {"episode_id": i}})`;
  the instruction comes from `env.unwrapped.get_language_instruction()` at reset and after
  every step (the wrapper's forwarding of it is deprecated in gymnasium);
- it runs until the env's TimeLimit truncates it, NOT until the first success (our adapters
  cannot predict termination, the other way the official loop ends), and success is the
  `terminated` flag of the last step: an object lifted and dropped again is a failure;
- the last step's `info["episode_stats"]` (grasped, moved the right object, on target ...)
  become partial scores `progress_<stat>` (`partial_scores`), which the rollout keeps.
Actions: our 7 floats [xyz (m), axis-angle (rad), gripper -1 open .. +1 closed] become
`[world_vector, rot_axangle, gripper]` as the SimplerEnv policy wrappers send them (`to_env_action`):
- WidowX: binarised absolute gripper, +1 = open (Octo `2 * (open > 0.5) - 1`; RT-1 inverts
  then `2 * (g > 0) - 1`): our g < 0 (open) -> +1, else -1;
- Google Robot: a relative closedness command. The Octo wrapper's sticky rule: the change of the
  open-fraction `prev_open - open` (0 on the first step); once |change| > 0.5 it is repeated
  for `sticky_repeat` steps (counting the step that triggered it), then released. Magma's own
  agent (microsoft/Magma tools/simplerenv-magma, `MagmaInference(sticky_gripper_num_repeat=10)`),
  the OpenVLA-derived and CogACT agents use 10, the default; Octo's uses 15 (`sticky_repeat=15`).
  The arm is passed through unclipped, as the wrappers do; `action_spec` states the range.
The drawer tasks render ray-traced (prepackaged `shader_dir="rt"`): about 38 s per step on a CPU
Vulkan driver, so they are refused there unless `allow_cpu_raytracing=true`.
Per-task metrics use the tabletop task names, so both suites line up with Figure 8.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.action_spec import SIMPLER_BRIDGE, SIMPLER_GOOGLE
from magma_bench.benchmark import EnvBenchmark
from magma_bench.benchmarks.robotics import _simpler_setup as setup
from magma_bench.errors import MissingDependency, UserError
from magma_bench.types import Episode, StepResult

STICKY_REPEAT = 10  # Magma's SimplerEnv agent (sticky_gripper_num_repeat; Octo's wrapper: 15)
# drawer success thresholds on the drawer joint (m), OpenDrawerInSceneEnv / CloseDrawerInSceneEnv.evaluate;
# a closing episode starts at cabinet_init_qpos 0.2
OPEN_Q, CLOSED_Q, CLOSE_START_Q = 0.15, 0.05, 0.2
# the stat each task's "grasp" partial score (Fig. 8-style grasp rate, tabletop's progress_grasp) reads
GRASP_STAT = {"pick_coke_can": "grasped", "put_spoon_on_towel": "is_src_obj_grasped",
              "put_carrot_on_plate": "is_src_obj_grasped", "stack_green_block_on_yellow_block": "is_src_obj_grasped",
              "put_eggplant_in_basket": "is_src_obj_grasped"}


def partial_scores(task: str, stats: dict[str, Any]) -> dict[str, float]:
    """SimplerEnv's `episode_stats` as partial scores in [0, 1], keyed `progress_*`.

    Each boolean stat k -> `progress_k`; `n_lift_significant` (a count) -> `progress_lifted`
    (lifted at least once); the drawer joint `qpos` -> `progress`, the fraction of the way to the
    success threshold (tabletop's drawer key); the task's grasp stat also -> `progress_grasp`."""
    out: dict[str, float] = {}
    for k, v in stats.items():
        if isinstance(v, bool | np.bool_):
            out[f"progress_{k}"] = float(bool(v))
    if "n_lift_significant" in stats:
        out["progress_lifted"] = float(int(stats["n_lift_significant"]) > 0)
    if "qpos" in stats and task in ("open_drawer", "close_drawer"):
        q = float(stats["qpos"])  # SimplerEnv formats it as a string
        frac = q / OPEN_Q if task == "open_drawer" else (CLOSE_START_Q - q) / (CLOSE_START_Q - CLOSED_Q)
        out["progress"] = float(np.clip(frac, 0.0, 1.0))
    if GRASP_STAT.get(task) in stats:
        out["progress_grasp"] = float(bool(stats[GRASP_STAT[task]]))
    return out


class SimplerEnvBackend(EnvBenchmark):
    domain = "robotics"
    splits = ("visual_matching",)
    default_split = "visual_matching"
    default_n = 96
    requires: ClassVar[tuple[str, ...]] = ("simpler_env",)
    robot: ClassVar[str]
    tasks: ClassVar[dict[str, str]]  # SimplerEnv task name -> our task name
    max_steps: ClassVar[int] = 120  # the longest time limit; each episode gets its task's own

    def __init__(self, episodes_per_task: int = 24, tasks: list[str] | None = None, sticky_repeat: int = STICKY_REPEAT,
                 allow_cpu_raytracing: bool = False, **args: Any) -> None:
        names = {**{v: k for k, v in self.tasks.items()}, **{k: k for k in self.tasks}}
        unknown = sorted(set(tasks or ()) - set(names))
        if unknown:
            raise UserError(f"{self.name}: unknown task(s) {', '.join(unknown)}; "
                            f"choose from {', '.join(self.tasks.values())}")
        if int(episodes_per_task) < 1 or int(sticky_repeat) < 1:
            raise UserError(f"{self.name}: episodes_per_task and sticky_repeat must be >= 1, "
                            f"got {episodes_per_task} and {sticky_repeat}")
        super().__init__(episodes_per_task=int(episodes_per_task), tasks=list(tasks) if tasks else None,
                         sticky_repeat=int(sticky_repeat), allow_cpu_raytracing=bool(allow_cpu_raytracing), **args)
        self.per_task = int(episodes_per_task)
        self.selected = [names[t] for t in tasks] if tasks else list(self.tasks)
        self.sticky_repeat = int(sticky_repeat)
        self.allow_cpu_raytracing = bool(allow_cpu_raytracing)
        self._envs: dict[str, Any] = {}
        self._cur: dict[str, Any] | None = None
        self._rendering_ok = False

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        """Installed, a Vulkan loader and driver, and some task's asset files (cheap: no imports).
        Runnable with a note when only some tasks can run here (missing files, ray tracing on a CPU)."""
        why = setup.install_problem() or setup.rendering_problem()
        if why:
            return False, why
        chosen = [setup.TASKS[t] for t in cls.tasks]
        complete = [t for t in chosen if not setup.missing_files(t)]
        if not complete:
            return False, setup.assets_problem(chosen) or ""
        notes = []
        if len(complete) < len(chosen):
            notes.append(f"only tasks={','.join(t.ours for t in complete)} have their files: "
                         f"{setup.assets_problem([t for t in chosen if t not in complete])}")
        rt = [t.ours for t in complete if t.raytraced]
        if rt and setup.software_only(setup.vulkan_icds()):
            notes.append(f"{', '.join(rt)} are ray-traced and need a GPU (CPU-only Vulkan driver here)")
        return True, "; ".join(notes)

    def _require(self) -> Any:
        """simpler_env imported, or one MissingDependency line saying what is missing."""
        why = setup.install_problem() or setup.rendering_problem()
        if why:
            raise MissingDependency(f"{self.name}: {why}")
        try:
            import simpler_env
        except ImportError as e:
            raise MissingDependency(f"{self.name}: simpler_env not installed ({e}): {setup.INSTALL}") from None
        return simpler_env

    def _check_tasks(self) -> None:
        """The selected tasks' asset files, and no ray-traced task on a CPU-only Vulkan driver."""
        chosen = [setup.TASKS[t] for t in self.selected]
        why = setup.assets_problem(chosen)
        if why:
            raise MissingDependency(f"{self.name}: {why}")
        rt = [t for t in chosen if t.raytraced]
        if rt and not self.allow_cpu_raytracing and setup.software_only(setup.vulkan_icds()):
            others = [t.ours for t in chosen if not t.raytraced]
            raise MissingDependency(
                f"{self.name}: {', '.join(t.ours for t in rt)} render ray-traced and need a GPU (about 38 s per step "
                f"on this CPU-only Vulkan driver); " + (f"run tasks={','.join(others)}, or " if others else "")
                + "pass allow_cpu_raytracing=true to wait")

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        self._require()
        return super().generate(out_dir, n, seed)

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        self._require()
        self._check_tasks()
        out = []
        for sim_task in self.selected:
            spec = setup.TASKS[sim_task]
            for i in range(self.per_task):
                out.append(Episode(f"{self.name}/{sim_task}/{i:04d}", self.name, sim_task, spec.time_limit,
                                   {"task": spec.ours, "simpler_task": sim_task, "episode_id": i}))
        return out

    # -- closed loop -----------------------------------------------------------------------------
    def _make(self, simpler_env: Any, task: str) -> Any:
        spec = setup.TASKS[task]
        why = setup.assets_problem([spec])  # SAPIEN would only log a missing scene and run on
        if why:
            raise MissingDependency(f"{self.name}: {why}")
        if not self._rendering_ok:
            why = setup.probe_renderer()
            if why:
                raise MissingDependency(f"{self.name}: {why}")
            self._rendering_ok = True
        try:
            env = simpler_env.make(task)
        except Exception as e:  # noqa: BLE001 - told apart below, one line each
            if setup.looks_like_rendering(e):
                raise MissingDependency(f"{self.name}: Vulkan/rendering unavailable: simpler_env.make({task!r}) "
                                        f"failed ({type(e).__name__}: {e}), {setup.DOCS}") from None
            if isinstance(e, FileNotFoundError):
                raise MissingDependency(f"{self.name}: asset files missing: simpler_env.make({task!r}): {e}") from None
            raise UserError(f"{self.name}: simpler_env.make({task!r}) failed: {type(e).__name__}: {e}") from None
        limit = getattr(getattr(env, "spec", None), "max_episode_steps", None)
        if limit is not None and int(limit) != spec.time_limit:
            raise UserError(f"{self.name}: {task} has a time limit of {limit} steps in this SimplerEnv, the harness "
                            f"expects {spec.time_limit} (_simpler_setup.TASKS); results would not be comparable")
        return env

    def reset(self, episode: Episode) -> dict[str, Any]:
        simpler_env = self._require()
        task = episode.meta["simpler_task"]
        if task not in self._envs:
            self._envs[task] = self._make(simpler_env, task)
        env = self._envs[task]
        i = int(episode.meta["episode_id"])
        obs, _ = env.reset(seed=i, options={"obj_init_options": {"episode_id": i}})
        self._cur = {"env": env, "obs": obs, "task": episode.meta["task"], "t": 0,
                     "limit": setup.TASKS[task].time_limit, "prev_open": None, "sticky": 0, "sticky_val": 0.0,
                     "instruction": env.unwrapped.get_language_instruction()}
        # SimplerEnv draws the instruction at reset (move near, drawers): the rollout reads it from obs
        episode.instruction = self._cur["instruction"]
        return self._observe()

    def _observe(self) -> dict[str, Any]:
        from simpler_env.utils.env.observation_utils import get_image_from_maniskill2_obs_dict

        cur = self._cur
        image = np.asarray(get_image_from_maniskill2_obs_dict(cur["env"].unwrapped, cur["obs"]), dtype=np.uint8)
        return {"image": image, "instruction": cur["instruction"]}

    def _google_gripper(self, g: float) -> float:
        """Octo's sticky relative gripper from our absolute command g (-1 open .. +1 closed)."""
        cur = self._cur
        p = (1.0 - g) / 2.0  # open-fraction, as Octo emits it
        rel = 0.0 if cur["prev_open"] is None else cur["prev_open"] - p  # +1 = close, -1 = open
        cur["prev_open"] = p
        if abs(rel) > 0.5 and cur["sticky"] == 0:
            cur["sticky_val"] = rel
            cur["sticky"] = 1
        elif cur["sticky"] > 0:
            cur["sticky"] += 1
        if cur["sticky"] > 0:
            rel = cur["sticky_val"]
            if cur["sticky"] == self.sticky_repeat:  # held for sticky_repeat steps: release
                cur["sticky"], cur["sticky_val"] = 0, 0.0
        return float(rel)

    def to_env_action(self, action: list[float]) -> np.ndarray:
        """Our 7-DoF action -> SimplerEnv's [world_vector, rot_axangle, gripper] for this robot."""
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        if a.shape != (7,) or not np.all(np.isfinite(a)):
            raise ValueError(f"action must be 7 finite numbers, got {action!r}"[:200])
        g = float(np.clip(a[6], -1.0, 1.0))
        grip = (1.0 if g < 0.0 else -1.0) if self.robot == "bridge" else self._google_gripper(g)
        return np.concatenate([a[:3], a[3:6], [grip]])

    def step(self, action: list[float]) -> StepResult:
        cur = self._cur
        if cur is None:
            raise RuntimeError("step() before reset()")
        obs, _reward, terminated, truncated, info = cur["env"].step(self.to_env_action(action))
        cur["obs"], cur["t"] = obs, cur["t"] + 1
        cur["instruction"] = cur["env"].unwrapped.get_language_instruction() or cur["instruction"]
        stats = dict(info.get("episode_stats") or {})
        done = bool(truncated) or cur["t"] >= cur["limit"]  # never on success: the official loop runs on
        return StepResult(self._observe(), done, {"success": bool(terminated), "truncated": bool(truncated),
                                                  "episode_stats": stats, **partial_scores(cur["task"], stats)})

    def close(self) -> None:
        for env in self._envs.values():
            try:
                env.close()
            except Exception:  # noqa: BLE001 - closing a half-built simulator must not mask results
                pass
        self._envs.clear()


def _robot_tasks(prefix: str) -> dict[str, str]:
    """SimplerEnv task name -> our task name for one robot's tasks (SimplerEnv names them by robot
    prefix), in `setup.TASKS` order: that table is the one list of tasks."""
    return {name: t.ours for name, t in setup.TASKS.items() if name.startswith(prefix)}


class SimplerEnvBridge(SimplerEnvBackend):
    name = "simplerenv_bridge"
    action_spec = SIMPLER_BRIDGE
    robot = "bridge"
    tasks = _robot_tasks("widowx_")


class SimplerEnvGoogle(SimplerEnvBackend):
    name = "simplerenv_google"
    action_spec = SIMPLER_GOOGLE
    robot = "google"
    tasks = _robot_tasks("google_robot_")
