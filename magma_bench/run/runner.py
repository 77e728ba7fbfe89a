"""One run, start to finish: resolve data (official dir or cached offline suite), build the
benchmark and adapter, open the run store, evaluate (resuming), write summary.json."""

from __future__ import annotations

import os
import re
import shutil
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from magma_bench.benchmark import Benchmark
from magma_bench.errors import NotApplicable, UserError
from magma_bench.metrics.stats import bootstrap_ci
from magma_bench.registry import make_adapter, make_benchmark
from magma_bench.run.evaluator import (
    ProgressHook,
    RunConfig,
    check_unique_ids,
    is_env,
    run_dir_for,
    run_identity,
    run_samples,
)
from magma_bench.run.provenance import revision, versions
from magma_bench.run.records import SCHEMA_VERSION, Revision, Stats, Summary, Timing, TopError
from magma_bench.run.rollout import run_episodes, run_episodes_vector
from magma_bench.run.store import SUMMARY, RunStore, config_hash, write_json_atomic


def data_root() -> Path:
    return Path(os.environ.get("MAGMA_BENCH_DATA", "data"))


def offline_dir(bench: Any, n: int, seed: int) -> Path:
    """Cache directory of an offline suite: keyed by name, n, seed and the variant arguments that
    change what is generated (all of them, unless the benchmark narrows `generation_args`)."""
    args = bench.generation_args()
    suffix = f"-{config_hash(args)[:8]}" if args else ""
    return data_root() / "offline" / bench.name / f"seed{seed}-n{n}{suffix}"


def ensure_offline(bench: Any, n: int | None, seed: int) -> Path:
    """The cached offline suite for (benchmark, n, seed), generated on first use. Generation
    writes into a temporary sibling and renames it, so a killed generation leaves nothing half-made."""
    n = n or bench.default_n
    out = offline_dir(bench, n, seed)
    if out.exists():
        return out
    remove_stale_tmp(out)
    tmp = out.with_name(out.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    bench.generate(tmp, n, seed)
    if not bench.is_generated(tmp):
        bench.write_marker(tmp, benchmark=bench.name, n=n, seed=seed)
    try:
        os.replace(tmp, out)
    except OSError:  # another process won the race
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def remove_stale_tmp(out: Path) -> list[Path]:
    """Remove `<out>.tmp<PID>` folders whose generating process is gone (killed mid-generation);
    a live generator's folder is left alone. Returns what was removed."""
    removed = []
    for tmp in out.parent.glob(out.name + ".tmp*"):
        pid = tmp.name[len(out.name) + 4:]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(tmp, ignore_errors=True)
            removed.append(tmp)
    return removed


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier attempt in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def resolve_data(bench: Any, cfg: RunConfig) -> tuple[Path | None, str]:
    """(data dir, "offline" | "official"). A benchmark whose official data ships inside an installed
    package (`data_from_package`, e.g. LIBERO's task files, initial states and assets) is official
    without a data dir."""
    if cfg.data_dir is None and getattr(bench, "data_from_package", False):
        return None, "official"
    if cfg.data_dir is None:
        return ensure_offline(bench, cfg.n, cfg.seed), "offline"
    d = Path(cfg.data_dir)
    if not d.exists():
        raise UserError(f"data directory {d} does not exist; download the official files there, "
                        f"or leave out --data-dir to use the offline suite")
    return d, ("offline" if bench.is_generated(d) else "official")


def summarize(bench: Any, records: Sequence[dict], seed: int) -> dict[str, Any]:
    """`record_stats` in its JSON form (the statistics part of summary.json)."""
    return record_stats(bench, records, seed).to_json()


def record_stats(bench: Any, records: Sequence[dict], seed: int) -> Stats:
    """Headline, sub-metrics, n, 95% bootstrap CI, errors and timing totals of a set of records.
    With no records (an empty split, `--limit 0`) the headline and CI are None: there is no number."""
    if records:
        agg = bench.aggregate(records)
        cols = bench.columns(records)
        ci = bootstrap_ci(lambda w: bench.statistic(cols, w), len(records), seed=seed)
        headline, metrics = agg.headline, agg.metrics
    else:
        headline, metrics, ci = None, {}, (None, None)
    errors = sum(1 for r in records if r.get("error"))
    top = top_error(records)
    warning = error_warning(errors, len(records), top)
    return Stats(
        n=len(records), headline=headline, metrics=metrics, ci95=[ci[0], ci[1]],
        errors=errors, error_rate=round(errors / len(records), 6) if records else 0.0,
        top_error=TopError(**top) if top else None, warnings=[warning] if warning else [],
        timing=Timing.measured(sum(r.get("timing", {}).get("model_s", 0.0) for r in records),
                               sum(r.get("timing", {}).get("harness_s", 0.0) for r in records)),
    )


ERROR_WARN_RATE = 0.2  # above this share of errored samples a summary warns


def top_error(records: Sequence[dict]) -> dict[str, Any] | None:
    """The most common error (digits folded, so "image 17 not found" and "image 18 ..." group),
    with its count and one verbatim example; None when nothing errored."""
    groups: Counter[str] = Counter()
    example: dict[str, str] = {}
    for r in records:
        if r.get("error"):
            key = re.sub(r"\d+", "N", str(r["error"]))[:160]
            groups[key] += 1
            example.setdefault(key, str(r["error"]))
    if not groups:
        return None
    key, count = groups.most_common(1)[0]
    return {"count": count, "example": example[key][:300]}


def error_warning(errors: int, n: int, top: dict[str, Any] | None) -> str | None:
    """The warning a summary carries when more than ERROR_WARN_RATE of its samples errored."""
    if not n or errors / n <= ERROR_WARN_RATE or top is None:
        return None
    return (f"{errors} of {n} samples ({100 * errors / n:.0f}%) errored and count as wrong; "
            f"most common ({top['count']}x): {top['example']}")


def load_items(bench: Any, data_dir: Path | None, split: str) -> list[Any]:
    items = bench.episodes(data_dir, split) if is_env(bench) else bench.load(data_dir, split)
    check_unique_ids(items, f"{data_dir}: {bench.name}")
    return items


@dataclass
class Prepared:
    """Everything a run needs before evaluating: resolved data, items, identity and run directory."""

    cfg: RunConfig
    bench: Any
    split: str
    data_dir: Path | None
    data_kind: str
    items: list[Any]
    adapter_desc: dict[str, Any]
    manifest: dict[str, Any]
    run_dir: Path


def prepare(cfg: RunConfig, adapter: Any) -> Prepared:
    """Resolve data (generating the offline suite if needed), load items and key the run directory."""
    bench = make_benchmark(cfg.benchmark, **cfg.benchmark_args)
    ok, why = bench.availability()
    if not ok:
        raise UserError(f"benchmark {cfg.benchmark!r} cannot run here: {why}")
    split = bench.check_split(cfg.split)
    data_dir, data_kind = resolve_data(bench, cfg)
    items = load_items(bench, data_dir, split)
    if cfg.limit is not None:
        items = items[: cfg.limit]
    desc = adapter.describe()
    identity = run_identity(cfg, bench, desc, data_dir, split)
    manifest = {
        "schema": SCHEMA_VERSION, "identity": identity, "config_hash": config_hash(identity),
        "data": data_kind, "revision": revision(), "versions": versions(),
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return Prepared(cfg, bench, split, data_dir, data_kind, items, desc, manifest,
                    run_dir_for(cfg, identity, split))


def execute(p: Prepared, adapter: Any, items: Sequence[Any] | None = None, shard: str | None = None,
            progress: ProgressHook | None = None) -> tuple[list[dict], int]:
    """Evaluate `items` (default: all of the run's), resuming; returns (records in item order,
    how many were already recorded). Records go to the run's records file, or to a shard file
    when several workers share the run directory; a whole run folds leftover shard files into
    records.jsonl, in item order."""
    items = p.items if items is None else items
    store = RunStore(p.run_dir, shard=shard)
    done = store.open(p.manifest)
    resumed = sum(1 for it in items if it.id in done)
    try:
        if is_env(p.bench):
            try:
                if p.cfg.num_envs > 1:  # N envs in worker processes, built as prepare() built p.bench
                    from magma_bench.execute.vector_env import EnvFactory

                    records = run_episodes_vector(EnvFactory(p.cfg.benchmark, p.cfg.benchmark_args), adapter,
                                                  items, store, done, p.cfg.num_envs, progress)
                else:
                    records = run_episodes(p.bench, adapter, items, store, done, progress)
            finally:
                p.bench.close()
        else:
            records = run_samples(p.bench, adapter, items, store, done, p.cfg.batch_size, p.cfg.timeout_s,
                                  progress)
        if shard is None and store.shard_files():
            store.consolidate(records)  # under this writer's lock, so no shard writer is running
    finally:
        store.close()
    return records, resumed


def finalize(p: Prepared, records: Sequence[dict], wall_s: float, resumed: int = 0) -> dict[str, Any]:
    """Write summary.json for a complete set of records and return it."""
    cfg = p.cfg
    summary = Summary.of_run(
        record_stats(p.bench, records, cfg.seed), wall_s,
        benchmark=cfg.benchmark, split=p.split, adapter=cfg.adapter,
        data=p.data_kind, data_dir=str(p.data_dir) if p.data_dir else None,
        seed=cfg.seed, config_hash=p.manifest["config_hash"], limit=cfg.limit,
        adapter_describe=p.adapter_desc, benchmark_args=p.bench.args,
        revision=Revision(**revision()), versions=versions(),
        run_dir=str(p.run_dir), resumed=resumed,
    ).to_json()
    write_json_atomic(p.run_dir / SUMMARY, summary)
    return summary


def run(cfg: RunConfig, progress: ProgressHook | None = None, adapter: Any = None) -> dict[str, Any]:
    """Run (or resume) one benchmark x adapter; returns the summary (also in summary.json).
    `adapter` may be passed already built (a sweep worker reuses one across runs)."""
    wall0 = time.perf_counter()
    adapter = adapter or make_adapter(cfg.adapter, seed=cfg.seed, **cfg.adapter_args)
    p = prepare(cfg, adapter)
    records, resumed = execute(p, adapter, progress=progress)
    return finalize(p, records, time.perf_counter() - wall0, resumed)


def summary_text(label: str, summary: dict[str, Any]) -> str:
    """The line `magma-bench run` prints; a run without samples (an empty split, `--limit 0`) has
    headline n/a instead of a number."""
    lo, hi = summary["ci95"]
    parts = [f"n={summary['n']}", f"errors={summary['errors']}", f"data={summary['data']}"]
    if summary["headline"] is None:
        head = "n/a"
    else:
        head = f"{summary['headline']:.2f}"
        if lo is not None:
            parts.insert(0, f"95% CI {lo:.2f}–{hi:.2f}")
    line = f"{label}: {head} ({', '.join(parts)}) -> {summary['run_dir']}"
    for w in summary.get("warnings", []):
        line += f"\n  WARNING: {w}"
    return line


def all_errored(summary: dict[str, Any]) -> str | None:
    """The one line to fail on when every sample of a run errored (its number means nothing)."""
    n, top = summary.get("n", 0), summary.get("top_error")
    if not n or summary.get("errors", 0) < n or top is None:
        return None
    if top["count"] == n and top["example"].startswith(NotApplicable.__name__):
        return None  # n/a by design (the oracle without an expert): shown as n/a, not a failure
    return f"every sample errored ({n} of {n}); most common ({top['count']}x): {top['example']}"


def json_view(summary: dict[str, Any]) -> dict[str, Any]:
    """The documented one-object view printed by `--json`."""
    keys = ("benchmark", "adapter", "n", "headline", "metrics", "ci95", "errors", "error_rate", "top_error",
            "warnings", "timing")
    out = {k: summary.get(k) for k in keys}
    out["timing"] = {k: summary["timing"].get(k) for k in ("model_s", "harness_s")}
    return out


def score_predictions(bench: Benchmark, samples: Sequence[Any], predictions: dict[str, Any],
                      seed: int = 0, where: str = "predictions") -> dict[str, Any]:
    """Score an external predictions file with the same parse/score/aggregate code as a run.
    Predictions may be keyed by harness ids or by the release's official ids (`matched_by` says
    which). Missing ids count as wrong, and so do predictions that are not text (null, numbers,
    lists): str() would turn null into "None", which POPE's rule reads as "yes". Both are counted
    in the output; unknown ids are reported and not scored."""
    from magma_bench.run.evaluator import make_record
    from magma_bench.run.prediction_ids import match_prediction_ids

    matched = match_prediction_ids(samples, predictions, where, getattr(bench, "official_id", ""))
    preds = matched.predictions
    records = []
    missing = 0
    not_text: list[str] = []
    for s in samples:
        if s.id not in preds:
            missing += 1
            records.append(make_record(bench, s, None, "missing prediction"))
            continue
        p = preds[s.id]
        if isinstance(p, str):
            records.append(make_record(bench, s, p, None))
        else:
            not_text.append(s.id)
            kind = "null" if p is None else type(p).__name__
            records.append(make_record(bench, s, None, f"prediction is {kind}, not a string"))
    out = {"schema": SCHEMA_VERSION, "benchmark": bench.name, "adapter": "predictions",
           **summarize(bench, records, seed)}
    out["matched_by"] = matched.by
    out["missing_ids"] = missing
    out["non_text_predictions"] = len(not_text)
    out["non_text_examples"] = not_text[:5]
    out["unknown_ids"] = len(matched.unknown)
    out["unknown_examples"] = matched.unknown[:5]
    return out
