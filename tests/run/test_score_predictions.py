"""`magma-bench score`: a null or non-string prediction is a missing answer, counted and reported,
never the text "None" (which POPE's rule reads as "yes")."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from mb_samples import samples_for

from magma_bench.cli.score_cmd import score_cmd
from magma_bench.registry import make_benchmark
from magma_bench.run.runner import score_predictions


def test_null_predictions_score_zero_not_yes():
    bench = make_benchmark("pope")
    samples = samples_for(bench)
    out = score_predictions(bench, samples, {s.id: None for s in samples})
    assert out["headline"] == 0.0 and out["metrics"]["yes_ratio"] == 0.0 and out["metrics"]["accuracy"] == 0.0
    assert out["non_text_predictions"] == len(samples) and out["missing_ids"] == 0
    assert out["errors"] == len(samples)


def test_non_string_predictions_are_counted_with_examples():
    bench = make_benchmark("vsr")
    samples = samples_for(bench)
    preds = {samples[0].id: samples[0].target, samples[1].id: 1}
    out = score_predictions(bench, samples, preds)
    assert out["metrics"]["accuracy"] == pytest.approx(50.0)
    assert out["non_text_predictions"] == 1 and out["non_text_examples"] == [samples[1].id]


def test_cli_reports_null_predictions(tmp_path):
    data = tmp_path / "pope"
    make_benchmark("pope").generate(data, 6, seed=0)
    rows = [json.loads(line) for line in (data / "coco_pope_random.json").read_text().splitlines()]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"id": f"random-{r['question_id']}", "prediction": None}) + "\n" for r in rows))
    args = ["-b", "pope", "--data-dir", str(data), "--predictions", str(preds), "--bench-arg", "category=random"]
    res = CliRunner().invoke(score_cmd, [*args, "--json"])
    assert res.exit_code == 0, res.output
    view = json.loads(res.output)
    assert view["headline"] == 0.0 and view["metrics"]["f1"] == 0.0 and view["metrics"]["yes_ratio"] == 0.0
    assert view["non_text_predictions"] == len(rows)
    res = CliRunner().invoke(score_cmd, args)
    assert res.exit_code == 0 and f"{len(rows)} prediction(s) were not strings" in res.output
