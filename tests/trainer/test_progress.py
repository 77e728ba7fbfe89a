"""TrainLogger: JSONL rows, resume truncation, plain CI lines, the rich bar, TensorBoard scalars."""

from __future__ import annotations

import importlib.util
import io
import json
import sys

import pytest

from magma_bench.errors import MissingDependency, UserError
from magma_bench.trainer.progress import TrainLogger


def _row(step: int, loss: float = 1.0) -> dict:
    return {"step": step, "loss": loss, "lr": 1e-3, "grad_norm": 0.5, "tokens": 100 * step,
            "tokens_per_s": 250.0, "elapsed_s": 0.4 * step}


def _steps(path) -> list[int]:
    return [json.loads(ln)["step"] for ln in path.read_text().splitlines()]


def test_rows_are_appended_as_jsonl_and_plain_lines_printed(tmp_path):
    out = io.StringIO()
    path = tmp_path / "run" / "metrics.jsonl"
    with TrainLogger(path, total_steps=4, stream=out) as log:
        for s in range(1, 5):
            log.log(_row(s, loss=2.0 / s))
            log.advance(s)
    rows = [json.loads(ln) for ln in path.read_text().splitlines()]
    assert rows == [_row(s, loss=2.0 / s) for s in range(1, 5)]
    lines = out.getvalue().splitlines()
    assert len(lines) == 4  # one line per row, no bar redraws in a non-terminal log
    assert lines[0].startswith("step 1/4 loss 2.0000 lr 1.00e-03 250 tok/s eta ")
    assert lines[-1] == "step 4/4 loss 0.5000 lr 1.00e-03 250 tok/s"


def test_resume_keeps_rows_up_to_the_resume_step_and_drops_a_torn_line(tmp_path):
    path = tmp_path / "metrics.jsonl"
    path.write_text("".join(json.dumps(_row(s)) + "\n" for s in range(1, 7)) + '{"step": 7, "lo')
    with TrainLogger(path, total_steps=8, start_step=3, stream=io.StringIO()) as log:
        for s in range(4, 9):
            log.log(_row(s, loss=0.1))
    assert _steps(path) == list(range(1, 9))
    assert [json.loads(ln)["loss"] for ln in path.read_text().splitlines()][3] == 0.1
    with TrainLogger(path, total_steps=2, stream=io.StringIO()) as log:  # a fresh run starts a fresh file
        log.log(_row(1))
    assert _steps(path) == [1]


def test_only_rank_zero_writes(tmp_path):
    out = io.StringIO()
    with TrainLogger(tmp_path / "m.jsonl", total_steps=2, rank=1, stream=out) as log:
        log.log(_row(1))
        log.advance(1)
    assert not (tmp_path / "m.jsonl").exists() and out.getvalue() == ""


def test_live_mode_draws_a_rich_bar_instead_of_lines(tmp_path):
    out = io.StringIO()
    with TrainLogger(tmp_path / "m.jsonl", total_steps=3, live=True, stream=out) as log:
        for s in range(1, 4):
            log.log(_row(s, loss=0.25))
            log.advance(s)
    text = out.getvalue()
    assert "3/3" in text and "loss 0.2500" in text and "250 tok/s" in text
    assert "step 1/3" not in text  # the plain lines are not printed under the bar
    assert _steps(tmp_path / "m.jsonl") == [1, 2, 3]


def test_tensorboard_scalars_are_written(tmp_path):
    if importlib.util.find_spec("tensorboard") is None:
        pytest.skip("tensorboard not installed (pip install tensorboard)")
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    tb = tmp_path / "tb"
    with TrainLogger(tmp_path / "m.jsonl", total_steps=3, tensorboard_dir=tb, stream=io.StringIO()) as log:
        for s in range(1, 4):
            log.log(_row(s, loss=1.0 / s))
    assert list(tb.glob("events.out.tfevents.*"))
    acc = EventAccumulator(str(tb))
    acc.Reload()
    assert {"train/loss", "train/lr", "train/grad_norm", "train/tokens_per_s"} <= set(acc.Tags()["scalars"])
    loss = acc.Scalars("train/loss")
    assert [e.step for e in loss] == [1, 2, 3]
    assert [e.value for e in loss] == pytest.approx([1.0, 0.5, 1 / 3])


def test_missing_tensorboard_is_one_clear_user_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch.utils.tensorboard", None)  # `import` of it now raises ImportError
    with pytest.raises(UserError, match=r"pip install tensorboard") as e:
        TrainLogger(tmp_path / "m.jsonl", total_steps=1, tensorboard_dir=tmp_path / "tb")
    assert isinstance(e.value, MissingDependency)
    TrainLogger(tmp_path / "m.jsonl", total_steps=1)  # without tensorboard_dir nothing is imported
