"""Text that leaves the harness in markup: LaTeX escaping and terminal (rich) tables, one of each.

Why one module: `magma-bench report --format latex` and the leaderboard's LaTeX tables used to
escape with two functions that disagreed on `^`, and the two terminal tables (`report --out`,
`python -m magma_bench.leaderboards`) disagreed on whether a name like `[red]x` is rich markup.
Both now come from here; the leaderboards add the paper's symbols on top (`leaderboards._text`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# `^` and `~` as the characters themselves (\^{} would be a circumflex accent on nothing)
TEX_MAP = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
           "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}"}


def tex_escape(text: object, extra: dict[str, str] | None = None) -> str:
    """LaTeX-safe text, one character at a time (so an inserted `\\` is never escaped twice);
    `extra` maps further characters (the paper's footnote marks) to LaTeX."""
    table = {**(extra or {}), **TEX_MAP}
    return "".join(table.get(ch, ch) for ch in str(text))


def rich_table(title: str, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[str]],
               widths: dict[str, tuple[int | None, int | None]] | None = None) -> Any:
    """A rich Table whose every cell is plain text (`rich.text.Text`), never markup: a model or
    benchmark called `[bold]x` prints as written. `columns` are (name, "left" | "right");
    `widths` maps a column to (min, max) width, those with a max wrap (fold) inside it."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(title), title_justify="left")
    for name, justify in columns:
        lo, hi = (widths or {}).get(name, (None, None))
        table.add_column(Text(name), justify=justify, no_wrap=hi is None, min_width=lo, max_width=hi,  # type: ignore[arg-type]
                         overflow="fold")
    for row in rows:
        table.add_row(*(Text(str(c)) for c in row))
    return table
