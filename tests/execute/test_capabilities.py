"""Capabilities: a benchmark declares what it needs of an adapter, an adapter what it can do;
the sweep planner skips a pair that cannot run (saying why) and `magma-bench run` refuses it."""

from __future__ import annotations

import pytest

from magma_bench.adapter import Capability
from magma_bench.adapters.hf_vlm import HFVisionLanguageAdapter
from magma_bench.cli.main import main
from magma_bench.execute.sweep import plan
from magma_bench.execute.sweep_config import AdapterSpec, BenchmarkSpec, SweepConfig
from magma_bench.registry import make_benchmark


def test_benchmarks_declare_what_they_need():
    assert make_benchmark("pope").required_capabilities() == {Capability.TEXT}
    assert make_benchmark("screenspot").required_capabilities() == {Capability.TEXT, Capability.GROUNDING}
    assert make_benchmark("nextqa").required_capabilities() == {Capability.TEXT, Capability.VIDEO}
    assert make_benchmark("tabletop_bridge").required_capabilities() == {Capability.ACTION}
    # webnav is driven by text replies by default, by 7-number actions with actions=vector
    assert make_benchmark("webnav").required_capabilities() == {Capability.TEXT, Capability.GROUNDING}
    assert make_benchmark("webnav", actions="vector").required_capabilities() == {Capability.ACTION}


def test_plan_skips_pairs_the_adapter_cannot_run(monkeypatch):
    monkeypatch.setattr(HFVisionLanguageAdapter, "availability", classmethod(lambda cls: (True, "")))
    cfg = SweepConfig(benchmarks=[BenchmarkSpec("pope"), BenchmarkSpec("tabletop_bridge"), BenchmarkSpec("nextqa")],
                      adapters=[AdapterSpec("hf_vlm"), AdapterSpec("oracle")])
    lines: list[str] = []
    pairs = [(p.bench.name, p.adapter.name) for p in plan(cfg, lines.append)]
    assert pairs == [("pope", "hf_vlm"), ("pope", "oracle"), ("tabletop_bridge", "oracle"), ("nextqa", "oracle")]
    assert lines == [
        "skip tabletop_bridge × hf_vlm: tabletop_bridge needs action, which adapter hf_vlm does not declare "
        "(it declares grounding, text)",
        "skip nextqa × hf_vlm: nextqa needs video, which adapter hf_vlm does not declare "
        "(it declares grounding, text)",
    ]


@pytest.mark.parametrize("bench,need", [("tabletop_google", "action"), ("videomme", "video")])
def test_run_refuses_with_one_line(tmp_path, capsys, bench, need):
    rc = main(["run", "-b", bench, "-a", "hf_vlm", "--out", str(tmp_path / "runs")])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and len(err.splitlines()) == 1
    assert f"{bench} × hf_vlm cannot run: {bench} needs {need}" in err
    assert not (tmp_path / "runs").exists()  # refused before anything was built or written
