"""`magma-bench leaderboard build|ablation|paper-tables`: the subcommands of
`python -m magma_bench.leaderboards`, each with that parser's options as click options."""

from __future__ import annotations

import argparse
from functools import partial

import click

from magma_bench.cli.argparse_options import argparse_options, argv_for, subcommands
from magma_bench.leaderboards.__main__ import build_parser
from magma_bench.leaderboards.__main__ import main as leaderboards_main

PARSER = build_parser()


def _run(name: str, parser: argparse.ArgumentParser, **values: object) -> None:
    code = leaderboards_main([name, *argv_for(parser, values)])  # prints "error: ..." and returns 2 on bad input
    if code:
        raise click.exceptions.Exit(code)


leaderboard_cmd = click.Group("leaderboard", help=PARSER.description)
for _name, (_parser, _help) in subcommands(PARSER).items():
    leaderboard_cmd.add_command(click.Command(_name, params=argparse_options(_parser), help=_help,
                                              callback=partial(_run, _name, _parser)))
