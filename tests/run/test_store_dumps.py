"""Records are strict JSON: no NaN/Infinity tokens, whatever a parser or scorer put in them."""

from __future__ import annotations

import json
import math

import numpy as np

from magma_bench.run.store import RECORDS, RunStore, dumps, read_jsonl


def _strict(line: str):
    def refuse(name: str):
        raise ValueError(f"non-standard constant {name}")

    return json.loads(line, parse_constant=refuse)


def test_non_finite_floats_become_null():
    rec = {"id": "x", "parsed": {"point": [float("inf"), float("-inf")], "v": float("nan")},
           "scores": {"accuracy": 0.0}, "np": np.array([1.5, np.nan], dtype=np.float32), "n32": np.float32("inf"),
           "big": 10 ** 5000, "keys": {float("nan"): 1, 2.5: 2, True: 4}}
    back = _strict(dumps(rec))
    assert back["parsed"] == {"point": [None, None], "v": None}
    assert back["np"] == [1.5, None] and back["n32"] is None and back["big"] is None
    assert back["keys"] == {"null": 1, "2.5": 2, "true": 4}  # as json.dumps writes keys
    assert back["scores"] == {"accuracy": 0.0}


def test_finite_records_are_byte_identical_to_plain_json():
    rec = {"id": "ß-1", "parsed": [1.0, 2], "t": (1, 2), "s": {3, 1}, "x": 0.1}
    assert dumps(rec) == '{"id":"ß-1","parsed":[1.0,2],"t":[1,2],"s":[1,3],"x":0.1}'
    assert not math.isnan(_strict(dumps({"v": 1e308}))["v"])


def test_a_cycle_does_not_crash_the_writer():
    x: list = []
    x.append(x)
    assert _strict(dumps({"x": x})) == {"x": ["<cycle>"]}


def test_records_file_round_trips_strictly(tmp_path):
    store = RunStore(tmp_path)
    store.open({"schema": 1})
    try:
        store.append([{"id": "a", "parsed": {"point": [float("inf"), 0.5]}, "scores": {"accuracy": 0.0}}])
    finally:
        store.close()
    lines = (tmp_path / RECORDS).read_text().splitlines()
    assert [_strict(line)["parsed"] for line in lines] == [{"point": [None, 0.5]}]
    assert read_jsonl(tmp_path / RECORDS)[0]["id"] == "a"


def test_summary_files_are_strict_json_too(tmp_path):
    import json

    from magma_bench.run.store import write_json_atomic

    def refuse(token):
        raise ValueError(token)

    write_json_atomic(tmp_path / "summary.json", {"headline": float("nan"), "ci95": [float("-inf"), 1.0]})
    data = json.loads((tmp_path / "summary.json").read_text(), parse_constant=refuse)
    assert data == {"headline": None, "ci95": [None, 1.0]}
