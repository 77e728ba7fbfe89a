"""The typed record and summary: the JSON Schema generated from the dataclasses validates what real
runs write (static and closed loop), records read back key for key, a record missing a required key
or of a newer schema is refused in one line naming file and record, and docs/records.md is what
`python -m magma_bench.run.records --markdown` prints. The schema checks use `jsonschema` where it is
installed; the dataclass round-trip checks run everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from mb_fake_env import LineEnv, SlotPolicy, make_episodes

from magma_bench.adapter import Adapter
from magma_bench.errors import UserError
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.records import SCHEMA_VERSION, Record, Summary, json_schema, markdown, read_records
from magma_bench.run.rollout import run_episodes
from magma_bench.run.runner import run
from magma_bench.run.store import RECORDS, SUMMARY, RunStore

try:
    import jsonschema
except ImportError:  # not a dependency of magma-bench: the schema checks below are skipped
    jsonschema = None

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ("<!-- generated: python -m magma_bench.run.records --markdown -->", "<!-- end generated -->")


class FailsSome(Adapter):
    """Echoes the reference, but raises for every third request: a run with errored records."""

    name = "fails_some"

    def generate(self, requests):
        if any(r.id.endswith(("0", "3", "6")) for r in requests) and len(requests) > 1:
            raise RuntimeError("batch")  # the evaluator retries one at a time
        if requests[0].id.endswith(("0", "3", "6")):
            raise RuntimeError(f"boom on {requests[0].id}")
        return [r.reference for r in requests]


@pytest.fixture(scope="module")
def static_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("static")
    mp = pytest.MonkeyPatch()
    mp.setenv("MAGMA_BENCH_DATA", str(tmp / "data"))
    try:
        summary = run(RunConfig(benchmark="pope", adapter="fails_some", n=30, out=tmp / "runs", batch_size=4),
                      adapter=FailsSome())
    finally:
        mp.undo()
    assert summary["errors"] > 0 and summary["top_error"] is not None  # errored records are covered
    return Path(summary["run_dir"])


@pytest.fixture(scope="module")
def episode_records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("closed_loop") / "run"
    store = RunStore(root)
    done = store.open({"schema": SCHEMA_VERSION})
    env = LineEnv()
    try:
        run_episodes(env, SlotPolicy(raise_at={"ep3": 1}), make_episodes(6, max_steps=4), store, done)
    finally:
        env.close()
        store.close()
    return root / RECORDS


def _lines(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text().splitlines()]


def _schema_errors(cls: type, obj: dict) -> list[str]:
    """What the generated JSON Schema (itself checked against draft 2020-12) finds wrong with obj."""
    if jsonschema is None:
        pytest.skip("jsonschema is not installed")
    schema = json_schema(cls)
    jsonschema.Draft202012Validator.check_schema(schema)
    return [e.message for e in jsonschema.Draft202012Validator(schema).iter_errors(obj)]


def test_schema_validates_what_a_static_run_writes(static_run: Path) -> None:
    records, summary = _lines(static_run / RECORDS), json.loads((static_run / SUMMARY).read_text())
    assert any(r["error"] for r in records) and "official_id" in records[0]
    for rec in records:
        assert _schema_errors(Record, rec) == [], rec
    assert _schema_errors(Summary, summary) == []


def test_schema_validates_closed_loop_records(episode_records: Path) -> None:
    records = _lines(episode_records)
    assert any(r["error"] for r in records)
    for rec in records:
        assert "official_id" not in rec and {"success", "steps"} <= rec["scores"].keys()
        assert _schema_errors(Record, rec) == [], rec


def test_records_and_summary_read_back_key_for_key(static_run: Path, episode_records: Path) -> None:
    """from_json -> to_json gives the same object, key order included (so rewriting is lossless)."""
    for path in (static_run / RECORDS, episode_records):
        for rec, line in zip(read_records(path), _lines(path), strict=True):
            assert list(rec.to_json().items()) == list(line.items())
    summary = json.loads((static_run / SUMMARY).read_text())
    assert Summary.from_json(summary).to_json() == summary
    assert read_records(episode_records)[0].closed_loop and not read_records(static_run / RECORDS)[0].closed_loop


def test_a_record_missing_a_required_key_is_refused_in_one_line(static_run: Path, tmp_path: Path) -> None:
    lines = _lines(static_run / RECORDS)
    broken = {k: v for k, v in lines[1].items() if k != "timing"}
    bad = tmp_path / RECORDS
    bad.write_text("\n".join(json.dumps(r) for r in [lines[0], broken]) + "\n")
    with pytest.raises(UserError) as e:
        read_records(bad)
    msg = str(e.value)
    assert str(bad) in msg and repr(broken["id"]) in msg and "'timing'" in msg and "\n" not in msg
    if jsonschema is not None:
        assert _schema_errors(Record, broken) == ["'timing' is a required property"]


@pytest.mark.parametrize("change, says", [
    ({"scores": {"accuracy": "1"}}, "'scores' is an object, expected object of number"),
    ({"timing": {"model_s": 0.1}}, "'timing': missing required key 'harness_s'"),
    ({"extra": 1}, "unknown key 'extra'"),
    ({"id": 7}, "'id' is int 7, expected string"),
])
def test_wrong_shapes_are_named(static_run: Path, change: dict, says: str) -> None:
    rec = {**_lines(static_run / RECORDS)[0], **change}
    with pytest.raises(UserError, match=says.replace("(", r"\(")):
        Record.from_json(rec, "f.jsonl")
    if jsonschema is not None:
        assert _schema_errors(Record, rec)


def test_a_newer_schema_is_refused_and_an_older_summary_loads(static_run: Path) -> None:
    rec = _lines(static_run / RECORDS)[0]
    with pytest.raises(UserError, match=f"result schema {SCHEMA_VERSION + 1}, newer .* upgrade"):
        Record.from_json(rec, "f.jsonl", schema=SCHEMA_VERSION + 1)
    summary = json.loads((static_run / SUMMARY).read_text())
    with pytest.raises(UserError, match="newer"):
        Summary.from_json({**summary, "schema": SCHEMA_VERSION + 1})
    # summaries written before error_rate / top_error / warnings existed (same schema version) still load
    old = {k: v for k, v in summary.items() if k not in ("error_rate", "top_error", "warnings")}
    loaded = Summary.from_json(old)
    assert loaded.errors == summary["errors"] and loaded.top_error is None and loaded.warnings == []


def test_docs_show_the_generated_tables() -> None:
    doc = (ROOT / "docs" / "records.md").read_text()
    start, end = doc.index(GENERATED[0]) + len(GENERATED[0]), doc.index(GENERATED[1])
    assert doc[start:end].strip() == markdown().strip(), \
        "docs/records.md is stale: paste `python -m magma_bench.run.records --markdown` between its markers"


def test_cli_prints_the_schema() -> None:
    out = subprocess.run([sys.executable, "-m", "magma_bench.run.records", "--json-schema", "summary"],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    assert json.loads(out.stdout) == json_schema(Summary)
    assert out.stderr == ""  # no runpy warning: `import magma_bench` leaves magma_bench.run.records unloaded
    assert json_schema(Record)["$schema"] == "https://json-schema.org/draft/2020-12/schema"
