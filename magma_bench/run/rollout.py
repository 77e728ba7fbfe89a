"""Closed-loop evaluation: where the environment meets the adapter.

Each step: observation -> adapter.act -> check shape and finiteness -> env.step. An adapter
that returns a wrong-shaped or non-finite action fails that episode with the reason recorded;
the run goes on with the next episode.

Two drivers produce the same records (same fields, same scores; only timings differ):
- `run_episodes`: one episode at a time in this process (`rollout`), the adapter called with a
  batch of one;
- `run_episodes_vector`: N environments in worker processes (`magma_bench.execute.vector_env`) and ONE
  batched `adapter.act` per step over the episodes in flight. Episodes finish independently and
  a freed slot takes the next pending episode, resetting the adapter's state for that slot only
  (`Adapter.reset(slots)`); each observation says its slot (`obs["slot"]`). With a model at ~1 s
  per call this turns hours of batch-one calls into minutes.
Every observation handed to `act` carries "episode_id", "step", "slot" and, when the environment
declares one, its "action_spec" (units and gripper convention).
"""

from __future__ import annotations

import inspect
import math
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.execute.vector_env import EnvPool, error_text
from magma_bench.run.records import Record, Timing
from magma_bench.run.store import RunStore
from magma_bench.types import Episode


def policy(adapter: Any, observations: list[dict[str, Any]], instructions: list[str]) -> list[Any]:
    """The adapter's actions: `act` (7 numbers each), or, where the environment asks in text (every
    observation carries a `request`, e.g. webnav's marked screenshot with its action format), the
    adapter's `generate` over those requests; the reply text is the action the environment parses."""
    if observations and all("request" in o for o in observations):
        return adapter.generate([o["request"] for o in observations])
    return adapter.act(observations, instructions)


def _check_action(action: Any) -> list[float] | str:
    if isinstance(action, str):  # a text action: the environment parses it (a bad one does nothing)
        return action
    try:
        vec = [float(x) for x in action]
    except (TypeError, ValueError):
        raise ValueError(f"action is not a sequence of numbers: {action!r}"[:200]) from None
    if len(vec) != 7:
        raise ValueError(f"action has {len(vec)} numbers, expected 7 (xyz, rotation, gripper)")
    if not all(math.isfinite(x) for x in vec):
        raise ValueError(f"action has a non-finite value: {vec}")
    return vec


def adapter_observation(obs: dict[str, Any], episode: Episode, step: int, slot: int,
                        action_spec: Any) -> dict[str, Any]:
    """The observation as `act` sees it: the env's keys plus where it stands in the run."""
    out = {**obs, "episode_id": episode.id, "step": step, "slot": slot}
    if action_spec is not None:
        out["action_spec"] = action_spec
    return out


def episode_record(episode: Episode, instruction: str, steps: int, info: dict[str, Any], error: str | None,
                   model_s: float, harness_s: float) -> dict[str, Any]:
    """One episode's record; success is read from the last step's info, and never with an error."""
    success = error is None and bool(info.get("success", False))
    scores = {"success": 1.0 if success else 0.0, "steps": float(steps),
              **{k: float(v) for k, v in info.items() if k.startswith("progress")}}
    return Record.of_episode(episode, instruction, scores, error, Timing.measured(model_s, harness_s)).to_json()


def rollout(env: EnvBenchmark, adapter: Any, episode: Episode) -> dict[str, Any]:
    """Run one episode to success, failure or `max_steps`; return its record."""
    t0 = time.perf_counter()
    model_s = 0.0
    steps, error = 0, None
    info: dict[str, Any] = {}
    instruction = episode.instruction
    try:
        adapter.reset()
        obs = env.reset(episode)
        spec = getattr(env, "action_spec", None)
        for t in range(episode.max_steps):
            obs = adapter_observation(obs, episode, t, 0, spec)
            tm = time.perf_counter()
            # An environment that draws its instruction at reset (SimplerEnv) puts it in the observation.
            instruction = obs.get("instruction") or episode.instruction
            action = policy(adapter, [obs], [instruction])[0]
            model_s += time.perf_counter() - tm
            res = env.step(_check_action(action))
            steps += 1
            obs, info = res.observation, res.info
            if res.done:
                break
    except Exception as e:  # the episode fails with its reason; the run goes on
        error = error_text(e)
    return episode_record(episode, instruction, steps, info, error, model_s, time.perf_counter() - t0 - model_s)


def run_episodes(env: EnvBenchmark, adapter: Any, episodes: Sequence[Episode], store: RunStore,
                 done: dict[str, dict], progress: Any = None) -> list[dict]:
    """Episodes one at a time in this process; returns all records in episode order."""
    fresh: dict[str, dict] = {}
    completed = sum(1 for e in episodes if e.id in done)
    if progress:
        progress(completed, len(episodes))
    for ep in episodes:
        if ep.id in done:
            continue
        rec = rollout(env, adapter, ep)
        store.append([rec])
        fresh[ep.id] = rec
        completed += 1
        if progress:
            progress(completed, len(episodes))
    return [done.get(e.id) or fresh[e.id] for e in episodes]


# -- batched: N environments in worker processes, one act call per step ---------------------------
def check_slot_reset(adapter: Any) -> None:
    """Refuse an adapter whose `reset()` takes no slots: it keeps one episode's state, which the
    next episode in another slot would wipe mid-episode in a batched run."""
    reset = getattr(adapter, "reset", None)
    if reset is None:
        return
    try:
        params = inspect.signature(reset).parameters.values()
    except (TypeError, ValueError):
        return
    if not any(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL) for p in params):
        name = getattr(adapter, "name", type(adapter).__name__)
        raise UserError(f"adapter {name!r}: reset() takes no slots, so its per-episode state cannot be kept "
                        f"per environment; give it reset(slots=None) (see Adapter.reset) or run with --envs 1")


@dataclass
class _InFlight:
    """One episode running in a slot."""

    episode: Episode
    instruction: str
    obs: dict[str, Any] | None = None
    spec: Any = None
    steps: int = 0
    info: dict[str, Any] = field(default_factory=dict)
    error: str | None = None
    finished: bool = False
    model_s: float = 0.0
    harness_s: float = 0.0

    def fail(self, error: str) -> None:
        self.error, self.finished = error, True


def _act_batch(adapter: Any, obs: list[dict], instructions: list[str]) -> list[tuple[Any, str | None]]:
    """(action, error) per observation from one batched call. A call that raises or returns the
    wrong number of actions is retried one observation at a time, so only the episodes whose own
    call fails are charged (adapters must not commit per-slot state in a call that raises)."""
    try:
        out = policy(adapter, obs, instructions)
        if len(out) == len(obs):
            return [(a, None) for a in out]
    except Exception:  # noqa: BLE001, S110 - isolated below
        pass
    res: list[tuple[Any, str | None]] = []
    for o, ins in zip(obs, instructions, strict=True):
        try:
            res.append((policy(adapter, [o], [ins])[0], None))
        except Exception as e:  # noqa: BLE001 - this episode fails with its reason
            res.append((None, error_text(e)))
    return res


def _start(pool: EnvPool, adapter: Any, runs: list[_InFlight | None], todo: deque[Episode]) -> list[int]:
    """Put pending episodes into free slots and reset them; returns the slots that took one."""
    started = []
    for s in range(len(runs)):
        if runs[s] is None and todo:
            ep = todo.popleft()
            runs[s] = run = _InFlight(ep, ep.instruction)
            started.append(s)
            try:
                adapter.reset([s])
            except Exception as e:  # noqa: BLE001 - as in `rollout`: that episode fails
                run.fail(error_text(e))
                continue
            pool.submit(s, "reset", ep)
    for s in started:
        run = runs[s]
        if run is None or run.finished:
            continue
        payload, err = pool.result(s)
        if err is not None:
            run.fail(err)
        else:
            run.obs, run.spec = payload
            run.finished = run.episode.max_steps <= 0
    return started


def _step(pool: EnvPool, adapter: Any, runs: list[_InFlight | None]) -> tuple[list[int], float]:
    """One batched act over the live slots, then one env step each; returns (slots, act seconds)."""
    live = [s for s, r in enumerate(runs) if r is not None and not r.finished]
    if not live:
        return [], 0.0
    obs, instructions = [], []
    for s in live:
        r = runs[s]
        o = adapter_observation(r.obs, r.episode, r.steps, s, r.spec)  # type: ignore[union-attr,arg-type]
        r.instruction = o.get("instruction") or r.episode.instruction  # type: ignore[union-attr]
        obs.append(o)
        instructions.append(r.instruction)  # type: ignore[union-attr]
    tm = time.perf_counter()
    actions = _act_batch(adapter, obs, instructions)
    act_s = time.perf_counter() - tm
    sent = []
    for s, (action, err) in zip(live, actions, strict=True):
        r = runs[s]
        r.model_s += act_s / len(live)  # type: ignore[union-attr]
        if err is None:
            try:
                action = _check_action(action)
            except ValueError as e:
                err = error_text(e)
        if err is not None:
            r.fail(err)  # type: ignore[union-attr]
            continue
        pool.submit(s, "step", action)
        sent.append(s)
    for s in sent:
        r = runs[s]
        payload, err = pool.result(s)
        if err is not None:
            r.fail(err)  # type: ignore[union-attr]
            continue
        r.obs, done, r.info = payload  # type: ignore[union-attr]
        r.steps += 1  # type: ignore[union-attr]
        r.finished = bool(done) or r.steps >= r.episode.max_steps  # type: ignore[union-attr]
    return live, act_s


def run_episodes_vector(factory: Any, adapter: Any, episodes: Sequence[Episode], store: RunStore,
                        done: dict[str, dict], num_envs: int, progress: Any = None) -> list[dict]:
    """Like `run_episodes`, with `num_envs` environments built by `factory` in worker processes and
    one batched `adapter.act` per step. This process is the only writer of the run directory:
    records are appended as episodes finish (resume is by episode id) and returned in episode order."""
    if num_envs < 1:
        raise UserError(f"number of environments must be >= 1, got {num_envs}")
    todo = deque(e for e in episodes if e.id not in done)
    fresh: dict[str, dict] = {}
    completed = len(episodes) - len(todo)
    if progress:
        progress(completed, len(episodes))
    if todo:
        check_slot_reset(adapter)
        with EnvPool(factory, min(num_envs, len(todo))) as pool:
            runs: list[_InFlight | None] = [None] * pool.n
            while todo or any(r is not None for r in runs):
                t0 = time.perf_counter()
                started = _start(pool, adapter, runs, todo)
                stepped, act_s = _step(pool, adapter, runs)
                # the round's harness time (resets, env steps, pipes) is shared by those who took part
                part = set(started) | set(stepped)
                for s in part:
                    runs[s].harness_s += (time.perf_counter() - t0 - act_s) / len(part)  # type: ignore[union-attr]
                for s, r in enumerate(runs):
                    if r is not None and r.finished:
                        rec = episode_record(r.episode, r.instruction, r.steps, r.info, r.error, r.model_s,
                                             r.harness_s)
                        store.append([rec])
                        fresh[rec["id"]] = rec
                        runs[s] = None
                        completed += 1
                        if progress:
                            progress(completed, len(episodes))
    return [done.get(e.id) or fresh[e.id] for e in episodes]
