"""`magma-bench report`: result tables from a run store."""

from __future__ import annotations

from pathlib import Path

import click


def print_rich(rows: list[dict]) -> None:
    from rich.console import Console

    from magma_bench.report.text_out import rich_table  # cells as plain text: names are never rich markup

    for kind in ("offline", "official"):
        rs = [r for r in rows if r["data"] == kind]
        if not rs:
            continue
        cols = [(c, "right" if c in ("headline", "n", "errors") else "left")
                for c in ("benchmark", "adapter", "headline", "95% CI", "n", "errors")]
        cells = []
        for r in rs:
            lo, hi = r["ci95"]
            label = r["benchmark"] + (f" ({r['variant']})" if r["variant"] else "")
            cells.append((label, r["adapter"], "–" if r["headline"] is None else f"{r['headline']:.1f}",
                          f"[{lo:.1f}, {hi:.1f}]" if lo is not None else "–", str(r["n"]), str(r["errors"])))
        Console(width=120).print(rich_table(f"magma-bench — {kind} data", cols, cells))


@click.command("report")
@click.argument("runs", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["md", "csv", "json", "latex"]), default="md", show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="Also write leaderboard.json and leaderboard.md into this directory and print the table.")
def report_cmd(runs: Path, fmt: str, out: Path | None) -> None:
    """Tables of every finished run under RUNS."""
    from magma_bench.errors import UserError
    from magma_bench.report.tables import collect_rows, render, write_leaderboard

    rows = collect_rows(runs)
    if not rows:
        raise UserError(f"no finished runs under {runs}")
    if out is None:
        click.echo(render(rows, fmt), nl=False)
        return
    paths = write_leaderboard(rows, out)
    print_rich(rows)
    click.echo(f"leaderboard: {paths['json']} and {paths['md']}")
