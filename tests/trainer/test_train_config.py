"""TrainConfig on the typed config layer (magma_bench.config): a bad flag value is one error line
naming the field, from every entry point (train.py's and the DeepSpeed one's argparse flags,
`magma-bench train`); the flags, their types and defaults come from the dataclass."""

from __future__ import annotations

import argparse
import dataclasses

import pytest
from pydantic import ValidationError

from magma_bench.cli.main import main as mb_main
from magma_bench.errors import UserError
from magma_bench.trainer import train as T

BAD = [
    (["--steps", "0"], "steps: 0 is not valid; expected a number >= 1"),
    (["--lr", "nan"], "lr: nan is not valid; expected a finite number"),
    (["--lr", "0"], "lr: 0.0 is not valid; expected a number > 0"),
    (["--batch-size", "0"], "batch_size: 0 is not valid; expected a number >= 1"),
    (["--grad-accum", "-1"], "grad_accum: -1 is not valid; expected a number >= 1"),
    (["--warmup", "-5"], "warmup: -5 is not valid; expected a number >= 0"),
    (["--vision-lr-scale", "-0.1"], "vision_lr_scale: -0.1 is not valid; expected a number >= 0"),
    (["--beta2", "1"], "beta2: 1.0 is not valid; expected a number < 1"),
    (["--grad-clip", "inf"], "grad_clip: inf is not valid; expected a finite number"),
    (["--log-every", "0"], "log_every: 0 is not valid; expected a number >= 1"),
    (["--precision", "fp16"], "precision: 'fp16' is not valid; expected auto | fp32 | bf16"),
]


def parse(argv: list[str]) -> T.TrainConfig:
    return T.config_from_args(T.add_config_args(argparse.ArgumentParser()).parse_args(argv))


def test_flags_are_the_fields_with_their_defaults_and_types():
    cfg = parse([])
    assert cfg == T.TrainConfig() and T.TrainConfig.steps == 3300 and cfg.data_dir is None
    cfg = parse(["--steps", "3", "--lr", "2e-3", "--data-dir", "d", "--model-args", '{"image_size": 64}'])
    assert (cfg.steps, cfg.lr, cfg.data_dir, cfg.model_args) == (3, 2e-3, "d", '{"image_size": 64}')
    assert type(cfg.steps) is int and type(cfg.lr) is float
    # still a dataclass: replace validates too, asdict is the checkpoint's record of it
    assert dataclasses.replace(cfg, steps=5).steps == 5 and dataclasses.asdict(cfg)["lr"] == 2e-3


@pytest.mark.parametrize("word,value", [("1", True), ("true", True), ("yes", True), ("True", True),
                                        ("0", False), ("false", False), ("no", False)])
def test_bool_flags_take_a_value(word, value):
    cfg = parse(["--resume", word, "--group-by-length", word, "--freeze-vision-tower", word])
    assert cfg.resume is cfg.group_by_length is cfg.freeze_vision_tower is value


def test_a_misspelt_bool_is_refused_not_read_as_false(capsys):
    with pytest.raises(SystemExit):
        parse(["--resume", "ture"])
    assert "argument --resume: 'ture' is not valid; expected a boolean" in capsys.readouterr().err


@pytest.mark.parametrize("argv,why", BAD)
def test_a_bad_flag_value_is_one_line_naming_the_field(argv, why, capsys):
    with pytest.raises(UserError) as e:
        parse(argv)
    assert str(e.value) == f"train flags: {why}"
    assert T.main(argv) == 2  # before anything is built
    assert capsys.readouterr().out == f"error: train flags: {why}\n"


@pytest.mark.parametrize("argv,why", BAD[:2])
def test_magma_bench_train_says_the_same(argv, why, capsys, tmp_path):
    assert mb_main(["train", "--out", str(tmp_path / "run"), *argv]) == 2
    assert capsys.readouterr().err == f"magma-bench: error: train options: {why}\n"
    assert not (tmp_path / "run").exists()


def test_the_distributed_entry_point_takes_the_same_flags():
    from magma_bench.trainer import distributed as D

    cfg, ds = D._train_args(["--steps", "7", "--resume", "no"])
    assert (cfg.steps, cfg.resume, ds) == (7, False, D.DEFAULT_DS_CONFIG)
    with pytest.raises(UserError, match=r"^train flags: steps: 0 is not valid"):
        D._train_args(["--steps", "0"])


def test_python_construction_is_checked_too():
    with pytest.raises(ValidationError):
        T.TrainConfig(steps=0)
    with pytest.raises(ValidationError):
        T.TrainConfig(stepz=3)  # type: ignore[call-arg]
    from magma_bench.config import validate

    with pytest.raises(UserError, match=r"^train flags: unknown key 'stepz' \(did you mean: steps, stop_at\?\)"):
        validate(T.TrainConfig, {"stepz": 3}, "train flags")
