"""A sweep survives a failing pair: the others run, the failures are listed at the end (pair and a
one-line reason) and the exit status is non-zero; a bug's traceback goes to a log, not the screen."""

import yaml

import magma_bench.run.runner as runner
from magma_bench.cli.main import main


def _sweep(tmp_path, capsys, cfg):
    path = tmp_path / "sweep.yaml"
    path.write_text(yaml.safe_dump(cfg))
    rc = main(["sweep", "--config", str(path), "--out", str(tmp_path / "runs")])
    out, err = capsys.readouterr()
    return rc, out, err


def test_failing_pairs_are_listed_and_the_rest_runs(tmp_path, capsys, monkeypatch):
    real_run = runner.run

    def buggy_vsr(cfg, *a, **kw):
        if cfg.benchmark == "vsr":
            raise RuntimeError("a bug in one pair\nsecond line")
        return real_run(cfg, *a, **kw)

    monkeypatch.setattr(runner, "run", buggy_vsr)
    cfg = {"seed": 0, "adapters": [{"name": "oracle"}],
           "benchmarks": [{"name": "pope", "data_dir": str(tmp_path / "nowhere")},
                          {"name": "vsr", "n": 4},
                          {"name": "pope", "n": 6}]}
    rc, out, err = _sweep(tmp_path, capsys, cfg)
    assert rc == 2
    assert "Traceback" not in out + err
    assert "pope × oracle: 100.00" in out  # the pair after the failures ran
    tail = err.strip().splitlines()[-4:]
    assert tail[0] == "failed: 2 of 3 sweep unit(s):"
    assert tail[1].startswith(f"failed   pope × oracle: data directory {tmp_path / 'nowhere'} does not exist")
    log = tmp_path / "runs" / "sweep-errors.log"
    assert tail[2] == f"failed   vsr × oracle: RuntimeError: a bug in one pair (traceback in {log})"
    assert tail[3].startswith("magma-bench: error: 2 of 3 sweep unit(s) failed (listed above)")
    assert "Traceback" in log.read_text() and "second line" in log.read_text()
    assert list((tmp_path / "runs" / "pope" / "test").glob("oracle-*/summary.json"))


def test_wrong_types_in_sweep_yaml_end_in_one_line(tmp_path, capsys):
    cfg = {"seed": "zero", "batch_size": [4], "adapters": [{"name": "oracle"}],
           "benchmarks": [{"name": "pope", "n": 6, "limit": "three"}]}
    rc, out, err = _sweep(tmp_path, capsys, cfg)
    assert rc != 0
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1].startswith("magma-bench: error: ")
