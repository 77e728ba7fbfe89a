"""Click options generated from a config dataclass: one `--field-name` per field, typed from its
annotation, defaulting to the field's default, explained by the field's own `# comment`.

The dataclass stays the one definition of a trainer option; `magma-bench train` and `ablation`
only read it. Booleans take a value (`--resume false`), as the trainer's argparse flags do, so one
command line works with both entry points.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import textwrap
import tokenize
import types
import typing
from typing import Any

import click


class CommaList(click.ParamType):
    """A `tuple[str, ...]` field written as `a,b,c` (blank items dropped, at least one kept)."""

    name = "a,b,..."

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        items = tuple(s.strip() for s in str(value).split(",") if s.strip())
        if not items:
            self.fail(f"{value!r}: expected a comma-separated list", param, ctx)
        return items


def field_comments(cls: type) -> dict[str, str]:
    """Each field's trailing `# comment` in the class source ({} when the source is not at hand)."""
    try:
        src = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    comments = {t.start[0]: t.string.lstrip("#").strip()
                for t in tokenize.generate_tokens(io.StringIO(src).readline) if t.type == tokenize.COMMENT}
    [node] = ast.parse(src).body
    return {n.target.id: comments[n.end_lineno] for n in getattr(node, "body", [])
            if isinstance(n, ast.AnnAssign) and isinstance(n.target, ast.Name) and n.end_lineno in comments}


def _click_type(annotation: Any, where: str) -> tuple[Any, bool]:
    """(click type, whether None is allowed) for a field annotation; other types are refused so a
    new kind of field is noticed here rather than parsed as text."""
    optional = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        optional = len(args) < len(typing.get_args(annotation))
        if len(args) != 1:
            raise TypeError(f"{where}: cannot make an option for {annotation}")
        annotation = args[0]
    if annotation is bool:
        return click.BOOL, optional
    if annotation in (int, float, str):
        return annotation, optional
    if typing.get_origin(annotation) is tuple and typing.get_args(annotation) == (str, ...):
        return CommaList(), optional
    raise TypeError(f"{where}: cannot make an option for {annotation}")


def dataclass_options(cls: type, exclude: tuple[str, ...] = ()) -> list[click.Option]:
    """One click option per field of `cls` except `exclude`; the callback receives field names."""
    hints = typing.get_type_hints(cls)
    helps = field_comments(cls)
    options = []
    for f in dataclasses.fields(cls):
        if f.name in exclude:
            continue
        kind, optional = _click_type(hints[f.name], f"{cls.__name__}.{f.name}")
        if f.default is not dataclasses.MISSING:
            default = f.default
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory()
        else:
            default = None
        if isinstance(default, tuple):
            default = ",".join(default)
        options.append(click.Option([f"--{f.name.replace('_', '-')}", f.name], type=kind, default=default,
                                    required=default is None and not optional, help=helps.get(f.name, ""),
                                    show_default=default not in (None, "")))
    return options
