"""The evaluator: samples -> batched requests -> adapter -> parse -> score -> records.jsonl.

Resume is by sample id: a re-run of the same configuration skips what is recorded and appends the
rest in the original order, so a run killed at any moment and restarted ends with exactly the
records of an uninterrupted run. A failing sample (unreadable input, adapter error, timeout) is
recorded with its error, scored as wrong, and the run goes on.
"""

from __future__ import annotations

import concurrent.futures as cf
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magma_bench.benchmark import Benchmark, EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.run.records import Record, Timing
from magma_bench.run.store import RunStore, config_hash
from magma_bench.types import Request, Sample


@dataclass
class RunConfig:
    benchmark: str
    adapter: str
    split: str | None = None
    data_dir: Path | None = None  # official files; None -> the offline suite (generated, cached)
    out: Path = Path("runs")
    limit: int | None = None  # first N samples / episodes only (not part of the run's identity)
    seed: int = 0
    n: int | None = None  # offline suite size (default: the benchmark's default_n)
    batch_size: int = 16
    timeout_s: float | None = None  # per adapter call; None = no limit
    num_envs: int = 1  # closed loop: envs in worker processes, one batched act per step (1 = in-process)
    benchmark_args: dict[str, Any] = field(default_factory=dict)
    adapter_args: dict[str, Any] = field(default_factory=dict)


ProgressHook = Callable[[int, int], None]  # (completed, total)


def _short_error(e: BaseException) -> str:
    return f"{type(e).__name__}: {e}".strip()[:500]


class _Caller:
    """Calls the adapter, optionally under a wall-clock limit. A call past the limit is abandoned
    (Python cannot kill a thread): its samples are recorded as timeouts and a fresh worker serves
    the next call."""

    def __init__(self, timeout_s: float | None) -> None:
        self.timeout_s = timeout_s
        self._pool: cf.ThreadPoolExecutor | None = None

    def __call__(self, fn: Callable[[Any], Any], arg: Any) -> Any:
        if self.timeout_s is None:
            return fn(arg)
        if self._pool is None:
            self._pool = cf.ThreadPoolExecutor(max_workers=1)
        fut = self._pool.submit(fn, arg)
        try:
            return fut.result(timeout=self.timeout_s)
        except cf.TimeoutError:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
            raise TimeoutError(f"adapter call exceeded {self.timeout_s:g}s") from None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _join_errors(first: str | None, second: str) -> str:
    return second if not first else f"{first}; {second}"


def _checked_scores(scores: Any) -> dict[str, float]:
    """`scores` if it is a dict of finite numbers, else TypeError/ValueError saying what is wrong:
    a NaN or a string would silently poison every mean it enters."""
    if not isinstance(scores, dict):
        raise TypeError(f"score() returned {type(scores).__name__}, not a dict")
    for k, v in scores.items():
        if not isinstance(v, int | float) or not math.isfinite(v):
            raise ValueError(f"score {k!r} is {v!r}, not a finite number")
    return scores


def make_record(bench: Benchmark, sample: Sample, text: str | None, error: str | None,
                model_s: float = 0.0, harness_s: float = 0.0) -> dict[str, Any]:
    """One record (its JSON form); never raises for one sample's problems."""
    return Record.of_sample(sample, text, *score_output(bench, sample, text, error),
                            Timing.measured(model_s, harness_s)).to_json()


def score_output(bench: Benchmark, sample: Sample, text: str | None,
                 error: str | None) -> tuple[Any, dict[str, float], str | None]:
    """(parsed, scores, error) of one output; never raises. Errored or missing outputs are scored as
    `parse -> None` (wrong). A parser or scorer that raises, or a scorer that returns something other
    than finite numbers, is this sample's error (`"parse: ..."` / `"score: ..."`): the sample is
    scored as unanswered (wrong) and the run goes on; a resumed run then skips it instead of
    failing at the same sample again."""
    parsed = None
    if text is not None and error is None:
        try:
            parsed = bench.parse(text)
        except Exception as e:
            error = f"parse: {_short_error(e)}"
    try:
        scores = _checked_scores(bench.score(sample, parsed))
    except Exception as e:
        error = _join_errors(error, f"score: {_short_error(e)}")
        parsed = None
        try:  # the unanswered path: the benchmark's own keys, all wrong
            scores = _checked_scores(bench.score(sample, None))
        except Exception:
            scores = {}  # aggregates read missing keys as 0 (wrong)
    return parsed, scores, error


def evaluate_batch(bench: Benchmark, adapter: Any, batch: Sequence[Sample], caller: _Caller) -> list[dict]:
    """Records for one batch, in batch order. Never raises for per-sample problems."""
    t0 = time.perf_counter()
    reqs: list[Request | None] = []
    errors: list[str | None] = []
    for s in batch:
        try:
            reqs.append(bench.request(s))
            errors.append(None)
        except Exception as e:  # unreadable input: record and go on
            reqs.append(None)
            errors.append(f"request: {_short_error(e)}")
    live = [i for i, r in enumerate(reqs) if r is not None]
    texts: list[str | None] = [None] * len(batch)
    tm = time.perf_counter()
    if live:
        try:
            out = caller(adapter.generate, [reqs[i] for i in live])
            if len(out) != len(live):
                raise RuntimeError(f"adapter returned {len(out)} outputs for {len(live)} requests")
            for i, t in zip(live, out, strict=True):
                texts[i] = t
        except Exception:
            # Isolate the failing sample(s): retry one at a time.
            for i in live:
                try:
                    texts[i] = caller(adapter.generate, [reqs[i]])[0]
                except Exception as e:
                    errors[i] = f"adapter: {_short_error(e)}"
    model_s = time.perf_counter() - tm
    outputs = [texts[i] if errors[i] is None else None for i in range(len(batch))]
    scored = [score_output(bench, s, t, e) for s, t, e in zip(batch, outputs, errors, strict=True)]
    harness_s = time.perf_counter() - t0 - model_s
    k = len(batch)
    timing = Timing.measured(model_s / k, harness_s / k)  # the batch's seconds, shared equally
    return [Record.of_sample(s, t, *sc, timing).to_json() for s, t, sc in zip(batch, outputs, scored, strict=True)]


def check_unique_ids(items: Sequence[Any], where: str) -> None:
    seen: set[str] = set()
    for it in items:
        if it.id in seen:
            raise UserError(f"{where}: duplicate sample id {it.id!r}; ids must be unique to resume runs")
        seen.add(it.id)


def run_samples(bench: Benchmark, adapter: Any, samples: Sequence[Sample], store: RunStore,
                done: dict[str, dict], batch_size: int, timeout_s: float | None,
                progress: ProgressHook | None = None) -> list[dict]:
    """Evaluate what is not in `done`; returns all records in sample order."""
    todo = [s for s in samples if s.id not in done]
    caller = _Caller(timeout_s)
    fresh: dict[str, dict] = {}
    completed = len(samples) - len(todo)
    if progress:
        progress(completed, len(samples))
    try:
        for start in range(0, len(todo), batch_size):
            recs = evaluate_batch(bench, adapter, todo[start:start + batch_size], caller)
            store.append(recs)
            for r in recs:
                fresh[r["id"]] = r
            completed += len(recs)
            if progress:
                progress(completed, len(samples))
    finally:
        caller.close()
    return [done.get(s.id) or fresh[s.id] for s in samples]


def is_env(bench: Any) -> bool:
    return isinstance(bench, EnvBenchmark)


def run_identity(cfg: RunConfig, bench: Any, adapter_desc: dict[str, Any], data_dir: Path | None,
                 split: str) -> dict[str, Any]:
    """What determines the records of a run: the run directory is keyed by its hash."""
    return {
        "benchmark": cfg.benchmark, "benchmark_args": bench.args, "split": split,
        "adapter": cfg.adapter, "adapter_describe": adapter_desc, "seed": cfg.seed,
        "data_dir": str(Path(data_dir).resolve()) if data_dir else None,
    }


def run_dir_for(cfg: RunConfig, identity: dict[str, Any], split: str) -> Path:
    return Path(cfg.out) / cfg.benchmark / split / f"{cfg.adapter}-{config_hash(identity)}"
