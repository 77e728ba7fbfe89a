"""`make perf`'s lmms_* figures: skipped in one line without lmms-eval, measured where it is
(`make test-lmms`'s venv runs the measured test)."""

from __future__ import annotations

import importlib.util

import pytest

from magma_bench.errors import MissingDependency
from magma_bench.perf import lmms as perf_lmms
from torch_threads import one_torch_thread

_one_torch_thread = pytest.fixture(one_torch_thread)


def test_without_lmms_eval_or_its_venv_the_figures_are_skipped_in_one_line(monkeypatch, tmp_path):
    monkeypatch.setattr(perf_lmms, "lmms_eval_here", lambda: False)
    monkeypatch.setattr(perf_lmms, "LMMS_PYTHON", tmp_path / "no-venv" / "bin" / "python")
    with pytest.raises(MissingDependency, match=r"make test-lmms"):
        perf_lmms.figures()


def test_a_failing_lmms_venv_is_one_line_with_its_last_words(monkeypatch, tmp_path):
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho 'ImportError: cannot import name filelock._api' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setattr(perf_lmms, "lmms_eval_here", lambda: False)
    monkeypatch.setattr(perf_lmms, "LMMS_PYTHON", fake)
    with pytest.raises(RuntimeError, match=r"exited 1: ImportError: cannot import name filelock._api"):
        perf_lmms.figures()


@pytest.mark.skipif(importlib.util.find_spec("lmms_eval") is None,
                    reason="lmms-eval is not installed here; `make test-lmms` runs this in .venv-lmms")
def test_both_harnesses_give_the_same_raw_answers_on_the_same_questions(_one_torch_thread):
    figs = perf_lmms.measure(n=12, pairs=1)
    assert figs["lmms_samples"] == 12 and figs["lmms_raw_answers_equal_frac"] == 1.0
    # lmms-eval's POPE scorer is an exact match, ours the official lenient rule: never more right
    assert figs["lmms_accuracy_lmms_eval"] <= figs["lmms_accuracy_magma_bench"]
    assert figs["lmms_magma_bench_s"] > 0 and figs["lmms_lmms_eval_s"] > 0 and figs["lmms_speedup_median"] > 0
    assert figs["lmms_null_overhead_ms_per_sample_magma_bench"] > 0
