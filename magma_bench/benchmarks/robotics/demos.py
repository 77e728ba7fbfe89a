"""Expert demonstrations in an Open-X / RLDS-like episode format, for the trainer.

Layout of a demonstrations directory:
    dataset_info.json        {"format": "magma_bench.rlds_npz", "version": 1, "benchmark", "mode",
                              "image_size", "action_convention", "episodes": [{"id", "file", "task",
                              "seed", "length", "success", "language_instruction"}]}
    dataset_statistics.json  OpenVLA's layout: {"action": {mean, std, min, max, q01, q99, mask},
                              "proprio": {...}, "num_transitions", "num_trajectories"}; the
                              q01/q99 bounds are what the 256-bin action tokenizer normalises with
    episodes/<id>.npz        one RLDS episode, steps stacked on axis 0 (T steps):
                              observation/image (T,H,W,3) uint8, observation/state (T,8) float32,
                              action (T,7) float32 (the action taken at that observation),
                              reward (T,) (1 on the last step of a success), discount (T,),
                              is_first / is_last / is_terminal (T,) bool, language_instruction ();
                              optional Set-of-Mark candidates: observation/mark_points (T,K,2)
                              float32 pixels (gripper first, then objects / handle; names in the
                              episode row's "mark_names") and observation/mark_goal (T,) int16, the
                              index of the point the gripper reaches next
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.data.hf_files import read_json, require_fields
from magma_bench.errors import UserError

FORMAT = "magma_bench.rlds_npz"
VERSION = 1
STEP_KEYS = ("observation/image", "observation/state", "action", "reward", "discount", "is_first", "is_last",
             "is_terminal")
MARK_KEYS = ("observation/mark_points", "observation/mark_goal")  # optional: robot SoM candidates


def _stats(x: np.ndarray) -> dict[str, list[float]]:
    return {"mean": x.mean(0).tolist(), "std": x.std(0).tolist(), "min": x.min(0).tolist(),
            "max": x.max(0).tolist(), "q01": np.quantile(x, 0.01, axis=0).tolist(),
            "q99": np.quantile(x, 0.99, axis=0).tolist()}


def record_episode(env: Any, episode: Any) -> dict[str, np.ndarray]:
    """Roll the scripted expert through one episode; returns the stacked RLDS steps."""
    obs = env.reset(episode)
    images, states, actions, points, goals, names = [], [], [], [], [], None
    success = False
    for _ in range(episode.max_steps):
        action = np.asarray(obs["expert_action"], dtype=np.float32)
        images.append(obs["image"])
        states.append(obs["state"])
        actions.append(action)
        marks = env.mark_points()  # the same names at every step of an episode
        names = marks["names"]
        points.append(marks["points"])
        goals.append(marks["goal"])
        res = env.step(action.tolist())
        obs, success = res.observation, bool(res.info.get("success"))
        if res.done:
            break
    t = len(actions)
    flags = np.zeros(t, dtype=bool)
    first, last = flags.copy(), flags.copy()
    first[0], last[-1] = True, True
    reward = np.zeros(t, dtype=np.float32)
    reward[-1] = float(success)
    return {"observation/image": np.stack(images).astype(np.uint8), "observation/state": np.stack(states),
            "action": np.stack(actions), "reward": reward, "discount": np.ones(t, dtype=np.float32),
            "is_first": first, "is_last": last, "is_terminal": last & success,
            "language_instruction": np.array(episode.instruction),
            "observation/mark_points": np.asarray(points, dtype=np.float32),
            "observation/mark_goal": np.asarray(goals, dtype=np.int16), "mark_names": np.array(names)}


def write_demonstrations(env: Any, out_dir: Path, n: int, seed: int = 0, keep_failures: bool = False) -> Path:
    """Record about n expert episodes of `env` (a tabletop benchmark) into `out_dir`."""
    from magma_bench.benchmarks.robotics.tabletop import Tabletop

    if not isinstance(env, Tabletop):
        raise UserError(f"demonstrations come from the tabletop suites, not {type(env).__name__}")
    out_dir = Path(out_dir)
    (out_dir / "episodes").mkdir(parents=True, exist_ok=True)
    from magma_bench.types import Episode

    rows, acts, props = [], [], []
    try:
        for r in env.episode_list(n, seed):
            if r["task"] not in env.tasks:
                continue
            ep = Episode(r["id"], env.name, r["instruction"], r["max_steps"], {"task": r["task"], "seed": r["seed"]})
            steps = record_episode(env, ep)
            success = bool(steps["is_terminal"][-1])
            if not success and not keep_failures:
                continue
            file = f"episodes/{r['id'].replace('/', '__')}.npz"
            names = steps.pop("mark_names").tolist()
            np.savez_compressed(out_dir / file, **steps)
            acts.append(steps["action"])
            props.append(steps["observation/state"])
            rows.append({"id": r["id"], "file": file, "task": r["task"], "seed": r["seed"],
                         "length": int(len(steps["action"])), "success": success,
                         "language_instruction": r["instruction"], "mark_names": names})
    finally:
        env.close()
    if not rows:
        raise UserError(f"no demonstrations recorded for {env.name} (n={n})")
    a, p = np.concatenate(acts), np.concatenate(props)
    stats = {"action": {**_stats(a), "mask": [True] * 6 + [False]}, "proprio": _stats(p),
             "num_transitions": int(len(a)), "num_trajectories": len(rows)}
    info = {"format": FORMAT, "version": VERSION, "benchmark": env.name, "mode": env.mode, "seed": seed,
            "image_size": env.size, "action_convention": "delta TCP xyz (m), axis-angle rotation delta (rad), "
            "base frame, gripper -1 open .. +1 closed (absolute), 5 Hz", "episodes": rows}
    (out_dir / "dataset_statistics.json").write_text(json.dumps(stats, indent=1) + "\n")
    (out_dir / "dataset_info.json").write_text(json.dumps(info, indent=1) + "\n")
    return out_dir


def read_demonstrations(path: Path) -> Iterator[dict[str, Any]]:
    """Yield episodes {"id", "task", "language_instruction", "steps": {key: array}} from a directory
    written by `write_demonstrations`. Bad input raises UserError naming the file."""
    path = Path(path)
    info_path = path / "dataset_info.json"
    try:
        info = read_json(info_path)
    except OSError as e:
        raise UserError(f"{info_path}: not a demonstrations index ({e})") from None
    require_fields(info, {"episodes": list}, f"{info_path}: demonstrations index")
    rows = info["episodes"]
    if info.get("format") != FORMAT or info.get("version") != VERSION:
        raise UserError(f"{info_path}: format {info.get('format')!r} v{info.get('version')!r}, expected {FORMAT} "
                        f"v{VERSION}")
    for i, row in enumerate(rows):
        file = path / str(row.get("file", ""))
        try:
            with np.load(file) as z:
                steps = {k: z[k] for k in STEP_KEYS}
                steps.update({k: z[k] for k in MARK_KEYS if k in z.files})
                instruction = str(z["language_instruction"])
        except (OSError, KeyError, ValueError) as e:
            raise UserError(f"{file}: episode {i} unreadable ({e})") from None
        t = len(steps["action"])
        if steps["action"].shape != (t, 7) or len(steps["observation/image"]) != t:
            raise UserError(f"{file}: steps have inconsistent lengths or a non-7-D action")
        if "observation/mark_points" in steps and (steps["observation/mark_points"].shape[:1] != (t,)
                                                   or steps["observation/mark_goal"].shape != (t,)):
            raise UserError(f"{file}: mark points / goals do not have one row per step")
        yield {"id": row["id"], "task": row.get("task"), "language_instruction": instruction, "steps": steps,
               "mark_names": row.get("mark_names")}
