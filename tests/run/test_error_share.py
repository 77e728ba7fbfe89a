"""A run whose every sample errored exits non-zero with the most common error; more than 20%
errored warns in the summary line and in summary.json. Records are kept either way."""

from __future__ import annotations

import json

from click.testing import CliRunner

from magma_bench.cli.main import cli, main
from magma_bench.run.runner import error_warning, top_error


def test_top_error_folds_digits_and_keeps_an_example():
    recs = [{"error": "request: image 17.png not found"}, {"error": "request: image 18.png not found"},
            {"error": "adapter: boom"}, {"error": None}]
    assert top_error(recs) == {"count": 2, "example": "request: image 17.png not found"}
    assert top_error([{"error": None}]) is None
    assert error_warning(1, 5, {"count": 1, "example": "x"}) is None  # 20% is not over
    assert "2 of 5 samples (40%)" in error_warning(2, 5, {"count": 2, "example": "x"})


def _suite(tmp_path, drop: int, n: int = 12):
    """A small POPE suite in the official layout with the images of `drop` samples deleted, so
    those samples error at request time."""
    data = tmp_path / "pope"
    res = CliRunner().invoke(cli, ["generate", "pope", "--out", str(data), "--n", str(n)])
    assert res.exit_code == 0, res.output
    images = sorted(p for p in data.rglob("*") if p.suffix.lower() in (".jpg", ".png"))
    assert images
    for p in images[:drop]:
        p.unlink()
    return data


def _run(tmp_path, data, *extra):
    """The console script's path (cli.main.main), so errors end as they do for a user."""
    return _main(["run", "-b", "pope", "-a", "random", "--data-dir", str(data), "--out", str(tmp_path / "runs"), *extra])


def _main(argv):
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue() + err.getvalue()


def test_every_sample_errored_exits_non_zero_and_keeps_the_records(tmp_path):
    data = _suite(tmp_path, drop=0)  # every adapter call outlives --timeout: every sample errors
    code, output = _run(tmp_path, data, "--json", "--adapter-arg", "delay_s=0.5", "--timeout", "0.02")
    assert code == 2, output
    assert "every sample errored (12 of 12); most common (12x): adapter: TimeoutError" in output
    assert "Traceback" not in output
    (summary_path,) = (tmp_path / "runs").rglob("summary.json")
    summary = json.loads(summary_path.read_text())
    assert summary["errors"] == 12 and summary["error_rate"] == 1.0 and summary["warnings"]
    assert len((summary_path.parent / "records.jsonl").read_text().splitlines()) == 12


def test_over_a_fifth_errored_warns_in_line_and_summary(tmp_path):
    data = _suite(tmp_path, drop=1, n=40)  # 3 scenes: one of them gone
    code, output = _run(tmp_path, data)
    assert code == 0, output
    (summary_path,) = (tmp_path / "runs").rglob("summary.json")
    summary = json.loads(summary_path.read_text())
    assert 0.2 < summary["error_rate"] < 1.0, summary["error_rate"]
    assert "WARNING:" in output and summary["warnings"][0].startswith(f"{summary['errors']} of {summary['n']}")


def test_a_run_that_is_n_a_by_design_is_not_a_failure():
    """The oracle on an environment with no expert (LIBERO) errors on every episode with
    NotApplicable: the leaderboard shows n/a, and the run (and so `make bench`'s sweep) succeeds."""
    from magma_bench.run.runner import all_errored

    na = {"n": 2, "errors": 2, "top_error": {"count": 2, "example": "NotApplicable: oracle is n/a here"}}
    broken = {"n": 2, "errors": 2, "top_error": {"count": 2, "example": "ValueError: boom"}}
    assert all_errored(na) is None
    assert all_errored(broken).startswith("every sample errored (2 of 2)")
