"""Runs of one adapter under different configurations (arguments, seed, or only describe(), such
as other weights behind the same checkpoint path) never merge into one leaderboard row."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from lb_runs import pope_runs

from magma_bench.leaderboards.measured import compare
from magma_bench.leaderboards.results import load_results
from magma_bench.report.run_labels import adapter_labels
from magma_bench.report.tables import collect_rows, pivot_markdown


def test_labels_tell_every_configuration_apart():
    runs = [("magma", {"args": {"checkpoint": "ck"}, "checkpoint_hash": "aaaa"}, 0),
            ("magma", {"args": {"checkpoint": "ck"}, "checkpoint_hash": "bbbb"}, 0),
            ("magma", {"args": {"checkpoint": "ck"}, "checkpoint_hash": "aaaa"}, 1),
            ("magma", {"args": {"checkpoint": "ck"}, "checkpoint_hash": "aaaa"}, 0),  # same config as the first
            ("x", {"args": {"a": "1,b=2"}}, 0), ("x", {"args": {"a": "1", "b": "2"}}, 0)]  # same text, other args
    labels = adapter_labels(runs)
    assert labels[0] == "magma (checkpoint=ck,checkpoint_hash=aaaa)" == labels[3]
    assert labels[1] == "magma (checkpoint=ck,checkpoint_hash=bbbb)"
    assert labels[2] == "magma (checkpoint=ck,seed=1)"
    assert labels[4] != labels[5] and all("config=" in x for x in labels[4:])
    assert adapter_labels([("random", {"args": {}}, 0)]) == ["random"]


def test_two_runs_of_one_adapter_at_different_args_and_seeds_keep_their_rows(tmp_path: Path):
    runner = pope_runs(tmp_path)
    runner("random", n=30)
    runner("random", n=30, seed=1)
    runner("random", n=30, adapter_args={"delay_s": 0.001})
    # the same arguments, other weights: a copy whose describe() carries another checkpoint hash
    [plain] = [p for p in (tmp_path / "runs" / "pope" / "test").iterdir()
               if json.loads((p / "summary.json").read_text())["adapter_describe"]["args"] == {}
               and json.loads((p / "summary.json").read_text())["seed"] == 0]
    for tag, h in (("a", "aaaa"), ("b", "bbbb")):
        d = plain.with_name(f"random-{tag}")
        shutil.copytree(plain, d)
        s = json.loads((d / "summary.json").read_text())
        s["adapter_describe"]["checkpoint_hash"] = h
        s["headline"] = 11.0 if tag == "a" else 22.0
        (d / "summary.json").write_text(json.dumps(s))
    shutil.rmtree(plain)

    labels = sorted(r.adapter_label for r in load_results(tmp_path / "runs"))
    assert labels == ["random (checkpoint_hash=aaaa)", "random (checkpoint_hash=bbbb)", "random (delay_s=0.001)",
                      "random (seed=1)"]
    rows = collect_rows(tmp_path / "runs")
    pivot = pivot_markdown(rows)
    for label in labels:
        assert f"| {label} |" in pivot, pivot
    assert "| 11.0 ±" in pivot and "| 22.0 ±" in pivot  # both weights shown, neither overwrites the other
    measured = [m for m in compare(load_results(tmp_path / "runs")) if m.table == "table2_zero_shot"]
    assert sorted(m.adapter for m in measured) == labels
