"""Result tables from a run store: rows of finished runs, rendered as markdown, CSV, JSON or LaTeX.

Offline-suite and official-data numbers are labelled in every row and never merged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from magma_bench.errors import UserError
from magma_bench.run.store import find_runs


def _variant(args: dict[str, Any]) -> str:
    return ",".join(f"{k}={v}" for k, v in sorted(args.items()) if v is not None)


def collect_rows(root: Path) -> list[dict[str, Any]]:
    """One row per finished run (one with a summary.json) under root, sorted."""
    root = Path(root)
    if not root.exists():
        raise UserError(f"runs directory {root} does not exist; run `magma-bench run` or `make bench` first")
    rows = []
    for d in find_runs(root):
        spath = d / "summary.json"
        if not spath.exists():
            continue
        try:
            s = json.loads(spath.read_text())
        except json.JSONDecodeError as e:
            raise UserError(f"{spath}: not valid JSON ({e.msg})") from None
        rows.append({
            "benchmark": s["benchmark"], "adapter": s["adapter"], "headline": s["headline"],
            "ci95": s["ci95"], "n": s["n"], "data": s.get("data", "offline"), "errors": s.get("errors", 0),
            "split": s.get("split"), "variant": _variant(s.get("benchmark_args") or {}), "run_dir": str(d),
            "describe": s.get("adapter_describe") or {}, "seed": int(s.get("seed") or 0),
        })
    from magma_bench.report.run_labels import (
        adapter_labels,  # configurations never share a label (or a pivot row)
    )

    for r, label in zip(rows, adapter_labels([(r["adapter"], r.pop("describe"), r["seed"]) for r in rows]), strict=True):
        r["adapter_label"] = label
    rows.sort(key=lambda r: (r["data"], r["benchmark"], r["variant"], r["adapter"]))
    return rows


def _fmt(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}"


def _ci(ci: list[float | None]) -> str:
    return "–" if not ci or ci[0] is None else f"[{ci[0]:.1f}, {ci[1]:.1f}]"


def _bench_label(r: dict[str, Any]) -> str:
    return r["benchmark"] + (f" ({r['variant']})" if r["variant"] else "")


def to_markdown(rows: list[dict[str, Any]]) -> str:
    head = "| benchmark | adapter | headline | 95% CI | n | errors | data |\n|---|---|---:|---|---:|---:|---|\n"
    body = "".join(f"| {_bench_label(r)} | {r['adapter_label']} | {_fmt(r['headline'])} | {_ci(r['ci95'])} | {r['n']} "
                   f"| {r['errors']} | {r['data']} |\n" for r in rows)
    return head + body


def pivot_markdown(rows: list[dict[str, Any]]) -> str:
    """Adapters as rows, benchmarks as columns (headline ± CI half-width); one table per data kind."""
    out = []
    for kind in ("offline", "official"):
        rs = [r for r in rows if r["data"] == kind]
        if not rs:
            continue
        benches = sorted({_bench_label(r) for r in rs})
        adapters = sorted({r["adapter_label"] for r in rs})
        cell = {(_bench_label(r), r["adapter_label"]): r for r in rs}
        out.append(f"### {kind} data" + (" (offline suites: not claims about the real benchmarks)" if kind == "offline" else ""))
        out.append("")
        out.append("| adapter | " + " | ".join(benches) + " |")
        out.append("|---|" + "---:|" * len(benches))
        for a in adapters:
            cells = []
            for b in benches:
                r = cell.get((b, a))
                if r is None or r["headline"] is None:  # not run, or run on no samples (n=0)
                    cells.append("–")
                else:
                    lo, hi = r["ci95"]
                    half = (hi - lo) / 2 if lo is not None else 0.0
                    cells.append(f"{r['headline']:.1f} ± {half:.1f}")
            out.append(f"| {a} | " + " | ".join(cells) + " |")
        out.append("")
    return "\n".join(out)


def to_csv(rows: list[dict[str, Any]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["benchmark", "variant", "adapter", "headline", "ci_low", "ci_high", "n", "errors", "data", "split"])
    for r in rows:
        w.writerow([r["benchmark"], r["variant"], r["adapter"], *(f"{x:.4f}" if x is not None else "" for x in
                    (r["headline"], *r["ci95"])), r["n"], r["errors"], r["data"], r["split"]])
    return buf.getvalue()


def _tex(s: str) -> str:
    from magma_bench.report.text_out import tex_escape  # the one LaTeX escaper (the leaderboards use it too)

    return tex_escape(s)


def to_latex(rows: list[dict[str, Any]]) -> str:
    lines = [r"\begin{tabular}{llrlrl}", r"\toprule",
             r"Benchmark & Adapter & Headline & 95\% CI & $n$ & Data \\", r"\midrule"]
    for r in rows:
        lines.append(f"{_tex(_bench_label(r))} & {_tex(r['adapter'])} & {_fmt(r['headline'])} & "
                     f"{_ci(r['ci95'])} & {r['n']} & {r['data']} \\\\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)


def leaderboard_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The documented leaderboard.json row shape."""
    return [{"benchmark": r["benchmark"], "variant": r["variant"], "adapter": r["adapter"],
             "headline": r["headline"], "ci95": r["ci95"], "n": r["n"], "data": r["data"]} for r in rows]


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "md":
        return to_markdown(rows)
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "json":
        return json.dumps(leaderboard_rows(rows), indent=2) + "\n"
    if fmt == "latex":
        return to_latex(rows)
    raise UserError(f"unknown format {fmt!r}; choose md, csv, json or latex")


def write_leaderboard(rows: list[dict[str, Any]], out_dir: Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "leaderboard.json", "md": out_dir / "leaderboard.md"}
    paths["json"].write_text(json.dumps(leaderboard_rows(rows), indent=2) + "\n")
    paths["md"].write_text("# magma-bench leaderboard\n\n" + pivot_markdown(rows) + "\n## All runs\n\n"
                           + to_markdown(rows))
    return paths
