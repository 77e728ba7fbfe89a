"""`magma-bench score`: score an external predictions file with the harness's own metric code."""

from __future__ import annotations

import json
from pathlib import Path

import click

from magma_bench.cli.options import parse_kv


def read_predictions(path: Path) -> dict[str, object]:
    """{"id": ..., "prediction": ...} per line; errors name file:line; a repeated id is an error."""
    from magma_bench.errors import UserError
    from magma_bench.run.store import read_jsonl

    if not path.exists():
        raise UserError(f"predictions file {path} does not exist")
    out: dict[str, object] = {}
    for lineno, row in enumerate(read_jsonl(path), 1):
        if "id" not in row or "prediction" not in row:
            raise UserError(f"{path}:{lineno}: each line needs \"id\" and \"prediction\"")
        key = str(row["id"])
        if key in out:
            raise UserError(f"{path}:{lineno}: duplicate id {key!r}")
        out[key] = row["prediction"]
    return out


@click.command("score")
@click.option("--benchmark", "-b", required=True)
@click.option("--data-dir", type=click.Path(path_type=Path), required=True)
@click.option("--predictions", type=click.Path(path_type=Path), required=True)
@click.option("--split")
@click.option("--seed", type=int, default=0, show_default=True, help="Bootstrap seed.")
@click.option("--bench-arg", multiple=True, help="Benchmark variant KEY=VALUE (repeatable).")
@click.option("--json", "as_json", is_flag=True)
def score_cmd(benchmark: str, data_dir: Path, predictions: Path, split: str | None, seed: int,
              bench_arg: tuple[str, ...], as_json: bool) -> None:
    """Score PREDICTIONS ({"id", "prediction"} JSON lines) on BENCHMARK's data."""
    from magma_bench.errors import UserError
    from magma_bench.registry import make_benchmark
    from magma_bench.run.runner import json_view, load_items, score_predictions

    bench = make_benchmark(benchmark, **parse_kv(bench_arg, "--bench-arg"))
    if not data_dir.exists():
        raise UserError(f"data directory {data_dir} does not exist")
    samples = load_items(bench, data_dir, bench.check_split(split))
    summary = score_predictions(bench, samples, read_predictions(predictions), seed=seed, where=str(predictions))
    if as_json:
        view = json_view(summary)
        view.update({k: summary[k] for k in ("matched_by", "missing_ids", "non_text_predictions", "unknown_ids")})
        click.echo(json.dumps(view))
        return
    lo, hi = summary["ci95"]
    if summary["headline"] is None:  # no samples: nothing to score
        click.echo(f"{benchmark}: n/a (n=0)")
    else:
        click.echo(f"{benchmark}: {summary['headline']:.2f} (95% CI {lo:.2f}–{hi:.2f}, n={summary['n']})")
    if summary["matched_by"] == "official_id":
        click.echo(f"  predictions matched by the release's ids ({bench.official_id or 'official id'})", err=True)
    if summary["missing_ids"]:
        click.echo(f"  {summary['missing_ids']} sample(s) had no prediction and count as wrong", err=True)
    if summary["non_text_predictions"]:
        click.echo(f"  {summary['non_text_predictions']} prediction(s) were not strings (null, numbers...) and "
                   f"count as wrong, e.g. {', '.join(summary['non_text_examples'])}", err=True)
    if summary["unknown_ids"]:
        click.echo(f"  {summary['unknown_ids']} prediction id(s) match no sample and were ignored, e.g. "
                   f"{', '.join(summary['unknown_examples'])}", err=True)
