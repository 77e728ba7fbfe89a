"""Option parsing shared by subcommands: KEY=VALUE arguments, number types and the progress display.

KEY=VALUE values stay text here: `magma_bench.typed_args` types them against the constructor they
feed (so `som=ture` is an error, not a string that happens to be truthy).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from magma_bench.errors import UserError

COUNT = click.IntRange(min=1)  # --n, --batch-size, --num-cpus: at least one


class Seconds(click.ParamType):
    """A positive, finite number of seconds (nan, inf, 0 and negatives are refused)."""

    name = "seconds"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
        try:
            x = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not math.isfinite(x) or x <= 0:
            self.fail(f"{value!r} is not a positive, finite number of seconds", param, ctx)
        return x


SECONDS = Seconds()


def parse_kv(pairs: tuple[str, ...], what: str) -> dict[str, str]:
    """`--arg key=value` pairs as text (typed later against the constructor); a pair without `=`,
    an empty key or a key given twice is an error naming the option."""
    out: dict[str, str] = {}
    for p in pairs:
        k, eq, v = p.partition("=")
        k = k.strip()
        if not eq or not k:
            raise UserError(f"{what} {p!r}: expected KEY=VALUE")
        if k in out:
            raise UserError(f"{what} {k!r} given twice ({out[k]!r} and {v!r})")
        out[k] = v
    return out


@contextmanager
def progress_bar(label: str, enabled: bool = True) -> Iterator[Any]:
    """A rich progress bar with samples/s and ETA on stderr; a no-op hook when disabled."""
    if not enabled:
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    class Rate(TextColumn):
        def __init__(self) -> None:
            super().__init__("")

        def render(self, task: Any) -> Any:
            from rich.text import Text

            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.1f} samples/s" if speed else "… samples/s", style="cyan")

    console = Console(stderr=True)
    cols = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
            Rate(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*cols, console=console, transient=False, disable=not sys.stderr.isatty()) as prog:
        task = prog.add_task(label, total=None)
        first = [True]

        def hook(done: int, total: int) -> None:
            if first[0]:  # samples resumed from disk do not count toward the rate
                prog.reset(task, total=total, completed=done)
                first[0] = False
            else:
                prog.update(task, completed=done, total=total)

        yield hook
