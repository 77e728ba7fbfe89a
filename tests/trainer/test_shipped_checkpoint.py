"""The shipped checkpoint (checkpoints/magma-tiny) is what `make train` writes with today's recipe.

The default recipe takes longer than `make train`'s 30 min budget, so its checkpoint ships in the
repo and `make bench` uses it (issue #19). These tests keep the two from drifting apart: the fast one
checks that the recipe the trainer recorded beside the weights (train_summary.json's provenance)
is today's TrainConfig defaults and today's mixture file, the slow one reruns the same command's first 50 steps and compares the losses.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "checkpoints" / "magma-tiny"


def _shipped(name: str) -> dict:
    path = SHIPPED / name
    if not path.is_file():
        pytest.fail(f"{path} is missing: the default checkpoint ships with the repo (docs/training.md)")
    return json.loads(path.read_text())


def _losses(path: Path, until: int) -> dict[int, float]:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return {r["step"]: r["loss"] for r in rows if "loss" in r and r["step"] <= until}


def test_the_shipped_checkpoint_was_trained_by_todays_recipe():
    from magma_bench.trainer import mixtures
    from magma_bench.trainer.train import LATER_FIELDS, TrainConfig

    summary = _shipped("train_summary.json")
    prov = summary["provenance"]  # written by the trainer itself
    assert {**LATER_FIELDS, **prov["train_config"]} == json.loads(json.dumps(dataclasses.asdict(TrainConfig()))), \
        "TrainConfig's defaults changed: retrain with `make train` and ship the new checkpoint"
    assert prov["commit"] and prov["dirty"] is False and summary["resumed_from"] == 0  # one clean run
    mix = mixtures.load_mixture(ROOT / TrainConfig().mixture)
    assert summary["mixture"] == json.loads(json.dumps(mixtures.describe(mix))), \
        f"{TrainConfig().mixture} changed: retrain with `make train` and ship the new checkpoint"
    assert _shipped("config.json")["image_read"] == "xattn"
    assert len(_losses(SHIPPED / "metrics.jsonl", 10**9)) * 10 >= TrainConfig().steps  # the whole loss log
    assert (SHIPPED / "model.safetensors").stat().st_size < 30 * 2**20


def test_the_shipped_weights_load_with_their_config():
    pytest.importorskip("torch")
    from magma_bench.model import MagmaForCausalLM

    model = MagmaForCausalLM.from_pretrained(SHIPPED)  # strict: every tensor present, every shape right
    assert model.config.image_read == "xattn" and model.config.preset == "tiny"


@pytest.mark.slow
@pytest.mark.timeout(2400)  # past the suite's 600 s: pools and stage 0 come first
def test_make_train_reproduces_the_shipped_first_50_steps(tmp_path):
    """`make train` (python -m magma_bench.trainer.train, every default) stopped at step 50: the
    same losses as the shipped log, to the 6 decimals it records. Builds the full pools and runs
    stage 0 first: 6 min 9 s on the 2 cores (with a 1-thread eval beside it)."""
    pytest.importorskip("torch")
    from magma_bench.trainer.train import TrainConfig, train

    train(TrainConfig(out=str(tmp_path / "magma-tiny"), stop_at=50, image_check=0))
    assert _losses(tmp_path / "magma-tiny" / "metrics.jsonl", 50) == _losses(SHIPPED / "metrics.jsonl", 50)
