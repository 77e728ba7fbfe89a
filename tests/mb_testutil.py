"""Helpers shared by tests (a plain module, importable everywhere through pytest's `pythonpath`;
`from conftest import ...` would pick whichever conftest.py pytest imported last)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent


def magma_bench_exe() -> str:
    exe = VENV_BIN / "magma-bench"
    return str(exe) if exe.exists() else shutil.which("magma-bench") or "magma-bench"


def data_env(tmp: Path) -> dict[str, str]:
    return {**os.environ, "MAGMA_BENCH_DATA": str(tmp / "data"), "MAGMA_BENCH_CACHE": str(tmp / "cache")}


TINY_MIX = """name: tiny_test
som: true
tom: true
total: 24
seed: 0
sources:
  vl: {weight: 1.0, n: 12}
"""


def tiny_train_config(tmp: Path, **kw):
    """A TrainConfig for a seconds-long run of the tiny preset on 12 generated VL examples."""
    from magma_bench.trainer.train import TrainConfig

    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "mix.yaml").write_text(TINY_MIX)
    base = dict(out=str(tmp / "run"), mixture=str(tmp / "mix.yaml"), data_dir=str(tmp / "data"), steps=6,
                image_check=0, batch_size=2, warmup=2, log_every=1, ckpt_every=2, lr=3e-3, min_lr=3e-4, threads=1,
                vision_pretrain_steps=0)
    return TrainConfig(**{**base, **kw})


def metrics_losses(run: Path, key: str = "loss") -> dict[int, float]:
    """step -> loss (or another column, e.g. "aux_loss") from a run's metrics.jsonl."""
    import json

    return {r["step"]: r[key] for r in map(json.loads, (Path(run) / "metrics.jsonl").read_text().splitlines())}
