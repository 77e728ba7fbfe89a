"""The leaderboard as the paper lays results out: per domain, models as rows and the paper's
benchmark columns as columns, our number with the paper's beside it, each cell linking down to
the run it came from (the runs table's row, `#run-<id>`).

Why a grid: the paper's tables (2, 6, 7, 8) compare models across benchmarks at a glance; a flat
list of runs answers "how did this run go", not "where does this model stand". Rows: every
adapter that measured a paper cell, then the paper's own model (Magma-8B as printed). Offline
cells are marked, so a generated-suite number never passes for the real benchmark.
"""

from __future__ import annotations

import hashlib

from magma_bench.leaderboards._text import esc, num
from magma_bench.leaderboards.measured import Measured
from magma_bench.leaderboards.results import domain_of


def run_anchor(run_dir: object) -> str:
    """The id of a run's row in the runs table (stable, safe in HTML ids and URLs)."""
    return "run-" + hashlib.sha1(str(run_dir).encode()).hexdigest()[:12]


def grid_html(measured: list[Measured]) -> str:
    """One table per domain; empty string when no run measures a paper cell."""
    out = []
    for domain in sorted({domain_of(m.benchmark) for m in measured}):
        ms = [m for m in measured if domain_of(m.benchmark) == domain]
        cols = list(dict.fromkeys((m.paper_ref, m.label) for m in ms))
        models = sorted({m.adapter for m in ms})
        cell = {(m.adapter, m.paper_ref, m.label): m for m in ms}
        paper = {(m.paper_ref, m.label): (m.paper, m.paper_model) for m in ms}
        head = "".join(f"<th>{esc(label)}<div class=\"note\">{esc(ref)}</div></th>" for ref, label in cols)
        rows = []
        for a in models:
            tds = []
            for ref, label in cols:
                m = cell.get((a, ref, label))
                if m is None:
                    tds.append('<td class="num">-</td>')
                    continue
                kind = "" if m.data == "official" else " <span class=\"badge off\">offline</span>"
                tds.append(f'<td class="num"><a href="#{run_anchor(m.run_dir)}">{esc(num(m.ours))}</a>{kind}'
                           f'<div class="note">paper {esc(num(m.paper))}</div></td>')
            rows.append(f"<tr><th>{esc(a)}</th>{''.join(tds)}</tr>")
        names = sorted({pm for _, pm in paper.values() if pm})
        ptds = "".join(f'<td class="num">{esc(num(paper[c][0]))}</td>' for c in cols)
        rows.append(f"<tr class=\"paper\"><th>{esc(' / '.join(names) or 'paper')} (paper)</th>{ptds}</tr>")
        out.append(f'<h3>{esc(domain)}</h3><table class="grid" id="grid-{esc(domain)}" data-domain="{esc(domain)}">'
                   f"<thead><tr><th>model</th>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return "\n".join(out)
