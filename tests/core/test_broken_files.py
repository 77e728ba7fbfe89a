"""Broken official files end in one clear line, never a traceback.

For every benchmark with an official loader, a tiny offline suite (written in the official schema)
is generated once per session; each case copies it, breaks ONE thing in its first record file
(a non-UTF-8 byte, a record that is not an object, a value of the wrong type, a missing key, a
zero-byte or truncated file, a null or integer image field, a missing image file) and runs
`magma-bench run --adapter oracle` in process. The run must either fail with exactly one line that
names the file (and the record, for record-level breaks), or finish, with the break recorded as a
per-sample error where the break makes a sample unusable (a run where every sample errored exits 2
with one line naming the most common error). An exception escaping `main` (a
traceback) fails the test.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from magma_bench.cli.main import main
from magma_bench.registry import make_benchmark

N = 3
UI = {"screenspot", "screenspot_pro", "visualwebbench", "mind2web", "aitw"}  # need Chromium to generate
BENCHMARKS = ["pope", "vqav2", "textvqa", "gqa", "chartqa", "docvqa", "mme", "vsr", "blink", "spatialeval",
              "nextqa", "intentqa", "mvbench", "videomme", *sorted(UI)]
AUX = {"MAGMA_BENCH_GENERATED.json", "som_candidates.json", "map_vid_vidorID.json"}
IMAGE_KEYS = ("image", "img_filename", "imgname", "video")
# Breaks that make a record or file unusable: they must be reported (as one line or a sample error).
MUST_REPORT = {"non_utf8", "not_object", "truncated", "null_image", "int_image", "missing_media"}
RECORD_LEVEL = {"not_object", "wrong_type", "missing_key", "null_image", "int_image"}


# -- the suites, generated once per session ------------------------------------------------------
@pytest.fixture(scope="session")
def suites(tmp_path_factory):
    root = tmp_path_factory.mktemp("official")
    made: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in made:
            bench = make_benchmark(name)
            ok, why = bench.availability()
            if not ok:
                pytest.skip(why)
            if name in UI and not Path("/usr/bin/chromium").exists():
                pytest.skip("generating UI suites needs Chromium (/usr/bin/chromium)")
            d = root / name
            d.mkdir()
            bench.generate(d, N, 0)
            made[name] = d
        return made[name]

    return get


PICK = {"spatialeval": "vqa/", "mind2web": "test_task"}  # what the default variant and split read


def record_file(root: Path, name: str) -> Path:
    """The first official record file of a suite (not the marker or auxiliary files)."""
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name not in AUX
                   and p.suffix in (".json", ".jsonl", ".csv", ".parquet", ".txt")
                   and PICK.get(name, "") in str(p.relative_to(root)))
    return files[0]


def load_doc(text: str, suffix: str) -> tuple[Any, bool]:
    """(document, is JSON Lines). POPE's `.json` files are JSON Lines; a one-line file is JSON Lines
    when its object is itself a record (no nested records)."""
    rows = [x for x in text.splitlines() if x.strip()]
    if suffix == ".jsonl" or len(rows) > 1 and all(r.lstrip().startswith("{") for r in rows):
        try:
            return [json.loads(r) for r in rows], True
        except json.JSONDecodeError:
            pass
    doc = json.loads(text)
    if isinstance(doc, dict) and not any(isinstance(v, dict | list) and v and (isinstance(v, dict) or
                                         isinstance(v[0], dict | list)) for v in doc.values()):
        return [doc], True
    return doc, False


# -- breaking one thing --------------------------------------------------------------------------
def _first_record(doc: Any) -> tuple[Any, Any]:
    """(container, key) of the first record object inside a JSON document: the first element of
    the record list (descending through {split: [...]} objects and lists of episodes), or the first
    value of an object of records keyed by id (GQA)."""
    node = doc
    while True:
        if isinstance(node, list):
            if node and isinstance(node[0], dict):
                return node, 0
            node = node[0]
        elif isinstance(node, dict):
            lists = [k for k, v in node.items() if isinstance(v, list) and v]
            if lists:
                node = node[lists[0]]
            else:
                return node, next(iter(node))


def _wrong(v: Any) -> Any:
    return 7 if isinstance(v, dict) else {"bad": [1]}


def variants(path: Path) -> list[tuple[str, str | None]]:
    """(break, key) cases that apply to a record file."""
    common = [("zero_byte", None), ("truncated", None)]
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        cols = pq.read_schema(path).names
    elif path.suffix == ".csv":
        cols = next(csv.reader(io.StringIO(path.read_text())))
        return [("non_utf8", None), *common, *((b, c) for c in cols for b in ("wrong_type", "missing_key"))]
    elif path.suffix == ".txt":
        return [("non_utf8", None), *common]
    else:
        doc, _ = load_doc(path.read_text(), path.suffix)
        box, key = _first_record(doc)
        cols = list(box[key])
        common = [("non_utf8", None), ("not_object", None), *common]
    images = [("null_image", k) for k in cols if k in IMAGE_KEYS] + [("int_image", k) for k in cols if k in IMAGE_KEYS]
    return [*common, *images, *((b, c) for c in cols for b in ("wrong_type", "missing_key"))]


def break_file(path: Path, kind: str, key: str | None) -> None:
    data = path.read_bytes()
    if kind == "zero_byte":
        path.write_bytes(b"")
    elif kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "non_utf8":
        at = data.find(b'"', data.find(b":")) + 1 if path.suffix in (".json", ".jsonl") else data.find(b"\n") + 1
        path.write_bytes(data[:at] + b"\xff" + data[at:])
    elif path.suffix == ".parquet":
        _break_parquet(path, kind, key)
    elif path.suffix == ".csv":
        rows = list(csv.reader(io.StringIO(data.decode())))
        j = rows[0].index(key)
        if kind == "missing_key":
            rows = [r[:j] + r[j + 1:] for r in rows]
        else:
            rows[1][j] = "{bad}"
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerows(rows)
        path.write_text(buf.getvalue())
    else:
        doc, lines = load_doc(data.decode(), path.suffix)
        box, k = _first_record(doc)
        rec = box[k]
        if kind == "not_object":
            box[k] = 42
        elif kind == "wrong_type":
            rec[key] = _wrong(rec[key])
        elif kind == "missing_key":
            del rec[key]
        else:
            rec[key] = None if kind == "null_image" else 7
        path.write_text("".join(json.dumps(r) + "\n" for r in doc) if lines else json.dumps(doc))


def _break_parquet(path: Path, kind: str, key: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    t = pq.read_table(path)
    j = t.schema.get_field_index(key)
    if kind == "missing_key":
        t = t.remove_column(j)
    else:
        n = t.num_rows
        if kind == "null_image":
            col = pa.array([None] * n, type=t.schema.field(j).type)
        elif kind == "int_image" or pa.types.is_string(t.schema.field(j).type):
            col = pa.array([7] * n)
        else:
            col = pa.array(['{"bad": 1}'] * n)
        t = t.set_column(j, key, col)
    pq.write_table(t, path)


def first_media(name: str, suite: Path) -> Path | None:
    """The image or video file of the first sample, relative to the suite (None when embedded)."""
    inputs = make_benchmark(name).load(suite, make_benchmark(name).check_split(None))[0].inputs
    path = Path(str(inputs.get("image") or inputs.get("video") or (inputs.get("images") or [""])[0]))
    if not path.is_file() or ".magma_cache" in path.parts or not path.is_relative_to(suite):
        return None
    return path.relative_to(suite)


# -- the check -----------------------------------------------------------------------------------
def check(case: Path, broken: Path, kind: str, rc: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err, err
    every_sample_errored = rc != 0 and "every sample errored" in err  # per-sample errors, exit 2
    if rc == 0 or every_sample_errored:
        summary = json.loads(out)
        if every_sample_errored:
            assert summary["errors"] == summary["n"] > 0 and len(err.strip().splitlines()) == 1, err
        if kind in MUST_REPORT:
            assert summary["errors"] >= 1 or summary["n"] == 0 and kind == "truncated", (
                f"{kind} in {broken.name} went unnoticed: {summary}")
        return
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got:\n{err}"
    line = lines[0]
    assert line.startswith("magma-bench: error: "), line
    ancestors = [broken, *broken.relative_to(case).parents]
    assert any(f"{case / a if a != broken else a}:" in line for a in ancestors), f"names no file: {line}"
    if kind in RECORD_LEVEL:
        assert re.search(r"record|row|question|episode|annotation|sample id|:\d+", line), f"names no record: {line}"


@pytest.mark.parametrize("name", BENCHMARKS)
def test_one_break_at_a_time_ends_in_one_line(name, suites, tmp_path, capsys):
    """Every applicable break of the suite's first record file, one run each."""
    suite = suites(name)
    capsys.readouterr()  # what generation printed
    rel = record_file(suite, name).relative_to(suite)
    todo = variants(suite / rel)
    media = first_media(name, suite)
    if media is not None:
        todo.append(("missing_media", None))
    failures = []
    for k, (kind, key) in enumerate(todo):
        case = tmp_path / f"c{k}"
        shutil.copytree(suite, case)
        if kind == "missing_media":
            (case / media).unlink()
        else:
            break_file(case / rel, kind, key)
        try:
            rc = main(["run", "-b", name, "-a", "oracle", "--data-dir", str(case), "--out",
                       str(tmp_path / f"r{k}"), "--json"])
        except Exception as e:  # noqa: BLE001 - a traceback: collected, so one run lists them all
            failures.append(f"{kind}[{key}]: traceback: {type(e).__name__}: {e}")
            capsys.readouterr()
            continue
        out, err = capsys.readouterr()
        try:
            check(case, case / rel, kind, rc, out, err)
        except AssertionError as e:
            failures.append(f"{kind}[{key}]: {e}")
        shutil.rmtree(case)
    assert not failures, f"{name} ({rel}):\n" + "\n".join(failures)
