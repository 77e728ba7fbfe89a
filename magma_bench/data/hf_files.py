"""Reading benchmark files the way their authors publish them.

Hub snapshots (parquet / arrow shards) are read through HF `datasets` with local `data_files`
or `load_from_disk`, never from the network. Images embedded in rows (`{"bytes", "path"}`) are
written once to a cache directory so requests carry paths, not pixels.

Official files arrive broken in many small ways (a non-UTF-8 byte, a record that is not an
object, a value of the wrong type, a truncated file). Every reader here turns those into one
UserError line naming the file, and loaders convert each record inside `record_context`, which
adds the record's index or id, so no malformed file ends in a traceback.
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency, UserError


def find_files(data_dir: Path, patterns: tuple[str, ...]) -> list[Path]:
    out: list[Path] = []
    for pat in patterns:
        out.extend(sorted(Path(data_dir).rglob(pat)))
    return [p for p in out if ".magma_cache" not in p.parts]


def load_hf_rows(data_dir: Path, split: str | None = None) -> list[dict[str, Any]]:
    """Rows of a local HF dataset: a `save_to_disk` directory (through `datasets`), or the parquet
    shards of a hub snapshot, preferring files whose name contains the split. Parquet is read with
    pyarrow directly (what `datasets` does underneath, without building a cache copy); image
    columns stay `{"bytes", "path"}` dicts for `materialize_image`."""
    data_dir = Path(data_dir)
    if (data_dir / "dataset_info.json").exists() or (data_dir / "dataset_dict.json").exists():
        try:
            import datasets
        except ImportError:
            raise MissingDependency("reading a saved HF dataset needs `datasets` (pip install 'magma-bench[data]')") from None
        ds = datasets.load_from_disk(str(data_dir))
        if isinstance(ds, datasets.DatasetDict):
            if split not in ds:
                raise UserError(f"{data_dir}: no split {split!r} (has {', '.join(ds)})")
            ds = ds[split]
        if "image" in ds.column_names:
            ds = ds.cast_column("image", datasets.Image(decode=False))
        return list(ds)
    shards = find_files(data_dir, ("*.parquet",))
    if split:
        chosen = [p for p in shards if split in p.name or split in p.parent.name]
        shards = chosen or shards
    if not shards:
        raise UserError(f"{data_dir}: no parquet shards or saved dataset found")
    return read_parquet(shards)


def read_parquet(shards: Sequence[Path]) -> list[dict[str, Any]]:
    """The rows of these parquet shards, in order; an unreadable one is one line naming it."""
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise MissingDependency("reading parquet files needs pyarrow (pip install 'magma-bench[data]')") from None
    rows: list[dict[str, Any]] = []
    for path in shards:
        try:
            rows.extend(pq.read_table(path).to_pylist())
        except Exception as e:  # pyarrow raises several types for a bad file
            raise UserError(f"{path}: not a readable parquet file ({e})") from None
    return rows


def read_text(path: Path) -> str:
    """A UTF-8 text file; a bad byte is one line naming the file, the line and the byte offset."""
    try:
        return Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        line = e.object[:e.start].count(b"\n") + 1
        raise UserError(f"{path}:{line}: not UTF-8 text (byte {e.object[e.start]:#04x} at offset {e.start})") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, expected a file") from None


def parse_json(text: str | bytes, path: Path, lineno: int = 1) -> Any:
    """`text` (from `path`, starting on line `lineno`) as JSON; bad JSON is one line naming file:line."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise UserError(f"{path}:{lineno + e.lineno - 1}: not valid JSON ({e.msg})") from None


def read_json(path: Path) -> Any:
    """A whole JSON document; bad bytes or bad JSON are one line naming file:line. A missing or
    unreadable file stays an OSError, for the caller to say what the file was for."""
    return parse_json(read_text(path), path)


def json_lines(path: Path, text: str | None = None) -> Iterator[tuple[int, Any]]:
    """(line number, value) per non-blank line of a JSON Lines file (`text`: its contents, when
    already read); bad bytes or a bad line are one line naming file:line. Lines end at "\n" only:
    a record may hold U+2028 and the like unescaped (`ensure_ascii=False` writes them so)."""
    text = read_text(path) if text is None else text
    for lineno, line in enumerate(text.split("\n"), 1):
        if line.strip():
            yield lineno, parse_json(line, path, lineno)


def read_json_lines_or_array(path: Path) -> list[dict[str, Any]]:
    """A file that is either a JSON array or JSON Lines (both forms exist in official releases).
    Records are returned as they are; loaders check each one (`require_fields`)."""
    text = read_text(path)
    if not text.lstrip().startswith("["):
        return [row for _, row in json_lines(path, text)]
    data = parse_json(text, path)
    if not isinstance(data, list):
        raise UserError(f"{path}: expected a JSON array or JSON Lines, got a {type(data).__name__}")
    return data


def materialize_image(image: Any, cache_dir: Path, key: str) -> Path:
    """Path to an image given as a path, `{"bytes", "path"}` dict or PIL image; bytes are cached."""
    if isinstance(image, (str, Path)):
        return Path(image)
    if isinstance(image, dict) and image.get("bytes") is None and isinstance(image.get("path"), str):
        return Path(image["path"])
    if isinstance(image, dict):
        data = image.get("bytes")
        if not isinstance(data, bytes):
            raise TypeError(f"image has neither bytes nor a path: {str(image)[:80]}")
    elif not hasattr(image, "save"):
        raise TypeError(f"image must be a path, a {{bytes, path}} object or a PIL image, got {image!r}"[:200])
    else:  # PIL image
        buf = io.BytesIO()
        image.save(buf, format="PNG")
        data = buf.getvalue()
    digest = hashlib.sha1(data).hexdigest()[:16]
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{key}-{digest}.img"
    if not path.exists():
        path.write_bytes(data)
    return path


Types = type | tuple[type, ...]


def require_fields(row: Any, fields: tuple[str, ...] | dict[str, Types], where: str,
                   null_is_missing: bool = False) -> None:
    """`row` is an object holding every field; with a dict of field -> type(s), each field also
    has that type (a question that is a list, an id that is an object: one line, not a crash).
    `null_is_missing`: a null value counts as missing (hub parquet rows carry every column)."""
    if not isinstance(row, dict):
        raise UserError(f"{where}: expected an object, got {_kind(row)}")
    missing = [f for f in fields if f not in row or (null_is_missing and row[f] is None)]
    if missing:
        raise UserError(f"{where}: missing field(s) {', '.join(missing)}")
    if isinstance(fields, dict):
        for f, t in fields.items():
            if not isinstance(row[f], t) or (isinstance(row[f], bool) and bool not in _tuple(t)):
                want = " or ".join(x.__name__ for x in _tuple(t))
                raise UserError(f"{where}: field {f!r} should be {want}, got {_kind(row[f])}")


def _tuple(t: Types) -> tuple[type, ...]:
    return t if isinstance(t, tuple) else (t,)


def _kind(v: Any) -> str:
    """How a wrong value is named in an error: its JSON-ish type, and the value when it is short."""
    if v is None:
        return "null"
    if isinstance(v, (bool, int, float)):
        return f"{type(v).__name__} {v!r}"
    return type(v).__name__


@contextmanager
def record_context(path: Any, record: Any) -> Iterator[None]:
    """Convert one record inside this block: a KeyError, TypeError, ValueError, AttributeError or
    IndexError raised there (a field missing or of the wrong type, a non-UTF-8 string) becomes
    UserError("<path>: record <record>: <what>"). UserErrors pass through unchanged."""
    try:
        yield
    except KeyError as e:
        raise UserError(f"{path}: record {record}: missing field {e.args[0]!r}") from None
    except UnicodeDecodeError as e:
        raise UserError(f"{path}: record {record}: not UTF-8 text ({e.reason} at byte {e.start})") from None
    except (TypeError, ValueError, AttributeError, IndexError) as e:
        raise UserError(f"{path}: record {record}: bad value ({type(e).__name__}: {str(e)[:200]})") from None
