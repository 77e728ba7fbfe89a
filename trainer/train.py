"""Magma pretraining loop: a mixture of SoM/ToM examples -> a checkpoint the evaluator runs.

Reads top to bottom like nanoGPT's train.py, but configured by a dataclass (lerobot
TrainPipelineConfig) and with the optimisation step apart from the loop (lerobot update_policy):
  1. config        TrainConfig; `python -m magma_bench.trainer.train --steps 200 --mixture M.yaml`
  2. data          mixture -> per-source example pools (cached as JSONL under data_dir) -> a
                   deterministic stream: pass p is `mixtures.sample(seed = mixture.seed + p)`, and
                   step s takes micro-batches s*accum .. s*accum+accum-1 of it (resume needs only s)
  3. encoding      chat prompt (images expanded to their feature count) + answer text (+ 7 action
                   tokens for robot steps, OpenVLA bins with q01/q99 from the robot pool) + eos;
                   loss only on the answer
  4. update_step   grad accumulation, bf16 autocast where supported, clip, AdamW, lr from the
                   warmup + cosine schedule (a pure function of the step)
  5. loop          JSONL metrics, checkpoint (weights, optimizer, step) every ckpt_every steps,
                   written to a temp dir then renamed, so a SIGKILL leaves the previous one intact;
                   a rerun resumes from it and reproduces the uninterrupted loss curve
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import os
import shutil
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import numpy as np
from pydantic import AfterValidator, ConfigDict, Field
from pydantic.dataclasses import dataclass

from magma_bench.config import Bool, Float, Int, KnownKeys, problem, validate
from magma_bench.errors import UserError
from magma_bench.trainer import data as data_mod
from magma_bench.trainer import mixtures
from magma_bench.trainer.data import Example
from magma_bench.trainer.progress import TrainLogger
from magma_bench.trainer.stream import Stream

# -- 1. config -------------------------------------------------------------------------------------------


Positive = Annotated[Int, Field(ge=1)]  # a count that must be at least one
Count = Annotated[Int, Field(ge=0)]  # 0 is a meaningful value (off, none, torch's default)
Rate = Annotated[Float, Field(ge=0)]
Beta = Annotated[Float, Field(ge=0, lt=1)]  # AdamW's betas


def _one_of(*choices: str) -> AfterValidator:
    def check(v: str) -> str:
        if v not in choices:
            raise problem(" | ".join(choices))
        return v

    return AfterValidator(check)


Precision = Annotated[str, _one_of("auto", "fp32", "bf16")]


# Typed (a pydantic dataclass on magma_bench.config): a bad value, from a flag or from Python, is one
# error naming the field; `dataclasses.replace`/`asdict` work as on any dataclass. Each field's
# trailing comment is its --help (magma_bench/cli/dataclass_options.py).
@dataclass(config=ConfigDict(extra="forbid", allow_inf_nan=False))
class TrainConfig(KnownKeys):
    out: str = "checkpoints/magma-tiny"  # final checkpoint (adapters/magma.py loads this path by default)
    preset: str = "tiny"  # MagmaConfig preset
    model_args: str = ""  # JSON object of MagmaConfig fields over the preset, e.g. '{"image_size": 64}'
    mixture: str = "configs/mixtures/full.yaml"  # training mixture YAML
    data_dir: str | None = None  # example pools cache; default <out>/data
    # the default recipe (configs/mixtures/full.yaml): about 90 min on 2 CPU cores, longer than
    # `make train`'s 30 min, so its checkpoint ships in checkpoints/magma-tiny (docs/training.md)
    steps: Positive = 3300  # optimizer steps (the default recipe: 2100 of them phase 1, configs/mixtures/full.yaml)
    batch_size: Positive = 64  # examples per micro-batch
    grad_accum: Positive = 1  # micro-batches per optimizer step
    lr: Annotated[Float, Field(gt=0)] = 1e-3  # peak learning rate (2e-3 cannot even memorise 32 images at tiny; 5e-4 can)
    # the vision tower and projector's lr = this x lr: at 1.0 the decoder's early gradients wash out
    # what stage 0 taught the tower (image-use gap 0.004 vs 0.48 at 0.1 after 600 VL steps)
    vision_lr_scale: Rate = 0.1
    vision_pretrain_steps: Count = 800  # stage 0 (trainer/vision_pretrain.py): tower-only steps on scene labels
    freeze_vision_tower: Bool = False  # the tower stays as stage 0 left it (the projector still trains)
    # per-cell colour/kind/place labels as an auxiliary loss on the image tokens through the run, at this
    # weight (0 = off; trainer/vision_pretrain.DenseLabels): keeps them loud enough to be looked up
    dense_label_weight: Rate = 0.0
    min_lr: Rate = 1e-4  # cosine floor
    warmup: Count = 50  # linear warmup steps
    # each curriculum phase re-warms the rate and decays it again to the run's end (SGDR-style warm
    # restarts at the mixture's phase boundaries): a phase's new data starts at the peak rate, not at
    # the tail of one cosine (the default recipe's second phase began at 2.9e-4 and its formats were
    # still being learnt at the end: docs/training.md, session 14)
    lr_restarts: Bool = True
    weight_decay: Rate = 0.01  # AdamW decay on matrices (not on norms/biases)
    beta1: Beta = 0.9
    beta2: Beta = 0.95
    grad_clip: Rate = 1.0  # max global grad norm (0 = off)
    precision: Precision = "auto"  # auto (bf16 autocast on a bf16-capable GPU, else fp32) | fp32 | bf16
    device: str = "cpu"
    seed: Count = 0  # model init seed (data order comes from the mixture's seed)
    max_tokens: Positive = 1024  # longer examples lose the end of their answer
    ckpt_every: Positive = 50  # steps between checkpoints (and always at the end)
    log_every: Positive = 10  # steps between metrics lines
    threads: Count = 0  # torch CPU threads (0 = torch's default, all cores: 2 threads train 1.6x faster than 1 on 2 cores)
    resume: Bool = True  # continue from <out>/checkpoint when it exists
    # fine-tune: start from these weights instead of a fresh init and stage 0 (a checkpoint directory);
    # parameters it lacks, e.g. one a model_args switch adds, keep their fresh init
    init_from: str = ""
    stop_at: Count = 0  # checkpoint and stop after this step (time-sliced runs); 0 = run to `steps`
    tensorboard_dir: str = ""  # also write TensorBoard scalars here (needs `pip install tensorboard`)
    image_check: Count = 24  # examples per source for the real-vs-blank image-use check at the end (0 = off)
    group_by_length: Bool = True  # batch examples of similar length together (trainer/stream.py): 2x less padding


# TrainConfig fields added after the shipped checkpoint's run was recorded, at the defaults that
# reproduce what that run did (its provenance lacks them; tests/trainer/test_shipped_checkpoint.py)
LATER_FIELDS = {"init_from": "", "dense_label_weight": 0.0}


# -- 2. data ----------------------------------------------------------------------------------------------


def pool_dir(data_dir: Path, mix: mixtures.Mixture, s: str) -> Path:
    """Where source s's pool lives: one directory per source description (`mixtures.source_key`),
    so mixtures that share a source (the Table 3 variants in one data dir) share its pool, and
    a SoM and a no-SoM UI pool never overwrite each other's images."""
    from magma_bench.run.store import config_hash

    return data_dir / f"{s}-{config_hash(mixtures.source_key(mix, s))[:10]}"


# slowest first, so the pool that takes longest starts first when they build in parallel
_BUILD_ORDER = ("ui", "robot", "suites", "video", "vl")


def _build_pool(mix: mixtures.Mixture, d: Path, s: str) -> None:
    """Build one source's pool into `d`; pool.jsonl is renamed into place last."""
    pool = mixtures.build_pools(mix, d, only=[s])[s]
    data_mod.write_jsonl(pool, d / "pool.jsonl.tmp")
    os.replace(d / "pool.jsonl.tmp", d / "pool.jsonl")
    (d / "source.json").write_text(json.dumps(mixtures.source_key(mix, s), indent=1, sort_keys=True) + "\n")


def load_pools(mix: mixtures.Mixture, data_dir: Path, workers: int = 0) -> dict[str, list[Example]]:
    """Example pools, generated once per source description and cached as JSONL beside their
    images (`pool_dir`); UI rendering and robot rollouts are the slow ones, so missing pools build
    in parallel, one process per source (`workers`, 0 = one per core). A killed build is redone,
    not half-read. Each pool depends only on its own seed, so parallel and serial builds match."""
    sources = mixtures.active_sources(mix)
    todo = sorted((s for s in sources if not (pool_dir(Path(data_dir), mix, s) / "pool.jsonl").is_file()),
                  key=lambda s: _BUILD_ORDER.index(s) if s in _BUILD_ORDER else len(_BUILD_ORDER))
    workers = min(len(todo), workers or os.cpu_count() or 1)
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as ex:
            for f in [ex.submit(_build_pool, mix, pool_dir(Path(data_dir), mix, s), s) for s in todo]:
                f.result()
    else:
        for s in todo:
            _build_pool(mix, pool_dir(Path(data_dir), mix, s), s)
    return {s: data_mod.read_jsonl(pool_dir(Path(data_dir), mix, s) / "pool.jsonl") for s in sources}


def action_stats(pools: dict[str, list[Example]]) -> tuple[list[float], list[float]] | None:
    """OpenVLA q01/q99 per action dimension over the robot pool (None without robot data)."""
    acts = [e.action for p in pools.values() for e in p if e.action is not None]
    if not acts:
        return None
    a = np.asarray(acts, dtype=np.float64)
    return np.quantile(a, 0.01, axis=0).tolist(), np.quantile(a, 0.99, axis=0).tolist()


# -- 3. encoding ---------------------------------------------------------------------------------------------


def encode_example(ex: Example, tok: Any, cfg: Any, act_tok: Any, max_tokens: int) -> tuple[list[int], list[int], list]:
    """(ids, labels, image views): labels are -100 on the prompt, the answer ids elsewhere."""
    from magma_bench.model.processing_magma import feature_count, image_views

    views = [image_views(p, cfg) for p in ex.images]
    user = [m for m in ex.messages if m["role"] != "assistant"]
    prompt = tok.encode_chat(user, [feature_count(v, cfg) for v in views], add_generation_prompt=True)
    answer = (tok.encode(ex.target) if ex.target else []) + (act_tok.encode(ex.action) if ex.action else [])
    answer.append(tok.eos_id)
    if len(prompt) >= max_tokens:
        raise UserError(f"example {ex.id}: prompt of {len(prompt)} tokens exceeds max_tokens={max_tokens}")
    ids, labels = (prompt + answer)[:max_tokens], ([-100] * len(prompt) + answer)[:max_tokens]
    return ids, labels, views


def fit_pools(pools: dict[str, list[Example]], tok: Any, cfg: Any, act_tok: Any, max_tokens: int
              ) -> tuple[dict[str, list[Example]], dict[str, int], dict[str, int]]:
    """Pools without the examples whose prompt alone exceeds max_tokens (long SpatialEval maps,
    many-frame videos on a small context), how many each source lost, and every kept example's
    encoded length in tokens (by id; what length grouping sorts on)."""
    out, dropped, lengths = {}, {}, {}
    for s, pool in pools.items():
        keep = []
        for e in pool:
            try:
                lengths[e.id] = len(encode_example(e, tok, cfg, act_tok, max_tokens)[0])
                keep.append(e)
            except UserError:
                pass
        out[s], dropped[s] = keep, len(pool) - len(keep)
    return out, dropped, lengths


def collate(rows: list[tuple[list[int], list[int], list]], pad_id: int):
    """Left-padded (ids, mask, labels) tensors and the images in order."""
    import torch

    width = max(len(r[0]) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), -100, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    images = []
    for i, (r_ids, r_lab, views) in enumerate(rows):
        ids[i, width - len(r_ids):] = torch.tensor(r_ids)
        labels[i, width - len(r_lab):] = torch.tensor(r_lab)
        mask[i, width - len(r_ids):] = 1
        images += views
    return ids, mask, labels, images


# -- 4. one optimisation step ------------------------------------------------------------------------------------


def lr_at(step: int, cfg: TrainConfig, start: int = 0) -> float:
    """Linear warmup to cfg.lr from step `start`, then cosine decay to cfg.min_lr at cfg.steps."""
    if step - start < cfg.warmup:
        return cfg.lr * (step - start + 1) / cfg.warmup
    t = min(1.0, (step - start - cfg.warmup) / max(1, cfg.steps - start - cfg.warmup))
    return cfg.min_lr + 0.5 * (1 + math.cos(math.pi * t)) * (cfg.lr - cfg.min_lr)


def schedule_starts(cfg: TrainConfig, mix: mixtures.Mixture) -> list[int]:
    """Where the rate schedule restarts: the mixture's phase boundaries under `lr_restarts`."""
    return [b for b in mixtures.phase_starts(mix, cfg.steps) if 0 < b < cfg.steps] if cfg.lr_restarts else []


def lr_for(step: int, cfg: TrainConfig, starts: list[int]) -> float:
    """The rate at `step` on a schedule that restarts at `starts` (sorted steps)."""
    return lr_at(step, cfg, max((b for b in starts if b <= step), default=0))


def update_step(model: Any, optimizer: Any, micro_batches: list[tuple], lr: float, grad_clip: float,
                autocast: Any = None, aux: Any = None) -> dict[str, float]:
    """Accumulate gradients over micro-batches (each (ids, mask, labels, images)) and an auxiliary
    loss's (`aux`, e.g. vision_pretrain.DenseLabels), clip, step AdamW. Returns the mean loss, the
    grad norm before clipping, the tokens processed (images included) and the supervised (answer)
    tokens, and the auxiliary loss where there is one."""
    import torch

    set_lr(optimizer, lr)
    model.train()
    total, tokens, targets = 0.0, 0, 0
    for ids, mask, labels, images in micro_batches:
        with autocast() if autocast else nullcontext():
            _, loss = model(ids, mask, images, labels)
        (loss / len(micro_batches)).backward()
        total += float(loss.detach())
        tokens += int(mask.sum())
        targets += int((labels[:, 1:] != -100).sum())
    extra = {"aux_loss": aux.backward(model)} if aux is not None else {}
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), grad_clip if grad_clip > 0 else float("inf"))
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    if aux is not None:
        aux.step()
    return {"loss": total / len(micro_batches), "grad_norm": float(norm), "tokens": tokens, "target_tokens": targets,
            **extra}


def param_groups(model: Any, cfg: TrainConfig) -> list[dict[str, Any]]:
    """AdamW groups: weight decay on matrices, none on norms and biases (also the DeepSpeed path's);
    the vision tower and projector train at cfg.vision_lr_scale x the lr (`lr_scale` in the group,
    applied by set_lr; LLaVA's mm_projector_lr plays the same role)."""
    groups: dict[tuple[bool, bool], list] = {}  # (vision or projector, decayed) -> parameters
    for name, p in model.named_parameters():
        if p.requires_grad:
            groups.setdefault((name.startswith(("vision_tower.", "projector.")), p.dim() >= 2), []).append(p)
    return [{"params": ps, "weight_decay": cfg.weight_decay if decay else 0.0,
             "lr_scale": cfg.vision_lr_scale if vision else 1.0} for (vision, decay), ps in groups.items()]


def set_lr(optimizer: Any, lr: float) -> None:
    for g in optimizer.param_groups:
        g["lr"] = lr * g.get("lr_scale", 1.0)


def make_optimizer(model: Any, cfg: TrainConfig) -> Any:
    import torch

    return torch.optim.AdamW(param_groups(model, cfg), lr=cfg.lr, betas=(cfg.beta1, cfg.beta2))


def _autocast(cfg: TrainConfig) -> Any:
    import torch

    use = cfg.precision == "bf16" or (cfg.precision == "auto" and cfg.device.startswith("cuda")
                                      and torch.cuda.is_available() and torch.cuda.is_bf16_supported())
    dev = "cuda" if cfg.device.startswith("cuda") else "cpu"
    return (lambda: torch.autocast(dev, dtype=torch.bfloat16)) if use else None


# -- 5. checkpoints and the loop ------------------------------------------------------------------------------------


AUX_STATE = "dense_labels.pt"  # the auxiliary loss's head, optimizer and scene stream, beside optimizer.pt


def save_checkpoint(model: Any, optimizer: Any, step: int, out: Path, cfg: TrainConfig, aux: Any = None) -> Path:
    """<out>/checkpoint: safetensors weights + config, optimizer state, step [and the auxiliary
    loss's state]; replaced atomically."""
    import torch

    tmp, final, old = out / "checkpoint.tmp", out / "checkpoint", out / "checkpoint.old"
    shutil.rmtree(tmp, ignore_errors=True)
    model.save_pretrained(tmp)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    if aux is not None:
        torch.save(aux.state_dict(), tmp / AUX_STATE)
    (tmp / "trainer_state.json").write_text(json.dumps({"step": step, "config": dataclasses.asdict(cfg)}, indent=1))
    if final.exists():
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(tmp, final)
    shutil.rmtree(old, ignore_errors=True)
    return final


def _build(cfg: TrainConfig, pools: dict[str, list[Example]], out: Path) -> tuple[Any, Any, int]:
    """(model, optimizer, first step): from <out>/checkpoint when resuming, else fresh."""
    import torch

    from magma_bench.model.modeling_magma import MagmaForCausalLM

    ckpt = out / "checkpoint"
    if cfg.resume and (ckpt / "trainer_state.json").is_file():
        model = MagmaForCausalLM.from_pretrained(ckpt, device=cfg.device)
        model.vision_tower.requires_grad_(not cfg.freeze_vision_tower)
        opt = make_optimizer(model, cfg)
        opt.load_state_dict(torch.load(ckpt / "optimizer.pt", map_location=cfg.device, weights_only=True))
        return model, opt, int(json.loads((ckpt / "trainer_state.json").read_text())["step"])
    model = build_model(cfg, pools).to(cfg.device)
    if cfg.init_from:
        load_weights(model, Path(cfg.init_from))
    elif cfg.vision_pretrain_steps:
        from magma_bench.trainer.vision_pretrain import pretrain_vision

        r = pretrain_vision(model, cfg.vision_pretrain_steps, cfg.batch_size, cfg.lr, cfg.seed, cfg.device)
        print(f"vision pretraining: {r['steps']} steps, loss {r['loss']:.3f}, occupied cells' colour "
              f"{r['colour_acc']:.1f}% and kind {r['kind_acc']:.1f}% over the last 50 steps, {r['seconds']:.0f} s",
              flush=True)
    model.vision_tower.requires_grad_(not cfg.freeze_vision_tower)
    return model, make_optimizer(model, cfg), 0


def load_weights(model: Any, path: Path) -> None:
    """Copy checkpoint `path`'s weights into `model` (TrainConfig.init_from). A weight the model does
    not have, or of another shape, is an error: that is another architecture, not a fine-tune."""
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    src = MagmaForCausalLM.from_pretrained(path).state_dict()
    own = model.state_dict()
    alien = sorted(k for k in src if k not in own or own[k].shape != src[k].shape)
    if alien:
        raise UserError(f"{path}: init_from weights do not fit this model ({', '.join(alien[:3])}"
                        f"{'...' if len(alien) > 3 else ''}: missing here or of another shape)")
    model.load_state_dict(src, strict=False)
    fresh = sorted(set(own) - set(src))
    print(f"initialised from {path}" + (f"; kept fresh: {', '.join(fresh)}" if fresh else ""), flush=True)


def build_model(cfg: TrainConfig, pools: dict[str, list[Example]]) -> Any:
    """A fresh model of cfg.preset, seeded by cfg.seed, on the CPU; its action-bin range is the
    robot pool's q01/q99 (the gripper, mask False, is clipped, not normalised: preset bounds)."""
    import torch

    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    torch.manual_seed(cfg.seed)
    stats = action_stats(pools)
    base = MagmaConfig.from_preset(cfg.preset)
    over = {"action_q01": stats[0][:6] + base.action_q01[6:], "action_q99": stats[1][:6] + base.action_q99[6:]
            } if stats else {}
    try:
        extra = json.loads(cfg.model_args) if cfg.model_args else {}
    except json.JSONDecodeError as e:
        raise UserError(f"model_args is not a JSON object: {e}") from None
    if not isinstance(extra, dict):
        raise UserError("model_args must be a JSON object of MagmaConfig fields")
    return MagmaForCausalLM(MagmaConfig.from_preset(cfg.preset, **{**over, **extra}))


def image_use_check(model: Any, pools: dict[str, list[Example]], tok: Any, act_tok: Any, cfg: TrainConfig
                    ) -> dict[str, dict[str, float]]:
    """Real-vs-blank answer loss on up to cfg.image_check examples per source (trainer.image_use)."""
    from magma_bench.trainer.image_use import image_use

    rng = np.random.default_rng(cfg.seed)
    picked = [p[i] for p in pools.values() for i in rng.permutation(len(p))[: cfg.image_check]]
    res = image_use(model, picked, tok, act_tok, cfg.max_tokens)
    for src, r in res.items():
        print(f"image use {src}: answer loss {r['loss_real']:.3f} with the images, {r['loss_blank']:.3f} "
              f"with blank ones (gap {r['gap']:+.3f}, n={r['n']})", flush=True)
    return res


def train(cfg: TrainConfig) -> dict[str, Any]:
    import torch

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.tokenization_magma import load_tokenizer

    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    mix = mixtures.load_mixture(cfg.mixture)
    from magma_bench.run.provenance import revision

    rev = revision()  # before the run writes anything: the shipped checkpoint's own files are tracked
    clock = {"start": time.perf_counter()}
    pools = load_pools(mix, Path(cfg.data_dir) if cfg.data_dir else out / "data")
    clock["pools"] = time.perf_counter()
    model, opt, start = _build(cfg, pools, out)
    clock["model"] = time.perf_counter()
    mc = model.config
    tok = load_tokenizer(mc)
    act_tok = ActionTokenizer.from_config(mc)  # the action range ends at action_end (below vocab_size for 8b)
    pools, dropped, lengths = fit_pools(pools, tok, mc, act_tok, cfg.max_tokens)
    stream = Stream(mix, pools, cfg.batch_size, cfg.steps, cfg.grad_accum, lengths if cfg.group_by_length else None)
    autocast = _autocast(cfg)
    starts = schedule_starts(cfg, mix)
    aux = None
    if cfg.dense_label_weight:
        from magma_bench.trainer.vision_pretrain import DenseLabels

        aux = DenseLabels(mc, cfg.dense_label_weight, seed=cfg.seed, device=cfg.device)
        if start and (state := out / "checkpoint" / AUX_STATE).is_file():
            aux.load_state_dict(torch.load(state, map_location=cfg.device, weights_only=True))
    t0, tokens, last = time.perf_counter(), 0, {}
    with TrainLogger(out / "metrics.jsonl", cfg.steps, start, cfg.tensorboard_dir or None) as log:
        for step in range(start, cfg.steps):
            mbs = []
            for m in range(cfg.grad_accum):
                exs = stream.micro_batch(step * cfg.grad_accum + m)
                ids, mask, labels, images = collate([encode_example(e, tok, mc, act_tok, cfg.max_tokens) for e in exs],
                                                    tok.pad_id)
                mbs.append((ids.to(cfg.device), mask.to(cfg.device), labels.to(cfg.device), images))
            lr = lr_for(step, cfg, starts)
            last = update_step(model, opt, mbs, lr, cfg.grad_clip, autocast, aux)
            tokens += last["tokens"]
            done = step + 1
            if done % cfg.log_every == 0 or done == cfg.steps:
                el = time.perf_counter() - t0
                log.log({"step": done, "loss": round(last["loss"], 6), "lr": lr,
                         "grad_norm": round(last["grad_norm"], 6), "tokens": tokens, "tokens_per_s": tokens / el,
                         "elapsed_s": el, **({"aux_loss": round(last["aux_loss"], 6)} if aux else {})})
            log.advance(done)
            if done % cfg.ckpt_every == 0 or done == cfg.steps or done == cfg.stop_at:
                save_checkpoint(model, opt, done, out, cfg, aux)
            if done == cfg.stop_at:
                break
    finished = not cfg.stop_at or cfg.stop_at >= cfg.steps
    if finished:
        model.save_pretrained(out)
    el = time.perf_counter() - t0
    looks = image_use_check(model, pools, tok, act_tok, cfg) if finished and cfg.image_check else {}
    summary = {"steps": cfg.steps, "stopped_at": cfg.stop_at or cfg.steps, "resumed_from": start,
               "dropped_long_prompts": dropped, "final_loss": last.get("loss"), "tokens": tokens,
               "tokens_per_s": tokens / el if el > 0 else 0.0, "params": model.num_parameters(),
               "image_use": looks,
               "mixture": mixtures.describe(mix),
               "provenance": provenance(cfg, rev, {**clock, "loop": t0, "end": t0 + el})}
    (out / "train_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return summary


def provenance(cfg: TrainConfig, rev: dict[str, Any], clock: dict[str, float]) -> dict[str, Any]:
    """What reproduces this run and what it cost: the harness commit when it started (`rev`), the
    whole TrainConfig, the command line, package versions and the wall time per stage (pools; model
    and stage 0; the steps, split per phase by metrics.jsonl's elapsed_s). A resumed run's times
    cover this process only."""
    import platform
    import shlex
    import sys

    import torch

    from magma_bench.run.provenance import versions

    spans = {"pools": ("start", "pools"), "model_and_stage0": ("pools", "model"), "steps": ("loop", "end"),
             "total": ("start", "end")}
    wall = {k: round(clock[b] - clock[a], 1) for k, (a, b) in spans.items()}
    return {**rev, "command": shlex.join(sys.argv), "train_config": dataclasses.asdict(cfg),
            "versions": versions(), "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
                                               f"{torch.get_num_threads()} torch threads",
            "wall_s": wall}


def _flag_bool(s: str) -> bool:
    """A boolean flag's value: true/false, yes/no, 1/0 (anything else is refused, not read as false)."""
    from magma_bench.typed_args import parse_bool

    try:
        return parse_bool(s)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{s!r} is not valid; expected a boolean (true/false, yes/no, 1/0)") from None


def _flag_type(hint: Any) -> Any:
    """The argparse type of a TrainConfig field, from its annotation (`int`, `float`, `bool`, `str`,
    `str | None`; the bounds are the dataclass's to check)."""
    return {int: int, float: float, bool: _flag_bool}.get(hint, str)


def add_config_args(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """One --flag per TrainConfig field (also the DeepSpeed entry point's flags)."""
    hints = get_type_hints(TrainConfig)  # Annotated[...] stripped: the plain type of each field
    for f in dataclasses.fields(TrainConfig):
        p.add_argument(f"--{f.name.replace('_', '-')}", type=_flag_type(hints[f.name]), default=f.default)
    return p


def config_from_args(ns: argparse.Namespace, where: str = "train flags") -> TrainConfig:
    """The TrainConfig of parsed flags; a bad value (`--steps 0`, `--lr nan`) is one UserError line
    naming the field."""
    names = {f.name for f in dataclasses.fields(TrainConfig)}
    return validate(TrainConfig, {k: v for k, v in vars(ns).items() if k in names}, where)


def main(argv: list[str] | None = None) -> int:
    p = add_config_args(argparse.ArgumentParser(prog="python -m magma_bench.trainer.train",
                                                description=__doc__.split("\n")[0]))
    ns = p.parse_args(argv)
    try:
        print(json.dumps(train(config_from_args(ns)), indent=1))
    except UserError as e:
        print(f"error: {e}")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
