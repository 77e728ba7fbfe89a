"""DeepSpeed trainer: config filling, rank sharding of the stream, and a real ZeRO engine on CPU.

The engine tests run DeepSpeed's CPU accelerator (DS_ACCELERATOR=cpu, gloo) in-process as a world
of one: train 2 steps, resume for 2 more onto the uninterrupted curve, gather the ZeRO shards into
one safetensors directory and check MagmaForCausalLM.from_pretrained gives the engine's weights.
The first run on a machine compiles DeepSpeed's shared-memory comm op (~1-2 min on 2 cores; cached
under ~/.cache/torch_extensions afterwards).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from magma_bench.errors import UserError
from magma_bench.trainer import distributed as D
from magma_bench.trainer import train as T
from mb_testutil import metrics_losses, tiny_train_config

needs_deepspeed = pytest.mark.skipif(importlib.util.find_spec("deepspeed") is None,
                                     reason="deepspeed not installed (pip install 'magma-bench[deepspeed]')")
REPO = Path(__file__).resolve().parents[2]
_losses = metrics_losses


def _cfg(tmp: Path, **kw) -> T.TrainConfig:
    return tiny_train_config(tmp, **{"steps": 4, **kw})


# -- no engine needed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("stage", [1, 2, 3])
def test_shipped_configs_get_trainconfig_values(stage):
    cfg = T.TrainConfig(batch_size=4, grad_accum=3, grad_clip=0.5, lr=2e-4, beta1=0.8, beta2=0.99, weight_decay=0.1)
    path = REPO / "configs" / "deepspeed" / f"zero{stage}.json"
    raw = json.loads(path.read_text())
    assert "auto" not in path.read_text() and "scheduler" not in raw
    ds = D.ds_config_for(cfg, path, world_size=8)
    assert ds["zero_optimization"]["stage"] == stage and ds["bf16"]["enabled"] is True
    assert (ds["train_micro_batch_size_per_gpu"], ds["gradient_accumulation_steps"], ds["train_batch_size"]) == (4, 3, 96)
    assert ds["gradient_clipping"] == 0.5 and ds["optimizer"]["type"] == "AdamW"
    assert ds["optimizer"]["params"] == {"lr": 2e-4, "betas": [0.8, 0.99], "eps": 1e-8, "weight_decay": 0.1}
    assert D.ds_config_for(T.TrainConfig(precision="fp32"), path, 1)["bf16"]["enabled"] is False
    assert D.ds_config_for(cfg, path, 1, accelerator="cpu")["optimizer"]["params"]["torch_adam"] is True
    assert json.loads(path.read_text()) == raw  # the file itself is not modified


def test_bad_deepspeed_configs_are_user_errors(tmp_path):
    cfg = T.TrainConfig()
    with pytest.raises(UserError, match="not found"):
        D.ds_config_for(cfg, tmp_path / "nope.json", 1)
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(UserError, match="bad.json: invalid JSON"):
        D.ds_config_for(cfg, tmp_path / "bad.json", 1)
    with pytest.raises(UserError, match="scheduler"):
        D.ds_config_for(cfg, {"scheduler": {"type": "WarmupLR"}}, 1)
    with pytest.raises(UserError, match="AdamW"):
        D.ds_config_for(cfg, {"optimizer": {"type": "Lamb"}}, 1)


def test_ranks_partition_the_single_process_stream():
    """W ranks together consume exactly the micro-batches a 1-rank run with W x grad_accum would,
    each once, in an order fixed by (step, rank): resume needs only the step."""
    world, accum, steps = 4, 3, 5
    seen = [D.micro_batch_index(s, m, accum, r, world) for s in range(steps) for m in range(accum) for r in range(world)]
    assert sorted(seen) == list(range(steps * accum * world))
    assert [D.micro_batch_index(s, m, accum, 0, 1) for s in range(steps) for m in range(accum)] == list(range(15))
    assert {D.micro_batch_index(2, m, accum, r, world) for m in range(accum) for r in range(world)} == set(range(24, 36))


# -- a real engine on the CPU accelerator -------------------------------------------------------------------------


@pytest.fixture
def cpu_world(monkeypatch):
    """Environment for an in-process world of one on DeepSpeed's CPU accelerator (gloo)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = dict(DS_ACCELERATOR="cpu", RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", LOCAL_SIZE="1",
               MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port))
    for k, v in env.items():
        monkeypatch.setenv(k, v)


@needs_deepspeed
def test_zero2_trains_resumes_and_gathers_into_one_safetensors_dir(tmp_path, cpu_world):
    import torch

    from magma_bench.model.modeling_magma import MagmaForCausalLM

    conf = json.loads((REPO / "configs" / "deepspeed" / "zero2.json").read_text())
    conf["bf16"] = {"enabled": False}  # fp32 on CPU: the interrupted and uninterrupted runs match closely
    aux = {"dense_label_weight": 1.0}  # with the auxiliary loss, whose state must resume too
    full = D.train(_cfg(tmp_path / "a", image_check=4, **aux), conf)
    run = tmp_path / "a" / "run"
    assert full["zero_stage"] == 2 and full["world_size"] == 1 and full["steps"] == 4
    assert set(full["image_use"]) == {"vl"}  # train.py's real-vs-blank check ran on the gathered weights
    assert sorted(_losses(run)) == [1, 2, 3, 4]
    assert (run / "ds_checkpoint" / "latest").read_text().strip() == "step4"
    assert not (run / "ds_checkpoint" / "step2").exists()  # older tags are pruned

    part = D.train(_cfg(tmp_path / "b", stop_at=2, **aux), conf)
    assert part["stopped_at"] == 2 and not (tmp_path / "b" / "run" / "model.safetensors").exists()
    rest = D.train(_cfg(tmp_path / "b", **aux), conf)
    assert rest["resumed_from"] == 2
    a, b = _losses(run), _losses(tmp_path / "b" / "run")
    assert sorted(b) == [1, 2, 3, 4]
    for s in range(1, 5):
        assert b[s] == pytest.approx(a[s], rel=1e-4, abs=1e-5), (s, a, b)
    # the dense-label loss resumes where it stopped, as train.py's does
    a, b = _losses(run, "aux_loss"), _losses(tmp_path / "b" / "run", "aux_loss")
    assert sorted(a) == [1, 2, 3, 4] and all(b[s] == pytest.approx(a[s], rel=1e-4, abs=1e-5) for s in a), (a, b)

    # the final directory the `magma` adapter loads, and a re-gather of the same checkpoint
    model = MagmaForCausalLM.from_pretrained(run)
    assert D.main(["gather", str(run / "ds_checkpoint"), str(tmp_path / "g")]) == 0  # the CLI subcommand
    again = MagmaForCausalLM.from_pretrained(tmp_path / "g")
    mine, other = model.state_dict(), again.state_dict()
    assert set(mine) == set(other) and all(torch.equal(mine[k], other[k]) for k in mine)
    assert model.num_parameters() == full["params"]


@needs_deepspeed
def test_zero3_bf16_engine_weights_equal_the_gathered_checkpoint(tmp_path, cpu_world):
    """zero3.json as shipped (bf16), with every parameter partitioned (persistence threshold 0):
    the gathered fp32 master weights, cast to bf16, are the engine's own weights. Training also
    covers image_features reading projector.row_separator outside projector.forward (ZeRO-3
    fetches such external parameters itself)."""
    import deepspeed
    import torch

    from magma_bench.model.modeling_magma import MagmaForCausalLM

    conf = json.loads((REPO / "configs" / "deepspeed" / "zero3.json").read_text())
    conf["zero_optimization"]["stage3_param_persistence_threshold"] = 0
    cfg = _cfg(tmp_path, steps=3, stop_at=2)  # stopped: gathered here from the saved checkpoint
    captured = {}
    real = deepspeed.initialize

    def spy(*a, **kw):
        res = real(*a, **kw)
        captured["engine"] = res[0]
        return res

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(deepspeed, "initialize", spy)
        summary = D.train(cfg, conf)
    assert summary["zero_stage"] == 3 and summary["bf16"] and summary["stopped_at"] == 2
    engine = captured["engine"]
    out = D.gather(Path(cfg.out) / "ds_checkpoint", tmp_path / "gathered")
    loaded = MagmaForCausalLM.from_pretrained(out)
    params = dict(engine.module.named_parameters())
    with deepspeed.zero.GatheredParameters(list(params.values()), enabled=True):
        for name, p in params.items():
            got = loaded.get_parameter(name)
            assert got.dtype == torch.float32 and p.dtype == torch.bfloat16
            assert torch.equal(got.to(torch.bfloat16), p.detach().cpu()), name


@needs_deepspeed
def test_gather_refuses_a_directory_that_is_not_a_zero_checkpoint(tmp_path):
    with pytest.raises(UserError, match="no config.json"):
        D.gather(tmp_path, tmp_path / "out")


@needs_deepspeed
def test_the_deepspeed_launcher_runs_two_cpu_ranks_like_one_rank_with_twice_the_accumulation(tmp_path, cpu_world):
    """The real `deepspeed` launcher, 2 CPU processes (gloo, ~20 s): ranks 0 and 1 take micro-batches
    2k and 2k+1, so the loss curve is the one of a single rank accumulating 2 micro-batches."""
    launcher = shutil.which("deepspeed", path=str(Path(sys.executable).parent))
    if launcher is None:
        pytest.skip("the deepspeed launcher script is not installed next to this python")
    cfg = _cfg(tmp_path / "two", steps=3, precision="fp32")
    args = [launcher, "--num_gpus", "2", "--master_port", str(_free_port()), "--module", "magma_bench.trainer.distributed",
            "--ds-config", str(REPO / "configs" / "deepspeed" / "zero2.json")]
    for k, v in dataclasses.asdict(cfg).items():
        args += [f"--{k.replace('_', '-')}", str(v)]
    env = {k: v for k, v in os.environ.items() if k not in ("RANK", "LOCAL_RANK", "WORLD_SIZE", "MASTER_PORT")}
    env = {**env, "DS_ACCELERATOR": "cpu", "LOCAL_SIZE": "2", "OMP_NUM_THREADS": "1", "PYTHONUNBUFFERED": "1"}
    res = subprocess.run(args, env=env, capture_output=True, text=True, timeout=300, cwd=REPO)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    summary = json.loads((Path(cfg.out) / "train_summary.json").read_text())
    assert summary["world_size"] == 2 and summary["zero_stage"] == 2
    assert (Path(cfg.out) / "model.safetensors").is_file()
    one = D.train(_cfg(tmp_path / "one", steps=3, precision="fp32", grad_accum=2), REPO / "configs/deepspeed/zero2.json")
    assert one["world_size"] == 1
    a, b = _losses(Path(cfg.out)), _losses(tmp_path / "one" / "run")
    assert sorted(a) == sorted(b) == [1, 2, 3]
    for s in a:
        assert a[s] == pytest.approx(b[s], rel=1e-4, abs=1e-5), (s, a, b)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
