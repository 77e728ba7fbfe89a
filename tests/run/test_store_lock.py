"""One writer per run directory: a second writer is refused in one line naming the holder's pid;
shard writers share a directory but not a shard; the kernel frees the lock of a killed writer."""

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from magma_bench.errors import UserError
from magma_bench.run.store import RunStore

HOLD = textwrap.dedent("""
    import sys, time
    from magma_bench.run.store import RunStore
    s = RunStore(sys.argv[1], shard=sys.argv[2] or None)
    s.open({"schema": 1})
    print("locked", flush=True)
    time.sleep(60)
""")


def _holder(root, shard=""):
    p = subprocess.Popen([sys.executable, "-c", HOLD, str(root), shard], stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert p.stdout.readline().strip() == "locked"
    return p


def test_second_process_is_refused_and_a_sigkill_frees_the_lock(tmp_path):
    root = tmp_path / "run"
    p = _holder(root)
    try:
        with pytest.raises(UserError) as e:
            RunStore(root).open({"schema": 1})
        msg = str(e.value)
        assert "\n" not in msg
        assert f"run directory {root} is being written by another process (pid {p.pid})" in msg
        assert "choose another --out" in msg
        with pytest.raises(UserError, match="being written by another process"):  # shards too
            RunStore(root, shard="0").open({"schema": 1})
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    s = RunStore(root)
    s.open({"schema": 1})  # flock died with its holder
    s.append([{"id": "a"}])
    s.close()


def test_shard_writers_share_a_directory_but_not_a_shard(tmp_path):
    root = tmp_path / "run"
    p = _holder(root, shard="00000-of-00002")
    try:
        other = RunStore(root, shard="00001-of-00002")
        other.open({"schema": 1})  # another shard: fine
        other.append([{"id": "b"}])
        other.close()
        with pytest.raises(UserError, match=rf"\(pid {p.pid}\)"):
            RunStore(root, shard="00000-of-00002").open({"schema": 1})
        with pytest.raises(UserError, match="being written by another process"):
            RunStore(root).open({"schema": 1})  # the main writer waits for every shard
    finally:
        p.send_signal(signal.SIGKILL)
        p.wait()
    main = RunStore(root)
    assert list(main.open({"schema": 1})) == ["b"]
    main.consolidate([{"id": "b"}])
    main.close()
    assert not list(root.glob(".writer-*.lock")) and not main.shard_files()


def test_lock_is_released_on_close_and_on_a_failed_open(tmp_path):
    root = tmp_path / "run"
    root.mkdir()
    (root / "records.jsonl").write_text('{"id": "a"}\nnot json\n')
    with pytest.raises(UserError, match="corrupt record"):
        RunStore(root).open({"schema": 1})
    (root / "records.jsonl").write_text('{"id": "a"}\n')
    s = RunStore(root)
    s.open({"schema": 1})
    with pytest.raises(UserError, match=rf"\(pid {os.getpid()}\)"):
        RunStore(root).open({"schema": 1})
    s.close()
    assert list(RunStore(root).open({"schema": 1})) == ["a"]
