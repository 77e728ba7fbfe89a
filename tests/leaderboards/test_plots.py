"""Plots: PNG + SVG for every domain, the ablation and the Figure 8 chart; Figure 8 bars are the
paper's numbers; SVG output is reproducible byte for byte."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import yaml
from lb_runs import write_run
from PIL import Image

from magma_bench.leaderboards.ablation import build_ablation
from magma_bench.leaderboards.measured import compare
from magma_bench.leaderboards.paper import DATA_FILE
from magma_bench.leaderboards.plots import fig8_series, write_plots
from magma_bench.leaderboards.results import load_results


def _runs(root: Path) -> Path:
    recs = [{"id": f"t/{task}/{i}", "scores": {"success": float(i % 2), "steps": 9.0}, "meta": {"task": task}}
            for task in ("pick_coke_can", "move_near", "open_drawer", "close_drawer") for i in range(6)]
    write_run(root, "tabletop_google", "oracle", recs,
              metrics={f"task/{t}": 50.0 for t in ("pick_coke_can", "move_near", "open_drawer", "close_drawer")})
    write_run(root, "pope", "random", [{"id": str(i), "scores": {"accuracy": float(i % 3 == 0)}, "meta": {}}
                                       for i in range(30)])
    write_run(root, "pope", "magma", [{"id": str(i), "scores": {"accuracy": 1.0}, "meta": {}} for i in range(30)],
              data="official")
    return root


def test_plots_are_written_and_svg_is_reproducible(tmp_path: Path) -> None:
    results = load_results(_runs(tmp_path / "runs"))
    measured, ab = compare(results), build_ablation(results)
    a = write_plots(tmp_path / "a", results, measured, ab)
    b = write_plots(tmp_path / "b", results, measured, ab)
    stems = {"domain_robotics", "domain_vl", "simplerenv_fig8"}
    assert {f"{s}.{e}" for s in stems for e in ("png", "svg")} == set(a)  # no variants: no ablation chart
    for name, path in a.items():
        if name.endswith(".png"):
            with Image.open(path) as im:
                assert im.format == "PNG" and im.width > 300 and im.height > 200
        else:
            root = ET.parse(path).getroot()
            assert root.tag.endswith("svg")
            assert path.read_bytes() == b[name].read_bytes(), name
    svg = a["simplerenv_fig8.svg"].read_text()
    assert "Magma (OXE)" in svg and "ours: oracle (stand-in)" in svg
    assert "hatched = offline suite" in a["domain_vl.svg"].read_text()


def test_fig8_bars_are_the_paper_numbers(tmp_path: Path) -> None:
    raw = yaml.safe_load(DATA_FILE.read_text(encoding="utf-8"))["tables"]["figure8_simplerenv"]
    results = load_results(_runs(tmp_path / "runs"))
    labels, series, n_paper = fig8_series(compare(results))
    assert labels == [c["label"] for c in raw["columns"]]
    assert n_paper == len(raw["rows"]) == 5
    for (name, values, _, _), row in zip(series, raw["rows"], strict=False):
        assert name == row["model"] and values == [row["values"][c["key"]] for c in raw["columns"]]
    ours = series[5]
    assert ours[0] == "ours: oracle (stand-in)"
    assert ours[1][labels.index("Open/Close Drawer")] == 50.0
    assert ours[1][labels.index("Put Object in Drawer")] is None and ours[1][labels.index("Stack Blocks")] is None


def test_each_benchmark_has_its_own_scale(tmp_path: Path) -> None:
    """MME's perception sum (0-2000) beside POPE's percent: its panel reaches past 1000, POPE's
    stays at 105, so neither is clipped nor flattened."""
    from magma_bench.leaderboards.plots import domain_plots, headline_top

    assert headline_top("pope", [40.0, 99.0]) == 105.0
    assert headline_top("mme", [1450.0]) == headline_top("mme", [282.5]) == 2100.0  # declared max 2000, +5%
    assert headline_top("no_such", [130.0]) == 200.0
    root = _runs(tmp_path / "runs")
    write_run(root, "mme", "oracle", [{"id": f"existence/{i}.png#1", "scores": {"accuracy": 1.0},
                                        "meta": {"category": "existence"}} for i in range(4)], headline=1450.0)
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    seen = {}
    real_close = plt.close

    def close(fig):  # read each panel's limits before the figure goes
        for ax in fig.axes:
            if ax.get_xticklabels():
                seen[ax.get_xticklabels()[0].get_text().split(" ")[0]] = ax.get_ylim()[1]
        real_close(fig)

    plt.close = close
    try:
        domain_plots(load_results(root), tmp_path / "plots")
    finally:
        plt.close = real_close
    assert seen["pope"] == 105.0 and seen["mme"] == 2100.0
