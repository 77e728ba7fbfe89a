"""Everything the leaderboard produces, from one call (the end of `make bench`):

    <out>/paper/            the paper's tables 2-8 and figures 8-10 (markdown + LaTeX)
    <out>/measured.{md,tex,json}   measured vs paper
    <out>/ablation.{md,tex,json}   Table 3 layout from trainer variants
    <out>/leaderboard.{json,md}    all runs (magma_bench.report.tables)
    <out>/plots/*.{png,svg}        per-domain bars, ablation, SimplerEnv Fig. 8
    <out>/index.html               the static page linking all of the above
"""

from __future__ import annotations

import os
from pathlib import Path

from magma_bench.leaderboards.ablation import build_ablation, to_json, to_latex, to_markdown
from magma_bench.leaderboards.html import write_html
from magma_bench.leaderboards.measured import compare
from magma_bench.leaderboards.measured import to_json as measured_json
from magma_bench.leaderboards.measured import to_latex as measured_latex
from magma_bench.leaderboards.measured import to_markdown as measured_markdown
from magma_bench.leaderboards.render_tables import write_paper_tables
from magma_bench.leaderboards.results import RunResult, load_results


def build_all(runs_root: Path, out_dir: Path, plots: bool = True, n_boot: int = 2000) -> dict[str, Path]:
    """Render every leaderboard artefact from the runs under runs_root into out_dir; returns
    {name: path}, with "index.html" the page to open."""
    from magma_bench.report.tables import collect_rows, write_leaderboard

    runs_root, out_dir = Path(runs_root), Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {f"paper/{k}": v for k, v in write_paper_tables(out_dir / "paper").items()}
    results: list[RunResult] = load_results(runs_root) if runs_root.exists() else []
    measured = compare(results)
    ab = build_ablation(results, n_boot=n_boot)
    for name, text in (("measured.md", measured_markdown(measured)), ("measured.tex", measured_latex(measured)),
                       ("measured.json", measured_json(measured)), ("ablation.md", to_markdown(ab)),
                       ("ablation.tex", to_latex(ab)), ("ablation.json", to_json(ab))):
        p = out_dir / name
        p.write_text(text, encoding="utf-8")
        paths[name] = p
    if runs_root.exists():
        paths.update({p.name: p for p in write_leaderboard(collect_rows(runs_root), out_dir).values()})
    if plots and _have_matplotlib():
        from magma_bench.leaderboards.plots import write_plots

        paths.update({f"plots/{k}": v for k, v in write_plots(out_dir / "plots", results, measured, ab).items()})
    links = {name: os.path.relpath(p, out_dir) for name, p in paths.items()
             if name.endswith((".md", ".png")) and not name.startswith("paper/table")}
    paths["index.html"] = write_html(out_dir / "index.html", results, measured, links)
    return paths


def _have_matplotlib() -> bool:
    """Plots are optional (the `plots` extra); without matplotlib everything else still renders."""
    import importlib.util
    import sys

    if importlib.util.find_spec("matplotlib") is None:
        print("note: matplotlib is not installed, plots skipped (pip install 'magma-bench[plots]')", file=sys.stderr)
        return False
    return True


def write_ablation_all(runs_root: Path, out_dir: Path, plots: bool = True, n_boot: int = 2000) -> dict[str, Path]:
    """`make ablation`: ablation.{md,tex,json} and plots/ablation.{png,svg} only."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ab = build_ablation(load_results(runs_root), n_boot=n_boot)
    paths = {}
    for name, text in (("ablation.md", to_markdown(ab)), ("ablation.tex", to_latex(ab)), ("ablation.json", to_json(ab))):
        paths[name] = out_dir / name
        paths[name].write_text(text, encoding="utf-8")
    if plots and _have_matplotlib():
        from magma_bench.leaderboards.plots import ablation_plot

        (out_dir / "plots").mkdir(parents=True, exist_ok=True)
        paths.update({f"plots/{k}": v for k, v in ablation_plot(ab, Path(out_dir) / "plots").items()})
    return paths


def print_summary(runs_root: Path, paths: dict[str, Path]) -> None:
    """The leaderboard in the terminal (rich) and where the page is."""
    from rich.console import Console

    from magma_bench.report.text_out import rich_table  # the one terminal table: cells are text, never markup

    console = Console(width=None if os.isatty(1) else 140)
    results = load_results(runs_root) if Path(runs_root).exists() else []
    # Long variant labels wrap inside the benchmark column instead of squeezing the others away.
    widths = {"benchmark": (16, 44), "adapter": (10, 40), "headline": (8, None), "95% CI": (14, None),
              "n": (3, None), "data": (8, None), "domain": (8, None)}
    cols = [("domain", "left"), ("benchmark", "left"), ("adapter", "left"), ("headline", "right"),
            ("95% CI", "left"), ("n", "right"), ("data", "left")]
    rows = []
    for r in sorted(results, key=lambda r: (r.domain, r.benchmark, r.variant, -r.headline)):
        ci = "-" if r.ci95[0] is None else f"[{r.ci95[0]:.1f}, {r.ci95[1]:.1f}]"
        rows.append((r.domain, r.benchmark + (f" ({r.variant})" if r.variant else ""), r.adapter_label,
                     f"{r.headline:.1f}" if r.measured else "n/a", ci, str(r.n), r.data))
    console.print(rich_table("magma-bench leaderboard (offline = generated suite, not the real benchmark)",
                             cols, rows, widths))
    console.print(f"leaderboard page: {Path(paths['index.html']).resolve()}", markup=False)
