"""Table 3 layout from trainer variants: rows in the paper's order, CIs, and paired significance of
with vs without SoM+ToM, on real POPE runs that share one generated suite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from magma_bench.leaderboards.ablation import build_ablation, variant_of, write_ablation
from magma_bench.leaderboards.results import RunResult, load_results
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


def variant_runs(tmp_path: Path) -> Path:
    suite = Path(run(RunConfig(benchmark="pope", adapter="null", n=60, out=tmp_path / "scratch", limit=1))["data_dir"])
    runs = tmp_path / "runs"
    plan = [("oracle", "full", 0), ("random", "full-nosomtom", 0), ("heuristic", "ui-nosomtom", 0),
            ("random", "act", 1), ("random", "act-nosomtom", 2)]
    for adapter, label, seed in plan:
        run(RunConfig(benchmark="pope", adapter=adapter, n=60, out=runs, data_dir=suite, seed=seed,
                      adapter_args={"variant": label, "model": "toy"}))
    run(RunConfig(benchmark="pope", adapter="random", n=60, out=runs, data_dir=suite))  # not a variant
    return runs


def _result(adapter: str, args: dict) -> RunResult:
    return RunResult("pope", adapter, "test", "", "offline", 1, 0.0, (None, None), {}, Path("."), adapter_args=args)


def test_variant_naming_convention() -> None:
    v = variant_of(_result("magma@full-nosomtom", {}))
    assert (v.model, v.mixture, v.somtom) == ("magma", "full", False)
    v = variant_of(_result("magma", {"variant": "ACT"}))
    assert (v.model, v.mixture, v.somtom) == ("magma", "act", True)
    assert variant_of(_result("magma", {"variant": "video"})) is None
    assert variant_of(_result("random", {})) is None


def test_ablation_table_from_variant_runs(tmp_path: Path) -> None:
    runs = variant_runs(tmp_path)
    results = load_results(runs)
    ab = build_ablation(results, n_boot=500)
    order = [(v.mixture, v.somtom) for v, _ in ab.rows]
    assert order == [("ui", False), ("act", False), ("full", False), ("full", True), ("act", True)]
    assert ab.columns == [("pope", "pope")]
    cells = {(v.mixture, v.somtom): row["pope"] for v, row in ab.rows}
    assert cells[("full", True)].value == 100.0
    by_adapter = {(r.adapter, r.adapter_args.get("variant")): r for r in results}
    assert cells[("full", False)].value == pytest.approx(by_adapter[("random", "full-nosomtom")].headline)
    assert cells[("full", False)].ci95 == pytest.approx(by_adapter[("random", "full-nosomtom")].ci95)

    pairs = {p.mixture: p for p in ab.paired}
    assert set(pairs) == {"full", "act"}  # ui has no "with" run
    full = pairs["full"]
    assert full.n_shared == 60 and full.delta == pytest.approx(100.0 - cells[("full", False)].value)
    assert full.ci_low > 0 and full.p_bootstrap < 0.05
    full_v = next(v for v, _ in ab.rows if v.mixture == "full" and v.somtom)
    act_v = next(v for v, _ in ab.rows if v.mixture == "act" and v.somtom)
    assert ab.significant(full_v, "pope")
    assert ab.significant(act_v, "pope") == (pairs["act"].p_bootstrap < 0.05)

    paths = write_ablation(runs, tmp_path / "lb", n_boot=500)
    md = paths["ablation.md"].read_text()
    row = next(ln for ln in md.splitlines() if ln.startswith("| toy (Full) | Full | ✓"))
    assert "**100.0 \\[100.0, 100.0\\]**\\*" in row and "(off)" in row
    assert "| toy (UI) | UI | ✗ |" in md
    assert "| toy | Full | pope | +" in md and "| \\< 0.002 |" in md  # p below 1/n_boot
    doc = json.loads(paths["ablation.json"].read_text())
    assert doc["rows"][3]["cells"]["pope"]["significant"] is True
    tex = paths["ablation.tex"].read_text()
    assert tex.count("{") == tex.count("}") and r"\textbf{100.0 [100.0, 100.0]}$^{*}$" in tex


def test_no_variants_says_so(tmp_path: Path) -> None:
    run(RunConfig(benchmark="pope", adapter="random", n=60, out=tmp_path / "runs"))
    md = write_ablation(tmp_path / "runs", tmp_path / "lb")["ablation.md"].read_text()
    assert "No trainer-variant runs found" in md


def test_ablation_cli(tmp_path: Path) -> None:
    import subprocess
    import sys

    runs = variant_runs(tmp_path)
    r = subprocess.run([sys.executable, "-m", "magma_bench.leaderboards", "ablation", "--runs", str(runs),
                        "--out", str(tmp_path / "lb")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "| toy (Full) | Full | ✓ |" in r.stdout
    for name in ("ablation.md", "ablation.tex", "ablation.json", "plots/ablation.png", "plots/ablation.svg"):
        assert (tmp_path / "lb" / name).is_file(), name
