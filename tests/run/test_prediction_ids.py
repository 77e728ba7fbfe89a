"""`score` accepts predictions keyed by harness ids or by the release's own ids, says which, and
refuses a file that matches neither with examples of both."""

from __future__ import annotations

import pytest

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.prediction_ids import match_prediction_ids
from magma_bench.run.runner import score_predictions
from magma_bench.types import Sample


def _samples(official: list[str | None]) -> list[Sample]:
    return [Sample(id=f"popular-{i}", benchmark="pope", inputs={"text": "Is there a dog?"},
                   target="yes" if i % 2 else "no", meta={"category": "popular"}, official_id=o)
            for i, o in enumerate(official)]


def test_official_ids_score_like_harness_ids():
    samples = _samples(["101", "102", "103", "104"])
    answers = ["no", "yes", "yes", "yes"]
    by_harness = {s.id: a for s, a in zip(samples, answers, strict=True)}
    by_official = {s.official_id: a for s, a in zip(samples, answers, strict=True)}
    bench = make_benchmark("pope")
    a = score_predictions(bench, samples, by_harness)
    b = score_predictions(bench, samples, by_official)
    assert a["matched_by"] == "id" and b["matched_by"] == "official_id"
    assert (a["headline"], a["metrics"], a["ci95"]) == (b["headline"], b["metrics"], b["ci95"])
    assert a["missing_ids"] == b["missing_ids"] == 0


def test_the_keying_that_matches_more_wins_and_the_rest_is_unknown():
    samples = _samples(["101", "102", "103"])
    m = match_prediction_ids(samples, {"101": "yes", "102": "no", "popular-2": "yes"}, "p.jsonl")
    assert m.by == "official_id" and m.predictions == {"popular-0": "yes", "popular-1": "no"}
    assert m.unknown == ["popular-2"]


def test_ids_matching_neither_are_refused_with_three_examples_of_each():
    samples = _samples(["101", "102", "103", "104"])
    with pytest.raises(UserError) as e:
        match_prediction_ids(samples, {"q-1": "yes", "q-2": "no"}, "p.jsonl", "question_id")
    msg = str(e.value)
    assert msg.startswith("p.jsonl: no prediction id matches")
    assert "'popular-0', 'popular-1', 'popular-2'" in msg and "question_id" in msg
    assert "'101', '102', '103'" in msg and "'q-1'" in msg


def test_official_ids_that_repeat_across_files_are_ambiguous():
    samples = _samples(["1", "2"]) + [Sample(id="random-0", benchmark="pope", inputs={}, target="no",
                                             meta={"category": "random"}, official_id="1")]
    with pytest.raises(UserError, match="official id '1' names 2 samples"):
        match_prediction_ids(samples, {"1": "yes", "2": "no"}, "p.jsonl")


def test_records_carry_both_ids():
    from magma_bench.run.evaluator import make_record

    rec = make_record(make_benchmark("pope"), _samples(["101"])[0], "no", None)
    assert rec["id"] == "popular-0" and rec["official_id"] == "101"
