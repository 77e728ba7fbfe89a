"""`make perf` figures for the trainer: ToM pipeline throughput and accuracy on generated clips
(side by side in one run: tracking alone vs the whole pipeline, same clips) and training
throughput of the tiny preset on CPU (tokens processed per second, images included)."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def train_figures(steps: int = 3, batch: int = 8) -> dict[str, float]:
    """Tiny-preset update steps on generated VL + ToM examples (answers of mixed length), with one
    torch thread and with torch's default, interleaved (idle 2-core box: 2 threads ~1.6x one; a box
    shared with other jobs can reverse that, which is why the trainer's `threads` is a flag)."""
    import torch

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.modeling_magma import MagmaForCausalLM
    from magma_bench.model.tokenization_magma import load_tokenizer
    from magma_bench.trainer import sources
    from magma_bench.trainer import train as T

    with tempfile.TemporaryDirectory() as tmp:
        exs = sources.vl_source(Path(tmp), batch - 2, seed=0) + sources.video_source(Path(tmp), 2, seed=0, use_tom=True)
        torch.manual_seed(0)
        cfg = MagmaConfig.from_preset("tiny")
        model, tok = MagmaForCausalLM(cfg), load_tokenizer(cfg)
        tcfg = T.TrainConfig()
        opt = T.make_optimizer(model, tcfg)
        rows = [T.encode_example(e, tok, cfg, ActionTokenizer.from_config(cfg), tcfg.max_tokens) for e in exs]
        mb = [T.collate(rows, tok.pad_id)]
        default = torch.get_num_threads()
        settings = sorted({1, default})
        T.update_step(model, opt, mb, 1e-3, 1.0)  # warm-up
        walls, tokens = dict.fromkeys(settings, 0.0), dict.fromkeys(settings, 0)
        for _ in range(steps):
            for th in settings:
                torch.set_num_threads(th)
                t0 = time.perf_counter()
                tokens[th] += T.update_step(model, opt, mb, 1e-3, 1.0)["tokens"]
                walls[th] += time.perf_counter() - t0
        torch.set_num_threads(default)
    out = {f"train_tiny_cpu_tokens_per_s_{th}_thread{'s' * (th > 1)}": tokens[th] / walls[th] for th in settings}
    out["train_tiny_cpu_step_s_batch8_1_thread"] = walls[1] / steps
    return out


def grouping_figures(batch: int = 8) -> dict[str, float]:
    """Padding efficiency (real / padded tokens) of a VL + ToM-video stream, plain vs grouped by
    length (trainer/stream.py): the fraction of each step's compute that is not padding."""
    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.tokenization_magma import load_tokenizer
    from magma_bench.trainer import mixtures, sources
    from magma_bench.trainer import train as T
    from magma_bench.trainer.stream import Stream, padding_efficiency

    with tempfile.TemporaryDirectory() as tmp:
        pools = {"vl": sources.vl_source(Path(tmp), 96, seed=0),
                 "video": sources.video_source(Path(tmp), 6, seed=0, use_tom=True)}
        cfg = MagmaConfig.from_preset("tiny")
        pools, _, lengths = T.fit_pools(pools, load_tokenizer(cfg), cfg, ActionTokenizer.from_config(cfg),
                                        T.TrainConfig.max_tokens)
    mix = mixtures.parse_mixture({"name": "perf", "total": 400, "seed": 0,
                                  "sources": {"vl": {"weight": 0.9, "n": 96}, "video": {"weight": 0.1, "n": 6}}})
    micro = mix.total // batch  # one pass
    plain = padding_efficiency(Stream(mix, pools, batch), lengths, 0, micro)
    grouped = padding_efficiency(Stream(mix, pools, batch, lengths=lengths), lengths, 0, micro)
    return {"train_padding_efficiency_plain": plain, "train_padding_efficiency_grouped": grouped,
            "train_padded_tokens_ratio_plain_over_grouped": grouped / plain}


def figures() -> dict[str, float]:
    from magma_bench.trainer.tom import ToMConfig, trace_of_mark
    from magma_bench.trainer.tom_check import check
    from magma_bench.trainer.tracking import OpenCVTracker, grid_points
    from magma_bench.trainer.videos import make_video

    cfg = ToMConfig()
    clips = [make_video(s, frames=cfg.future + 1, size=256, camera="affine") for s in range(4)]
    n_frames = sum(len(c.frames) for c in clips)
    t0 = time.perf_counter()
    for c in clips:
        OpenCVTracker().track(c.frames, grid_points(256, 256, cfg.grid_size))
    track_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for s, c in enumerate(clips):
        trace_of_mark(c.frames, cfg=cfg, seed=s)
    tom_s = time.perf_counter() - t0
    acc = check(seeds=range(2))
    return {
        **train_figures(),
        **grouping_figures(),
        "tom_frames_per_s_256px_grid15": n_frames / tom_s,
        "tom_tracking_frames_per_s_256px_grid15": n_frames / track_s,
        "tom_trace_error_px": acc["trace_error_px"],
        "tom_fg_bg_accuracy": acc["fg_accuracy"],
    }
