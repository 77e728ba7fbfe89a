"""Escaping and number formatting shared by the markdown, LaTeX and HTML renderers.

Everything that reaches an output file passes through one of these functions, so a model named
`<script>` or `a|b` or `50%` renders as text in every format.
"""

from __future__ import annotations

import html
import math
import re

from magma_bench.report.text_out import tex_escape

_MD_SPECIAL = re.compile(r"([\\|*_`<>\[\]])")
_TEX_SYMBOLS = {"‡": r"$^{\ddagger}$", "†": r"$^{\dagger}$", "♮": r"$^{\natural}$", "✓": r"$\checkmark$",
                "✗": r"$\times$", "±": r"$\pm$", "–": "--", "Δ": r"$\Delta$"}
_SUPERSCRIPT = re.compile(r"\^([^\s)]+)")


def md(text: object) -> str:
    """Markdown-safe cell text: the characters that would start markup are backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ")


def tex(text: object) -> str:
    """LaTeX-safe text (`magma_bench.report.text_out.tex_escape`, shared with `magma-bench report`);
    the paper's footnote marks and check marks become math symbols."""
    return tex_escape(text, _TEX_SYMBOLS)


def tex_label(text: str) -> str:
    """A row label as the paper typesets it: `Magma-8B (Act^w/o)` -> `Magma-8B (Act$^{w/o}$)`."""
    parts = []
    last = 0
    for m in _SUPERSCRIPT.finditer(text):
        parts.append(tex(text[last:m.start()]))
        parts.append("$^{" + tex(m.group(1)) + "}$")
        last = m.end()
    parts.append(tex(text[last:]))
    return "".join(parts)


def esc(text: object) -> str:
    """HTML-escaped text (quotes included, so it is safe inside attributes too)."""
    return html.escape(str(text), quote=True)


def decimals(values: list[float | int | None]) -> int:
    """Decimals a column is printed with: the most any of its numbers needs, at least 1 for floats."""
    d = 0
    for v in values:
        if isinstance(v, float):
            frac = repr(v).split(".")[1] if "." in repr(v) else ""
            d = max(d, 1, len(frac.rstrip("0")) if "e" not in frac else 1)
    return d


def num(v: float | int | None, places: int = 1, dash: str = "-") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return dash
    return f"{v:.{places}f}"


def signed(v: float | None, places: int = 1, dash: str = "-") -> str:
    if v is None or math.isnan(v):
        return dash
    return f"{v:+.{places}f}"
