"""Measured vs paper: for every paper cell one of our runs measures, our number beside the paper's.

Each paper column names a `benchmark` and `split`; a `Probe` says which of our runs measure it
and which number of their summary to read (the headline, or a sub-metric such as ScreenSpot's
`cell/mobile/text`). Explicit probes are listed in `PROBES`; any other column falls back to the
generic rule in `default_probes`. The paper number we compare with is the Magma row of each table
(`PAPER_ROW`).

Official-data and offline-suite numbers are kept in separate sections and marked in every row:
an offline number measures our generated stand-in of a benchmark, not the benchmark, and is not
a claim about the paper's number. A *stand-in* row is further marked: a different task shaped
like the paper's (the MuJoCo tabletop standing in for SimplerEnv).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from magma_bench.leaderboards._text import md, num, signed, tex
from magma_bench.leaderboards.paper import Paper, Table, paper
from magma_bench.leaderboards.results import RunResult, load_results, submetric_ci, with_labels

PAPER_ROW = {"table2_zero_shot": "magma_8b", "table3_ablation": "magma_full", "table4_mind2web": "magma_8b",
             "table5_aitw": "magma_8b", "table6_spatial": "magma_full", "table7_vl": "magma_full",
             "table8_video_qa": "magma_8b", "figure8_simplerenv": "magma", "figure9_real_robot": "magma",
             "figure10_libero": "magma"}
TABLETOP = "MuJoCo tabletop stand-in for SimplerEnv (different scenes and robot; same task shapes)"


@dataclass(frozen=True)
class Probe:
    """Which runs measure a paper column, and which number of theirs to read."""

    benchmark: str  # our registry name
    metrics: tuple[str, ...] = ()  # sub-metric keys (mean of them); () = the headline
    split: str | None = None  # our split that must match (None = any)
    arg: str | None = None  # a benchmark argument value that must match (e.g. task=element_grounding)
    standin: str = ""  # non-empty: why a different task stands in for the paper's


def _ss(cell: str) -> list[Probe]:
    return [Probe("screenspot", (f"cell/{cell}",))]


def _tt(robot: str, *tasks: str) -> list[Probe]:
    keys = tuple(f"task/{t}" for t in tasks)
    return [Probe(f"simplerenv_{robot}", keys), Probe(f"tabletop_{robot}", keys, standin=TABLETOP)]


M2W_SPLITS = {"cw": "test_website", "ct": "test_task", "cd": "test_domain"}  # paper column prefix -> our split
M2W_METRICS = {"ele_acc": ("element_acc",), "op_f1": ("op_f1",), "step_sr": ()}  # () = headline (Step SR)

# (table id, column key) or (benchmark, split) -> probes, most specific first.
PROBES: dict[tuple[str, str | None], list[Probe]] = {
    **{("screenspot", c): _ss(c) for c in ("mobile/text", "mobile/icon", "desktop/text", "desktop/icon",
                                           "web/text", "web/icon")},
    ("visualwebbench", "element_grounding"): [Probe("visualwebbench_element_ground"),
                                              Probe("visualwebbench", ("task_type/element_ground",))],
    ("visualwebbench", "action_grounding"): [Probe("visualwebbench_action_ground"),
                                             Probe("visualwebbench", ("task_type/action_ground",))],
    ("simplerenv", "google_robot"): [Probe("simplerenv_google"), Probe("tabletop_google", standin=TABLETOP)],
    ("simplerenv", "bridge_widowx"): [Probe("simplerenv_bridge"), Probe("tabletop_bridge", standin=TABLETOP)],
    ("figure8_simplerenv", "google_pick_coke_can"): _tt("google", "pick_coke_can"),
    ("figure8_simplerenv", "google_move_near"): _tt("google", "move_near"),
    ("figure8_simplerenv", "google_open_close_drawer"): _tt("google", "open_drawer", "close_drawer"),
    ("figure8_simplerenv", "google_put_object_in_drawer"): _tt("google", "put_object_in_drawer"),
    ("figure8_simplerenv", "bridge_put_carrot_on_plate"): _tt("bridge", "put_carrot_on_plate"),
    ("figure8_simplerenv", "bridge_stack_blocks"): _tt("bridge", "stack_green_block_on_yellow_block"),
    ("figure8_simplerenv", "bridge_put_spoon_on_towel"): _tt("bridge", "put_spoon_on_towel"),
    ("figure8_simplerenv", "bridge_put_eggplant_in_basket"): _tt("bridge", "put_eggplant_in_basket"),
    ("figure8_simplerenv", "average"): [],  # the 8-task mean spans two of our runs: not one cell
    ("spatialeval", "spatial_map"): [Probe("spatialeval", ("task/spatialmap",))],
    ("spatialeval", "maze_nav"): [Probe("spatialeval", ("task/mazenav",))],
    ("spatialeval", "spatial_grid"): [Probe("spatialeval", ("task/spatialgrid",))],
    ("aitw", "overall"): [Probe("aitw")],  # headline = mean of the five subsets, as the paper
    ("mvbench", "overall"): [Probe("mvbench")],
    **{("videomme", f"{d}_wo_subs"): [Probe("videomme", (f"duration/{d}",))] for d in ("short", "medium", "long")},
    **{("table4_mind2web", f"{p}_{m}"): [Probe("mind2web", keys, split=s)]
       for p, s in M2W_SPLITS.items() for m, keys in M2W_METRICS.items()},
}


def default_probes(benchmark: str, split: str | None) -> list[Probe]:
    """Without an explicit entry: the headline of `benchmark` (split None), else, in order, the
    headline of a run on that split, of a `<benchmark>_<split>` variant or of a run whose
    arguments name the split, then a sub-metric `<field>/<split>` of a `benchmark` run."""
    if split is None:
        return [Probe(benchmark)]
    return [Probe(benchmark, split=split), Probe(f"{benchmark}_{split}"), Probe(benchmark, arg=split),
            Probe(benchmark, (f"*/{split}",))]


def probes_for(table: Table, key: str) -> list[Probe]:
    col = table.column(key)
    if (table.id, key) in PROBES:
        return PROBES[(table.id, key)]
    if col.benchmark is None:
        return []
    return PROBES.get((col.benchmark, col.split)) or default_probes(col.benchmark, col.split)


def _match_metric(result: RunResult, pattern: str) -> str | None:
    if not pattern.startswith("*/"):
        return pattern if pattern in result.metrics else None
    tail = pattern[1:]
    hits = sorted((k for k in result.metrics if k.endswith(tail)), key=lambda k: (k.count("/"), k))
    return hits[0] if hits else None


@dataclass
class Measured:
    """One measured paper cell: our number, the paper's, and where ours came from."""

    table: str
    paper_ref: str
    benchmark: str  # our benchmark that measured it
    column: str
    label: str
    adapter: str
    ours: float
    ci95: tuple[float | None, float | None]
    n: int | None
    paper: float | None
    paper_model: str
    diff: float | None  # ours - paper
    data: str  # "official" | "offline"
    standin: str
    source: str  # benchmark[ (variant)]: headline | metric keys
    run_dir: str


def measure(result: RunResult, probe: Probe) -> tuple[float, tuple, int | None, str] | None:
    """(value, ci95, n, source) of `probe` on `result`, or None when the run does not measure it."""
    if result.benchmark != probe.benchmark or not result.measured:
        return None
    if probe.split is not None and result.split != probe.split:
        return None
    if probe.arg is not None and probe.arg not in {str(v) for v in result.args.values()}:
        return None
    label = result.benchmark + (f" ({result.variant})" if result.variant else "")
    if not probe.metrics:
        return result.headline, result.ci95, result.n, f"{label}: headline"
    keys = []
    for pat in probe.metrics:
        k = _match_metric(result, pat)
        if k is None:
            return None
        keys.append(k)
    n, ci, value = submetric_ci(result, tuple(keys))
    if value is None:
        value = sum(result.metrics[k] for k in keys) / len(keys)
    return value, ci, n, f"{label}: {' + '.join(keys)}"


def compare(results: list[RunResult], data: Paper | None = None) -> list[Measured]:
    """Every (paper cell, adapter configuration, data kind, benchmark variant) we measure. When
    several runs of one configuration (the same `adapter_label`) measure the same cell, the run
    with the most samples wins (then the last run directory); other configurations keep their rows."""
    data = data or paper()
    if any(not r.label for r in results):  # built by hand, not by load_results: label them here
        with_labels(results)
    best: dict[tuple, Measured] = {}
    for tid, table in data.tables.items():
        ref = table.row(PAPER_ROW[tid]) if PAPER_ROW.get(tid) in {r.id for r in table.rows} else None
        for col in table.columns:
            for result in results:
                for probe in probes_for(table, col.key):
                    got = measure(result, probe)
                    if got is None:
                        continue
                    value, ci, n, source = got
                    pv = ref.values[col.key] if ref else None
                    m = Measured(table=tid, paper_ref=table.paper_ref, benchmark=result.benchmark, column=col.key, label=col.label,
                                 adapter=result.adapter_label, ours=value, ci95=tuple(ci), n=n, paper=pv,
                                 paper_model=ref.model if ref else "", diff=None if pv is None else value - pv,
                                 data=result.data, standin=probe.standin, source=source,
                                 run_dir=str(result.run_dir))
                    key = (tid, col.key, result.adapter_label, result.data, source.split(":")[0])
                    old = best.get(key)
                    if old is None or ((m.n or 0), m.run_dir) > ((old.n or 0), old.run_dir):
                        best[key] = m
                    break  # the first matching probe of a column is the one used for this run
    order = {tid: i for i, tid in enumerate(data.tables)}
    return sorted(best.values(), key=lambda m: (m.data != "official", order[m.table],
                                                data.tables[m.table].keys.index(m.column), m.adapter, m.source))


# -- rendering ----------------------------------------------------------------------------------
SECTIONS = (("official", "Official data"),
            ("offline", "Offline suites: generated stand-ins, NOT claims about the real benchmarks"))
MD_HEAD = ("| Paper | Column | Adapter | Ours | 95% CI | n | Paper (Magma) | Δ ours − paper | Data | Measured by |\n"
           "|:--|:--|:--|--:|:--|--:|--:|--:|:--|:--|\n")


def _ci(ci: tuple) -> str:
    return "-" if not ci or ci[0] is None else f"[{ci[0]:.1f}, {ci[1]:.1f}]"


def _data_mark(m: Measured) -> str:
    return "official" if m.data == "official" else ("offline, stand-in" if m.standin else "offline")


def to_markdown(rows: list[Measured]) -> str:
    out = ["# Measured vs paper", "",
           "Our number beside the paper's (the Magma row of each table). Official-data and offline-suite "
           "runs are never mixed: offline numbers measure our generated stand-ins and say nothing about "
           "the paper's numbers; a *stand-in* row measures a different task shaped like the paper's.", ""]
    for kind, title in SECTIONS:
        rs = [m for m in rows if m.data == kind]
        out += [f"## {title}", ""]
        if not rs:
            out += [f"No {kind} runs measure a paper cell yet.", ""]
            continue
        lines = [f"| {md(m.paper_ref)} | {md(m.label)} | {md(m.adapter)} | {num(m.ours)} | {_ci(m.ci95)} | "
                 f"{m.n if m.n is not None else '-'} | {num(m.paper)} | {signed(m.diff)} | {_data_mark(m)} | "
                 f"{md(m.source)} |" for m in rs]
        out += [MD_HEAD + "\n".join(lines), ""]
        notes = sorted({m.standin for m in rs if m.standin})
        out += [f"Stand-in: {md(n)}." for n in notes] + ([""] if notes else [])
    return "\n".join(out)


def to_latex(rows: list[Measured]) -> str:
    lines = ["% Measured vs paper (magma-bench). Needs \\usepackage{booktabs}.",
             r"\begin{tabular}{lllrlrrrl}", r"\toprule",
             r"Paper & Column & Adapter & Ours & 95\% CI & $n$ & Paper & $\Delta$ & Data \\"]
    for kind, title in SECTIONS:
        rs = [m for m in rows if m.data == kind]
        lines += [r"\midrule", rf"\multicolumn{{9}}{{l}}{{\emph{{{tex(title)}}}}} \\", r"\midrule"]
        if not rs:
            lines.append(r"\multicolumn{9}{l}{none} \\")
        for m in rs:
            lines.append(" & ".join([tex(m.paper_ref), tex(m.label), tex(m.adapter), num(m.ours), tex(_ci(m.ci95)),
                                     str(m.n) if m.n is not None else "-", num(m.paper), signed(m.diff),
                                     tex(_data_mark(m))]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    return "\n".join(lines)


def to_json(rows: list[Measured]) -> str:
    def row(m: Measured) -> dict[str, Any]:
        d = asdict(m)
        d["ci95"] = list(m.ci95)
        return d

    doc = {"schema": 1, "note": "official and offline rows are separate kinds; offline rows are not claims "
                                "about the real benchmarks", "rows": [row(m) for m in rows]}
    return json.dumps(doc, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_measured(runs_root: Path, out_dir: Path, results: list[RunResult] | None = None) -> dict[str, Path]:
    results = load_results(runs_root) if results is None else results
    rows = compare(results)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"measured.md": out_dir / "measured.md", "measured.tex": out_dir / "measured.tex",
             "measured.json": out_dir / "measured.json"}
    paths["measured.md"].write_text(to_markdown(rows), encoding="utf-8")
    paths["measured.tex"].write_text(to_latex(rows), encoding="utf-8")
    paths["measured.json"].write_text(to_json(rows), encoding="utf-8")
    return paths
