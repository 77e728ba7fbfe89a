"""Click options generated from an argparse parser, and the argv that hands click's values back to it.

`python -m magma_bench.perf.harness` and `python -m magma_bench.leaderboards` define their options in an
argparse parser (their `build_parser()`). `magma-bench perf` and `magma-bench leaderboard`
read that parser, show its options as click options (so `--help` lists them), and call the same
`main` with an equivalent argv: each option is defined once, where it is used.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import click


def subcommands(parser: argparse.ArgumentParser) -> dict[str, tuple[argparse.ArgumentParser, str]]:
    """name -> (sub-parser, its one-line help) for a parser with `add_subparsers`, in their order."""
    for a in parser._actions:
        if isinstance(a, argparse._SubParsersAction):
            helps = {c.dest: c.help or "" for c in a._choices_actions}
            return {name: (sub, helps.get(name, "")) for name, sub in a.choices.items()}
    return {}


def _option_actions(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    out = []
    for a in parser._actions:
        if isinstance(a, argparse._HelpAction | argparse._SubParsersAction):
            continue
        if not a.option_strings or a.nargs not in (None, 0):
            raise TypeError(f"{parser.prog}: cannot make a click option for {a.dest!r} "
                            f"(only --options with one value or none)")
        out.append(a)
    return out


def argparse_options(parser: argparse.ArgumentParser) -> list[click.Option]:
    """One click option per argparse option of `parser` (not its sub-parsers'), same names,
    defaults, choices and help; flags (store_true/store_false/store_const) stay flags."""
    options = []
    for a in _option_actions(parser):
        text = (a.help or "") % {**vars(a), "prog": parser.prog} if a.help and "%(" in a.help else (a.help or "")
        names = [*a.option_strings, a.dest]
        if a.nargs == 0:
            options.append(click.Option(names, is_flag=True, flag_value=a.const, default=a.default, help=text))
            continue
        kind: Any = click.Path(path_type=Path) if a.type is Path else (a.type or str)
        if a.choices is not None:
            kind = click.Choice([str(c) for c in a.choices])
        options.append(click.Option(names, type=kind, default=a.default, required=a.required, help=text,
                                    metavar=a.metavar, show_default=a.default is not None))
    return options


def argv_for(parser: argparse.ArgumentParser, values: dict[str, Any]) -> list[str]:
    """The argv that makes `parser` produce `values` (click's, keyed by dest); defaults are left out."""
    argv: list[str] = []
    for a in _option_actions(parser):
        v = values[a.dest]
        if a.nargs == 0:
            if v == a.const and v != a.default:
                argv.append(a.option_strings[-1])
        elif v is not None and v != a.default:
            opt = a.option_strings[-1]  # `--opt=value`, so a value that starts with '-' stays a value
            argv += [f"{opt}={v}"] if opt.startswith("--") else [opt, str(v)]
    return argv
