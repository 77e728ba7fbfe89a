"""One LaTeX escaper and one terminal-table renderer for `magma-bench report` and the leaderboards,
and the leaderboard's domains taken from the benchmark classes through the registry."""

from __future__ import annotations

from magma_bench.cli.report_cmd import print_rich
from magma_bench.leaderboards import results
from magma_bench.leaderboards._text import tex
from magma_bench.report.tables import to_latex
from magma_bench.report.text_out import rich_table, tex_escape

NASTY = r"a^b_c~50% {x} $y \z #&"


def test_report_and_leaderboards_escape_latex_alike():
    want = (r"a\textasciicircum{}b\_c\textasciitilde{}50\% \{x\} \$y \textbackslash{}z \#\&")
    assert tex_escape(NASTY) == tex(NASTY) == want
    row = {"benchmark": "b^1", "variant": "", "adapter": NASTY, "headline": 50.0, "ci95": [40.0, 60.0], "n": 3,
           "data": "offline", "split": "test", "errors": 0}
    assert want in to_latex([row]) and r"b\textasciicircum{}1" in to_latex([row])
    assert tex("Magma‡") == r"Magma$^{\ddagger}$"  # the paper's marks on top of the shared escaper


def test_rich_tables_print_names_as_written(capsys):
    row = {"benchmark": "[bold]pope", "variant": "", "adapter": "[red]x[/red]", "headline": 1.0,
           "ci95": [None, None], "n": 1, "errors": 0, "data": "offline"}
    print_rich([row])
    out = capsys.readouterr().out
    assert "[bold]pope" in out and "[red]x[/red]" in out
    from rich.console import Console

    console = Console(width=80, record=True)
    console.print(rich_table("[i]t", [("[b]c", "left")], [["[link=x]y"]]))
    text = console.export_text()
    assert "[i]t" in text and "[b]c" in text and "[link=x]y" in text


def test_domains_come_from_the_benchmark_classes():
    assert not hasattr(results, "DOMAIN_OF")
    results.domain_of.cache_clear()
    assert results.domain_of("webnav") == "ui"  # never in the old hand-kept map
    assert results.domain_of("mme") == "vl" and results.domain_of("vsr") == "spatial"
    assert results.domain_of("simplerenv") == results.domain_of("libero") == "robotics"  # paper family names
    assert results.domain_of("widowx_real") == results.domain_of("no_such_bench") == "other"
