"""Plots (matplotlib, Agg backend; PNG + SVG, reproducible: no dates in the files, fixed SVG ids).

- `domain_<d>.{png,svg}`: per domain, one panel per benchmark on its own scale (percent, or the
  benchmark's own range such as MME's 0-2000), one bar per adapter with the 95% CI as error
  bars; offline-suite bars hatched, official bars solid (never one unmarked bar).
- `ablation.{png,svg}`: the trainer variants of each model per column, with CIs.
- `simplerenv_fig8.{png,svg}`: the paper's Figure 8 (per-task SimplerEnv success, its five models
  in its colours), plus our tabletop stand-in numbers as hatched bars where we have them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from magma_bench.leaderboards.ablation import MIXTURES, Ablation
from magma_bench.leaderboards.measured import Measured
from magma_bench.leaderboards.paper import Paper, paper
from magma_bench.leaderboards.results import RunResult

FIG8_COLOURS = {"octo_base": "#59a14f", "rt1x": "#9d9d9d", "openvla": "#8cc5e3", "magma_oxe": "#8e6bb8",
                "magma": "#d62728"}
OURS_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#17becf", "#bcbd22", "#7f7f7f", "#e377c2", "#8c564b")


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({"svg.hashsalt": "magma-bench", "font.size": 9, "axes.spines.top": False,
                         "axes.spines.right": False})
    return plt


def _save(fig: Any, out: Path, stem: str) -> dict[str, Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = {}
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
        p = out / f"{stem}.{ext}"
        fig.savefig(p, dpi=130, bbox_inches="tight", metadata=meta)
        paths[f"{stem}.{ext}"] = p
    return paths


def _err(value: float, ci: tuple) -> tuple[float, float]:
    if not ci or ci[0] is None:
        return (0.0, 0.0)
    return (max(0.0, value - ci[0]), max(0.0, ci[1] - value))


def _wrap(label: str, width: int = 20) -> str:
    """Long benchmark labels on several lines, broken at spaces, commas and underscores."""
    import textwrap

    parts = label.replace(",", ", ").replace("_", "_\u200b").split(" ")
    text = textwrap.fill(" ".join(p for p in parts if p), width=width, break_long_words=False)
    return text.replace("\u200b", "").replace(", ", ",")


def _grouped(ax: Any, groups: list[str], series: list[tuple[str, list[float | None], list[tuple], dict]]) -> list[Any]:
    """Bars: one group per x label, one bar per series (label, values, errors, bar style); returns
    the bar containers, one per series."""
    import numpy as np

    k = max(1, len(series))
    width = 0.8 / k
    x = np.arange(len(groups))
    containers = []
    for i, (label, values, errs, style) in enumerate(series):
        pos = x - 0.4 + width * (i + 0.5)
        vals = [float("nan") if v is None else v for v in values]  # nan: no bar, legend handle intact
        lo = [e[0] for e in errs]
        hi = [e[1] for e in errs]
        bars = ax.bar(pos, vals, width, label=label, yerr=[lo, hi] if any(lo + hi) else None, capsize=2,
                      error_kw={"elinewidth": 0.8}, **style)
        containers.append(bars)
    tilt = len(groups) > 6
    ax.set_xticks(x, groups, rotation=20 if tilt else 0, ha="right" if tilt else "center", fontsize=8)
    return containers


def headline_top(benchmark: str, values: list[float]) -> float:
    """The top of one benchmark's axis: its class's `headline_max` when it declares one, else 100
    (percent) unless a value exceeds it (MME's perception sum runs to 2000), then a round number
    above the largest value. Each benchmark gets its own axis, so MME no longer clips at 105."""
    import math

    try:
        from magma_bench.registry import benchmark_class

        declared = getattr(benchmark_class(benchmark)[0], "headline_max", None)
    except Exception:  # noqa: BLE001 - unregistered here: read the values
        declared = None
    if isinstance(declared, int | float) and declared > 0:
        return float(declared) * 1.05
    top = max([0.0, *values])
    if top <= 100.0:
        return 105.0
    step = 10 ** math.floor(math.log10(top))
    return math.ceil(top * 1.05 / step) * step


def domain_plots(results: list[RunResult], out: Path) -> dict[str, Path]:
    """Per domain one figure, one panel per benchmark (each on its own scale), one bar per adapter."""
    plt = _plt()
    paths: dict[str, Path] = {}
    for domain in sorted({r.domain for r in results}):
        rs = [r for r in results if r.domain == domain]
        benches = sorted({(r.benchmark, r.variant, r.data) for r in rs})
        adapters = sorted({r.adapter_label for r in rs})
        colour = {a: OURS_COLOURS[i % len(OURS_COLOURS)] for i, a in enumerate(adapters)}
        cell = {(r.benchmark, r.variant, r.data, r.adapter_label): r for r in rs}
        fig, axes = plt.subplots(1, len(benches), squeeze=False,
                                 figsize=(max(4.0, (1.2 + 0.35 * len(adapters)) * len(benches) + 1.5), 3.4))
        for ax, (bench, variant, data) in zip(axes[0], benches, strict=True):
            here = [cell.get((bench, variant, data, a)) for a in adapters]
            series = [(a, [None if r is None or not r.measured else r.headline],
                       [(0.0, 0.0) if r is None else _err(r.headline, r.ci95)], {"color": colour[a]})
                      for a, r in zip(adapters, here, strict=True)]
            for bars in _grouped(ax, [_wrap(bench + (f" ({variant})" if variant else "") + f" [{data}]", 16)], series):
                if data == "offline":
                    for p in bars:
                        p.set_hatch("///")
                        p.set_edgecolor("white")
            vals = [r.headline for r in here if r is not None and r.measured]
            his = [r.ci95[1] for r in here if r is not None and r.ci95[1] is not None]
            top = headline_top(bench, vals + his)
            ax.set_ylim(0, top)
            ax.set_ylabel("headline (%)" if top <= 105.0 else "headline (score)", fontsize=8)
        fig.suptitle(f"{domain}: headline by adapter, 95% CI, each benchmark on its own scale  "
                     "(hatched = offline suite, not the real benchmark)", fontsize=9)
        handles = [plt.Rectangle((0, 0), 1, 1, color=colour[a]) for a in adapters]
        fig.legend(handles, adapters, fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 0.9))
        fig.tight_layout()
        paths.update(_save(fig, out, f"domain_{domain}"))
        plt.close(fig)
    return paths


def ablation_plot(ab: Ablation, out: Path) -> dict[str, Path]:
    if not ab.rows:
        return {}
    plt = _plt()
    labels = [lbl for _, lbl in ab.columns]
    series = []
    for i, (v, row) in enumerate(ab.rows):
        vals = [row[k].value if k in row else None for k, _ in ab.columns]
        errs = [_err(row[k].value, row[k].ci95) if k in row else (0.0, 0.0) for k, _ in ab.columns]
        name = f"{v.model} {MIXTURES[v.mixture][0]} {'w/' if v.somtom else 'w/o'} SoM+ToM"
        style = {"color": OURS_COLOURS[i % len(OURS_COLOURS)], **({} if v.somtom else {"hatch": "..."})}
        series.append((name, vals, errs, style))
    fig, ax = plt.subplots(figsize=(max(4.5, 1.2 * len(labels) * len(series) / 2 + 2), 3.4))
    _grouped(ax, labels, series)
    ax.set_ylabel("score (%)")
    ax.set_ylim(0, 105)
    ax.set_title("Ablation: data mixtures x SoM+ToM (Table 3 layout), 95% CI", fontsize=9)
    ax.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    paths = _save(fig, out, "ablation")
    plt.close(fig)
    return paths


def fig8_series(measured: list[Measured] | None = None, data: Paper | None = None
                ) -> tuple[list[str], list[tuple[str, list[float | None], list[tuple], dict]], int]:
    """(x labels, series, number of paper series): the paper's five models from the data, then
    one hatched series per adapter of ours that measured a Figure 8 cell."""
    fig8 = (data or paper()).tables["figure8_simplerenv"]
    keys = list(fig8.keys)
    labels = [fig8.column(k).label for k in keys]
    series = []
    for row in fig8.rows:
        series.append((row.model, [row.values[k] for k in keys], [(0.0, 0.0)] * len(keys),
                       {"color": FIG8_COLOURS.get(row.id, "#333333")}))
    ours: dict[str, dict[str, Measured]] = {}
    for m in measured or []:
        if m.table == fig8.id:
            ours.setdefault(f"ours: {m.adapter} ({'stand-in' if m.standin else m.data})", {})[m.column] = m
    for i, (name, cells) in enumerate(sorted(ours.items())):
        series.append((name, [cells[k].ours if k in cells else None for k in keys],
                       [_err(cells[k].ours, cells[k].ci95) if k in cells else (0.0, 0.0) for k in keys],
                       {"color": OURS_COLOURS[i % len(OURS_COLOURS)], "hatch": "///", "edgecolor": "#ffffff"}))
    return labels, series, len(fig8.rows)


def simplerenv_plot(out: Path, measured: list[Measured] | None = None, data: Paper | None = None) -> dict[str, Path]:
    """Figure 8 from the paper data; our tabletop stand-in numbers (per adapter) beside them."""
    plt = _plt()
    labels, series, n_paper = fig8_series(measured, data)
    fig, ax = plt.subplots(figsize=(12, 3.8))
    bars_by_series = _grouped(ax, labels, series)
    for bars, (_, vals, _, _) in zip(bars_by_series[:n_paper], series, strict=False):
        for p, v in zip(bars, vals, strict=True):
            if v is not None:
                ax.annotate(f"{v:.1f}", (p.get_x() + p.get_width() / 2, p.get_height()), ha="center", va="bottom",
                            fontsize=5, rotation=90, xytext=(0, 1), textcoords="offset points")
    for x in (0.5, 4.5):
        ax.axvline(x, color="#999999", lw=0.6, ls="--")
    ax.text(2.5, 101, "Google Robot", ha="center", fontsize=8)
    ax.text(6.5, 101, "BridgeData V2", ha="center", fontsize=8)
    ax.set_ylim(0, 108)
    ax.set_ylabel("success rate (%)")
    ax.set_title("SimplerEnv per task (paper Fig. 8; hatched = our MuJoCo tabletop stand-in, not SimplerEnv)",
                 fontsize=9)
    ax.legend(fontsize=7, frameon=False, ncols=min(5, len(series)), loc="upper left", bbox_to_anchor=(0, -0.28))
    paths = _save(fig, out, "simplerenv_fig8")
    plt.close(fig)
    return paths


def write_plots(out_dir: Path, results: list[RunResult], measured: list[Measured], ab: Ablation) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = domain_plots(results, out)
    paths.update(ablation_plot(ab, out))
    paths.update(simplerenv_plot(out, measured))
    return paths
