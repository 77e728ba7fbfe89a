"""No silent wrong numbers: an errored or missing sample is wrong in every metric of every static
benchmark, garbage answers never make parse/score raise, and records are strict JSON.

Samples are hand-made (`mb_samples`), shaped as each loader builds them, so every registered
benchmark is covered without Chromium or video clips.
"""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mb_samples import samples_for

from magma_bench.benchmark import Benchmark
from magma_bench.registry import benchmark_entries, make_benchmark
from magma_bench.run.evaluator import _Caller, evaluate_batch, make_record
from magma_bench.run.runner import summarize
from magma_bench.run.store import dumps

STATIC = [name for name, e in benchmark_entries(include_plugins=False).items()
          if issubclass(type(make_benchmark(name)), Benchmark)]

# Sub-metrics that count failures rather than successes: 100 when every sample errored.
FAILURE_RATES = {"wrong_format": 100.0}  # ScreenSpot family: share of answers with no usable point

GARBAGE = [
    "ß", "ﬁ", "ǰ", "İ", "", " ", "\x00", "\n\n", "None", "null", "nan", "NaN", "Infinity", "-0",
    "Mark: " + "9" * 5000, "Mark: 12345678901234567890", "9" * 5000, "9" * 5000 + ".",
    "Coordinate: (1e999, nan)", "Coordinate: (" + "9" * 400 + ", 0.5)", "(" + "9" * 5000 + ", 3)",
    "[" + "9" * 400 + ", 1, 2, 3]", "<box>(" + "9" * 400 + ",1),(2,3)</box>",
    '{"click_point": [1e999, 2]}', '{"point": [NaN, Infinity]}', '{"mark": "' + "9" * 5000 + '"}',
    '{"mark": ' + "9" * 5000 + "}", '{"action_type": 4, "click_point": [1e999, NaN]}',
    "{'action_type': 4, 'click_point': [1e999, 2]}", '{"action_type": ' + "9" * 5000 + "}",
    "{'action_type': 3, 'typed_text': " + "9" * 5000 + "}", "{" * 3000, "[" * 3000, "TYPE: " + "9" * 5000,
    "CLICK " + "(" * 2000, "The answer is " + "A " * 5000, "x" * 20000, "(A)" * 3000, "yes " * 3000,
    "\ud800", "A. " + "\u202e" * 10, "<meta name=\"description\" content=\"" + "a" * 5000 + "\">",
]


def _strict_loads(line: str) -> dict:
    def refuse(name: str) -> None:
        raise AssertionError(f"non-standard JSON constant {name} in a record")

    return json.loads(line, parse_constant=refuse)


def _bench(name: str):
    return make_benchmark(name)


# -- every metric counts an errored sample as wrong --------------------------------------------------
@pytest.mark.parametrize("name", STATIC)
def test_all_errored_scores_zero_everywhere(name):
    bench = _bench(name)
    samples = samples_for(bench)
    assert samples, f"{name}: no hand-made samples"
    records = [make_record(bench, s, None, "adapter: RuntimeError: boom") for s in samples]
    summary = summarize(bench, records, seed=0)
    assert summary["headline"] == 0.0
    assert summary["ci95"] == [0.0, 0.0]
    assert summary["errors"] == len(samples)
    assert summary["metrics"], f"{name}: no sub-metrics reported"
    for k, v in summary["metrics"].items():
        leaf = k.rsplit("/", 1)[-1]
        assert v == FAILURE_RATES.get(leaf, 0.0), f"{name}: {k} = {v} with every sample errored"


@pytest.mark.parametrize("name", STATIC)
def test_unparseable_answers_score_like_errors(name):
    """A reply with nothing usable in it ("" / whitespace) is no answer: same numbers as an error."""
    bench = _bench(name)
    samples = samples_for(bench)
    errored = summarize(bench, [make_record(bench, s, None, "adapter: boom") for s in samples], seed=0)
    blank = summarize(bench, [make_record(bench, s, "   ", None) for s in samples], seed=0)
    assert blank["headline"] == errored["headline"] == 0.0


@pytest.mark.parametrize("name", STATIC)
def test_records_whose_scorer_failed_completely_still_aggregate(name):
    """Records with empty scores (a scorer that raised even on no answer) aggregate as wrong."""
    bench = _bench(name)
    records = [{**make_record(bench, s, None, "score: boom"), "scores": {}} for s in samples_for(bench)]
    summary = summarize(bench, records, seed=0)
    assert summary["headline"] == 0.0
    assert all(v in (0.0, FAILURE_RATES.get(k.rsplit("/", 1)[-1])) for k, v in summary["metrics"].items())


def test_pope_all_errored_is_not_fifty_percent_accuracy():
    """The reported bug: every sample errored, and POPE said accuracy 50 (errors read as "no")."""
    bench = _bench("pope")
    samples = samples_for(bench)
    m = summarize(bench, [make_record(bench, s, None, "adapter: boom") for s in samples], seed=0)["metrics"]
    for k in ("accuracy", "precision", "recall", "f1", "yes_ratio"):
        assert m[k] == 0.0 and m[f"random/{k}"] == 0.0


def test_pope_errors_are_wrong_in_every_count():
    from magma_bench.metrics.binary import binary_metrics

    # 2 right answers, and an error on a positive and on a negative question
    m = binary_metrics(["yes", "no", None, None], ["yes", "no", "yes", "no"])
    assert m == pytest.approx({"accuracy": 0.5, "precision": 0.5, "recall": 0.5, "f1": 0.5, "yes_ratio": 0.25})


# -- parse and score never raise; records are strict JSON ------------------------------------------
def _check_answer(bench, sample, text) -> None:
    parsed = bench.parse(text)
    scores = bench.score(sample, parsed)
    assert isinstance(scores, dict) and scores
    for k, v in scores.items():
        assert isinstance(v, int | float) and math.isfinite(v) and 0.0 <= v <= 1.0, (k, v)
    rec = make_record(bench, sample, text, None)
    assert rec["error"] is None, rec["error"]  # parse/score did not raise inside the guard either
    back = _strict_loads(dumps(rec))
    assert back["id"] == sample.id


@pytest.mark.parametrize("name", STATIC)
def test_garbage_answers_never_raise(name):
    bench = _bench(name)
    for s in samples_for(bench):
        for text in GARBAGE:
            _check_answer(bench, s, text)


@pytest.mark.parametrize("name", sorted({type(make_benchmark(n)).__name__: n for n in STATIC}.values()))
def test_random_text_never_raises(name):
    bench = _bench(name)
    samples = samples_for(bench)
    pieces = st.sampled_from(["Mark:", "Coordinate:", "(", ")", "[", "]", "{", "}", ",", ".", ":", "'", '"', "-",
                              "1e999", "nan", "9" * 400, "0.5", "12", "A", "B", "(C)", "yes", "no", "true",
                              "CLICK", "TYPE", "scroll down", "action_type", "click_point", " ", "ß", "\x00"])

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(pieces, max_size=12).map("".join) | st.text(max_size=30), st.integers(0, len(samples) - 1))
    def check(text, i):
        _check_answer(bench, samples[i], text)

    check()


# -- the per-sample guard ---------------------------------------------------------------------------
class _Raising:
    """Wraps a benchmark; its parse or score raises or returns a non-finite number."""

    def __init__(self, bench, mode: str) -> None:
        self.bench, self.mode = bench, mode

    def parse(self, text):
        if self.mode == "parse":
            raise ValueError("Exceeds the limit (4300 digits) for integer string conversion")
        return self.bench.parse(text)

    def score(self, sample, parsed):
        if self.mode == "score" and parsed is not None:
            raise TypeError("ord() expected a character, but string of length 2 found")
        if self.mode == "nan" and parsed is not None:
            return {"accuracy": float("nan")}
        return self.bench.score(sample, parsed)

    def request(self, sample):
        from magma_bench.types import AnswerSpace, Request

        return Request(id=sample.id, messages=[], answer_space=AnswerSpace("text"))


@pytest.mark.parametrize("mode, prefix", [("parse", "parse: ValueError"), ("score", "score: TypeError"),
                                          ("nan", "score: ValueError")])
def test_parser_or_scorer_failure_is_that_samples_error(mode, prefix):
    bench = _bench("vsr")
    samples = samples_for(bench)
    wrapped = _Raising(bench, mode)

    class Oracle:
        def generate(self, reqs):
            return [next(s for s in samples if s.id == r.id).target for r in reqs]

    recs = evaluate_batch(wrapped, Oracle(), samples, _Caller(None))  # one batch: the run goes on
    assert [r["id"] for r in recs] == [s.id for s in samples]
    for r in recs:
        assert r["error"].startswith(prefix), r["error"]
        assert r["scores"] == {"accuracy": 0.0} and r["parsed"] is None
        _strict_loads(dumps(r))
    # the unwrapped benchmark scores the same answers right: the guard, not the answers, made them wrong
    assert all(make_record(bench, s, s.target, None)["scores"]["accuracy"] == 1.0 for s in samples)


def test_a_scorer_that_fails_even_unanswered_leaves_empty_scores():
    class Broken:
        def parse(self, text):
            return text

        def score(self, sample, parsed):
            raise KeyError("task_type")

    s = samples_for(_bench("vsr"))[0]
    rec = make_record(Broken(), s, "true", None)
    assert rec["scores"] == {} and rec["error"] == "score: KeyError: 'task_type'"
    rec = make_record(Broken(), s, None, "adapter: boom")
    assert rec["error"] == "adapter: boom; score: KeyError: 'task_type'"
