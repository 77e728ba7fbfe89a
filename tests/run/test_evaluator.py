"""Evaluator behaviour: batching, per-sample errors and timeouts, duplicate ids, request errors."""

import time
from dataclasses import replace
from pathlib import Path

import pytest

from magma_bench.adapter import Adapter
from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import check_unique_ids, run_samples
from magma_bench.run.store import RunStore, read_jsonl


class Flaky(Adapter):
    """Echoes the reference, but raises for some ids and hangs for others."""

    name = "flaky"

    def __init__(self, fail=(), hang=(), **kw):
        super().__init__(**kw)
        self.fail, self.hang, self.calls = set(fail), set(hang), []

    def generate(self, requests):
        self.calls.append(len(requests))
        for r in requests:
            if r.id in self.fail:
                raise RuntimeError(f"boom on {r.id}")
            if r.id in self.hang:
                time.sleep(2.0)
        return [r.reference for r in requests]


@pytest.fixture
def pope(tmp_path):
    bench = make_benchmark("pope")
    d = tmp_path / "pope"
    d.mkdir()
    bench.generate(d, 60, seed=0)
    return bench, bench.load(d, "test")


def _run(bench, adapter, samples, root, **kw):
    store = RunStore(root)
    done = store.open({"schema": 1})
    try:
        return run_samples(bench, adapter, samples, store, done, kw.pop("batch_size", 8), kw.pop("timeout_s", None))
    finally:
        store.close()


def test_adapter_error_is_isolated_to_its_sample(pope, tmp_path):
    bench, samples = pope
    bad = samples[3].id
    adapter = Flaky(fail={bad})
    recs = _run(bench, adapter, samples, tmp_path / "run")
    errs = [r for r in recs if r["error"]]
    assert [r["id"] for r in errs] == [bad]
    assert "boom" in errs[0]["error"] and errs[0]["scores"]["accuracy"] == 0.0
    assert all(r["scores"]["accuracy"] == 1.0 for r in recs if not r["error"])
    # the failing batch was retried one request at a time
    assert 1 in adapter.calls and 8 in adapter.calls
    assert len(read_jsonl(tmp_path / "run" / "records.jsonl")) == len(samples)


def test_timeout_is_recorded_and_run_goes_on(pope, tmp_path):
    bench, samples = pope
    slow = samples[1].id
    recs = _run(bench, Flaky(hang={slow}), samples[:8], tmp_path / "run", timeout_s=0.5, batch_size=4)
    errs = {r["id"]: r["error"] for r in recs if r["error"]}
    assert list(errs) == [slow]
    assert "TimeoutError" in errs[slow]
    assert sum(r["scores"]["accuracy"] for r in recs) == 7


def test_unreadable_input_is_a_per_sample_error(pope, tmp_path):
    bench, samples = pope
    broken = replace(samples[0], inputs={**samples[0].inputs, "image": str(tmp_path / "missing.png")})
    recs = _run(bench, Flaky(), [broken, *samples[1:5]], tmp_path / "run")
    assert recs[0]["error"].startswith("request: FileNotFoundError")
    assert all(r["error"] is None for r in recs[1:])


def test_wrong_output_count_is_caught(pope, tmp_path):
    bench, samples = pope

    class Short(Adapter):
        name = "short"

        def generate(self, requests):
            return ["yes"] * max(0, len(requests) - 1)

    recs = _run(bench, Short(), samples[:4], tmp_path / "run")
    assert all(r["error"] and "adapter" in r["error"] for r in recs)


def test_duplicate_ids_are_refused(pope):
    _, samples = pope
    with pytest.raises(UserError, match="duplicate sample id"):
        check_unique_ids([samples[0], samples[0]], "somewhere")


def test_resume_skips_recorded_and_keeps_order(pope, tmp_path):
    bench, samples = pope
    root = tmp_path / "run"
    _run(bench, Flaky(), samples[:10], root)
    adapter = Flaky()
    recs = _run(bench, adapter, samples, root)
    assert sum(adapter.calls) == len(samples) - 10
    ids = [r["id"] for r in read_jsonl(Path(root) / "records.jsonl")]
    assert ids == [s.id for s in samples] == [r["id"] for r in recs]
