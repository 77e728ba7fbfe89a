"""Multi-GPU / multi-node Magma training through a DeepSpeed ZeRO engine.

The same training as `trainer/train.py` (its TrainConfig, mixture pools, Stream, encoding, collate,
warmup + cosine schedule, parameter groups and model construction are imported, not copied, and a
checkpoint's config.json is the one save_pretrained writes), run data-parallel:

    deepspeed --num_gpus 8 --module magma_bench.trainer.distributed --ds-config configs/deepspeed/zero2.json \\
              --preset small --out checkpoints/magma-small
    python -m magma_bench.trainer.distributed gather checkpoints/magma-small/ds_checkpoint OUT_DIR

What differs from train.py, and why:
  - data: rank r of world W takes global micro-batches k*W + r, where k = step*grad_accum + m is the
    index train.py would use; the stream stays a pure function of (step, rank, world), so a resumed
    run sees the same examples, and at W=1 it is exactly train.py's stream.
  - DeepSpeed config: the JSON under configs/deepspeed/ owns the ZeRO stage and bf16; the keys that
    TrainConfig already has (micro-batch, grad_accum, grad_clip, AdamW lr/betas/weight_decay) are
    overwritten from it (`ds_config_for`), so `--lr 5e-4` means the same thing in both trainers.
    The learning rate is set per step from `lr_for` (no DeepSpeed scheduler: resume needs only the
    step). Weight decay skips norms and biases, via train.make_optimizer's two parameter groups.
  - checkpoints: `engine.save_checkpoint` into <out>/ds_checkpoint/step<N> (each rank writes its
    ZeRO shards; the `latest` file is written last, so a kill mid-save resumes from the previous
    tag), plus the model's config.json there, so `gather` can rebuild the model without TrainConfig.
  - the dense-label loss (TrainConfig.dense_label_weight): added to each step's first micro-batch
    loss, x grad_accum since DeepSpeed divides by it; every rank draws the same scenes (the head is
    outside the engine, so equal heads need equal gradients), and its state rides in the ZeRO
    checkpoint's client state.
  - final weights: DeepSpeed's zero_to_fp32 merges the shards (ZeRO-1/2/3) into one fp32 state
    dict, loaded into MagmaForCausalLM and written with save_pretrained -> <out>/model.safetensors,
    the directory the `magma` adapter loads. On several nodes <out> must be on a shared filesystem.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import socket
import time
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency, UserError
from magma_bench.trainer import mixtures
from magma_bench.trainer import train as T
from magma_bench.trainer.progress import TrainLogger

DEFAULT_DS_CONFIG = "configs/deepspeed/zero2.json"
CKPT_DIR = "ds_checkpoint"


def _deepspeed() -> Any:
    try:
        import deepspeed
    except ImportError:
        raise MissingDependency("distributed training needs DeepSpeed: pip install 'magma-bench[deepspeed]'") from None
    return deepspeed


# -- DeepSpeed config -----------------------------------------------------------------------------------------


def ds_config_for(cfg: T.TrainConfig, ds: str | Path | dict[str, Any], world_size: int,
                  accelerator: str = "cuda") -> dict[str, Any]:
    """The DeepSpeed config the engine gets: the file (or dict) with TrainConfig's keys filled in.

    From TrainConfig: train_micro_batch_size_per_gpu (batch_size), gradient_accumulation_steps
    (grad_accum), train_batch_size (their product times the world size), gradient_clipping
    (grad_clip), optimizer AdamW lr / betas / weight_decay, and bf16.enabled when precision is
    bf16 or fp32 (auto keeps the file's). From the file: zero_optimization, bf16 under auto, eps,
    and anything else. On the CPU accelerator torch's AdamW is used (DeepSpeed's fused Adam would
    be compiled at start-up)."""
    if isinstance(ds, dict):
        conf, where = json.loads(json.dumps(ds)), "DeepSpeed config"
    else:
        where = str(ds)
        try:
            conf = json.loads(Path(ds).read_text())
        except FileNotFoundError:
            raise UserError(f"DeepSpeed config {ds} not found (see configs/deepspeed/zero{{1,2,3}}.json)") from None
        except json.JSONDecodeError as e:
            raise UserError(f"DeepSpeed config {ds}: invalid JSON ({e})") from None
    if not isinstance(conf, dict):
        raise UserError(f"{where}: expected a JSON object")
    if "scheduler" in conf:
        raise UserError(f"{where}: remove the `scheduler` block; the lr schedule comes from TrainConfig "
                        "(--lr, --min-lr, --warmup, --steps)")
    if conf.get("fp16", {}).get("enabled"):
        raise UserError(f"{where}: fp16 is not supported (Magma trains in bf16 or fp32); use the bf16 block")
    conf["train_micro_batch_size_per_gpu"] = cfg.batch_size
    conf["gradient_accumulation_steps"] = cfg.grad_accum
    conf["train_batch_size"] = cfg.batch_size * cfg.grad_accum * world_size
    conf["gradient_clipping"] = cfg.grad_clip
    if cfg.precision != "auto":
        conf["bf16"] = {**conf.get("bf16", {}), "enabled": cfg.precision == "bf16"}
    opt = conf.setdefault("optimizer", {"type": "AdamW", "params": {}})
    if str(opt.get("type", "")).lower() != "adamw":
        raise UserError(f"{where}: optimizer type must be AdamW (the trainer's optimizer), got {opt.get('type')!r}")
    opt["params"] = {**opt.get("params", {}), "lr": cfg.lr, "betas": [cfg.beta1, cfg.beta2],
                     "weight_decay": cfg.weight_decay}
    if accelerator == "cpu":
        opt["params"]["torch_adam"] = True
    conf.setdefault("steps_per_print", 10**9)
    return conf


# -- process group, data, model -------------------------------------------------------------------------------


def _single_process_env() -> None:
    """Run without a launcher as a world of one (the launcher sets these for every rank)."""
    if "RANK" in os.environ:
        return
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    os.environ.update(RANK="0", LOCAL_RANK="0", WORLD_SIZE="1", LOCAL_SIZE="1", MASTER_ADDR="127.0.0.1",
                      MASTER_PORT=str(port))


def micro_batch_index(step: int, m: int, grad_accum: int, rank: int, world: int) -> int:
    """Global micro-batch of rank `rank` for accumulation slot m of optimizer step `step`."""
    return (step * grad_accum + m) * world + rank


def _load_pools(mix: mixtures.Mixture, data_dir: Path, rank: int, local_rank: int) -> dict:
    """train.load_pools, one writer at a time: rank 0 builds the cache, then the first rank on each
    other node (a node without the shared filesystem builds its own), then everyone reads it."""
    import deepspeed.comm as dist

    for turn in (rank == 0, rank != 0 and local_rank == 0):
        if turn:
            pools = T.load_pools(mix, data_dir)
        dist.barrier()
    return pools if rank == 0 or local_rank == 0 else T.load_pools(mix, data_dir)


def _fresh_model(cfg: T.TrainConfig, pools: dict, ckpt: Path, resuming: bool) -> tuple[Any, list[dict]]:
    """(model on CPU, AdamW parameter groups). Fresh runs go through train._build (seeded init,
    robot action statistics); a resumed run rebuilds the checkpoint's config and gets its weights
    from load_checkpoint."""
    import torch

    from magma_bench.model.checkpoint import read_config
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    if resuming:
        torch.manual_seed(cfg.seed)
        model = MagmaForCausalLM(read_config(ckpt)[0])
    else:
        model = T.build_model(cfg, pools)
    return model, T.param_groups(model, cfg)


def _save(engine: Any, ckpt: Path, step: int, cfg: T.TrainConfig, rank: int, aux: Any = None) -> None:
    """One ZeRO checkpoint tag per save (with the auxiliary loss's state in its client state); older
    tags go once every rank has written the new one."""
    import deepspeed.comm as dist

    from magma_bench.model.checkpoint import config_json

    tag = f"step{step}"
    if rank == 0:
        ckpt.mkdir(parents=True, exist_ok=True)
        (ckpt / "config.json").write_text(config_json(engine.module.config))  # as save_pretrained writes it
    client = {"step": step, "config": dataclasses.asdict(cfg), **({"dense_labels": aux.state_dict()} if aux else {})}
    engine.save_checkpoint(str(ckpt), tag=tag, client_state=client)
    dist.barrier()
    if rank == 0:
        for d in ckpt.iterdir():
            if d.is_dir() and d.name.startswith("step") and d.name != tag:
                shutil.rmtree(d, ignore_errors=True)


# -- gather ---------------------------------------------------------------------------------------------------


def gather(ckpt_dir: str | Path, out: str | Path, tag: str | None = None) -> Path:
    """Merge a ZeRO checkpoint directory (the one holding `latest`) into one safetensors checkpoint
    at `out` that MagmaForCausalLM.from_pretrained and the `magma` adapter load (fp32 weights)."""
    import torch

    from magma_bench.model.checkpoint import read_config
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    _deepspeed()
    from deepspeed.utils.zero_to_fp32 import get_fp32_state_dict_from_zero_checkpoint

    ckpt_dir = Path(ckpt_dir)
    if not (ckpt_dir / "config.json").is_file():
        raise UserError(f"{ckpt_dir}: no config.json; not a checkpoint written by magma_bench.trainer.distributed")
    if tag is None and not (ckpt_dir / "latest").is_file():
        raise UserError(f"{ckpt_dir}: no `latest` file; pass the tag (a step<N> folder) to gather")
    if tag is not None and not (ckpt_dir / tag).is_dir():
        raise UserError(f"{ckpt_dir}: no checkpoint tag {tag!r}")
    mc, _ = read_config(ckpt_dir)
    state = get_fp32_state_dict_from_zero_checkpoint(str(ckpt_dir), tag=tag)
    with torch.device("meta"):
        model = MagmaForCausalLM(mc)
    want = set(model.state_dict())
    if set(state) != want:
        raise UserError(f"{ckpt_dir}: ZeRO weights do not match preset {mc.preset!r} (missing "
                        f"{sorted(want - set(state))[:3]}, unexpected {sorted(set(state) - want)[:3]})")
    model.load_state_dict(state, assign=True, strict=True)
    return model.save_pretrained(out)


# -- the loop -------------------------------------------------------------------------------------------------


def train(cfg: T.TrainConfig, ds_config: str | Path | dict = DEFAULT_DS_CONFIG) -> dict[str, Any]:
    """Train on every rank of the launched world; rank 0 writes metrics and the final checkpoint."""
    deepspeed = _deepspeed()
    import deepspeed.comm as dist
    import torch
    from deepspeed.accelerator import get_accelerator

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.tokenization_magma import load_tokenizer

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    _single_process_env()
    deepspeed.init_distributed(dist_backend=get_accelerator().communication_backend_name())
    rank, world, local_rank = dist.get_rank(), dist.get_world_size(), int(os.environ.get("LOCAL_RANK", 0))
    ds = ds_config_for(cfg, ds_config, world, accelerator=get_accelerator().device_name())
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    ckpt = out / CKPT_DIR
    mix = mixtures.load_mixture(cfg.mixture)
    pools = _load_pools(mix, Path(cfg.data_dir) if cfg.data_dir else out / "data", rank, local_rank)
    resuming = cfg.resume and (ckpt / "latest").is_file() and (ckpt / "config.json").is_file()
    model, groups = _fresh_model(cfg, pools, ckpt, resuming)
    engine, _, _, _ = deepspeed.initialize(model=model, model_parameters=groups, config=ds)
    mc = engine.module.config
    aux = None
    if cfg.dense_label_weight:  # every rank draws the same scenes, so the heads stay equal without a reduce
        from magma_bench.trainer.vision_pretrain import DenseLabels

        aux = DenseLabels(mc, cfg.dense_label_weight, seed=cfg.seed, device=str(engine.device))
    start = 0
    if resuming:
        path, client = engine.load_checkpoint(str(ckpt))
        if path is None:
            raise UserError(f"{ckpt}: could not load the ZeRO checkpoint named in `latest`")
        start = int(client["step"])
        if aux is not None and "dense_labels" in client:
            aux.load_state_dict(client["dense_labels"])
    tok, act_tok = load_tokenizer(mc), ActionTokenizer.from_config(mc)
    pools, dropped, lengths = T.fit_pools(pools, tok, mc, act_tok, cfg.max_tokens)
    stream = T.Stream(mix, pools, cfg.batch_size, cfg.steps, cfg.grad_accum * world,
                      lengths if cfg.group_by_length else None)
    dev, accum = engine.device, cfg.grad_accum
    starts = T.schedule_starts(cfg, mix)
    if rank == 0:
        (out / "ds_config.json").write_text(json.dumps(ds, indent=1) + "\n")
    t0, tokens, last = time.perf_counter(), 0, {}
    with TrainLogger(out / "metrics.jsonl", cfg.steps, start, tensorboard_dir=cfg.tensorboard_dir or None, rank=rank) as log:
        for step in range(start, cfg.steps):
            lr = T.lr_for(step, cfg, starts)
            T.set_lr(engine.optimizer, lr)
            engine.train()
            loss_sum, n_tok = 0.0, 0
            for m in range(accum):
                exs = stream.micro_batch(micro_batch_index(step, m, accum, rank, world))
                ids, mask, labels, images = T.collate([T.encode_example(e, tok, mc, act_tok, cfg.max_tokens)
                                                       for e in exs], tok.pad_id)
                _, loss = engine(ids.to(dev), mask.to(dev), images, labels.to(dev))
                total = loss
                if aux is not None and m == 0:  # once per optimizer step, as train.update_step adds it
                    aux_loss = aux.loss(engine.module)
                    total = loss + aux.weight * accum * aux_loss  # x accum: DeepSpeed divides by it
                engine.backward(total)  # DeepSpeed divides by grad_accum and reduces across ranks
                engine.step()  # the optimizer steps (and clips) only at the accumulation boundary
                if aux is not None and m == accum - 1:
                    aux.step()
                loss_sum += float(loss.detach().float())
                n_tok += int(mask.sum())
            red = torch.tensor([loss_sum / accum, float(n_tok)], dtype=torch.float64, device=dev)
            dist.all_reduce(red)
            tokens += int(red[1])
            norm = engine.get_global_grad_norm()
            last = {"loss": float(red[0]) / world, "grad_norm": float(norm) if norm is not None else float("nan"),
                    **({"aux_loss": float(aux_loss.detach())} if aux is not None else {})}
            done = step + 1
            if done % cfg.log_every == 0 or done == cfg.steps:
                el = time.perf_counter() - t0
                log.log({"step": done, "loss": round(last["loss"], 6), "lr": lr, "grad_norm": round(last["grad_norm"], 6),
                         "tokens": tokens, "tokens_per_s": tokens / el, "elapsed_s": el,
                         **({"aux_loss": round(last["aux_loss"], 6)} if aux is not None else {})})
            log.advance(done)
            if done % cfg.ckpt_every == 0 or done == cfg.steps or done == cfg.stop_at:
                _save(engine, ckpt, done, cfg, rank, aux)
            if done == cfg.stop_at:
                break
    finished = not cfg.stop_at or cfg.stop_at >= cfg.steps
    el, looks = time.perf_counter() - t0, {}
    if finished and rank == 0:
        gather(ckpt, out)
        if cfg.image_check:  # train.py's real-vs-blank check, on the gathered weights
            from magma_bench.model.modeling_magma import MagmaForCausalLM

            dtype = torch.bfloat16 if ds.get("bf16", {}).get("enabled") else None
            looks = T.image_use_check(MagmaForCausalLM.from_pretrained(out, dtype=dtype, device=dev), pools, tok,
                                      act_tok, cfg)
    dist.barrier()
    summary = {"steps": cfg.steps, "stopped_at": cfg.stop_at or cfg.steps, "resumed_from": start,
               "world_size": world, "zero_stage": engine.zero_optimization_stage(),
               "bf16": bool(ds.get("bf16", {}).get("enabled")), "dropped_long_prompts": dropped,
               "final_loss": last.get("loss"), "tokens": tokens, "tokens_per_s": tokens / el if el > 0 else 0.0,
               "image_use": looks,
               "params": sum(p.ds_numel if hasattr(p, "ds_numel") else p.numel() for p in engine.module.parameters()),
               "mixture": mixtures.describe(mix)}
    if rank == 0:
        (out / "train_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


# -- command line ---------------------------------------------------------------------------------------------


def _train_args(argv: list[str]) -> tuple[T.TrainConfig, str]:
    p = argparse.ArgumentParser(prog="deepspeed --module magma_bench.trainer.distributed",
                                description="Magma training on a DeepSpeed ZeRO engine (same flags as train.py).")
    p.add_argument("--ds-config", default=DEFAULT_DS_CONFIG, help="DeepSpeed JSON (configs/deepspeed/zero*.json)")
    a = T.add_config_args(p).parse_args(argv)  # the flags of train.main, from the same dataclass
    return T.config_from_args(a), a.ds_config


def main(argv: list[str] | None = None) -> int:
    import sys

    argv = list(sys.argv[1:] if argv is None else argv)
    # the deepspeed launcher passes --local_rank=N; the rank is read from LOCAL_RANK instead
    argv = [a for a in argv if not a.startswith(("--local_rank=", "--local-rank="))]
    try:
        if argv[:1] == ["gather"]:
            p = argparse.ArgumentParser(prog="python -m magma_bench.trainer.distributed gather",
                                        description="Merge a ZeRO checkpoint into one safetensors directory.")
            p.add_argument("checkpoint", help="the ZeRO checkpoint dir (<out>/ds_checkpoint, holding `latest`)")
            p.add_argument("out", help="where to write model.safetensors + config.json")
            p.add_argument("--tag", default=None, help="checkpoint tag (default: the one `latest` names)")
            a = p.parse_args(argv[1:])
            print(gather(a.checkpoint, a.out, a.tag))
            return 0
        cfg, ds = _train_args(argv[1:] if argv[:1] == ["train"] else argv)
        summary = train(cfg, ds)
        if int(os.environ.get("RANK", "0")) == 0:
            print(json.dumps(summary, indent=1))
    except UserError as e:
        print(f"error: {e}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
