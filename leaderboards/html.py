"""runs/leaderboard/index.html: one static page, no external assets (inline CSS and JS only).

The tables are rendered on the server side with every text escaped (`_text.esc`), so the page
reads without JavaScript; the inline script only sorts rows (click a header), filters them by
domain and data kind, and never builds HTML from strings. Sub-metrics of each run open in place
(`<details>`, the per-benchmark drill-down).
"""

from __future__ import annotations

import math
from pathlib import Path

from magma_bench.leaderboards._text import esc, num, signed
from magma_bench.leaderboards.measured import Measured
from magma_bench.leaderboards.results import RunResult, domain_of

CSS = """
body{font:14px/1.4 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}
p.note{color:#57606a;max-width:980px;margin:4px 0}
.controls{margin:12px 0;display:flex;gap:16px;align-items:center;flex-wrap:wrap}
table{border-collapse:collapse;margin:6px 0 12px}
th,td{border-bottom:1px solid #d0d7de;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f6f8fa;cursor:pointer;user-select:none;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.ci{white-space:nowrap}
.badge{border-radius:8px;padding:1px 7px;font-size:12px;white-space:nowrap}
.official{background:#dafbe1;color:#116329}.offline{background:#fff1c2;color:#7a4d00}
.standin{background:#ffe2e0;color:#82071e}
details summary{cursor:pointer;color:#0969da}
table.sub td,table.sub th{border:none;padding:1px 8px;font-size:12px;cursor:default;background:none}
tr[hidden]{display:none}
table.paper th{cursor:default}table.paper th.group{text-align:center;border-bottom:1px solid #57606a}
table.paper tr.rule td{border-top:2px solid #57606a}table.paper td.num{text-align:right}
.pos{color:#116329}.neg{color:#82071e}
"""

JS = """
(function(){
  function key(td){var v=td.getAttribute('data-v');if(v===null)return td.textContent.trim().toLowerCase();
    return v===''?null:parseFloat(v);}
  document.querySelectorAll('table.sortable').forEach(function(table){
    var heads=table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads,function(th,i){
      th.addEventListener('click',function(){
        var asc=th.getAttribute('aria-sort')!=='ascending';
        Array.prototype.forEach.call(heads,function(h){h.removeAttribute('aria-sort');});
        th.setAttribute('aria-sort',asc?'ascending':'descending');
        var body=table.tBodies[0];var rows=Array.prototype.slice.call(body.rows);
        rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);
          if(x===null&&y===null)return 0;if(x===null)return 1;if(y===null)return -1;
          var c=(typeof x==='number'&&typeof y==='number')?x-y:String(x).localeCompare(String(y));
          return asc?c:-c;});
        rows.forEach(function(r){body.appendChild(r);});
      });
    });
  });
  function apply(){
    var d=document.getElementById('domain').value,k=document.getElementById('kind').value;
    document.querySelectorAll('tr[data-domain]').forEach(function(tr){
      tr.hidden=!((d==='all'||tr.getAttribute('data-domain')===d)&&(k==='all'||tr.getAttribute('data-kind')===k));
    });
  }
  document.getElementById('domain').addEventListener('change',apply);
  document.getElementById('kind').addEventListener('change',apply);
})();
"""


NOT_MEASURED = '<td class="num" data-v="">n/a</td>'  # every sample errored (e.g. oracle on LIBERO: no expert)


def _num_td(v: float | None, places: int = 1, signed_: bool = False) -> str:
    ok = v is not None and not (isinstance(v, float) and math.isnan(v))
    text = (signed(v, places) if signed_ else num(v, places)) if ok else "-"
    cls = "num" + ((" pos" if v > 0 else " neg" if v < 0 else "") if signed_ and ok else "")
    return f'<td class="{cls}" data-v="{repr(float(v)) if ok else ""}">{esc(text)}</td>'


def _ci_td(ci: tuple) -> str:
    if not ci or ci[0] is None:
        return '<td data-v="">-</td>'
    return f'<td class="ci" data-v="{ci[1] - ci[0]!r}">{esc(f"[{ci[0]:.1f}, {ci[1]:.1f}]")}</td>'


def _badge(kind: str, standin: str = "") -> str:
    if standin:
        return f'<span class="badge standin" title="{esc(standin)}">offline, stand-in</span>'
    return f'<span class="badge {esc(kind)}">{esc(kind)}</span>'


def _submetrics(r: RunResult) -> str:
    if not r.metrics:
        return "-"
    rows = "".join(f"<tr><td>{esc(k)}</td><td class=\"num\">{esc(num(v, 2))}</td></tr>"
                   for k, v in sorted(r.metrics.items()))
    return (f"<details><summary>{len(r.metrics)} sub-metrics</summary><table class=\"sub\">"
            f"<tr><th>metric</th><th>value</th></tr>{rows}</table>"
            f"<div class=\"note\">{esc(str(r.run_dir))}</div></details>")


def runs_table(results: list[RunResult]) -> str:
    from magma_bench.leaderboards.grid import run_anchor
    from magma_bench.leaderboards.limits import limit_notes

    head = ("Domain", "Benchmark", "Variant", "Adapter", "Headline", "95% CI", "n", "Errors", "Data", "Sub-metrics",
            "Notes")
    notes = limit_notes(results)  # at chance and why / what the blind control says (leaderboards/limits.py)
    rows = []
    for r in results:
        rows.append(
            f'<tr id="{run_anchor(r.run_dir)}" data-domain="{esc(r.domain)}" data-kind="{esc(r.data)}">'
            f"<td>{esc(r.domain)}</td>"
            f"<td>{esc(r.benchmark)}</td><td>{esc(r.variant or '-')}</td><td>{esc(r.adapter_label)}</td>"
            f"{_num_td(r.headline) if r.measured else NOT_MEASURED}{_ci_td(r.ci95)}{_num_td(r.n, 0)}{_num_td(r.errors, 0)}"
            f"<td>{_badge(r.data)}</td><td>{_submetrics(r)}</td><td>{esc(notes.get(r.run_dir, ''))}</td></tr>")
    return _table("runs", head, rows, "No finished runs yet.")


def measured_table(rows_in: list[Measured]) -> str:
    head = ("Paper", "Column", "Adapter", "Ours", "95% CI", "n", "Paper (Magma)", "Δ ours − paper", "Data",
            "Measured by")
    rows = []
    for m in rows_in:
        domain = domain_of(m.benchmark)
        rows.append(
            f'<tr data-domain="{esc(domain)}" data-kind="{esc(m.data)}"><td>{esc(m.paper_ref)}</td>'
            f"<td>{esc(m.label)}</td><td>{esc(m.adapter)}</td>{_num_td(m.ours)}{_ci_td(m.ci95)}"
            f"{_num_td(m.n, 0)}{_num_td(m.paper)}{_num_td(m.diff, signed_=True)}"
            f"<td>{_badge(m.data, m.standin)}</td><td>{esc(m.source)}</td></tr>")
    return _table("measured", head, rows, "No run measures a paper cell yet.")


def _table(tid: str, head: tuple[str, ...], rows: list[str], empty: str) -> str:
    if not rows:
        return f'<p class="note" id="{tid}-empty">{esc(empty)}</p>'
    ths = "".join(f"<th>{esc(h)}</th>" for h in head)
    return (f'<table class="sortable" id="{tid}"><thead><tr>{ths}</tr></thead><tbody>'
            + "\n".join(rows) + "</tbody></table>")


def paper_html() -> str:
    from magma_bench.leaderboards.paper import paper
    from magma_bench.leaderboards.render_tables import heading, table_html

    return "\n".join(f"<details><summary>{esc(heading(t))}</summary>{table_html(t)}</details>"
                     for t in paper().tables.values())


def _grid(measured: list[Measured]) -> str:
    from magma_bench.leaderboards.grid import grid_html

    return grid_html(measured) or '<p class="note" id="grid-empty">No run measures a paper cell yet.</p>'


def _limits_html(results: list[RunResult]) -> str:
    from magma_bench.leaderboards.limits import summary

    text = summary(results)
    return f'<p class="note" id="limits"><b>What the models cannot do here:</b> {esc(text)}</p>\n' if text else ""


def render_page(results: list[RunResult], measured: list[Measured], links: dict[str, str] | None = None) -> str:
    domains = sorted({r.domain for r in results} | {domain_of(m.benchmark) for m in measured})
    opts = "".join(f'<option value="{esc(d)}">{esc(d)}</option>' for d in domains)
    link_html = " · ".join(f'<a href="{esc(href)}">{esc(name)}</a>' for name, href in sorted((links or {}).items()))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src 'self'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>magma-bench leaderboard</title><style>{CSS}</style></head>
<body>
<h1>magma-bench leaderboard</h1>
<p class="note">Benchmarks of the Magma paper (arXiv 2502.13130) run by magma-bench. <b>official</b> = the benchmark's
official files; <b>offline</b> = our generated suite in the official format (a real task, but NOT a claim about the
real benchmark); <b>stand-in</b> = a different task shaped like the paper's. Click a column header to sort.</p>
<div class="controls"><label>Domain <select id="domain"><option value="all">all</option>{opts}</select></label>
<label>Data <select id="kind"><option value="all">all</option><option value="official">official</option>
<option value="offline">offline</option></select></label></div>
<h2>By domain, as the paper lays it out</h2>
<p class="note">Models as rows, the paper's benchmark columns as columns: our number (click it for its run) with the
paper's under it; the last row is the paper's own model.</p>
{_grid(measured)}
<h2>Runs</h2>
{_limits_html(results)}{runs_table(results)}
<h2>Paper vs measured</h2>
<p class="note">Our number beside the paper's Magma row, with the difference, n and 95% bootstrap CI.</p>
{measured_table(measured)}
<h2>The paper's tables</h2>
<p class="note">Regenerated from data (arXiv 2502.13130v1; bold = best, underline = second best, as printed).</p>
{paper_html()}
<h2>Files</h2>
<p class="note">{link_html or "-"}</p>
<script>{JS}</script>
</body></html>
"""


def write_html(out_path: Path, results: list[RunResult], measured: list[Measured],
               links: dict[str, str] | None = None) -> Path:
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(render_page(results, measured, links), encoding="utf-8")
    return out_path
