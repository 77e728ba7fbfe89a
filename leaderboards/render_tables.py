"""The paper's tables (2-8) and robotics figures (8-10) regenerated from data as markdown and LaTeX.

Byte-stable: the output depends only on the YAML (no dates, no dict-order accidents), so the
files can be committed and diffed. Layout follows the paper: the row label, the descriptive
columns (size, backbone, inputs, SoM+ToM), then the result columns with their group headers;
ScreenSpot text/icon halves share one printed cell ("60.4/58.5", a single "-" when both are
missing); bold = best and underline = second best exactly where the paper prints them;
horizontal rules where the paper draws them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from magma_bench.leaderboards._text import decimals, esc, md, num, tex, tex_label
from magma_bench.leaderboards.paper import Paper, Row, Table, paper

ATTR_LABELS = {"size": "Size", "backbone": "Backbone", "input_dom_tree": "DOM Tree", "input_image": "Image",
               "pretrain_data": "Pretrain Data", "som_tom": "SoM+ToM"}
# Row label header as printed.
ROW_LABEL = {"table4_mind2web": "Method", "table5_aitw": "Method"}
# Horizontal rules of the paper: a rule is drawn above each listed row (from each table's notes).
RULES_BEFORE = {
    "table2_zero_shot": ("llava_1_5", "fuyu", "magma_8b"),
    "table3_ablation": (),
    "table4_mind2web": ("seeact_gpt4v_image", "fuyu_8b", "magma_8b"),
    "table5_aitw": ("fuyu_8b", "magma_8b"),
    "table6_spatial": ("llava_1_5_7b", "magma_act_wo"),
    "table7_vl": ("magma_sft",),
    "table8_video_qa": ("llava_ov", "magma_8b"),
}
TEXT = {"dash": "-", "na": "n/a", "blank": ""}
SOURCE_NOTE = "leaderboards/magma_paper_tables.yaml"


@dataclass(frozen=True)
class PrintedColumn:
    """One column as printed; ScreenSpot's text and icon halves share one."""

    label: str
    keys: tuple[str, ...]


def printed_columns(table: Table) -> list[PrintedColumn]:
    out: list[PrintedColumn] = []
    for c in table.columns:
        merged = c.printed_label != c.label
        if merged and out and out[-1].label == c.printed_label:
            out[-1] = PrintedColumn(c.printed_label, out[-1].keys + (c.key,))
        else:
            out.append(PrintedColumn(c.printed_label, (c.key,)))
    return out


def column_decimals(table: Table) -> dict[str, int]:
    return {k: decimals([r.values[k] for r in table.rows]) for k in table.keys}


def cell_text(table: Table, row: Row, key: str, places: dict[str, int] | None = None) -> str:
    """The printed text of one data cell (no styling)."""
    kind = row.kind(key)
    if kind == "printed":
        return row.printed[key]
    if kind == "number":
        places = places or column_decimals(table)
        return num(row.values[key], places[key])
    return TEXT[kind]


def cell_parts(table: Table, row: Row, pc: PrintedColumn, places: dict[str, int]) -> list[tuple[str, str | None]]:
    """(text, style) for each half of a printed cell; a merged cell whose halves are all missing
    in the same way prints once ("-", "n/a" or empty)."""
    kinds = {row.kind(k) for k in pc.keys}
    if len(pc.keys) > 1 and len(kinds) == 1 and next(iter(kinds)) in TEXT:
        return [(TEXT[next(iter(kinds))], None)]
    return [(cell_text(table, row, k, places), row.style(k)) for k in pc.keys]


def attr_text(v: object) -> str:
    if isinstance(v, bool):
        return "✓" if v else "✗"
    return "" if v is None else str(v)


def attr_label(table: Table, key: str) -> str:
    if table.id == "table5_aitw" and key == "input_dom_tree":
        return "DoM Tree"  # printed so (sic)
    return ATTR_LABELS.get(key, key.replace("_", " ").title())


def short_label(table: Table, label: str, key: str) -> str:
    """A header under its group header, without the words it repeats ("Cross-Task Op. F1" under
    "Cross-Task" prints "Op. F1"); used where the group row is drawn (LaTeX)."""
    for g in table.groups:
        if key in g.keys:
            words, gwords = label.split(" "), g.label.split(" ")
            i = 0
            while i < min(len(words), len(gwords)) and words[i] == gwords[i]:
                i += 1
            return " ".join(words[i:]) or label
    return label


def heading(table: Table) -> str:
    return f"{table.paper_ref}: {table.title}"


def group_spans(table: Table, pcs: list[PrintedColumn]) -> list[tuple[str, int, int]]:
    """(label, first, last) per column group: the printed columns it spans, as indexes into `pcs`."""
    index = {k: i for i, p in enumerate(pcs) for k in p.keys}
    return [(g.label, min(index[k] for k in g.keys), max(index[k] for k in g.keys)) for g in table.groups]


def header_labels(table: Table, pcs: list[PrintedColumn], *, short: bool) -> list[str]:
    """The header row; `short` drops the words a drawn group row above already says (`short_label`)."""
    results = [short_label(table, p.label, p.keys[0]) if short else p.label for p in pcs]
    return [ROW_LABEL.get(table.id, "Model")] + [attr_label(table, k) for k in table.attr_keys] + results


# How each format escapes text and marks the paper's best (bold) and second-best (underlined) cells.
_MARKUP = {
    "md": (md, "**{}**", "<u>{}</u>"),
    "tex": (tex, r"\textbf{{{}}}", r"\underline{{{}}}"),
    "html": (esc, "<b>{}</b>", "<u>{}</u>"),
}


def styled_cell(table: Table, row: Row, pc: PrintedColumn, places: dict[str, int], fmt: str) -> str:
    """One printed cell in format `fmt` ("md", "tex", "html"): its halves escaped, styled, joined by "/"."""
    escape, bold, underline = _MARKUP[fmt]
    out = []
    for text, style in cell_parts(table, row, pc, places):
        t = escape(text)
        if text and style is not None:
            t = (bold if style == "bold" else underline).format(t)
        out.append(t)
    return "/".join(out)


# -- markdown -----------------------------------------------------------------------------------
def table_markdown(table: Table) -> str:
    places = column_decimals(table)
    pcs = printed_columns(table)
    head = header_labels(table, pcs, short=False)
    align = [":--"] * (1 + len(table.attr_keys)) + ["--:"] * len(pcs)
    lines = [f"## {md(heading(table))}", "", md(table.caption), ""]
    if table.groups:
        label_of = {k: p.label for p in pcs for k in p.keys}
        parts = []
        for g in table.groups:
            labels = list(dict.fromkeys(label_of[k] for k in g.keys))
            parts.append(f"{md(g.label)}: {', '.join(md(x) for x in labels)}")
        lines += ["Column groups: " + "; ".join(parts) + ".", ""]
    lines.append("| " + " | ".join(md(h) for h in head) + " |")
    lines.append("|" + "|".join(align) + "|")
    for row in table.rows:
        cells = [md(row.model)] + [md(attr_text(row.attrs.get(k))) for k in table.attr_keys]
        cells += [styled_cell(table, row, pc, places, "md") for pc in pcs]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", _legend_md(table), "", f"Source: arXiv 2502.13130v1, {md(table.paper_ref)}; "
              f"data: {md(SOURCE_NOTE)} (`{table.id}`).", ""]
    return "\n".join(lines)


def _legend_md(table: Table) -> str:
    return ('Bold = best, <u>underlined</u> = second best, as printed in the paper. "-" = not supported or '
            'not reported; "n/a" = not available; an empty cell is empty in the paper.')


# -- LaTeX --------------------------------------------------------------------------------------
def table_latex(table: Table) -> str:
    places = column_decimals(table)
    pcs = printed_columns(table)
    n_lead = 1 + len(table.attr_keys)
    spec = "l" + "c" * len(table.attr_keys) + "r" * len(pcs)
    env = "table*" if len(pcs) + n_lead > 7 else "table"
    lines = [f"% {table.paper_ref} of arXiv 2502.13130v1, regenerated from {SOURCE_NOTE} ({table.id}).",
             r"% Needs \usepackage{booktabs,amssymb}.",
             rf"\begin{{{env}}}[t]", r"\centering", rf"\caption{{{tex(table.caption)}}}",
             rf"\label{{tab:{table.id}}}", r"\resizebox{\linewidth}{!}{%", rf"\begin{{tabular}}{{{spec}}}",
             r"\toprule"]
    if table.groups:
        cells, rules, col = [], [], 0
        for label, first, last in group_spans(table, pcs):
            cells += [""] * (first - col)
            cells.append(rf"\multicolumn{{{last - first + 1}}}{{c}}{{{tex(label)}}}")
            rules.append(rf"\cmidrule(lr){{{n_lead + first + 1}-{n_lead + last + 1}}}")
            col = last + 1
        cells += [""] * (len(pcs) - col)
        lines.append(" & ".join([""] * n_lead + cells) + r" \\")
        lines.append(" ".join(rules))
    lines.append(" & ".join(tex(h) for h in header_labels(table, pcs, short=True)) + r" \\")
    lines.append(r"\midrule")
    rules_before = set(RULES_BEFORE.get(table.id, ()))
    for row in table.rows:
        if row.id in rules_before:
            lines.append(r"\midrule")
        cells = [tex_label(row.model)] + [tex(attr_text(row.attrs.get(k))) for k in table.attr_keys]
        cells += [styled_cell(table, row, pc, places, "tex") for pc in pcs]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}}", rf"\end{{{env}}}", ""]
    return "\n".join(lines)


# -- HTML (a fragment for the leaderboard page) --------------------------------------------------
def table_html(table: Table) -> str:
    """The table as printed, as an escaped HTML fragment (group header row, rules as borders)."""
    places = column_decimals(table)
    pcs = printed_columns(table)
    n_lead = 1 + len(table.attr_keys)
    out = [f'<table class="paper" id="paper-{esc(table.id)}"><thead>']
    if table.groups:
        cells, col = [f'<th colspan="{n_lead}"></th>'], 0
        for label, first, last in group_spans(table, pcs):
            cells += ["<th></th>"] * (first - col)
            cells.append(f'<th colspan="{last - first + 1}" class="group">{esc(label)}</th>')
            col = last + 1
        cells += ["<th></th>"] * (len(pcs) - col)
        out.append("<tr>" + "".join(cells) + "</tr>")
    head = header_labels(table, pcs, short=True)
    out.append("<tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr></thead><tbody>")
    rules_before = set(RULES_BEFORE.get(table.id, ()))
    for row in table.rows:
        cls = ' class="rule"' if row.id in rules_before else ""
        cells = [f"<td>{esc(row.model)}</td>"] + [f"<td>{esc(attr_text(row.attrs.get(k)))}</td>"
                                                  for k in table.attr_keys]
        cells += [f'<td class="num">{styled_cell(table, row, pc, places, "html")}</td>' for pc in pcs]
        out.append(f"<tr{cls}>" + "".join(cells) + "</tr>")
    out.append("</tbody></table>")
    return "".join(out)


# -- files --------------------------------------------------------------------------------------
def write_paper_tables(out_dir: Path, data: Paper | None = None) -> dict[str, Path]:
    """Write `<table id>.md` and `.tex` per table and `paper_tables.md` (all tables), return paths."""
    data = data or paper()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    docs = ["# The Magma paper's result tables, regenerated from data", "",
            f"{md(data.source.get('title', ''))} ({md(data.source.get('paper', ''))}). These are the paper's "
            "numbers, not measurements; see `measured.md` for ours beside them.", ""]
    for tid, table in data.tables.items():
        m, t = table_markdown(table), table_latex(table)
        for ext, text in (("md", m), ("tex", t)):
            p = out_dir / f"{tid}.{ext}"
            p.write_text(text, encoding="utf-8")
            paths[f"{tid}.{ext}"] = p
        docs.append(m)
    p = out_dir / "paper_tables.md"
    p.write_text("\n".join(docs), encoding="utf-8")
    paths["paper_tables.md"] = p
    return paths
