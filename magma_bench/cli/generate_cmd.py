"""`magma-bench generate`: write a benchmark's offline suite in its official schema."""

from __future__ import annotations

from pathlib import Path

import click

from magma_bench.cli.options import COUNT, parse_kv


@click.command("generate")
@click.argument("benchmark")
@click.option("--out", type=click.Path(path_type=Path), required=True, help="Directory to write into.")
@click.option("--n", "n", type=COUNT, help="Number of samples (default: the benchmark's own).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--bench-arg", multiple=True, help="Benchmark variant KEY=VALUE (repeatable).")
@click.option("--layout", type=click.Choice(["official", "hf"]), default="official", show_default=True,
              help="official: the release's own files; hf: the hub parquet snapshot lmms-eval reads "
                   "(dataset_path: --out).")
def generate_cmd(benchmark: str, out: Path, n: int | None, seed: int, bench_arg: tuple[str, ...],
                 layout: str) -> None:
    """Generate BENCHMARK's offline suite (deterministic per seed) into --out."""
    from magma_bench.errors import UserError
    from magma_bench.registry import make_benchmark
    from magma_bench.typed_args import benchmark_args

    bench = make_benchmark(benchmark, **benchmark_args(benchmark, parse_kv(bench_arg, "--bench-arg"), "--bench-arg"))
    ok, why = bench.availability()
    if not ok:
        raise UserError(f"benchmark {benchmark!r} cannot run here: {why}")
    if layout == "hf":
        from magma_bench.data.hub_layout import layout_for

        hub = layout_for(benchmark).repo  # before touching --out: a benchmark without one is refused
    if out.exists() and any(out.iterdir()):
        raise UserError(f"{out} is not empty; choose an empty or new directory")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise UserError(f"cannot create {out}: {e.strerror}") from None
    n = n or bench.default_n
    if layout == "hf":
        from magma_bench.data.hub_layout import generate_hub_layout

        args = bench.generation_args()
        generate_hub_layout(benchmark, bench, out, n, seed, lambda: make_benchmark(benchmark, **args))
        click.echo(f"wrote {benchmark} offline suite (n≈{n}, seed={seed}) to {out} in the {hub} hub layout")
        return
    bench.generate(out, n, seed)
    if not bench.is_generated(out):
        bench.write_marker(out, benchmark=benchmark, n=n, seed=seed)
    click.echo(f"wrote {benchmark} offline suite (n≈{n}, seed={seed}) to {out}")
