"""`magma-bench compare`: paired difference of two runs with a CI and a significance test."""

from __future__ import annotations

import json
from pathlib import Path

import click


@click.command("compare")
@click.argument("run_a", type=click.Path(path_type=Path))
@click.argument("run_b", type=click.Path(path_type=Path))
@click.option("--n-boot", type=int, default=2000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True)
def compare_cmd(run_a: Path, run_b: Path, n_boot: int, seed: int, as_json: bool) -> None:
    """Compare RUN_A against RUN_B (run directories) on their shared sample ids."""
    from magma_bench.report.compare import compare_runs

    res = compare_runs(run_a, run_b, n_boot=n_boot, seed=seed)
    if as_json:
        click.echo(json.dumps(res))
        return
    click.echo(f"{res['benchmark']}: {res['a']} {res['headline_a']:.2f} vs {res['b']} {res['headline_b']:.2f} "
               f"on {res['n_shared']} shared samples")
    click.echo(f"  difference {res['delta']:+.2f} (95% CI {res['ci_low']:+.2f} to {res['ci_high']:+.2f}), "
               f"bootstrap p = {res['p_bootstrap']:.4f}")
    if "p_mcnemar" in res:
        click.echo(f"  McNemar exact p = {res['p_mcnemar']:.4g} ({res['only_a']} right only in A, "
                   f"{res['only_b']} only in B)")
    if res["only_in_a"] or res["only_in_b"]:
        click.echo(f"  not compared: {res['only_in_a']} ids only in A, {res['only_in_b']} only in B")
