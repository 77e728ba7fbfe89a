import json
import os

import pytest

from magma_bench.errors import UserError
from magma_bench.run.store import RunStore, read_jsonl


def test_partial_last_line_is_cut_on_open(tmp_path):
    root = tmp_path / "run"
    s = RunStore(root)
    s.open({"schema": 1})
    s.append([{"id": "a", "x": 1}, {"id": "b", "x": 2}])
    s.close()
    with open(root / "records.jsonl", "a") as f:
        f.write('{"id": "c", "x"')  # what a SIGKILL mid-write leaves
    done = RunStore(root).open({"schema": 1})
    assert list(done) == ["a", "b"]
    assert (root / "records.jsonl").read_text().endswith("}\n")


def test_corrupt_middle_line_names_file_and_line(tmp_path):
    root = tmp_path / "run"
    root.mkdir()
    (root / "records.jsonl").write_text('{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(UserError, match=r"records.jsonl:2"):
        RunStore(root).open({"schema": 1})


def test_manifest_written_once(tmp_path):
    root = tmp_path / "run"
    RunStore(root).open({"schema": 1, "first": True})
    RunStore(root).open({"schema": 1, "first": False})
    assert json.loads((root / "manifest.json").read_text())["first"] is True


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write anywhere; /proc is used instead")
def test_unwritable_dir_nonroot(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    with pytest.raises(UserError, match="cannot write the run directory"):
        RunStore(ro / "run").open({})


def test_unwritable_dir(tmp_path):
    with pytest.raises(UserError, match="cannot write the run directory"):
        RunStore("/proc/magma-bench-test/run").open({})


def test_read_jsonl_reports_line(tmp_path):
    p = tmp_path / "p.jsonl"
    p.write_text('{"id": 1}\n[1, 2]\n')
    with pytest.raises(UserError, match=r"p.jsonl:2: expected a JSON object"):
        read_jsonl(p)


def test_concurrent_writers_of_one_run_directory(tmp_path):
    """Shard workers open the same run directory at once: no shared temporary or probe names."""
    import threading

    root = tmp_path / "run"
    errors = []

    def worker(k):
        try:
            for _ in range(50):
                s = RunStore(root, shard=str(k))
                s.open({"schema": 1, "worker": k})
                s.append([{"id": f"{k}-{_}"}])
                s.close()
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    assert len(RunStore(root).open({})) == 200
