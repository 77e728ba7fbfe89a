"""MuJoCo tabletop suites shaped like SimplerEnv (Li et al., 2024): `tabletop_bridge` (WidowX /
Bridge tasks) and `tabletop_google` (Google Robot tasks), the offline stand-in for SimplerEnv,
whose scene assets cannot be downloaded here.

One episode = one task instance drawn from a seed; success is read from simulator state
(`_tasks.check`). Observations: {"image": HxWx3 uint8 third-person view, "state": TCP xyz, hand
quaternion, finger opening, "expert_action": the scripted expert's 7 floats (read by `oracle`),
"heuristic_action": move-to-nearest-object (read by `heuristic`), "instruction", "task"}.
Actions: 7-DoF end-effector deltas, documented in `_sim.py` (metres, axis-angle radians in the
base frame, gripper -1 open .. +1 closed), 5 Hz.

Baselines: the oracle (the scripted expert) must succeed on every task in both modes (the slow
test in `tests/benchmarks/robotics/test_tabletop.py` checks it); random and heuristic score mostly
by bumping an open drawer shut, as SimplerEnv's untrained RT-1-begin does in simulation. Their
rates are measured by running them (`magma-bench run`), not written here, where they would go stale.

Episode lists are written by `generate` as `episodes.json` ({"episodes": [{id, task, seed,
instruction, max_steps, params}]}), so ids and seeds are stable and can be shared.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.action_spec import TABLETOP_BRIDGE, TABLETOP_GOOGLE
from magma_bench.benchmark import EnvBenchmark
from magma_bench.data.hf_files import read_json, require_fields
from magma_bench.errors import UserError
from magma_bench.types import Episode, StepResult

EPISODES_FILE = "episodes.json"


def episode_seed(seed: int, task: str, index: int) -> int:
    digest = hashlib.blake2b(f"{seed}\x1f{task}\x1f{index}".encode(), digest_size=4).digest()
    return int.from_bytes(digest, "little")


class Tabletop(EnvBenchmark):
    """Shared machinery; subclasses name the robot and its four tasks."""

    domain = "robotics"
    splits = ("test",)
    default_n = 96  # 24 episodes per task, as SimplerEnv's visual-matching Bridge runs
    requires: ClassVar[tuple[str, ...]] = ("mujoco",)
    robot: ClassVar[str]
    task_names: ClassVar[tuple[str, ...]]

    def __init__(self, mode: str = "visual_matching", tasks: list[str] | None = None, size: int = 224,
                 video_dir: str | None = None, **args: Any) -> None:
        from magma_bench.benchmarks.robotics._variation import MODES

        if mode not in MODES:
            raise UserError(f"{self.name}: unknown mode {mode!r}; choose one of {', '.join(MODES)}")
        unknown = sorted(set(tasks or ()) - set(self.task_names))
        if unknown:
            raise UserError(f"{self.name}: unknown task(s) {', '.join(unknown)}; "
                            f"choose from {', '.join(self.task_names)}")
        if not 64 <= int(size) <= 512:
            raise UserError(f"{self.name}: image size {size} out of range (64..512; SimplerEnv-like 224-256)")
        super().__init__(mode=mode, tasks=list(tasks) if tasks else None, size=int(size), **args)
        self.mode, self.size = mode, int(size)
        self.tasks = tuple(tasks) if tasks else self.task_names
        self.video_dir = Path(video_dir) if video_dir else None  # not part of the run identity
        self._sims: dict[tuple, Any] = {}
        self._ep: dict[str, Any] | None = None

    # -- episode lists ---------------------------------------------------------------------------
    def episode_list(self, n: int, seed: int) -> list[dict[str, Any]]:
        """n episodes spread evenly over the tasks (ceil(n / tasks) each), in a stable order."""
        from magma_bench.benchmarks.robotics._tasks import TASKS, sample_setup

        per = max(1, math.ceil(n / len(self.task_names)))
        rows = []
        for name in self.task_names:
            task = TASKS[name]
            for i in range(per):
                s = episode_seed(seed, name, i)
                setup = sample_setup(task, np.random.default_rng(s))
                rows.append({"id": f"{self.name}/{name}/{i:04d}", "task": name, "seed": s,
                             "instruction": setup.instruction, "max_steps": task.max_steps,
                             "params": {k: v for k, v in setup.params.items() if k != "objects"}})
        return rows

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        doc = {"benchmark": self.name, "robot": self.robot, "seed": seed, "episodes": self.episode_list(n, seed)}
        (out_dir / EPISODES_FILE).write_text(json.dumps(doc, indent=1) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        from magma_bench.benchmarks.robotics._tasks import TASKS

        rows = self.episode_list(self.default_n, 0)
        if data_dir is not None:
            path = Path(data_dir) / EPISODES_FILE
            if not path.exists():
                raise UserError(f"{self.name}: {path} not found; an episode list is written by "
                                f"`generate` (or leave out --data-dir)")
            data = read_json(path)
            require_fields(data, {"episodes": list}, f"{path}: episode list")
            rows = data["episodes"]
        out = []
        for i, r in enumerate(rows):
            try:
                task = TASKS[r["task"]]
                params = {k: v for k, v in dict(r.get("params") or {}).items() if k not in ("task", "seed")}
                ep = Episode(str(r["id"]), self.name, str(r["instruction"]), int(r["max_steps"]),
                             {"task": task.name, "seed": int(r["seed"]), "mode": self.mode, "robot": self.robot,
                              **params})
            except (KeyError, TypeError, ValueError) as e:
                raise UserError(f"{data_dir}/{EPISODES_FILE}: episode {i} is malformed ({e!r})") from None
            if task.robot != self.robot:
                raise UserError(f"{data_dir}/{EPISODES_FILE}: episode {ep.id!r} is a {task.robot} task, "
                                f"not {self.robot}")
            if task.name in self.tasks:
                out.append(ep)
        return out

    # -- closed loop -----------------------------------------------------------------------------
    def _sim(self, task: Any) -> Any:
        from magma_bench.benchmarks.robotics._sim import Sim

        key = (task.objects, task.cabinet)
        if key not in self._sims:
            self._sims[key] = Sim(task.objects, task.cabinet, self.size)
        return self._sims[key]

    def reset(self, episode: Episode) -> dict[str, Any]:
        from magma_bench.benchmarks.robotics._expert import Expert
        from magma_bench.benchmarks.robotics._tasks import TASKS, sample_setup
        from magma_bench.benchmarks.robotics._variation import apply_visuals

        self._flush_video()
        task = TASKS[episode.meta["task"]]
        sim = self._sim(task)
        seed = int(episode.meta["seed"])
        setup = sample_setup(task, np.random.default_rng(seed))
        if setup.instruction != episode.instruction:
            raise UserError(f"{self.name}: episode {episode.id!r} instruction {episode.instruction!r} does not "
                            f"match its seed ({setup.instruction!r}); the episode list is stale")
        apply_visuals(sim, self.robot, self.mode, np.random.default_rng([seed, 1]))
        sim.reset(setup.poses, setup.drawer_q, setup.cabinet_xy)
        start = {n: sim.pose(n)[0] for n in task.objects}
        self._ep = {"id": episode.id, "task": task, "sim": sim, "setup": setup, "start": start,
                    "expert": Expert(task, sim, setup), "steps": 0, "max_steps": episode.max_steps,
                    "progress": {}, "frames": [], "success": False}
        return self._observe()

    def _observe(self) -> dict[str, Any]:
        from magma_bench.benchmarks.robotics._expert import heuristic_action

        ep = self._ep
        sim = ep["sim"]
        image = sim.render()
        if self.video_dir is not None:
            ep["frames"].append(image)
        return {"image": image, "state": sim.state(),
                "expert_action": [float(v) for v in ep["expert"].act()],
                "heuristic_action": [float(v) for v in heuristic_action(ep["task"], sim, ep["setup"])],
                "instruction": ep["setup"].instruction, "task": ep["task"].name}

    def step(self, action: list[float]) -> StepResult:
        from magma_bench.benchmarks.robotics._tasks import check

        ep = self._ep
        if ep is None:
            raise RuntimeError("step() before reset()")
        a = np.asarray(action, dtype=np.float64).reshape(-1)
        if a.shape != (7,) or not np.all(np.isfinite(a)):
            raise ValueError(f"action must be 7 finite numbers (xyz, rotation, gripper), got {action!r}"[:200])
        ep["sim"].apply(a)
        ep["steps"] += 1
        success, progress = check(ep["task"], ep["sim"], ep["setup"], ep["start"])
        for k, v in progress.items():  # partial credit is the best reached so far
            ep["progress"][k] = max(ep["progress"].get(k, 0.0), v)
        ep["success"] = bool(success)
        done = ep["success"] or ep["steps"] >= ep["max_steps"]
        obs = self._observe()
        if done:
            self._flush_video()
        return StepResult(obs, done, {"success": ep["success"], **ep["progress"]})

    def mark_points(self) -> dict[str, Any]:
        """Set-of-Mark candidates for the current frame: the gripper (TCP) first, then the task's
        objects on the table at reset (or the drawer handle), as image pixels, and `goal`, the index
        of the point the gripper should reach next: the object to grasp, then where to bring it."""
        ep = self._ep
        if ep is None:
            raise RuntimeError("mark_points() before reset()")
        task, sim, p = ep["task"], ep["sim"], ep["setup"].params
        names, xyz = ["gripper"], [sim.tcp()[0]]
        for n in task.objects:
            if ep["start"][n][0] > 0:  # parked pool objects wait off the table, behind the camera
                names.append(n)
                xyz.append(sim.pose(n)[0])
        if "drawer" in p:
            names.append(f"handle_{p['drawer']}")
            xyz.append(sim.handle(p["drawer"]))
            goal = names[-1]
        else:
            grasped = ep["progress"].get("progress_grasp", 0.0) > 0 or sim.grasped(p["source"])
            goal = p["target"] if grasped and p.get("target") else p["source"]
        pts = sim.project(np.array(xyz))
        return {"points": pts.tolist(), "names": names, "goal": names.index(goal)}

    def _flush_video(self) -> None:
        ep = self._ep
        if ep and self.video_dir is not None and ep["frames"]:
            from magma_bench.benchmarks.robotics._video import write_video

            write_video(ep["frames"], self.video_dir, ep["id"], ep["success"])
            ep["frames"] = []

    def close(self) -> None:
        self._flush_video()
        for sim in self._sims.values():
            sim.close()
        self._sims.clear()


class TabletopBridge(Tabletop):
    """Bridge-shaped tasks (SimplerEnv WidowX): spoon on towel, carrot on plate, stack, eggplant in basket."""

    name = "tabletop_bridge"
    action_spec = TABLETOP_BRIDGE
    robot = "bridge"
    task_names = ("put_spoon_on_towel", "put_carrot_on_plate", "stack_green_block_on_yellow_block",
                  "put_eggplant_in_basket")


class TabletopGoogle(Tabletop):
    """Google-Robot-shaped tasks (SimplerEnv): pick coke can, move near, open drawer, close drawer."""

    name = "tabletop_google"
    action_spec = TABLETOP_GOOGLE
    robot = "google"
    task_names = ("pick_coke_can", "move_near", "open_drawer", "close_drawer")
