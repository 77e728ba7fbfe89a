"""Runs at the edges: no samples (an empty split, --limit 0), a full disk or read-only output, a
generation killed mid-way. Each ends cleanly or in one line, never in a traceback."""

import errno
import os
import subprocess
import sys

import pytest

from magma_bench.cli.main import main
from magma_bench.registry import make_benchmark
from magma_bench.run.runner import ensure_offline, offline_dir


def _run(capsys, *args):
    rc = main(["run", "-b", "pope", "-a", "oracle", "--n", "6", *args])
    out, err = capsys.readouterr()
    return rc, out, err


def test_limit_zero_formats_n0_everywhere(tmp_path, capsys):
    out_dir = tmp_path / "runs"
    rc, out, err = _run(capsys, "--limit", "0", "--out", str(out_dir))
    assert rc == 0, err
    assert "pope × oracle: n/a (n=0, errors=0, data=offline)" in out
    rc, out, err = _run(capsys, "--limit", "0", "--out", str(out_dir), "--json")
    assert rc == 0 and '"headline": null' in out and '"n": 0' in out
    for fmt in ("md", "csv", "json", "latex"):
        assert main(["report", str(out_dir), "--format", fmt]) == 0
        assert "pope" in capsys.readouterr().out
    assert main(["report", str(out_dir), "--out", str(tmp_path / "lb")]) == 0
    assert "| oracle | – |" in (tmp_path / "lb" / "leaderboard.md").read_text()


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_full_disk_or_read_only_output_is_one_line(tmp_path, capsys, monkeypatch, code):
    from magma_bench.run.store import RunStore

    def fail(self, records):
        raise OSError(code, os.strerror(code), str(self.records_path))

    monkeypatch.setattr(RunStore, "append", fail)
    rc, out, err = _run(capsys, "--out", str(tmp_path / "runs"))
    assert rc == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    assert lines[0].startswith("magma-bench: error: ") and "records.jsonl" in lines[0]


def test_other_os_errors_keep_their_traceback(tmp_path, monkeypatch):
    from magma_bench.run.store import RunStore

    def fail(self, records):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(RunStore, "append", fail)
    with pytest.raises(OSError, match="I/O error"):
        main(["run", "-b", "pope", "-a", "oracle", "--n", "6", "--out", str(tmp_path / "runs")])


def test_killed_generation_leftovers_are_removed(tmp_path):
    bench = make_benchmark("pope")
    out = offline_dir(bench, 6, 0)
    out.parent.mkdir(parents=True)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = out.with_name(f"{out.name}.tmp{dead}")
    live = out.with_name(f"{out.name}.tmp{os.getppid()}")  # a generator still running: kept
    for d in (stale, live):
        (d / "val2014").mkdir(parents=True)
    assert ensure_offline(bench, 6, 0) == out and out.exists()
    assert not stale.exists() and live.exists()
