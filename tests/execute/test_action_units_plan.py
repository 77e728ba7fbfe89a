"""Action units in the sweep plan: a pair whose adapter emits actions in units the environment does
not take (the tiny checkpoint's metres/radians on LIBERO's normalised OSC_POSE deltas) is skipped
with its reason before anything is built; the adapter answers from its checkpoint's JSON files
only, and a side that cannot tell leaves the pair to run, as before. `magma-bench run` refuses such a
pair with the planner's reason."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from magma_bench.action_spec import libero_spec
from magma_bench.adapters.magma import MagmaAdapter
from magma_bench.benchmarks.robotics.libero import Libero
from magma_bench.execute.sweep import benchmark_facts, plan, units_gap
from magma_bench.execute.sweep_config import AdapterSpec, BenchmarkSpec, SweepConfig
from magma_bench.model.configuration_magma import MagmaConfig

LIBERO_METRES = (
    "skip libero_spatial × magma: adapter magma emits metres/radians ({ck}, its own statistics) and "
    "libero_spatial takes normalised deltas; units are not converted: give a checkpoint with statistics "
    "for libero_spatial_no_noops (unnorm_key)")


@pytest.fixture(autouse=True)
def _available(monkeypatch):
    """Plan on any machine: the units check must not depend on LIBERO or torch being installed."""
    monkeypatch.setattr(Libero, "availability", classmethod(lambda cls: (True, "")))
    monkeypatch.setattr(MagmaAdapter, "availability", classmethod(lambda cls: (True, "")))


def ours(root: Path) -> Path:
    """A magma-bench checkpoint as `make train` writes its config.json (no weights: none are read)."""
    ck = root / "magma-tiny"
    ck.mkdir()
    cfg = {"model_type": "magma-bench", "format_version": 1, **MagmaConfig.from_preset("tiny").to_dict()}
    (ck / "config.json").write_text(json.dumps(cfg, indent=1))
    MagmaConfig.from_dict(json.loads((ck / "config.json").read_text()))  # what the adapter's loader accepts
    return ck


def upstream(root: Path, stats: dict | None = None) -> Path:
    """An upstream Magma-8B layout: config.json (model_type magma) and, optionally, OpenVLA-style
    dataset_statistics.json."""
    ck = root / "Magma-8B"
    ck.mkdir()
    (ck / "config.json").write_text(json.dumps({"model_type": "magma", "vision_config": {}, "text_config": {}}))
    if stats is not None:
        (ck / "dataset_statistics.json").write_text(json.dumps(stats))
    return ck


def planned(adapters: list[AdapterSpec], skip_unavailable: bool = True,
            benches: tuple[str, ...] = ("libero_spatial", "tabletop_bridge")) -> tuple[list, list[str]]:
    """(the kept (benchmark, adapter) pairs, the skip lines)."""
    cfg = SweepConfig(benchmarks=[BenchmarkSpec(b) for b in benches], adapters=adapters,
                      skip_unavailable=skip_unavailable)
    lines: list[str] = []
    pairs = [(p.bench.name, p.adapter.name) for p in plan(cfg, lines.append)]
    return pairs, lines


@pytest.mark.parametrize("skip_unavailable", [True, False])
def test_metres_on_libero_are_skipped_with_the_reason(tmp_path, skip_unavailable):
    ck = ours(tmp_path)
    pairs, lines = planned([AdapterSpec("magma", {"checkpoint": str(ck)}), AdapterSpec("random")], skip_unavailable)
    # tabletop_bridge takes metres/radians: kept; random samples inside whatever spec it is given: not judged
    assert pairs == [("libero_spatial", "random"), ("tabletop_bridge", "magma"), ("tabletop_bridge", "random")]
    assert lines == [LIBERO_METRES.format(ck=ck)]


def test_an_upstream_checkpoint_is_judged_by_the_statistics_it_would_use(tmp_path):
    ck = upstream(tmp_path)
    # no file, no unnorm_key: each env's own published set applies (LIBERO: normalised; Bridge: metres)
    for bench, key, units in (("libero_spatial", "libero_spatial_no_noops", "normalized"),
                              ("tabletop_bridge", "bridge_orig", "m_rad")):
        out = MagmaAdapter.output_action_spec({"checkpoint": str(ck)}, benchmark_facts(bench, {})[1])
        assert (out.units, out.name) == (units, f"{ck}, statistics {key}")
    assert planned([AdapterSpec("magma", {"checkpoint": str(ck)})]) == (
        [("libero_spatial", "magma"), ("tabletop_bridge", "magma")], [])
    # unnorm_key=bridge_orig forces Open-X metres everywhere: LIBERO cannot take them
    pairs, lines = planned([AdapterSpec("magma", {"checkpoint": str(ck), "unnorm_key": "bridge_orig"})])
    assert pairs == [("tabletop_bridge", "magma")]
    assert lines == [f"skip libero_spatial × magma: adapter magma emits metres/radians ({ck}, statistics bridge_orig) "
                     "and libero_spatial takes normalised deltas; units are not converted: give a checkpoint with "
                     "statistics for libero_spatial_no_noops (unnorm_key)"]


def test_a_checkpoint_with_only_libero_statistics_cannot_drive_metres(tmp_path):
    q = {"q01": [-0.9] * 6 + [0.0], "q99": [0.9] * 6 + [1.0], "mask": [True] * 6 + [False]}
    ck = upstream(tmp_path, {"libero_spatial_no_noops": {"action": q}})
    pairs, lines = planned([AdapterSpec("magma", {"checkpoint": str(ck)})])
    assert pairs == [("libero_spatial", "magma")]
    assert lines == [f"skip tabletop_bridge × magma: adapter magma emits normalised deltas ({ck}, statistics "
                     "libero_spatial_no_noops) and tabletop_bridge takes metres/radians; units are not converted: "
                     "give a checkpoint with statistics for bridge_orig (unnorm_key)"]
    # magma_hf (upstream's own code) decodes with the same statistics, so it is judged the same way
    gap = units_gap("tabletop_bridge", benchmark_facts("tabletop_bridge", {})[1], "magma_hf", {"checkpoint": str(ck)})
    assert "emits normalised deltas" in gap and "takes metres/radians" in gap


@pytest.mark.parametrize("case", ["missing dir", "no config", "bad json", "not magma", "unknown key", "key on ours"])
def test_an_adapter_that_cannot_tell_is_not_judged(tmp_path, case):
    args: dict = {"checkpoint": str(tmp_path / "nowhere")}
    if case != "missing dir":
        ck = upstream(tmp_path) if case == "unknown key" else ours(tmp_path)
        args = {"checkpoint": str(ck)}
        if case == "no config":
            (ck / "config.json").unlink()
        elif case == "bad json":
            (ck / "config.json").write_text("{not json")
        elif case == "not magma":
            (ck / "config.json").write_text(json.dumps({"model_type": "llava"}))
        elif case == "unknown key":
            args["unnorm_key"] = "no_such_set"
        else:
            args["unnorm_key"] = "libero_spatial_no_noops"  # refused when the adapter is built, with its line
    assert MagmaAdapter.output_action_spec(args, libero_spec(suite="libero_spatial")) is None
    pairs, lines = planned([AdapterSpec("magma", args)])
    assert pairs == [("libero_spatial", "magma"), ("tabletop_bridge", "magma")] and lines == []


def test_an_env_that_cannot_tell_is_not_judged(tmp_path):
    ck = ours(tmp_path)
    assert benchmark_facts("pope", {})[1] is None  # static suites take no actions
    assert benchmark_facts("libero_spatial", {})[1].units == "normalized"
    # bad variant arguments: no spec (the run reports the arguments, not a units mismatch)
    assert benchmark_facts("libero_spatial", {"gripper": "bogus"})[1] is None
    cfg = SweepConfig(benchmarks=[BenchmarkSpec("libero_spatial", args={"gripper": "bogus"}), BenchmarkSpec("pope")],
                      adapters=[AdapterSpec("magma", {"checkpoint": str(ck)})])
    lines: list[str] = []
    assert [p.label for p in plan(cfg, lines.append)] == ["libero_spatial × magma", "pope × magma"] and lines == []
    assert units_gap("libero_spatial", None, "magma", {"checkpoint": str(ck)}) == ""


def test_asking_reads_json_only(tmp_path):
    """The planner's question loads no weights and imports no torch."""
    ck = ours(tmp_path)
    code = ("import sys; from magma_bench.action_spec import libero_spec; "
            "from magma_bench.adapters.magma import MagmaAdapter; "
            f"s = MagmaAdapter.output_action_spec({{'checkpoint': {str(ck)!r}}}, libero_spec()); "
            "print(s.units, 'torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["m_rad", "False"]


@pytest.mark.parametrize("case", ["ours", "upstream bridge_orig"])
def test_run_refuses_a_units_mismatch_with_the_planners_line(tmp_path, capsys, case):
    """`magma-bench run` asks what the planner asks (units_gap) and refuses with the same reason,
    one line, before anything is built or written."""
    from magma_bench.cli.main import main

    if case == "ours":
        ck, extra = ours(tmp_path), []
        why = f"adapter magma emits metres/radians ({ck}, its own statistics)"
    else:
        ck, extra = upstream(tmp_path), ["--adapter-arg", "unnorm_key=bridge_orig"]
        why = f"adapter magma emits metres/radians ({ck}, statistics bridge_orig)"
    out = tmp_path / "runs"
    rc = main(["run", "-b", "libero_spatial", "-a", "magma", "--adapter-arg", f"checkpoint={ck}", *extra,
               "--out", str(out)])
    err = capsys.readouterr().err.strip()
    assert rc != 0 and len(err.splitlines()) == 1, err
    assert err.endswith(f"libero_spatial × magma cannot run: {why} and libero_spatial takes normalised deltas; "
                        "units are not converted: give a checkpoint with statistics for libero_spatial_no_noops "
                        "(unnorm_key)")
    assert not out.exists()


def test_the_shuffled_image_control_is_planned_for_question_suites_only(tmp_path):
    """image=shuffled asks a question with another question's picture; an episode has no other
    question, so the planner skips closed-loop suites for it with the reason, and keeps blank."""
    ck = ours(tmp_path)
    args = {"checkpoint": str(ck)}
    kept, skips = planned([AdapterSpec("magma", args | {"image": "shuffled"}),
                           AdapterSpec("magma", args | {"image": "blank"})], benches=("tabletop_bridge", "pope"))
    assert kept == [("tabletop_bridge", "magma"), ("pope", "magma"), ("pope", "magma")]  # blank; shuffled + blank
    assert skips == ["skip tabletop_bridge × magma: adapter magma: image=shuffled is a control for question suites; "
                     "a closed-loop suite's blind control is image=blank"]
