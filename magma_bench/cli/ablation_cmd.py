"""`magma-bench ablation`: the paper's Table 3 variants trained at one budget and evaluated alike
(trainer/ablation.py). Options: the AblationConfig fields, then the shared TrainConfig budget."""

from __future__ import annotations

import dataclasses

import click

from magma_bench.cli.dataclass_options import dataclass_options
from magma_bench.trainer.ablation import AblationConfig
from magma_bench.trainer.train import TrainConfig

PER_VARIANT = ("out", "mixture", "data_dir")  # TrainConfig fields run_variant sets for each variant
OWN_FIELDS = tuple(f.name for f in dataclasses.fields(AblationConfig) if f.name != "train")


@click.command("ablation", params=dataclass_options(AblationConfig, exclude=("train",))
               + dataclass_options(TrainConfig, exclude=PER_VARIANT))
def ablation_cmd(**fields: object) -> None:
    """Train each Table 3 variant (a mixture under --mixtures-dir) with the same training options,
    evaluate it on --benchmarks with the magma adapter, and print the table (also written to
    <out>/ablation.json and ablation.md)."""
    from magma_bench.config import validate
    from magma_bench.trainer.ablation import run_ablation, table_markdown

    own = {k: fields.pop(k) for k in OWN_FIELDS}
    cfg = AblationConfig(**own, train=validate(TrainConfig, fields, "ablation options"))  # type: ignore[arg-type]
    click.echo(table_markdown(run_ablation(cfg), cfg.benchmarks), nl=False)
