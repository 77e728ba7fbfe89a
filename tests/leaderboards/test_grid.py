"""The paper-shaped grid: per domain, models as rows, paper columns, our number linking to its run
row, the paper's number beside it and the paper's model as the last row."""

from __future__ import annotations

import re
from pathlib import Path

from lb_runs import write_run

from magma_bench.leaderboards.grid import grid_html, run_anchor
from magma_bench.leaderboards.html import render_page
from magma_bench.leaderboards.measured import compare
from magma_bench.leaderboards.results import load_results


def test_grid_rows_are_models_cells_link_to_runs(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    write_run(root, "pope", "<b>random", [{"id": str(i), "scores": {"accuracy": float(i % 2)}, "meta": {}}
                                          for i in range(10)])
    write_run(root, "pope", "oracle", [{"id": str(i), "scores": {"accuracy": 1.0}, "meta": {}} for i in range(10)],
              data="official")
    results = load_results(root)
    measured = compare(results)
    assert measured, "POPE is a paper column: both runs measure it"
    grid = grid_html(measured)
    assert '<table class="grid" id="grid-vl"' in grid
    rows = re.findall(r"<tr(?: class=\"paper\")?><th>(.*?)</th>", grid)
    assert rows[-1].endswith("(paper)") and {"&lt;b&gt;random", "oracle"} <= set(rows)  # names escaped
    assert "offline" in grid and "paper " in grid
    page = render_page(results, measured)
    for r in results:  # every cell's link lands on a runs-table row
        assert f'href="#{run_anchor(r.run_dir)}"' in page and f'id="{run_anchor(r.run_dir)}"' in page
    assert page.index("By domain, as the paper lays it out") < page.index("<h2>Runs</h2>")
    assert grid_html([]) == ""
