"""`magma-bench train`: the Magma pretraining loop (trainer/train.py), one option per TrainConfig field."""

from __future__ import annotations

import json

import click

from magma_bench.cli.dataclass_options import dataclass_options
from magma_bench.trainer.train import TrainConfig  # a (pydantic) dataclass: no torch until train() runs


@click.command("train", params=dataclass_options(TrainConfig))
def train_cmd(**fields: object) -> None:
    """Train a Magma checkpoint on a data mixture; re-running the same command resumes from
    <out>/checkpoint. Prints the run's summary (also <out>/train_summary.json)."""
    from magma_bench.config import validate
    from magma_bench.trainer.train import train

    cfg = validate(TrainConfig, fields, "train options")  # `--steps 0`: one line naming the field
    click.echo(json.dumps(train(cfg), indent=1))
