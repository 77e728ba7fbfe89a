"""The run directory: what a run has produced, kept so that a killed run loses at most one batch.

    <out>/<benchmark>/<split>/<adapter>-<config hash>/
        manifest.json   header: schema, arguments, adapter describe(), revision, versions (written once)
        records.jsonl   one JSON object per sample, appended, flushed and fsync'ed per batch
        summary.json    headline, sub-metrics, CI, timings (rewritten atomically at the end)

A SIGKILL can leave a partial last line in records.jsonl; opening the store cuts it off, so
resuming never reads half a record and never writes a duplicate.

One writer per records file: `open` takes a non-blocking `flock` on `.writer.lock` (exclusive for
the main writer, shared for shard writers, which also lock their own `.writer-<shard>.lock`), so
two identical runs into one directory cannot both evaluate every sample; the second is refused
with one line. The kernel drops the lock when its holder exits, SIGKILL included.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import math
import os
import uuid
from pathlib import Path
from typing import Any

from magma_bench.data.hf_files import json_lines
from magma_bench.errors import UserError

RECORDS = "records.jsonl"
SUMMARY = "summary.json"
MANIFEST = "manifest.json"
LOCK = ".writer.lock"


def config_hash(config: dict[str, Any]) -> str:
    """sha256 of the canonical JSON of what determines the records (not the sample limit)."""
    blob = json.dumps(config, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def dumps(obj: Any) -> str:
    """Canonical one-line strict JSON used for every record (byte-reproducible). Python's json
    writes NaN/Infinity as bare tokens that strict parsers (JavaScript, jq, pandas' ujson, Go) reject,
    so non-finite floats become null, as do ints past Python's int-to-text digit limit. Records
    almost never hold either: the plain dump is tried first and only a refusal pays for the copy."""
    try:
        return _dump(obj)
    except (ValueError, TypeError):  # non-finite float, int past the digit limit, cycle, odd dict key
        return _dump(_strict(obj, set()))


def _dump(obj: Any) -> str:
    return json.dumps(obj, sort_keys=False, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_jsonable)


_MAX_INT_BITS = 14_000  # about 4,200 decimal digits: under sys.get_int_max_str_digits()'s default 4,300


def _strict(o: Any, seen: set[int]) -> Any:
    """A copy of o that json.dumps(allow_nan=False) accepts: non-finite floats and huge ints -> None,
    other objects through `_jsonable`, a container inside itself -> "<cycle>"."""
    if isinstance(o, bool) or o is None or isinstance(o, str):
        return o
    if isinstance(o, float):
        return o if math.isfinite(o) else None
    if isinstance(o, int):
        return o if o.bit_length() <= _MAX_INT_BITS else None
    if isinstance(o, dict | list | tuple):
        if id(o) in seen:
            return "<cycle>"
        seen = seen | {id(o)}
        if isinstance(o, dict):
            return {_key(k): _strict(v, seen) for k, v in o.items()}
        return [_strict(v, seen) for v in o]
    return _strict(_jsonable(o), seen)


def _key(k: Any) -> str:
    """A dict key as json writes it (true, null, 1.5), non-finite or huge numbers as null."""
    if isinstance(k, str):
        return k
    if k is None or isinstance(k, bool | int | float):
        return json.dumps(_strict(k, set()))
    return str(k)


def _jsonable(o: Any) -> Any:
    """What json cannot write itself: numpy values as Python ones, sets sorted, paths as text,
    anything else as its str()."""
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, (set, frozenset)):
        return sorted(o)
    if hasattr(o, "__fspath__"):
        return os.fspath(o)
    return str(o)


def write_json_atomic(path: Path, obj: Any) -> None:
    """Write via a temporary file unique to this writer, then rename: several shard workers may
    write the same run directory's files at once. Strict JSON, like records: a non-finite number
    (a NaN metric) is written as null."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    with open(tmp, "w") as f:
        json.dump(_strict(obj, set()), f, indent=2, sort_keys=True, allow_nan=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Every JSON object in a JSONL file; a bad line raises UserError naming file:line."""
    out = []
    for lineno, obj in json_lines(path):
        if not isinstance(obj, dict):
            raise UserError(f"{path}:{lineno}: expected a JSON object, got {type(obj).__name__}")
        out.append(obj)
    return out


class RunStore:
    """One run directory. With `shard`, this writer appends to its own `records.shard-<shard>.jsonl`
    (several workers can share the directory); every writer sees every finished record, so no
    sample is evaluated twice, and `consolidate` folds the shards into records.jsonl."""

    def __init__(self, root: Path, shard: str | None = None) -> None:
        self.root = Path(root)
        self.shard = shard
        self._fh: Any = None
        self._locks: list[Any] = []

    @property
    def records_path(self) -> Path:
        return self.root / (RECORDS if self.shard is None else f"records.shard-{self.shard}.jsonl")

    def shard_files(self) -> list[Path]:
        return sorted(self.root.glob("records.shard-*.jsonl"))

    def open(self, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
        """Create the directory (or reopen it) and return the records already there, by id."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            probe = self.root / f".write-test.{os.getpid()}.{uuid.uuid4().hex[:8]}"
            probe.write_text("")
            probe.unlink()
        except OSError as e:
            raise UserError(f"cannot write the run directory {self.root}: {e.strerror}; "
                            f"choose another --out") from None
        # The main writer excludes everyone; shard writers exclude only their own shard's twin.
        self._lock(self.root / LOCK, exclusive=self.shard is None)
        if self.shard is not None:
            self._lock(self._shard_lock(self.shard), exclusive=True)
        try:
            return self._open_records(manifest)
        except BaseException:
            self.close()
            raise

    def _open_records(self, manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
        mpath = self.root / MANIFEST
        if not mpath.exists():
            write_json_atomic(mpath, manifest)
        done: dict[str, dict[str, Any]] = {}
        for path in [self.root / RECORDS, *self.shard_files()]:
            done.update(self._recover(path, own=path == self.records_path))
        self._fh = open(self.records_path, "a", encoding="utf-8")
        return done

    @staticmethod
    def _recover(path: Path, own: bool) -> dict[str, dict[str, Any]]:
        """Finished records of one file. A partial last line (left by a kill) is ignored, and cut
        off when the file is this writer's own, so appends start on a fresh line."""
        if not path.exists():
            return {}
        with open(path, "rb") as f:
            data = f.read()
        end = data.rfind(b"\n") + 1
        if own and end < len(data):
            with open(path, "r+b") as f:
                f.truncate(end)
                f.flush()
                os.fsync(f.fileno())
        done: dict[str, dict[str, Any]] = {}
        for lineno, line in enumerate(data[:end].splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError as e:
                raise UserError(f"{path}:{lineno}: corrupt record ({e.msg}); move the file aside "
                                f"to start over, or fix that line") from None
            done[rec["id"]] = rec
        return done

    def append(self, records: list[dict[str, Any]]) -> None:
        if not records:
            return
        self._fh.write("".join(dumps(r) + "\n" for r in records))
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        """Close the records file and release this writer's locks."""
        if self._fh is not None:
            self._fh.close()
            self._fh = None
        for fh in reversed(self._locks):
            fh.close()  # closing the descriptor drops the flock
        self._locks = []

    def _shard_lock(self, shard: str) -> Path:
        return self.root / f".writer-{shard}.lock"

    def _lock(self, path: Path, exclusive: bool) -> None:
        """Take a non-blocking flock on `path` (kept open until `close`), or refuse in one line.
        The holder's pid is written into the file only to name it in that line."""
        fh = open(path, "a+")
        try:
            fcntl.flock(fh.fileno(), (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB)
        except OSError as e:
            fh.seek(0)
            holder = fh.read().split("\n", 1)[0].strip()
            fh.close()
            self.close()
            if e.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                raise
            who = f"pid {holder}" if holder.isdigit() else "pid unknown"
            raise UserError(f"run directory {self.root} is being written by another process ({who}); "
                            f"wait for it or choose another --out") from None
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._locks.append(fh)

    def consolidate(self, records: list[dict[str, Any]]) -> None:
        """Rewrite records.jsonl as exactly `records` (in their order) and remove shard files:
        the result is the file an uninterrupted single-process run writes."""
        tmp = self.root / f"{RECORDS}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write("".join(dumps(r) + "\n" for r in records))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, self.root / RECORDS)
        for p in self.shard_files():
            p.unlink()
        if self._locks and self.shard is None:  # shard writers are excluded while we hold the main lock
            for p in self.root.glob(".writer-*.lock"):
                p.unlink(missing_ok=True)


def load_run(run_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]], dict[str, Any] | None]:
    """(manifest, records, summary or None) of a finished or partial run directory."""
    run_dir = Path(run_dir)
    mpath = run_dir / MANIFEST
    if not mpath.exists():
        raise UserError(f"{run_dir}: not a run directory (no {MANIFEST})")
    manifest = json.loads(mpath.read_text())
    records = read_jsonl(run_dir / RECORDS) if (run_dir / RECORDS).exists() else []
    spath = run_dir / SUMMARY
    summary = json.loads(spath.read_text()) if spath.exists() else None
    return manifest, records, summary


def find_runs(root: Path) -> list[Path]:
    """Every run directory (one holding a manifest) under root, sorted."""
    root = Path(root)
    if (root / MANIFEST).exists():
        return [root]
    return sorted(p.parent for p in root.rglob(MANIFEST))
