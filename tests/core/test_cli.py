"""The `magma-bench` command line, end to end in subprocesses, as a user runs it."""

import json
import subprocess
import sys

import pytest
import yaml

from mb_testutil import magma_bench_exe


def mb(*args, env, cwd=None, ok=True):
    p = subprocess.run([magma_bench_exe(), *map(str, args)], env=env, cwd=cwd, capture_output=True, text=True)
    if ok and p.returncode != 0:
        raise AssertionError(f"magma-bench {' '.join(map(str, args))} failed:\n{p.stdout}\n{p.stderr}")
    return p


def test_list_json_shape_and_no_heavy_imports(cli_env):
    data = json.loads(mb("list", "--json", env=cli_env).stdout)
    assert {"benchmarks", "adapters"} == set(data)
    names = {b["name"] for b in data["benchmarks"]}
    assert "pope" in names
    for b in data["benchmarks"]:
        assert set(b) == {"name", "domain", "runnable", "reason"}
        assert b["runnable"] or b["reason"], f"{b['name']} is not runnable but gives no reason"
    assert {"random", "oracle", "null"} <= {a["name"] for a in data["adapters"]}
    code = ("import sys; from magma_bench.cli.main import main; main(['list', '--json']); "
            "heavy = [m for m in ('torch', 'mujoco', 'playwright', 'transformers', 'cv2') if m in sys.modules]; "
            "assert not heavy, heavy")
    subprocess.run([sys.executable, "-c", code], env=cli_env, check=True, capture_output=True)


def test_help_of_every_subcommand_imports_nothing_heavy(cli_env):
    """`magma-bench --help` loads every subcommand to list it; train, ablation, perf and leaderboard
    read their options from the trainer's dataclasses and argparse parsers, still without torch."""
    code = ("import sys; from magma_bench.cli.main import COMMANDS, main; "
            "helps = [['--help']] + [[c, '--help'] for c in COMMANDS] "
            "+ [['leaderboard', c, '--help'] for c in ('build', 'ablation', 'paper-tables')]; "
            "codes = {' '.join(h): main(h) for h in helps}; assert set(codes.values()) == {0}, codes; "
            "heavy = [m for m in ('torch', 'mujoco', 'playwright', 'transformers', 'cv2', 'matplotlib') "
            "if m in sys.modules]; assert not heavy, heavy")
    p = subprocess.run([sys.executable, "-c", code], env=cli_env, capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    for option in ("--grad-accum", "--group-by-length", "--variants", "--harness-only", "--no-plots"):
        assert option in p.stdout, option


def test_run_json_shape(tmp_path, cli_env):
    out = mb("run", "-b", "pope", "-a", "oracle", "--n", "60", "--out", tmp_path / "runs", "--json", env=cli_env)
    s = json.loads(out.stdout)
    assert set(s) == {"benchmark", "adapter", "n", "headline", "metrics", "ci95", "errors", "error_rate",
                      "top_error", "warnings", "timing"}
    assert (s["error_rate"], s["top_error"], s["warnings"]) == (0.0, None, [])
    assert s["headline"] == 100.0 and s["errors"] == 0 and set(s["timing"]) == {"model_s", "harness_s"}
    [summary] = list((tmp_path / "runs").rglob("summary.json"))
    full = json.loads(summary.read_text())
    for key in ("versions", "revision", "seed", "config_hash", "data", "schema"):
        assert key in full
    assert full["data"] == "offline"


def test_unknown_names_suggest_close_ones(cli_env):
    p = mb("run", "-b", "poppe", "-a", "oracle", env=cli_env, ok=False)
    assert p.returncode == 2 and "did you mean: pope" in p.stderr and "Traceback" not in p.stderr
    p = mb("run", "-b", "pope", "-a", "randon", env=cli_env, ok=False)
    assert "did you mean: random" in p.stderr


def test_bad_paths_are_one_line_errors(tmp_path, cli_env):
    p = mb("run", "-b", "pope", "-a", "oracle", "--data-dir", tmp_path / "nope", env=cli_env, ok=False)
    assert p.returncode == 2 and "does not exist" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = mb("run", "-b", "pope", "-a", "oracle", "--n", "30", "--out", "/proc/not-here", env=cli_env, ok=False)
    assert p.returncode == 2 and "cannot write the run directory" in p.stderr


def test_generate_is_deterministic(tmp_path, cli_env):
    for d in ("a", "b"):
        mb("generate", "pope", "--out", tmp_path / d, "--n", "36", "--seed", "3", env=cli_env)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 3
    for f in files_a:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_score_external_predictions(tmp_path, cli_env):
    data = tmp_path / "pope"
    mb("generate", "pope", "--out", data, "--n", "36", env=cli_env)
    rows = [json.loads(line) for line in (data / "coco_pope_random.json").read_text().splitlines()]
    preds = tmp_path / "preds.jsonl"
    lines = [json.dumps({"id": f"random-{r['question_id']}", "prediction": r["label"]}) for r in rows[1:]]
    lines.append(json.dumps({"id": "random-99999", "prediction": "yes"}))
    preds.write_text("\n".join(lines) + "\n")
    out = mb("score", "-b", "pope", "--data-dir", data, "--predictions", preds, "--bench-arg", "category=random",
             "--json", env=cli_env)
    s = json.loads(out.stdout)
    assert s["n"] == len(rows) and s["missing_ids"] == 1 and s["unknown_ids"] == 1
    assert s["metrics"]["accuracy"] == pytest.approx(100 * (len(rows) - 1) / len(rows))
    preds.write_text(preds.read_text() + "{oops\n")
    p = mb("score", "-b", "pope", "--data-dir", data, "--predictions", preds, env=cli_env, ok=False)
    assert p.returncode == 2 and f"preds.jsonl:{len(lines) + 1}" in p.stderr


def test_compare_report_and_sweep(tmp_path, cli_env):
    cfg = tmp_path / "sweep.yaml"
    cfg.write_text(yaml.safe_dump({"out": str(tmp_path / "runs"), "benchmarks": [{"name": "pope", "n": 90}],
                                   "adapters": ["oracle", "random"]}))
    mb("sweep", "--config", cfg, env=cli_env)
    again = mb("sweep", "--config", cfg, env=cli_env)  # resumes: nothing new to do
    assert "pope × oracle: 100.00" in again.stdout
    runs = sorted((tmp_path / "runs" / "pope" / "test").iterdir())
    assert len(runs) == 2
    cmp = json.loads(mb("compare", runs[0], runs[1], "--json", env=cli_env).stdout)
    assert cmp["n_shared"] > 50 and cmp["delta"] > 30 and cmp["p_bootstrap"] < 0.01
    for fmt in ("md", "csv", "json", "latex"):
        text = mb("report", tmp_path / "runs", "--format", fmt, env=cli_env).stdout
        assert "oracle" in text and "random" in text
    rows = json.loads(mb("report", tmp_path / "runs", "--format", "json", env=cli_env).stdout)
    assert {r["adapter"] for r in rows} == {"oracle", "random"}
    assert all(set(r) >= {"benchmark", "adapter", "headline", "ci95", "n", "data"} for r in rows)
    mb("report", tmp_path / "runs", "--out", tmp_path / "lb", env=cli_env)
    assert json.loads((tmp_path / "lb" / "leaderboard.json").read_text())


def test_sweep_config_errors(tmp_path, cli_env):
    cfg = tmp_path / "bad.yaml"
    cfg.write_text("benchmarks: [pope]\nadapters: [oracle]\nbatchsize: 3\n")
    p = mb("sweep", "--config", cfg, env=cli_env, ok=False)
    assert "unknown key 'batchsize'" in p.stderr and "batch_size" in p.stderr
    cfg.write_text("benchmarks: [pope]\nadapters: [oracle]\nseed: 1\nseed: 2\n")
    p = mb("sweep", "--config", cfg, env=cli_env, ok=False)
    assert "duplicate key 'seed'" in p.stderr
