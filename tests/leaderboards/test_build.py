"""build_all: one call renders every artefact, the page links only files that exist, and the CLI
prints the leaderboard and the page's path."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from lb_runs import pope_runs

from magma_bench.leaderboards.build import build_all


def test_build_all_from_pope_runs(tmp_path: Path) -> None:
    runner = pope_runs(tmp_path)
    runner("random")
    runner("oracle", data="official")
    runner("random", adapter_args={"variant": "full-nosomtom", "model": "toy"})
    runner("oracle", adapter_args={"variant": "full", "model": "toy"})
    out = tmp_path / "runs" / "leaderboard"  # inside the runs root, as `make bench` writes it
    paths = build_all(runner.root, out, plots=False, n_boot=300)
    for name in ("index.html", "measured.md", "measured.tex", "measured.json", "ablation.md", "ablation.tex",
                 "ablation.json", "leaderboard.json", "leaderboard.md", "paper/table2_zero_shot.md",
                 "paper/table2_zero_shot.tex", "paper/paper_tables.md"):
        assert paths[name].is_file() and paths[name].stat().st_size > 0, name
    page = paths["index.html"].read_text()
    for href in re.findall(r'href="([^"]+)"', page):
        if href.startswith("#"):  # the paper grid links to rows of the runs table on the same page
            assert f'id="{href[1:]}"' in page, href
        else:
            assert (out / href).is_file(), href
    measured = json.loads(paths["measured.json"].read_text())["rows"]
    kinds = {(m["adapter"], m["data"]) for m in measured if m["table"] == "table2_zero_shot"}
    assert kinds == {("random", "offline"), ("oracle", "official"),
                     ("random (model=toy,variant=full-nosomtom)", "offline"),
                     ("oracle (model=toy,variant=full)", "offline")}
    ab = json.loads(paths["ablation.json"].read_text())
    assert [(r["mixture"], r["somtom"]) for r in ab["rows"]] == [("full", False), ("full", True)]
    assert ab["paired"][0]["p_bootstrap"] < 0.05
    # a second build over the same runs gives the same tables
    again = build_all(runner.root, tmp_path / "again", plots=False, n_boot=300)
    for name in ("measured.md", "ablation.md", "paper/paper_tables.md"):
        assert paths[name].read_bytes() == again[name].read_bytes(), name


def test_cli_build_prints_table_and_page(tmp_path: Path) -> None:
    runner = pope_runs(tmp_path)
    runner("heuristic")
    r = subprocess.run([sys.executable, "-m", "magma_bench.leaderboards", "build", "--runs", str(runner.root),
                        "--out", str(tmp_path / "lb"), "--no-plots"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "heuristic" in r.stdout and "offline" in r.stdout
    assert f"leaderboard page: {(tmp_path / 'lb' / 'index.html').resolve()}" in r.stdout
    missing = subprocess.run([sys.executable, "-m", "magma_bench.leaderboards", "build", "--runs",
                              str(tmp_path / "nope"), "--out", str(tmp_path / "lb2"), "--no-plots"],
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 0 and "leaderboard page:" in missing.stdout  # paper tables still render
    assert (tmp_path / "lb2" / "paper" / "table2_zero_shot.md").is_file()
