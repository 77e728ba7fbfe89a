"""The paper's Table 3 (data mixtures x SoM+ToM) from our trainer's variants, with CIs and paired
significance of "with SoM+ToM" vs "without" on the same samples.

Convention for marking a run as a trainer variant (documented in README by the lead):

    variant label   `<mixture>` (trained with SoM+ToM) or `<mixture>-nosomtom` (without), where
                    mixture is one of ui | oxe | act | full (Table 3: UI only, Open-X robotics only,
                    UI + robotics, the full mixture).
    where it is read from, first match wins:
      1. the adapter name `<model>@<label>`, e.g. `magma@full-nosomtom` (a registered variant);
      2. the adapter argument `variant=<label>` (`--adapter magma --adapter-arg variant=full`),
         with the optional adapter argument `model=<name>` naming the model family (default:
         the adapter name).

Rows follow the paper: UI, OXE, ACT, Full without SoM+ToM, then Full with it (any other variant
after). Columns: the Table 3 columns a variant was measured on (the same probes as
`measured.py`), then any other benchmark the variants ran, by its headline. A cell is our number
with its 95% CI; `*` marks a "with SoM+ToM" cell that differs from the same model and mixture
without SoM+ToM at p < 0.05 (paired bootstrap over shared samples, `magma_bench.report.compare`).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from magma_bench.leaderboards._text import md, num, signed, tex
from magma_bench.leaderboards.measured import measure, probes_for
from magma_bench.leaderboards.paper import paper
from magma_bench.leaderboards.results import RunResult, load_results

LABEL = re.compile(r"^(ui|oxe|act|full)(-nosomtom)?$")
MIXTURES = {"ui": ("UI", "UI"), "oxe": ("OXE", "OXE"), "act": ("ACT", "UI+OXE"), "full": ("Full", "Full")}
ROW_ORDER = [("ui", False), ("oxe", False), ("act", False), ("full", False), ("full", True),
             ("ui", True), ("oxe", True), ("act", True)]
ALPHA = 0.05


@dataclass(frozen=True)
class Variant:
    model: str
    mixture: str  # ui | oxe | act | full
    somtom: bool

    @property
    def row_label(self) -> str:
        return f"{self.model} ({MIXTURES[self.mixture][0]})"


def variant_of(r: RunResult) -> Variant | None:
    if "@" in r.adapter:
        model, _, label = r.adapter.partition("@")
    else:
        label, model = str(r.adapter_args.get("variant", "")), str(r.adapter_args.get("model") or r.adapter)
    m = LABEL.match(label.strip().lower())
    if not m or not model:
        return None
    return Variant(model=model, mixture=m.group(1), somtom=m.group(2) is None)


@dataclass
class Cell:
    value: float
    ci95: tuple[float | None, float | None]
    n: int | None
    headline: bool  # the run's headline (paired comparison possible) vs a sub-metric
    run_dir: str
    data: str


@dataclass
class Paired:
    model: str
    mixture: str
    column: str
    delta: float  # with - without SoM+ToM
    ci_low: float
    ci_high: float
    p_bootstrap: float
    p_mcnemar: float | None
    n_shared: int
    n_boot: int

    @property
    def p_text(self) -> str:
        """A bootstrap p of 0 means below the resolution 1/n_boot, printed as such."""
        return f"< {1 / self.n_boot:.2g}" if self.p_bootstrap == 0 else f"{self.p_bootstrap:.3g}"


@dataclass
class Ablation:
    columns: list[tuple[str, str]]  # (key, label)
    rows: list[tuple[Variant, dict[str, Cell]]]
    paired: list[Paired]

    def significant(self, v: Variant, key: str) -> bool:
        return v.somtom and any(p.model == v.model and p.mixture == v.mixture and p.column == key
                                and p.p_bootstrap < ALPHA for p in self.paired)


def build_ablation(results: list[RunResult], n_boot: int = 2000) -> Ablation:
    table = paper().tables["table3_ablation"]
    cells: dict[Variant, dict[str, Cell]] = {}
    extra: dict[str, str] = {}
    for r in results:
        v = variant_of(r)
        if v is None:
            continue
        row = cells.setdefault(v, {})
        matched = False
        for col in table.columns:
            for probe in probes_for(table, col.key):
                got = measure(r, probe)
                if got is not None:
                    value, ci, n, source = got
                    _keep(row, col.key, Cell(value, tuple(ci), n, source.endswith(": headline"), str(r.run_dir), r.data))
                    matched = True
                    break
        if not matched:
            key = r.benchmark + (f" ({r.variant})" if r.variant else "")
            extra[key] = key
            _keep(row, key, Cell(r.headline, r.ci95, r.n, True, str(r.run_dir), r.data))
    used = {k for row in cells.values() for k in row}
    columns = [(c.key, c.label) for c in table.columns if c.key in used] + sorted(extra.items())
    order = {mv: i for i, mv in enumerate(ROW_ORDER)}
    rows = sorted(cells.items(), key=lambda kv: (kv[0].model, order[(kv[0].mixture, kv[0].somtom)]))
    return Ablation(columns=columns, rows=rows, paired=_paired(cells, columns, n_boot))


def _keep(row: dict[str, Cell], key: str, cell: Cell) -> None:
    """Several runs for one cell: official data first, then the most samples, then the last run."""
    old = row.get(key)
    rank = lambda c: (c.data == "official", c.n or 0, c.run_dir)  # noqa: E731
    if old is None or rank(cell) > rank(old):
        row[key] = cell


def _paired(cells: dict[Variant, dict[str, Cell]], columns: list[tuple[str, str]], n_boot: int) -> list[Paired]:
    from magma_bench.errors import UserError
    from magma_bench.report.compare import compare_runs

    out = []
    for v, row in sorted(cells.items(), key=lambda kv: (kv[0].model, kv[0].mixture)):
        if not v.somtom:
            continue
        base = cells.get(Variant(v.model, v.mixture, False))
        if base is None:
            continue
        for key, _ in columns:
            a, b = row.get(key), base.get(key)
            if a is None or b is None or not (a.headline and b.headline) or a.data != b.data:
                continue
            try:
                c = compare_runs(Path(a.run_dir), Path(b.run_dir), n_boot=n_boot)
            except UserError:
                continue  # no shared samples: nothing to pair
            out.append(Paired(v.model, v.mixture, key, c["delta"], c["ci_low"], c["ci_high"], c["p_bootstrap"],
                              c.get("p_mcnemar"), c["n_shared"], n_boot))
    return out


# -- rendering ----------------------------------------------------------------------------------
def _cell_text(c: Cell | None) -> str:
    if c is None:
        return "-"
    if c.ci95[0] is None:
        return num(c.value)
    return f"{num(c.value)} [{c.ci95[0]:.1f}, {c.ci95[1]:.1f}]"


def _best(ab: Ablation, key: str, model: str) -> float | None:
    vals = [row[key].value for v, row in ab.rows if v.model == model and key in row]
    return max(vals) if len(vals) > 1 else None


# How each format escapes a cell and marks it: bold = best of a model's variants, a star = differs from the
# same mixture without SoM+ToM (p < 0.05), then a suffix for offline-suite cells (the markdown only says so).
_MARKS = {"md": (md, "**{}**", r"\*", " (off)"), "tex": (tex, r"\textbf{{{}}}", "$^{*}$", "")}


def _row_cells(ab: Ablation, v: Variant, row: dict[str, Cell], fmt: str) -> list[str]:
    """The result cells of one variant's row in format `fmt` ("md" or "tex"), marked."""
    escape, bold, star, offline = _MARKS[fmt]
    cells = []
    for key, _ in ab.columns:
        c = row.get(key)
        t = escape(_cell_text(c))
        if c is not None:
            if _best(ab, key, v.model) == c.value:
                t = bold.format(t)
            if ab.significant(v, key):
                t += star
            if c.data == "offline":
                t += offline
        cells.append(t)
    return cells


def to_markdown(ab: Ablation) -> str:
    out = ["# Ablation: data mixtures x SoM+ToM (paper Table 3 layout)", "",
           "Our trainer's variants. Cells: value [95% CI]; bold = best of a model's variants; `*` = differs from "
           "the same mixture without SoM+ToM at p < 0.05 (paired bootstrap on shared samples). Offline-suite "
           "cells are marked (off).", ""]
    if not ab.rows:
        return "\n".join(out + ["No trainer-variant runs found (see the naming convention in "
                                "magma_bench/leaderboards/ablation.py).", ""])
    out.append("| Model | Pretrain Data | SoM+ToM | " + " | ".join(md(lbl) for _, lbl in ab.columns) + " |")
    out.append("|:--|:--|:--|" + "--:|" * len(ab.columns))
    for v, row in ab.rows:
        out.append(f"| {md(v.row_label)} | {MIXTURES[v.mixture][1]} | {'✓' if v.somtom else '✗'} | "
                   + " | ".join(_row_cells(ab, v, row, "md")) + " |")
    out += ["", "## With vs without SoM+ToM (paired)", ""]
    if not ab.paired:
        out += ["No mixture has runs both with and without SoM+ToM on the same samples.", ""]
    else:
        labels = dict(ab.columns)
        out += ["| Model | Mixture | Column | Δ with − without | 95% CI | p (bootstrap) | p (McNemar) | n shared |",
                "|:--|:--|:--|--:|:--|--:|--:|--:|"]
        for p in ab.paired:
            mc = "-" if p.p_mcnemar is None else f"{p.p_mcnemar:.3g}"
            out.append(f"| {md(p.model)} | {MIXTURES[p.mixture][0]} | {md(labels[p.column])} | {signed(p.delta)} | "
                       f"[{p.ci_low:.1f}, {p.ci_high:.1f}] | {md(p.p_text)} | {mc} | {p.n_shared} |")
        out.append("")
    return "\n".join(out)


def to_latex(ab: Ablation) -> str:
    spec = "llc" + "r" * len(ab.columns)
    lines = ["% Ablation in the layout of Table 3 of arXiv 2502.13130 (magma-bench). Needs booktabs, amssymb.",
             rf"\begin{{tabular}}{{{spec}}}", r"\toprule",
             "Model & Pretrain Data & SoM+ToM & " + " & ".join(tex(lbl) for _, lbl in ab.columns) + r" \\",
             r"\midrule"]
    for v, row in ab.rows:
        lines.append(" & ".join([tex(v.row_label), tex(MIXTURES[v.mixture][1]),
                                 r"$\checkmark$" if v.somtom else r"$\times$"] + _row_cells(ab, v, row, "tex"))
                     + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)


def to_json(ab: Ablation) -> str:
    doc: dict[str, Any] = {
        "schema": 1, "columns": [{"key": k, "label": lbl} for k, lbl in ab.columns],
        "rows": [{"model": v.model, "mixture": v.mixture, "somtom": v.somtom,
                  "cells": {k: {**asdict(c), "ci95": list(c.ci95), "significant": ab.significant(v, k)}
                            for k, c in row.items()}} for v, row in ab.rows],
        "paired": [asdict(p) for p in ab.paired]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_ablation(runs_root: Path, out_dir: Path, results: list[RunResult] | None = None,
                   n_boot: int = 2000) -> dict[str, Path]:
    ab = build_ablation(load_results(runs_root) if results is None else results, n_boot=n_boot)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {f"ablation.{ext}": out_dir / f"ablation.{ext}" for ext in ("md", "tex", "json")}
    paths["ablation.md"].write_text(to_markdown(ab), encoding="utf-8")
    paths["ablation.tex"].write_text(to_latex(ab), encoding="utf-8")
    paths["ablation.json"].write_text(to_json(ab), encoding="utf-8")
    return paths
