"""What a run writes, typed and versioned: one `Record` per sample or episode (records.jsonl) and
the run's `Summary` (summary.json), under ONE `SCHEMA_VERSION` (also written in manifest.json).

The JSON form is the contract. `to_json()` writes exactly the keys runs have always written, so old
runs and the leaderboard read the same files; `from_json()` reads them back or refuses in one line
naming the file and the record; `json_schema()` derives a JSON Schema (draft 2020-12) from the
dataclass fields and their type hints, so schema and docs cannot drift from the code
(`python -m magma_bench.run.records --markdown` prints the tables of docs/records.md,
`--json-schema record|summary` the schema). The schema is derived here rather than by pydantic's
TypeAdapter because pydantic is not a dependency of magma-bench, and `import magma_bench` stays light.

A field's description is its `doc` metadata. A field with a default may be absent from a file of this
schema version (it was added later; such files still load); every other field is required.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from magma_bench.errors import UserError

if TYPE_CHECKING:
    from magma_bench.types import Episode, Sample

SCHEMA_VERSION = 1  # bump when a key changes meaning or a required key is added; readers refuse newer files

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _doc(text: str, **kw: Any) -> Any:
    """A dataclass field documented for the schema (`json=False`: kept in memory, never written)."""
    return field(metadata={"doc": text, "json": kw.pop("json", True)}, **kw)


# -- records.jsonl --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Timing:
    """Where one record's seconds went; the only values that differ between identical runs."""

    model_s: float = _doc("seconds in the adapter (a batch's call shared equally by its samples)")
    harness_s: float = _doc("seconds in the harness: requests, parsing, scoring, environment steps")

    @classmethod
    def measured(cls, model_s: float, harness_s: float) -> Timing:
        """Timings as records store them: rounded to the microsecond."""
        return cls(round(model_s, 6), round(harness_s, 6))


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """One line of records.jsonl: one sample of a static benchmark, or one closed-loop episode
    (robotics, web). An episode's record has no `official_id`; its scores include `success` and
    `steps`, and its task is `meta.instruction`. An errored record keeps its error and scores as wrong."""

    id: str = _doc("the sample or episode id: stable across runs, the resume key")
    official_id: str | None = _doc(
        "the release's own id for the sample (`score` accepts either id); absent in closed-loop records "
        "(and in records written before official ids existed)",
        default=None)
    prediction: str | None = _doc("the adapter's raw text (null if it errored, and in closed-loop records)")
    parsed: Any = _doc("what the benchmark's parser read from the prediction (null: no usable answer)")
    target: Any = _doc("the reference answer as the benchmark stores it (null in closed-loop records)")
    scores: dict[str, float] = _doc(
        "per-sample metrics, finite numbers (e.g. accuracy; closed loop: success, steps, progress*)")
    error: str | None = _doc(
        'null, or what went wrong: "request: ...", "adapter: ...", "parse: ...", "score: ...", a timeout')
    meta: dict[str, Any] = _doc("sample metadata (category, platform, split ...; closed loop: instruction)")
    timing: Timing = _doc("seconds spent on this record")
    closed_loop: bool = _doc("an episode's record: written without official_id", default=False, json=False)

    @classmethod
    def of_sample(cls, sample: Sample, prediction: str | None, parsed: Any, scores: dict[str, float],
                  error: str | None, timing: Timing) -> Record:
        """A static sample's record: ids, target and meta come from the sample."""
        return cls(id=sample.id, official_id=sample.official_id, prediction=prediction, parsed=parsed,
                   target=sample.target, scores=scores, error=error, meta=sample.meta, timing=timing)

    @classmethod
    def of_episode(cls, episode: Episode, instruction: str, scores: dict[str, float], error: str | None,
                   timing: Timing) -> Record:
        """A closed-loop episode's record: no text, no target; the instruction it ran joins its meta."""
        return cls(id=episode.id, prediction=None, parsed=None, target=None, scores=scores, error=error,
                   meta={**episode.meta, "instruction": instruction}, timing=timing, closed_loop=True)

    def to_json(self) -> dict[str, Any]:
        """The record as records.jsonl holds it (key order included)."""
        out = _to_json(self)
        if self.closed_loop:
            del out["official_id"]
        return out

    @classmethod
    def from_json(cls, obj: Any, where: str = "record", schema: int = SCHEMA_VERSION) -> Record:
        """A record read back; `where` (a file) and the record's id name it in the one-line error.
        `schema` is the version of the run that wrote it (its manifest's)."""
        rid = obj.get("id") if isinstance(obj, dict) else None
        where = f"{where}: record {rid!r}" if rid is not None else where
        _check_version(schema, where)
        rec = _from_json(cls, obj, where)
        return dataclasses.replace(rec, closed_loop=True) if "official_id" not in obj else rec


def read_records(path: Path, schema: int = SCHEMA_VERSION) -> list[Record]:
    """Every record of a records file, checked; a bad one raises UserError naming file and record."""
    from magma_bench.run.store import read_jsonl

    return [Record.from_json(obj, f"{path} #{i}", schema)
            for i, obj in enumerate(read_jsonl(Path(path)), 1)]


# -- summary.json ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopError:
    """The most common error of a run (digits folded when grouping)."""

    count: int = _doc("how many records have this error")
    example: str = _doc("one of them verbatim (up to 300 characters)")


@dataclass(frozen=True, kw_only=True)
class Stats:
    """What a set of records amounts to: the part of summary.json computed from records.jsonl
    (and what `score` reports for a predictions file)."""

    n: int = _doc("records (samples or episodes) summarized")
    headline: float | None = _doc(
        "the benchmark's headline in percent, in the paper's convention (null: no records)")
    metrics: dict[str, float | None] = _doc("sub-metrics, percent (null: not a number)")
    ci95: list[float | None] = _doc(
        "[low, high]: 95% percentile bootstrap of the headline, 1,000 resamples (nulls: no records)")
    errors: int = _doc("records with an error (each scored as wrong)")
    error_rate: float | None = _doc("errors / n (absent in summaries written before it existed)", default=None)
    top_error: TopError | None = _doc("the most common error; null when nothing errored", default=None)
    warnings: list[str] = _doc("set when more than 20% of records errored", default_factory=list)
    timing: Timing = _doc("seconds summed over the records")

    def to_json(self) -> dict[str, Any]:
        return _to_json(self)

    def as_kwargs(self) -> dict[str, Any]:
        """The statistics as keyword arguments (to build a `Summary` around them)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(Stats)}


@dataclass(frozen=True, slots=True)
class RunTiming(Timing):
    """A run's seconds: the records' sums plus the wall clock of this invocation."""

    wall_s: float = _doc("wall-clock seconds of the invocation that wrote the summary (a resume: its own)")


@dataclass(frozen=True)
class Revision:
    """The checkout the harness ran from (nulls when installed from a wheel)."""

    commit: str | None = _doc("git commit")
    dirty: bool | None = _doc("whether tracked files differed from the commit")


@dataclass(frozen=True, kw_only=True)
class _Header:
    """Which run a summary is of: the keys summary.json leads with."""

    schema: int = _doc("the result schema version (readers refuse a newer one)")
    benchmark: str = _doc("registered benchmark name")
    split: str = _doc("the split evaluated")
    adapter: str = _doc("registered adapter name")


@dataclass(frozen=True, kw_only=True)
class Summary(Stats, _Header):
    """summary.json: a finished run's numbers and where they came from (rewritten atomically at the
    end of every run or resume). Keys in order: the header, the records' statistics, the provenance."""

    timing: RunTiming = _doc("seconds: the records' sums and this invocation's wall clock")
    data: Literal["offline", "official"] = _doc("offline suite (generated) or the official files")
    data_dir: str | None = _doc("the data directory (null: data shipped in an installed package)")
    seed: int = _doc("the run's seed (offline suite, sampling baselines, bootstrap)")
    config_hash: str = _doc("hash of the run's identity (manifest.json): the run directory's suffix")
    limit: int | None = _doc("--limit: first N samples only (null: all)")
    adapter_describe: dict[str, Any] = _doc("the adapter's describe(): checkpoint, settings ...")
    benchmark_args: dict[str, Any] = _doc("the benchmark's variant arguments")
    revision: Revision = _doc("git checkout of the harness")
    versions: dict[str, str] = _doc("python and key package versions")
    run_dir: str = _doc("the run directory")
    resumed: int = _doc("records already there when this invocation started")

    @classmethod
    def of_run(cls, stats: Stats, wall_s: float, **header_and_provenance: Any) -> Summary:
        """A run's summary: its records' statistics, the invocation's wall clock, the rest as given."""
        timing = RunTiming(stats.timing.model_s, stats.timing.harness_s, round(wall_s, 3))
        return cls(**{**stats.as_kwargs(), "timing": timing}, schema=SCHEMA_VERSION, **header_and_provenance)

    @classmethod
    def from_json(cls, obj: Any, where: str = "summary") -> Summary:
        """A summary read back (older ones of this schema version too), or one line naming `where`."""
        if isinstance(obj, dict) and isinstance(obj.get("schema"), int):
            _check_version(obj["schema"], where)
        return _from_json(cls, obj, where)


def _check_version(schema: int, where: str) -> None:
    # Only version 1 exists: every older file loads as is. A later version adds its upgrade here.
    if schema > SCHEMA_VERSION:
        raise UserError(f"{where}: written with result schema {schema}, newer than this magma-bench "
                        f"reads ({SCHEMA_VERSION}); upgrade magma-bench")


# -- JSON <-> dataclass, and the JSON Schema, from fields + type hints ------------------------------
def _json_fields(cls: type) -> list[dataclasses.Field]:
    return [f for f in dataclasses.fields(cls) if f.metadata.get("json", True)]


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _json_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in _json_fields(cls))


def _to_json(obj: Any) -> dict[str, Any]:
    """The JSON object of a dataclass instance (nested ones too); values are not copied."""
    out = {}
    for name in _json_names(type(obj)):
        v = getattr(obj, name)
        out[name] = _to_json(v) if hasattr(v, "__dataclass_fields__") else v
    return out


def _required(f: dataclasses.Field) -> bool:
    return f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING


def _from_json(cls: type, obj: Any, where: str) -> Any:
    if not isinstance(obj, dict):
        raise UserError(f"{where}: expected a JSON object, got {_json_type(obj)}")
    known = {f.name: f for f in _json_fields(cls)}
    unknown = [k for k in obj if k not in known]
    if unknown:
        raise UserError(f"{where}: unknown key {unknown[0]!r} (this magma-bench reads result schema "
                        f"{SCHEMA_VERSION}; a newer one wrote it?)")
    missing = [k for k, f in known.items() if _required(f) and k not in obj]
    if missing:
        raise UserError(f"{where}: missing required key {missing[0]!r} (see docs/records.md)")
    hints = _hints(cls)
    return cls(**{k: _read(v, hints[k], f"{where}: {k!r}") for k, v in obj.items()})


def _read(value: Any, hint: Any, where: str) -> Any:
    if dataclasses.is_dataclass(hint):
        return _from_json(hint, value, where)
    options = _union_args(hint)
    if options is not None:
        for h in options:  # a dataclass option (TopError | None): build it when the value is an object
            if dataclasses.is_dataclass(h) and isinstance(value, dict):
                return _from_json(h, value, where)
    if not _conforms(value, hint):
        raise UserError(f"{where} is {_json_type(value)}, expected {_type_text(_schema_of(hint, {}))}")
    return value


def _union_args(hint: Any) -> tuple[Any, ...] | None:
    return typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else None


_SCALARS: dict[Any, str] = {str: "string", bool: "boolean", int: "integer", float: "number",
                            type(None): "null"}


def _conforms(value: Any, hint: Any) -> bool:
    """Whether a JSON value has the type `hint` says (ints count as numbers, booleans as neither)."""
    if hint is Any:
        return True
    if hint is float:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in _SCALARS:
        return isinstance(value, hint)
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict)
    options = _union_args(hint)
    if options is not None:
        return any(_conforms(value, h) for h in options)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return value in args
    if origin is dict:
        return isinstance(value, dict) and all(isinstance(k, str) and _conforms(v, args[1])
                                               for k, v in value.items())
    if origin is list:
        return isinstance(value, list) and all(_conforms(v, args[0]) for v in value)
    raise TypeError(f"no JSON rule for {hint!r}")


def _schema_of(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    """The JSON Schema of one type hint; dataclasses go into `defs` and are referenced."""
    if hint is Any:
        return {}
    if hint in _SCALARS:
        return {"type": _SCALARS[hint]}
    if dataclasses.is_dataclass(hint):
        if hint.__name__ not in defs:
            defs[hint.__name__] = {}  # placeholder: a recursive reference stops here
            defs[hint.__name__] = _object_schema(hint, defs)
        return {"$ref": f"#/$defs/{hint.__name__}"}
    options = _union_args(hint)
    if options is not None:
        parts = [_schema_of(h, defs) for h in options]
        if all(set(p) == {"type"} for p in parts):
            return {"type": [p["type"] for p in parts]}
        return {"anyOf": parts}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is Literal:
        return {"enum": list(args)}
    if origin is dict:
        return {"type": "object", "additionalProperties": _schema_of(args[1], defs)}
    if origin is list:
        return {"type": "array", "items": _schema_of(args[0], defs)}
    raise TypeError(f"no JSON Schema rule for {hint!r}")


def _object_schema(cls: type, defs: dict[str, Any]) -> dict[str, Any]:
    hints = _hints(cls)
    props = {}
    for f in _json_fields(cls):
        props[f.name] = {**_schema_of(hints[f.name], defs), "description": f.metadata["doc"]}
    return {"type": "object", "description": _first_paragraph(cls),
            "properties": props, "required": [f.name for f in _json_fields(cls) if _required(f)],
            "additionalProperties": False}


def _first_paragraph(cls: type) -> str:
    return " ".join((cls.__doc__ or "").strip().split("\n\n")[0].split())


def json_schema(cls: type = Record) -> dict[str, Any]:
    """A JSON Schema (draft 2020-12) of `Record` or `Summary`'s JSON form."""
    defs: dict[str, Any] = {}
    body = _object_schema(cls, defs)
    schema = {"$schema": JSON_SCHEMA_DIALECT, "title": f"magma-bench {cls.__name__}",
              "$comment": f"magma-bench result schema version {SCHEMA_VERSION}", **body}
    if defs:
        schema["$defs"] = defs
    return schema


# -- the documentation: tables rendered from the JSON Schema ---------------------------------------
def _json_type(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    return "null" if value is None else f"{type(value).__name__} {value!r}"[:80]


def _type_text(s: dict[str, Any]) -> str:
    if "$ref" in s:
        name = s["$ref"].rsplit("/", 1)[1]
        return f"[{name}](#{name.lower()})"
    if "enum" in s:
        return " or ".join(json.dumps(v) for v in s["enum"])
    if "anyOf" in s:
        return " or ".join(_type_text(p) for p in s["anyOf"])
    t = s.get("type")
    if t is None:
        return "any"
    if isinstance(t, list):
        return " or ".join(t)
    if t == "object" and "additionalProperties" in s:
        return f"object of {_type_text(s['additionalProperties'])}"
    if t == "array":
        return f"array of {_type_text(s['items'])}"
    return t


def _table(name: str, s: dict[str, Any]) -> list[str]:
    lines = [f"### {name}", "", s["description"], "", "| key | type | required | meaning |",
             "|---|---|---|---|"]
    for key, p in s["properties"].items():
        req = "yes" if key in s["required"] else "no"
        lines.append(f"| `{key}` | {_type_text(p)} | {req} | {p['description'].replace('|', '/')} |")
    return [*lines, ""]


def markdown() -> str:
    """The field tables of docs/records.md, rendered from the JSON Schemas."""
    out = [f"Result schema version {SCHEMA_VERSION}. Generated by `python -m magma_bench.run.records --markdown`; "
           "do not edit by hand.", ""]
    for cls in (Record, Summary):
        s = json_schema(cls)
        out += _table(cls.__name__, s)
        for name, d in s.get("$defs", {}).items():
            if f"### {name}" not in out:
                out += _table(name, d)
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Print the result schema: docs tables or JSON Schema.")
    g = ap.add_mutually_exclusive_group(required=True)
    g.add_argument("--markdown", action="store_true", help="the field tables of docs/records.md")
    g.add_argument("--json-schema", choices=("record", "summary"), help="the JSON Schema of one file kind")
    args = ap.parse_args(argv)
    if args.markdown:
        sys.stdout.write(markdown())
    else:
        sys.stdout.write(json.dumps(json_schema(Record if args.json_schema == "record" else Summary), indent=2))
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
