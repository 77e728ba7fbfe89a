"""`magma-bench run`: one benchmark x one adapter, resumable."""

from __future__ import annotations

import json
from pathlib import Path

import click

from magma_bench.cli.options import COUNT, SECONDS, parse_kv, progress_bar


@click.command("run")
@click.option("--benchmark", "-b", required=True, help="Benchmark name (see `magma-bench list`).")
@click.option("--adapter", "-a", required=True, help="Adapter name (see `magma-bench list`).")
@click.option("--data-dir", type=click.Path(path_type=Path), help="Official data; default: the offline suite.")
@click.option("--split", help="Benchmark split (default: the benchmark's own).")
@click.option("--out", type=click.Path(path_type=Path), default=Path("runs"), show_default=True)
@click.option("--limit", type=click.IntRange(min=0),
              help="Evaluate only the first N samples (0: an empty run that reports n/a).")
@click.option("--n", "n", type=COUNT, help="Offline suite size (default: the benchmark's own).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--batch-size", type=COUNT, default=16, show_default=True)
@click.option("--timeout", "timeout_s", type=SECONDS, help="Seconds per adapter call before it counts as a timeout.")
@click.option("--envs", "num_envs", type=click.IntRange(min=1), default=1, show_default=True,
              help="Closed-loop runs: environments in worker processes, one batched act call per step.")
@click.option("--bench-arg", multiple=True, help="Benchmark variant KEY=VALUE (repeatable; typed, unknown keys refused).")
@click.option("--adapter-arg", multiple=True, help="Adapter argument KEY=VALUE (repeatable; typed, unknown keys refused).")
@click.option("--trust-remote-code", is_flag=True,
              help="Let adapters that need it (magma_hf, openvla-7b) run the checkpoint's own Python code.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as one JSON object.")
def run_cmd(benchmark: str, adapter: str, data_dir: Path | None, split: str | None, out: Path,
            limit: int | None, n: int | None, seed: int, batch_size: int, timeout_s: float | None, num_envs: int,
            bench_arg: tuple[str, ...], adapter_arg: tuple[str, ...], trust_remote_code: bool, as_json: bool) -> None:
    """Evaluate ADAPTER on BENCHMARK; re-running the same command resumes."""
    from magma_bench.errors import UserError
    from magma_bench.execute.sweep import benchmark_facts, pair_gap
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import all_errored, json_view, run, summary_text
    from magma_bench.typed_args import adapter_args, benchmark_args

    a_args = adapter_args(adapter, parse_kv(adapter_arg, "--adapter-arg"), where="--adapter-arg")
    if trust_remote_code:  # a real bool, the only way it reaches the adapter (see registry.make_adapter)
        a_args["trust_remote_code"] = True
    cfg = RunConfig(benchmark=benchmark, adapter=adapter, split=split, data_dir=data_dir, out=out,
                    limit=limit, seed=seed, n=n, batch_size=batch_size, timeout_s=timeout_s, num_envs=num_envs,
                    benchmark_args=benchmark_args(benchmark, parse_kv(bench_arg, "--bench-arg"), where="--bench-arg"),
                    adapter_args=a_args)
    # the sweep planner's two checks (execute.sweep.plan), before anything is built or written
    gap = pair_gap(benchmark, benchmark_facts(benchmark, cfg.benchmark_args), adapter, a_args)
    if gap:
        raise UserError(f"{benchmark} × {adapter} cannot run: {gap}")
    with progress_bar(f"{benchmark} × {adapter}", enabled=not as_json) as hook:
        summary = run(cfg, progress=hook)
    if as_json:
        click.echo(json.dumps(json_view(summary)))
    else:
        click.echo(summary_text(f"{benchmark} × {adapter}", summary))
    failed = all_errored(summary)
    if failed:  # the records and summary are kept; the exit status says the number means nothing
        raise UserError(f"{benchmark} × {adapter}: {failed} (run dir {summary['run_dir']})")
