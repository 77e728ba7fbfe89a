"""The Ray executor on a real local Ray cluster (2 CPUs): record-for-record equal to the local
executor, and nothing lost when a worker or the driver is killed mid-shard."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from mb_testutil import magma_bench_exe

pytest.importorskip("ray")

SWEEP = {"shards": 4, "batch_size": 4, "seed": 5,
         "benchmarks": [{"name": "pope", "n": 180}],
         "adapters": [{"name": "random", "args": {"delay_s": 0.08}, "workers": 2}, {"name": "oracle"}]}


def _records(root: Path, adapter: str) -> list[dict]:
    [path] = list(root.glob(f"pope/test/{adapter}-*/records.jsonl"))
    out = []
    for line in path.read_text().splitlines():
        r = json.loads(line)
        r.pop("timing")
        out.append(r)
    return out


def _sweep(cfg_path: Path, out: Path, env: dict, executor: str, **popen) -> subprocess.Popen:
    args = [magma_bench_exe(), "sweep", "--config", str(cfg_path), "--out", str(out), "--executor", executor]
    if executor == "ray":
        args += ["--num-cpus", "2"]
    return subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **popen)


def _wait_for_records(out: Path, timeout: float = 90.0) -> None:
    t0 = time.time()
    while time.time() - t0 < timeout:
        shards = list(out.glob("pope/test/random-*/records.shard-*.jsonl"))
        if sum(len(p.read_text().splitlines()) for p in shards) >= 8:
            return
        time.sleep(0.1)
    raise AssertionError("no shard records appeared")


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ray")
    env = {**os.environ, "MAGMA_BENCH_DATA": str(tmp / "data"), "RAY_AUTH_MODE": "disabled"}
    cfg = tmp / "sweep.yaml"
    cfg.write_text(yaml.safe_dump(SWEEP))
    local = _sweep(cfg, tmp / "local", env, "local")
    assert local.wait(120) == 0, local.stderr.read()
    return tmp, env, cfg


def test_ray_sweep_matches_local_and_survives_a_killed_worker(setup):
    tmp, env, cfg = setup
    out = tmp / "ray"
    p = _sweep(cfg, out, env, "ray")
    _wait_for_records(out)
    workers = subprocess.run(["pgrep", "-f", "ray::SweepWorker"], capture_output=True, text=True).stdout.split()
    assert workers, "no Ray worker process found"
    os.kill(int(workers[0]), signal.SIGKILL)
    stdout, stderr = p.communicate(timeout=240)
    assert p.returncode == 0, stderr
    assert "ray: 8 work units" in stdout
    for adapter in ("random", "oracle"):
        assert _records(out, adapter) == _records(tmp / "local", adapter)
        assert not list(out.glob(f"pope/test/{adapter}-*/records.shard-*"))  # folded into records.jsonl


def test_killed_driver_resumes_to_the_same_records(setup):
    tmp, env, cfg = setup
    out = tmp / "ray-driver"
    p = _sweep(cfg, out, env, "ray")
    _wait_for_records(out)
    os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    subprocess.run([str(Path(magma_bench_exe()).parent / "ray"), "stop", "--force"], env=env, capture_output=True)
    p = _sweep(cfg, out, env, "ray")
    stdout, stderr = p.communicate(timeout=240)
    assert p.returncode == 0, stderr
    for adapter in ("random", "oracle"):
        assert _records(out, adapter) == _records(tmp / "local", adapter)
