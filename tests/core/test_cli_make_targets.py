"""`magma-bench train | ablation | perf | leaderboard`: the subcommands `make train`, `make ablation`,
`make perf`, `make leaderboard` and `make paper-tables` call, each run once for real on tiny inputs."""

from __future__ import annotations

import dataclasses
import json
import subprocess

from lb_runs import pope_runs

from magma_bench.trainer.train import TrainConfig
from mb_testutil import data_env, magma_bench_exe, tiny_train_config


def mb(*args, env, ok=True, timeout=300):
    p = subprocess.run([magma_bench_exe(), *map(str, args)], env={**env, "OMP_NUM_THREADS": "1"},
                       capture_output=True, text=True, timeout=timeout)
    if ok and p.returncode != 0:
        raise AssertionError(f"magma-bench {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


def as_argv(cfg) -> list[str]:
    """Every field of a config dataclass as `--field value` (booleans as true/false)."""
    argv = []
    for k, v in dataclasses.asdict(cfg).items():
        if v is not None:
            argv += [f"--{k.replace('_', '-')}", str(v).lower() if isinstance(v, bool) else str(v)]
    return argv


def test_train_takes_every_train_config_field_as_an_option(tmp_path):
    cfg = tiny_train_config(tmp_path, steps=2, seed=3, beta1=0.8, weight_decay=0.02, grad_clip=0.5,
                            max_tokens=512, precision="fp32", resume=False, group_by_length=False)
    assert cfg != TrainConfig() and len(as_argv(cfg)) == 2 * len(dataclasses.fields(TrainConfig))
    out = mb("train", *as_argv(cfg), env=data_env(tmp_path))
    lines = out.stdout.splitlines()  # progress lines, then the summary
    summary = json.loads("\n".join(lines[lines.index("{"):]))
    assert summary["steps"] == 2 and summary["final_loss"] > 0
    state = json.loads((tmp_path / "run" / "checkpoint" / "trainer_state.json").read_text())
    assert state["step"] == 2 and state["config"] == dataclasses.asdict(cfg)
    bad = mb("train", "--steps", "two", env=data_env(tmp_path), ok=False)
    assert bad.returncode == 2 and "'two' is not a valid integer" in bad.stderr


def test_ablation_trains_and_evaluates_one_variant(tmp_path):
    mixes = tmp_path / "mixtures"
    mixes.mkdir()
    (mixes / "a.yaml").write_text("name: a\nsom: false\ntom: false\ntotal: 8\nseed: 0\n"
                                  "sources:\n  vl: {weight: 1.0, n: 4}\n")
    out = mb("ablation", "--out", tmp_path / "abl", "--mixtures-dir", mixes, "--variants", "a", "--benchmarks",
             "pope", "--n", "12", "--steps", "2", "--batch-size", "2", "--warmup", "1", "--log-every", "1",
             "--threads", "1", "--image-check", "0", env=data_env(tmp_path))
    table = out.stdout[out.stdout.index("| variant"):].splitlines()  # after training's progress lines
    assert table[0] == "| variant | SoM+ToM | pope |" and table[2].startswith("| a | no | ") and len(table) == 3
    doc = json.loads((tmp_path / "abl" / "ablation.json").read_text())
    assert (doc["n"], doc["train"]["steps"], doc["train"]["batch_size"], doc["train"]["warmup"]) == (12, 2, 2, 1)
    assert doc["train"]["out"] == TrainConfig.out  # per-variant fields are not options: each variant sets its own
    assert (tmp_path / "abl" / "a" / "model" / "model.safetensors").is_file()


def test_perf_harness_only_writes_its_figures(tmp_path):
    out = mb("perf", "--harness-only", "--out", tmp_path / "perf.json", env=data_env(tmp_path))
    figures = json.loads((tmp_path / "perf.json").read_text())
    assert {"harness_overhead_ms_per_sample", "harness_samples_per_s_null_adapter", "resume_skip_10k_s"} == set(figures)
    assert f"wrote {tmp_path / 'perf.json'}" in out.stdout and "skipped" not in out.stdout


def test_leaderboard_build_paper_tables_and_ablation(tmp_path):
    runner = pope_runs(tmp_path)
    runner("heuristic")
    env = data_env(tmp_path)
    out = mb("leaderboard", "build", "--runs", runner.root, "--out", tmp_path / "lb", "--no-plots", env=env)
    assert "heuristic" in out.stdout
    assert f"leaderboard page: {(tmp_path / 'lb' / 'index.html').resolve()}" in out.stdout
    assert not list((tmp_path / "lb").rglob("*.png"))  # --no-plots reached the builder
    out = mb("leaderboard", "paper-tables", "--out", tmp_path / "paper", env=env)
    assert f"in {tmp_path / 'paper'}" in out.stdout and (tmp_path / "paper" / "paper_tables.md").is_file()
    out = mb("leaderboard", "ablation", "--runs", runner.root, "--out", tmp_path / "ab", "--no-plots", env=env)
    assert (tmp_path / "ab" / "ablation.md").is_file()
    bad = mb("leaderboard", "build", "--nope", env=env, ok=False)
    assert bad.returncode == 2 and "No such option '--nope'" in bad.stderr
