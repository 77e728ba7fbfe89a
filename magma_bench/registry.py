"""Lazy registry: names map to "module:attr" strings, imported only when used.

Built-in benchmarks are listed by each domain package (`magma_bench/benchmarks/<domain>/__init__.py`
defines `BENCHMARKS`), built-in adapters by `magma_bench.adapters.ADAPTERS`. Other packages add
theirs through the entry-point groups `magma_bench.benchmarks` and `magma_bench.adapters`
(an entry point names a class or a zero-argument factory), loaded when a lookup misses and for
`list`. A plugin's own ImportError is re-raised as is, so its author sees what broke.
"""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import entry_points
from typing import Any

from magma_bench.errors import UserError, did_you_mean

DOMAINS = ("ui", "robotics", "spatial", "video", "vl")
BENCHMARK_GROUP = "magma_bench.benchmarks"
ADAPTER_GROUP = "magma_bench.adapters"


@dataclass(frozen=True)
class Entry:
    """A registered name: where its class lives and the variant arguments it is built with."""

    name: str
    target: str  # "module:attr"
    kwargs: dict[str, Any] = field(default_factory=dict)
    source: str = "builtin"  # or the distribution that provides the entry point

    def load(self) -> Any:
        module, _, attr = self.target.partition(":")
        obj = importlib.import_module(module)
        for part in attr.split("."):
            obj = getattr(obj, part)
        return obj


def _spec(value: str | tuple[str, dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    return (value, {}) if isinstance(value, str) else (value[0], dict(value[1]))


@cache
def _builtin_benchmarks() -> dict[str, Entry]:
    table: dict[str, Entry] = {}
    for domain in DOMAINS:
        mod = importlib.import_module(f"magma_bench.benchmarks.{domain}")
        for name, value in getattr(mod, "BENCHMARKS", {}).items():
            target, kwargs = _spec(value)
            table[name] = Entry(name, target, kwargs)
    return table


@cache
def _builtin_adapters() -> dict[str, Entry]:
    mod = importlib.import_module("magma_bench.adapters")
    return {name: Entry(name, *_spec(value)) for name, value in mod.ADAPTERS.items()}


def _plugins(group: str) -> dict[str, Entry]:
    found: dict[str, Entry] = {}
    for ep in entry_points(group=group):
        dist = ep.dist.name if ep.dist is not None else "?"
        found[ep.name] = Entry(ep.name, ep.value, {}, source=dist)
    return found


def benchmark_entries(include_plugins: bool = True) -> dict[str, Entry]:
    table = dict(_builtin_benchmarks())
    if include_plugins:
        for name, e in _plugins(BENCHMARK_GROUP).items():
            table.setdefault(name, e)
    return table


def adapter_entries(include_plugins: bool = True) -> dict[str, Entry]:
    table = dict(_builtin_adapters())
    if include_plugins:
        for name, e in _plugins(ADAPTER_GROUP).items():
            table.setdefault(name, e)
    return table


def _lookup(kind: str, name: str, builtin: dict[str, Entry], group: str) -> Entry:
    if name in builtin:
        return builtin[name]
    plugins = _plugins(group)
    if name in plugins:
        return plugins[name]
    raise UserError(f"unknown {kind} {name!r}{did_you_mean(name, [*builtin, *plugins])}; "
                    f"`magma-bench list` shows them all")


def benchmark_class(name: str) -> tuple[type, dict[str, Any]]:
    """(class or factory, variant kwargs) for a benchmark name."""
    e = _lookup("benchmark", name, _builtin_benchmarks(), BENCHMARK_GROUP)
    return e.load(), e.kwargs


def adapter_class(name: str) -> tuple[type, dict[str, Any]]:
    e = _lookup("adapter", name, _builtin_adapters(), ADAPTER_GROUP)
    return e.load(), e.kwargs


def make_benchmark(name: str, /, **args: Any) -> Any:
    """Build a benchmark; `args` are checked and typed against its constructor (typed_args)."""
    from magma_bench.typed_args import benchmark_args

    cls, kwargs = benchmark_class(name)
    bench = cls(**{**kwargs, **benchmark_args(name, args)})
    if getattr(bench, "name", None) != name:
        # One class may serve several registered names (variants); the instance carries the name.
        bench.name = name
    return bench


def make_adapter(name: str, /, *, trust_remote_code: bool = False, **args: Any) -> Any:
    """Build an adapter; `args` are checked and typed against its constructor (typed_args).
    `trust_remote_code` must be a real bool (from `--trust-remote-code` or a sweep config's
    `trust_remote_code: true`): any other value, "False" or "true" included, is refused, so no
    spelling of a string can open the remote-code gate. It is handed only to adapters that take it."""
    from magma_bench.typed_args import adapter_args, takes

    if not isinstance(trust_remote_code, bool):
        raise UserError(f"adapter {name!r}: trust_remote_code must be True or False, got {trust_remote_code!r}; "
                        "pass --trust-remote-code to run checkpoint code")
    cls, kwargs = adapter_class(name)
    args = adapter_args(name, args, user=False)
    ok, why = cls.availability()
    if not ok:
        raise UserError(f"adapter {name!r} cannot run here: {why}")
    if takes(cls, "trust_remote_code"):
        args["trust_remote_code"] = trust_remote_code
    return cls(**{**kwargs, **args})


def missing_modules(modules: tuple[str, ...] | list[str]) -> list[str]:
    """The modules among `modules` that are not importable (checked without importing them)."""
    out = []
    for m in modules:
        try:
            if importlib.util.find_spec(m) is None:
                out.append(m)
        except (ImportError, ValueError):
            out.append(m)
    return out


def requirements_met(modules: tuple[str, ...] | list[str]) -> tuple[bool, str]:
    """(all importable, the install hint naming the ones that are not): what `availability` of
    benchmarks and adapters reports for their `requires`."""
    missing = missing_modules(modules)
    if missing:
        return False, f"needs {', '.join(missing)} (pip install {' '.join(missing)})"
    return True, ""
