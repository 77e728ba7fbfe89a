"""Batched closed-loop evaluation (`rollout.run_episodes_vector` over `vector_env.EnvPool`) gives
record for record what the one-at-a-time rollout gives, with one batched act call per step,
per-slot adapter state, errors confined to their episode, resume by id, and a worker that dies
replaced. The fake environment lives in `mb_fake_env` so spawned workers can import it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import pytest
from mb_fake_env import LegacyResetPolicy, LineEnv, SlotPolicy, make_episodes

from magma_bench.errors import UserError
from magma_bench.execute.vector_env import EnvPool
from magma_bench.run.rollout import run_episodes, run_episodes_vector
from magma_bench.run.store import RECORDS, RunStore

SPECIAL = {"ep2": {"bad_reset": True}, "ep4": {"raise_at": 1}, "ep6": {"max_steps": 0},
           "ep7": {"max_steps": 2}}
NAN_AT = {"ep5": 2}
RAISE_AT = {"ep9": 1}


def _run(tmp: Path, name: str, num_envs: int, episodes: list, adapter: Any, done_ids: tuple[str, ...] = (),
         source: dict[str, dict] | None = None, factory: Any = LineEnv) -> tuple[list[dict], list[dict]]:
    """(returned records, records as written) of one run into its own store."""
    if done_ids:  # a killed run: some episodes already recorded
        first = RunStore(tmp / name)
        first.open({"schema": 1})
        first.append([source[i] for i in done_ids])  # type: ignore[index]
        first.close()
    store = RunStore(tmp / name)
    done = store.open({"schema": 1})
    try:
        if num_envs == 1:
            env = factory()
            try:
                recs = run_episodes(env, adapter, episodes, store, done)
            finally:
                env.close()
        else:
            recs = run_episodes_vector(factory, adapter, episodes, store, done, num_envs)
    finally:
        store.close()
    written = [json.loads(x) for x in (tmp / name / RECORDS).read_text().splitlines()]
    return recs, written


def _untimed(recs: list[dict]) -> list[dict]:
    return [{k: v for k, v in r.items() if k != "timing"} for r in recs]


def test_batched_records_match_sequential(tmp_path: Path) -> None:
    eps = make_episodes(12, **SPECIAL)
    seq_ad = SlotPolicy(NAN_AT, RAISE_AT)
    seq, _ = _run(tmp_path, "seq", 1, eps, seq_ad)
    vec_ad = SlotPolicy(NAN_AT, RAISE_AT)
    vec, written = _run(tmp_path, "vec", 4, eps, vec_ad)
    assert _untimed(vec) == _untimed(seq)
    assert sorted(r["id"] for r in written) == sorted(e.id for e in eps)  # each once, the parent wrote them
    by = {r["id"]: r for r in vec}
    # the misbehaving episodes fail alone, with the same reason as in a sequential run
    assert by["ep2"]["error"] == "ValueError: cannot place ep2" and by["ep2"]["scores"]["steps"] == 0.0
    assert by["ep4"]["error"] == "RuntimeError: simulator diverged at step 1"
    assert "non-finite" in by["ep5"]["error"] and by["ep5"]["scores"]["steps"] == 2.0
    assert by["ep9"]["error"] == "RuntimeError: model failed on ep9"
    assert by["ep6"]["scores"]["steps"] == 0.0 and by["ep6"]["error"] is None
    assert by["ep7"]["scores"] == {"success": 0.0, "steps": 2.0, "progress_half": 1.0}
    ok = [r for r in vec if r["error"] is None and r["id"] not in ("ep6", "ep7")]
    assert ok and all(r["scores"]["success"] == 1.0 for r in ok)
    assert len({r["scores"]["steps"] for r in ok}) >= 3  # episodes ended at different steps
    # batched: one act call per step over up to 4 live episodes (plus the isolating retries)
    assert max(vec_ad.batches) == 4 and max(seq_ad.batches) == 1
    assert sum(vec_ad.batches) == sum(seq_ad.batches)  # every observation acted on exactly once
    assert len(vec_ad.batches) < len(seq_ad.batches) / 2
    assert set(vec_ad.specs) == set(seq_ad.specs) == {LineEnv().action_spec}


def test_resume_runs_only_the_missing_episodes(tmp_path: Path) -> None:
    eps = make_episodes(9)
    full, _ = _run(tmp_path, "full", 1, eps, SlotPolicy())
    source = {r["id"]: r for r in full}
    ad = SlotPolicy()
    resumed, written = _run(tmp_path, "resumed", 3, eps, ad, done_ids=("ep0", "ep4", "ep8"), source=source)
    assert _untimed(resumed) == _untimed(full)
    assert sorted(r["id"] for r in written) == sorted(e.id for e in eps)  # no duplicates
    seen = {e.id for e in eps} - {"ep0", "ep4", "ep8"}
    assert sum(ad.batches) == sum(r["scores"]["steps"] for r in full if r["id"] in seen)
    # nothing left: no worker is started at all
    again, _ = _run(tmp_path, "resumed", 3, eps, SlotPolicy(), factory=functools.partial(LineEnv, fail_build=True))
    assert _untimed(again) == _untimed(full)


def test_a_dead_worker_fails_its_episode_and_is_replaced(tmp_path: Path) -> None:
    eps = make_episodes(6, **{"ep1": {"exit_at": 1}})
    vec, _ = _run(tmp_path, "vec", 2, eps, SlotPolicy())
    seq, _ = _run(tmp_path, "seq", 1, make_episodes(6), SlotPolicy())
    by = {r["id"]: r for r in vec}
    assert by["ep1"]["error"].startswith("EnvWorkerDied:") and "exit code 3" in by["ep1"]["error"]
    assert _untimed([r for r in vec if r["id"] != "ep1"]) == _untimed([r for r in seq if r["id"] != "ep1"])


def test_adapter_without_slot_reset_is_refused_when_batched(tmp_path: Path) -> None:
    eps = make_episodes(3)
    recs, _ = _run(tmp_path, "seq", 1, eps, LegacyResetPolicy())  # still fine one at a time
    assert all(r["error"] is None for r in recs)
    with pytest.raises(UserError, match=r"reset\(\) takes no slots.*--envs 1"):
        _run(tmp_path, "vec", 2, eps, LegacyResetPolicy())


def test_worker_that_cannot_build_its_env_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="could not build .*UserError: line: cannot build"):
        EnvPool(functools.partial(LineEnv, fail_build=True), 2)
    with pytest.raises(UserError, match="cannot start environment workers"):
        EnvPool(lambda: LineEnv(), 1)  # a lambda cannot be pickled for spawn
    with pytest.raises(UserError, match=">= 1"):
        EnvPool(LineEnv, 0)
