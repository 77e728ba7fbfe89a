"""Typed arguments: every value a user passes (`--bench-arg`, `--adapter-arg`, sweep YAML) is
checked against what it feeds, before anything is built.

The schema is the Python signature itself, so it cannot drift from the code: a benchmark's or
adapter's accepted arguments are the named parameters of every `__init__` along its class's MRO
(while each one forwards `**args` to the next), with their type hints. Our base classes store
what reaches their `**args` into `self.args` (the run's identity), so a typo there would change
nothing but the run directory: an argument no constructor names is an error (`categroy=...`,
`smo=true`), with the names that are accepted.
(Config files themselves, sweeps and mixtures, are pydantic dataclasses: `magma_bench.config`.)

Values are coerced by type hint. CLI values arrive as strings; YAML values arrive typed:
- bool: only true/false, yes/no, 1/0 (any case), or a real bool (`som=ture` is an error);
- int: digits only (no bools, no 2.5); float: a finite number; str: a string (or a YAML
  number, which is read as its text; a YAML bool is an error: quote it);
- X | None: None, or "none"/"null" when X is not a string; list[X]: a JSON list or `a,b,c`.

This coercion is hand-written rather than pydantic's on purpose: it reads command-line text
(`a,b` lists, `none`, yes/no) and keeps values as the constructor's plain types (a path stays the
string the user gave, so a run's recorded args and its directory do not change).
"""

from __future__ import annotations

import inspect
import json
import math
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from magma_bench.errors import UserError, did_you_mean

TRUE, FALSE = ("true", "yes", "1"), ("false", "no", "0")
# Label-only adapter arguments: stored in describe()["args"] (so they key the run and its
# leaderboard row) and read by `leaderboards.ablation` to name a trainer variant; no adapter
# behaves differently for them.
ADAPTER_LABELS: dict[str, Any] = {"variant": str, "model": str}
# Adapter arguments a user may not set as KEY=VALUE text: they come from their own options.
RESERVED_ADAPTER = {
    "seed": "set it with --seed (or `seed:` at the top of a sweep config)",
    "trust_remote_code": "pass --trust-remote-code to `run`/`sweep` (or `trust_remote_code: true` on the "
                         "adapter in a sweep config); as a KEY=VALUE argument it is refused, never read",
}


@dataclass(frozen=True)
class Param:
    hint: Any  # the type hint (Any when the code gives none and the default says nothing)
    default: Any = inspect.Parameter.empty


class _Bad(ValueError):
    """A value does not fit a hint; the message says what was expected."""


# -- what a target accepts ---------------------------------------------------------------------------
def _catch_alls() -> tuple[Any, ...]:
    """The base `__init__`s that keep whatever reaches their **args (so unknown keys are typos)."""
    from magma_bench.adapter import Adapter
    from magma_bench.benchmark import _Common

    return (Adapter.__init__, _Common.__init__)


def _hint(p: inspect.Parameter, hints: dict[str, Any]) -> Any:
    if p.name in hints:
        return hints[p.name]
    d = p.default
    return type(d) if isinstance(d, bool | int | float | str) else Any


def params_of(target: Any) -> tuple[dict[str, Param], bool]:
    """(accepted name -> Param, open): `open` is True when unknown keys reach a **kwargs we cannot
    see into (a plugin's own base), so they are passed on unchecked."""
    if inspect.isclass(target):
        funcs = [c.__dict__["__init__"] for c in target.__mro__ if "__init__" in c.__dict__ and c is not object]
        skip_first = True
    else:
        funcs, skip_first = [target], False
    stops = _catch_alls()
    out: dict[str, Param] = {}
    for f in funcs:
        try:
            hints = typing.get_type_hints(f, include_extras=True)
        except Exception:  # an unresolvable annotation: fall back to the defaults' types
            hints = {}
        ps = list(inspect.signature(f).parameters.values())[1 if skip_first else 0:]
        var_kw = False
        for p in ps:
            if p.kind is p.VAR_KEYWORD:
                var_kw = True
            elif p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY):
                out.setdefault(p.name, Param(_hint(p, hints), p.default))
        if not var_kw or f in stops:
            return out, False
    return out, True


# -- coercion ----------------------------------------------------------------------------------------
def describe_hint(hint: Any) -> str:
    """A short human name for a hint: `bool`, `int or none`, `list of str`, `one of a, b`."""
    origin, args = get_origin(hint), get_args(hint)
    if origin is Annotated:
        return describe_hint(args[0])
    if origin in (Union, types.UnionType):
        return " or ".join(describe_hint(a) for a in args)
    if origin is Literal:
        return "one of " + ", ".join(map(str, args))
    if origin in (list, tuple):
        return f"list of {describe_hint(args[0])}" if args else "list"
    if hint is type(None):
        return "none"
    if hint is bool:
        return "a boolean (true/false, yes/no, 1/0)"
    return getattr(hint, "__name__", str(hint))


def parse_bool(v: Any) -> bool:
    if isinstance(v, bool):
        return v
    if isinstance(v, int) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in TRUE + FALSE:
        return v.strip().lower() in TRUE
    raise _Bad("a boolean (true/false, yes/no, 1/0)")


def _int(v: Any) -> int:
    if isinstance(v, bool):
        raise _Bad("an integer (got a boolean)")
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        s = v.strip()
        if s.lstrip("+-").isdigit():
            return int(s)
    raise _Bad("an integer")


def _float(v: Any) -> float:
    if isinstance(v, bool):
        raise _Bad("a number (got a boolean)")
    try:
        x = float(v) if isinstance(v, int | float | str) else None
    except ValueError:
        x = None
    if x is None:
        raise _Bad("a number")
    if not math.isfinite(x):
        raise _Bad("a finite number")
    return x


def _json(text: str, expected: str) -> Any:
    """A command-line string parsed as JSON; bad JSON raises _Bad(`expected`)."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise _Bad(expected) from None


def _listish(v: Any) -> list[Any]:
    if isinstance(v, list | tuple):
        return list(v)
    if isinstance(v, str):
        s = v.strip()
        if s.startswith("[") and isinstance(got := _json(s, "a list (JSON `[a, b]` or `a,b`)"), list):
            return got
        return [x.strip() for x in s.split(",") if x.strip()]
    raise _Bad("a list")


def coerce_value(v: Any, hint: Any) -> Any:
    """`v` as `hint` wants it; raises _Bad (what was expected) when it does not fit."""
    origin, args = get_origin(hint), get_args(hint)
    if hint is Any or hint is inspect.Parameter.empty:
        return v
    if origin is Annotated:
        return coerce_value(v, args[0])
    if origin in (Union, types.UnionType):
        members = [a for a in args if a is not type(None)]
        if len(members) < len(args):  # optional
            if v is None or (isinstance(v, str) and str not in members and v.strip().lower() in ("none", "null")):
                return None
        for m in members:  # a value that already has one of the (non-numeric) types is kept as it is
            plain = isinstance(m, type) and get_origin(m) is None and m not in (int, float)
            if plain and isinstance(v, m):
                return v
        errors = []
        for m in members:
            try:
                return coerce_value(v, m)
            except _Bad as e:
                errors.append(str(e))
        optional = " (or none)" if len(members) < len(args) else ""
        raise _Bad((errors[0] if len(errors) == 1 else " or ".join(map(describe_hint, members))) + optional)
    if origin is Literal:
        for a in args:
            if v == a or (isinstance(v, str) and str(a) == v.strip()):
                return a
        raise _Bad(describe_hint(hint))
    if hint is bool:
        return parse_bool(v)
    if hint is int:
        return _int(v)
    if hint is float:
        return _float(v)
    if hint is str:
        if isinstance(v, str):
            return v
        if isinstance(v, int | float) and not isinstance(v, bool):
            return str(v)
        raise _Bad("a string" + (" (got a boolean; quote it)" if isinstance(v, bool) else ""))
    if isinstance(hint, type) and issubclass(hint, PurePath):
        if isinstance(v, str | PurePath):
            return v
        raise _Bad("a path")
    if origin in (list, tuple) or hint in (list, tuple):
        item, out = (args[0] if args else Any), []
        for x in _listish(v):
            try:
                out.append(coerce_value(x, item))
            except _Bad as e:
                raise _Bad(f"a list of {describe_hint(item)} ({x!r} is not {e})") from None
        return out
    if origin is dict or hint is dict:
        if isinstance(v, str):
            v = _json(v, "a JSON object")
        if isinstance(v, dict):
            return v
        raise _Bad("a mapping")
    if isinstance(hint, type) and not isinstance(v, hint):
        raise _Bad(describe_hint(hint))
    return v


def coerce_args(target: Any, args: Mapping[str, Any], what: str,
                extras: Mapping[str, Any] | None = None, hide: tuple[str, ...] = ()) -> dict[str, Any]:
    """`args` checked and coerced against `target` (a class or function). `what`
    starts every message (e.g. "--bench-arg for benchmark 'pope'"). `extras` are accepted
    names beyond the signature (hint per name) when the signature ends in our catch-all; `hide`
    leaves names out of the accepted list a message shows (ones set by their own option)."""
    params, open_ = params_of(target)
    for k, h in (extras or {}).items():
        params.setdefault(k, Param(h))
    out: dict[str, Any] = {}
    for k, v in args.items():
        if not isinstance(k, str) or not k:
            raise UserError(f"{what}: argument names must be non-empty strings, got {k!r}")
        if k not in params:
            if open_:
                out[k] = v
                continue
            accepted = ", ".join(sorted(p for p in params if p not in hide)) or "none"
            raise UserError(f"{what}: unknown argument {k!r}{did_you_mean(k, params)}; accepted: {accepted}")
        try:
            out[k] = coerce_value(v, params[k].hint)
        except _Bad as e:
            raise UserError(f"{what}: {k}={v!r} is not valid; expected {e}") from None
    return out


# -- the entry points: benchmarks, adapters, user text ------------------------------------------------
def benchmark_args(name: str, args: Mapping[str, Any], where: str | None = None) -> dict[str, Any]:
    """A benchmark's variant arguments, typed. A registered variant's fixed arguments
    (`screenspot_v2` is version=v2) cannot be changed: that would be another variant."""
    from magma_bench.registry import benchmark_class

    cls, fixed = benchmark_class(name)
    what = f"{where + ' ' if where else ''}for benchmark {name!r}".strip()
    out = coerce_args(cls, args, what)
    _check_fixed(out, fixed, name, what)
    return out


def _check_fixed(args: Mapping[str, Any], fixed: Mapping[str, Any], name: str, what: str) -> None:
    for k, v in args.items():
        if k in fixed and fixed[k] != v:
            raise UserError(f"{what}: {name!r} is the {k}={fixed[k]!r} variant; {k}={v!r} is another "
                            "registered name (see `magma-bench list`)")


def adapter_args(name: str, args: Mapping[str, Any], where: str | None = None,
                 user: bool = True) -> dict[str, Any]:
    """An adapter's constructor arguments, typed (a registered variant's fixed arguments, e.g.
    llava-1.5's family, cannot be changed). `user`: they come from KEY=VALUE text or a
    config's `args:`, where `seed` and `trust_remote_code` are refused (see RESERVED_ADAPTER)."""
    from magma_bench.registry import adapter_class

    cls, fixed = adapter_class(name)
    what = f"{where + ' ' if where else ''}for adapter {name!r}".strip()
    if user:
        for k in args:
            if k in RESERVED_ADAPTER:
                raise UserError(f"{what}: {k!r} is not an adapter argument here; {RESERVED_ADAPTER[k]}")
    out = coerce_args(cls, args, what, extras=ADAPTER_LABELS, hide=tuple(RESERVED_ADAPTER) if user else ())
    _check_fixed(out, fixed, name, what)
    return out


def takes(target: Any, name: str) -> bool:
    """Whether `target`'s signature names the argument `name`."""
    return name in params_of(target)[0]
