"""A real run killed with SIGKILL at random moments, then restarted, ends with exactly the records
of an uninterrupted run: same ids, same predictions and scores, no duplicates."""

import json
import os
import random
import signal
import subprocess
import time
from pathlib import Path

from mb_testutil import magma_bench_exe

ARGS = ["run", "-b", "pope", "-a", "random", "--n", "180", "--batch-size", "4", "--seed", "7",
        "--adapter-arg", "delay_s=0.04"]


def _records(out: Path) -> list[dict]:
    [path] = list(out.rglob("records.jsonl"))
    recs = [json.loads(line) for line in path.read_text().splitlines()]
    for r in recs:
        r.pop("timing")
    return recs


def test_sigkill_at_random_moments_then_resume_matches_uninterrupted(tmp_path, cli_env):
    exe = magma_bench_exe()
    ref_out, out = tmp_path / "ref", tmp_path / "killed"
    subprocess.run([exe, *ARGS, "--out", str(ref_out)], env=cli_env, check=True, capture_output=True)
    reference = _records(ref_out)
    assert len(reference) > 100

    rng = random.Random(1234)
    kills = 0
    for _ in range(6):
        p = subprocess.Popen([exe, *ARGS, "--out", str(out)], env=cli_env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(rng.uniform(0.4, 1.0))
        if p.poll() is not None:
            break  # finished on its own
        os.killpg(p.pid, signal.SIGKILL)
        kills += 1
        p.wait()
    assert kills >= 3, "the run finished too fast to be killed; raise delay_s"
    done = subprocess.run([exe, *ARGS, "--out", str(out), "--json"], env=cli_env, check=True,
                          capture_output=True, text=True)
    summary = json.loads(done.stdout)
    final = _records(out)
    ids = [r["id"] for r in final]
    assert len(ids) == len(set(ids)), "duplicate records after resume"
    assert final == reference
    assert summary["n"] == len(reference)
