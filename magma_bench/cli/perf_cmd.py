"""`magma-bench perf`: `python -m magma_bench.perf.harness` with its own options, as click options."""

from __future__ import annotations

import click

from magma_bench.cli.argparse_options import argparse_options, argv_for
from magma_bench.perf import harness

PARSER = harness.build_parser()


@click.command("perf", params=argparse_options(PARSER))
def perf_cmd(**values: object) -> None:
    """Performance figures measured side by side in one run: printed as a table and saved as JSON."""
    code = harness.main(argv_for(PARSER, values))
    if code:
        raise click.exceptions.Exit(code)
