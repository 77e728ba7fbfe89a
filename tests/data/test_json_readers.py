"""The one JSON / JSON Lines reader (`hf_files.json_lines`, `parse_json`) and its callers: errors name
file:line as the file counts lines, and records holding line-separator characters survive."""

from __future__ import annotations

import json

import pytest

from magma_bench.data.hf_files import json_lines, read_json, read_json_lines_or_array
from magma_bench.errors import UserError
from magma_bench.run.store import dumps, read_jsonl

# U+2028/U+2029 and U+0085 are line breaks to str.splitlines() but plain characters inside JSON strings.
ODD = "a\u2028b\u2029c\x85d"


def test_records_with_unicode_line_separators_round_trip(tmp_path):
    path = tmp_path / "r.jsonl"
    rows = [{"id": "0", "q": ODD}, {"id": "1", "q": "plain"}]
    path.write_text("".join(dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert ODD in path.read_text(encoding="utf-8")  # written raw (ensure_ascii=False), not escaped
    assert read_jsonl(path) == rows
    assert read_json_lines_or_array(path) == rows
    assert [n for n, _ in json_lines(path)] == [1, 2]


@pytest.mark.parametrize("text, readers", [
    ('{"id": 1}\n\n{"id": \n', (read_jsonl, read_json_lines_or_array)),  # JSON Lines, a blank line before
    ('[\n  {"id": 1},\n  {"id": 2,}\n]\n', (read_json, read_json_lines_or_array)),  # one array over lines
])
def test_bad_json_is_named_by_its_file_line(tmp_path, text, readers):
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")
    for read in readers:
        with pytest.raises(UserError, match=r"f\.json:3: not valid JSON"):
            read(path)


def test_a_json_array_file_reads_whole(tmp_path):
    path = tmp_path / "a.json"
    path.write_text(json.dumps([{"id": 1}]), encoding="utf-8")
    assert read_json(path) == read_json_lines_or_array(path) == [{"id": 1}]


def test_jsonl_of_runs_wants_objects_and_utf8(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text('{"id": 1}\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(UserError, match=r"r\.jsonl:2: expected a JSON object, got list"):
        read_jsonl(path)
    path.write_bytes(b'{"id": 1}\n{"id": "\xff"}\n')
    with pytest.raises(UserError, match=r"r\.jsonl:2: not UTF-8 text"):
        read_jsonl(path)
