"""`magma-bench sweep`: benchmarks x adapters from a YAML config, resumable, locally or on Ray."""

from __future__ import annotations

from pathlib import Path

import click

from magma_bench.cli.options import COUNT, progress_bar


@click.command("sweep")
@click.option("--config", "config_path", type=click.Path(path_type=Path), required=True)
@click.option("--out", type=click.Path(path_type=Path), help="Override the config's run store root.")
@click.option("--executor", type=click.Choice(["local", "ray"]), default="local", show_default=True)
@click.option("--address", help="Ray cluster address (ray://host:10001 or auto); default: a local cluster.")
@click.option("--num-cpus", type=COUNT, help="CPUs for a local Ray cluster (default: all).")
@click.option("--trust-remote-code", is_flag=True,
              help="Let every adapter that needs it (magma_hf, openvla-7b) run its checkpoint's own Python code "
                   "(per adapter: `trust_remote_code: true` in the config).")
def sweep_cmd(config_path: Path, out: Path | None, executor: str, address: str | None, num_cpus: int | None,
              trust_remote_code: bool) -> None:
    """Run every benchmark x adapter in CONFIG; re-running resumes where it stopped."""
    from magma_bench.execute.sweep import run_local
    from magma_bench.execute.sweep_config import load_sweep

    cfg = load_sweep(config_path, trust_remote_code=trust_remote_code)

    def report(line: str) -> None:
        click.echo(line, err=line.startswith(("skip", "failed")))

    if executor == "local":
        run_local(cfg, out, report, progress=progress_bar)
        return
    from magma_bench.execute.ray_executor import run_ray

    _, stats = run_ray(cfg, out, report, address=address, num_cpus=num_cpus)
    click.echo(f"ray: {int(stats['units'])} work units in {stats['wall_s']:.1f}s")
