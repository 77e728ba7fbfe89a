"""The typed config layer: the YAML a user writes (sweeps, training mixtures) and the trainer's flags
(TrainConfig), validated by pydantic v2.

Why pydantic (and not draccus): it is already installed with our dependencies (a transitive one of
several, now a direct one), and what we need from it is validating the YAML/JSON that users write
by hand: typed fields with bounds (`Field(ge=1)`), unknown keys refused, errors that carry the field
path (`benchmarks[2].limit`), and a JSON schema for free (`json_schema(SweepFile)`). draccus is
built around argparse-style CLIs over dataclasses and would be a new dependency for none of that.

The configs stay dataclasses (pydantic's): positional construction, attribute access,
`dataclasses.replace`/`asdict` all keep working, and building one in Python validates it too.
A config file goes through `validate(cls, raw, where)`, which turns a `ValidationError` into one
`UserError` line, `<file>: <field.path>: <problem>`. Duplicate keys are caught before this by
`magma_bench.yaml_strict` (PyYAML keeps the last one silently).
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Annotated, Any, TypeVar

from pydantic import BeforeValidator, Strict, TypeAdapter, ValidationError, WrapValidator, model_validator
from pydantic_core import PydanticCustomError

from magma_bench.errors import UserError, did_you_mean

T = TypeVar("T")


def problem(what: str) -> PydanticCustomError:
    """A validation error that reads `<value> is not valid; expected <what>`."""
    return PydanticCustomError("expected", "expected {what}", {"what": what})


class KnownKeys:
    """Mixin for config dataclasses: a key that is not a field is an error naming the close ones
    and the accepted ones (a typo must never silently fall back to a default)."""

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            names = [f.name for f in dataclasses.fields(cls)]
            for k in data:
                if k not in names:
                    raise PydanticCustomError("unknown_key", "unknown key {key}{hint}; accepted: {accepted}", {
                        "key": repr(k), "hint": did_you_mean(str(k), names), "accepted": ", ".join(sorted(names))})
        return data


# -- shared field types -----------------------------------------------------------------------------
def _no_bool(v: Any) -> Any:
    if isinstance(v, bool):
        raise problem("a number (got a boolean)")
    return v


def _spelled_bool(v: Any) -> bool:
    from magma_bench.typed_args import parse_bool

    try:
        return parse_bool(v)
    except ValueError:
        raise problem("a boolean (true/false, yes/no, 1/0)") from None


def expect(what: str) -> WrapValidator:
    """Annotated metadata: any failure of the inner type is one error, `expected <what>` (for a
    union, which pydantic would otherwise report once per member)."""

    def wrap(v: Any, handler: Any) -> Any:
        try:
            return handler(v)
        except ValidationError:
            raise problem(what) from None

    return WrapValidator(wrap)


def _none_is(empty: Any) -> BeforeValidator:
    """Annotated metadata: YAML `key:` with no value (None) reads as `empty` (a fresh copy)."""
    return BeforeValidator(lambda v: type(empty)() if v is None else v)


Int = Annotated[int, BeforeValidator(_no_bool)]  # 16 or "16"; not 2.5, not true
Float = Annotated[float, BeforeValidator(_no_bool)]  # finite when the config says allow_inf_nan=False
Bool = Annotated[bool, BeforeValidator(_spelled_bool)]  # true/false, yes/no, 1/0 (as the CLI reads them)
YamlBool = Annotated[bool, Strict()]  # only a real bool: the YAML true/false, unquoted
NoneIsEmptyDict = _none_is({})
NoneIsEmptyList = _none_is([])


# -- validation and its one-line errors ------------------------------------------------------------
@functools.cache
def _adapter(cls: Any) -> TypeAdapter:
    return TypeAdapter(cls)


def validate(cls: type[T], raw: Any, where: str) -> T:
    """`raw` (parsed YAML/JSON) as a `cls`; an invalid value is a UserError naming `where` and the field."""
    try:
        return _adapter(cls).validate_python(raw)
    except ValidationError as e:
        raise UserError(error_line(e, where)) from None


def json_schema(cls: type) -> dict[str, Any]:
    """The JSON schema of a config (what editors and `jsonschema` can check a file against)."""
    return _adapter(cls).json_schema()


def field_path(loc: tuple[Any, ...]) -> str:
    """`('benchmarks', 0, 'limit')` -> `benchmarks[0].limit`."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part != "[key]":  # a mapping key's own error: the path already ends in the key
            out += f".{part}" if out else str(part)
    return out


_EXPECTED = {
    "int_type": "an integer", "int_parsing": "an integer", "int_from_float": "an integer",
    "float_type": "a number", "float_parsing": "a number", "finite_number": "a finite number",
    "bool_type": "the YAML bool true or false (unquoted)", "bool_parsing": "a boolean",
    "string_type": "a string", "list_type": "a list", "dict_type": "a mapping",
    "dataclass_type": "a mapping", "dataclass_args_type": "a mapping", "model_type": "a mapping",
    "greater_than_equal": "a number >= {ge:g}", "greater_than": "a number > {gt:g}",
    "less_than_equal": "a number <= {le:g}", "less_than": "a number < {lt:g}",
    "too_short": "at least {min_length} item(s)", "too_long": "at most {max_length} item(s)",
}


def _short_repr(v: Any, limit: int = 60) -> str:
    r = repr(v)
    return r if len(r) <= limit else r[: limit - 3] + "..."


def _problem(err: Any) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("unknown_key", "missing", "missing_argument"):
        return err["msg"] if kind == "unknown_key" else "missing (required)"
    if kind in ("unexpected_keyword_argument", "extra_forbidden"):  # the KnownKeys mixin normally says it
        return f"unknown key {err['loc'][-1]!r}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind == "expected":
        what = ctx["what"]
    elif kind == "too_short" and ctx.get("min_length") == 1:
        what = "a non-empty list" if isinstance(err.get("input"), list) else "a non-empty mapping"
    elif kind in _EXPECTED:
        what = _EXPECTED[kind].format(**ctx)
    else:
        what = err["msg"][0].lower() + err["msg"][1:]
    return f"{_short_repr(err.get('input'))} is not valid; expected {what}"


def error_line(e: ValidationError, where: str) -> str:
    """One line for a ValidationError: `<where>: <field.path>: <problem>` (its first error, and how
    many more there are)."""
    errors = e.errors()
    err = errors[0]
    loc = err["loc"][:-1] if err["type"] in ("unexpected_keyword_argument", "extra_forbidden") else err["loc"]
    path = field_path(loc)
    more = f" (and {len(errors) - 1} more problem{'s' * (len(errors) > 2)})" if len(errors) > 1 else ""
    return f"{where}: {path + ': ' if path else ''}{_problem(err)}{more}"


__all__ = ["Bool", "Float", "Int", "KnownKeys", "NoneIsEmptyDict", "NoneIsEmptyList", "YamlBool", "error_line",
           "expect", "field_path", "json_schema", "problem", "validate"]
