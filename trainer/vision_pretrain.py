"""Stage 0: the vision tower learns the offline world's objects before the decoder looks at them.

Magma's ConvNeXt arrives pretrained (CLIP); a tower trained from scratch through a decoder that
has not yet learned to look gets almost no useful gradient, and on 2 CPU cores training the two
together collapses its features to one vector per cell (image-use gap 0.004 after 600 VL steps,
against 0.32 with this stage and the tower then frozen; docs/training.md). So, standing in for
that pretraining, the tower first learns dense labels of fresh training scenes -- for each feature
cell, the colour and the kind of the object centred in it, or "empty" -- through a linear head
that is thrown away afterwards. The scenes are the VL suites' generator (`vl/offline/scenes`) at
PRETRAIN_SEED, a seed no evaluation suite and no training pool uses; images go through the
model's own preprocessing (`image_views`), so the tower sees exactly what it will see later.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

PRETRAIN_SEED = 2_000_003  # never an evaluation seed (0, 1, ...) nor a pool seed (sources.SUITE_SEED + s)
AUX_SEED = 2_100_003  # DenseLabels' scenes: apart from stage 0's, the pools' and the evaluation seeds
SCENE_SIZE = 224  # the VL generators' canvas


def scene_batch(rng: np.random.Generator, n: int, cfg: Any) -> tuple[Any, Any, Any]:
    """(pixels (n, 3, S, S), colour labels (n, g, g), kind labels (n, g, g)); label 0 is "empty",
    c > 0 is COLORS/KINDS index c - 1 of the object whose centre falls in the cell."""
    import torch

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, sample_scene, scene_image
    from magma_bench.model.processing_magma import image_views

    g, colours = cfg.grid_side, list(COLORS)
    pix, yc, yk = [], torch.zeros(n, g, g, dtype=torch.long), torch.zeros(n, g, g, dtype=torch.long)
    for i in range(n):
        objs = sample_scene(rng, SCENE_SIZE)
        for o in objs:
            gy, gx = o.cy * g // SCENE_SIZE, o.cx * g // SCENE_SIZE
            yc[i, gy, gx], yk[i, gy, gx] = 1 + colours.index(o.color), 1 + KINDS.index(o.kind)
        pix.append(image_views(scene_image(objs, SCENE_SIZE), cfg).crops[0])
    return torch.stack(pix), yc, yk


def dense_label_loss(out: Any, yc: Any, yk: Any) -> tuple[Any, Any, Any]:
    """(colour CE + kind CE, colour logits, kind logits) of per-cell head outputs (B, g, g,
    n_col + n_kind) against scene_batch's labels; the logits flattened to one row per cell."""
    import torch.nn.functional as F

    from magma_bench.benchmarks.vl.offline.scenes import COLORS

    n_col = len(COLORS) + 1
    lc, lk = out[..., :n_col].flatten(0, -2), out[..., n_col:].flatten(0, -2)
    return F.cross_entropy(lc, yc.reshape(-1)) + F.cross_entropy(lk, yk.reshape(-1)), lc, lk


def dense_label_head(width: int, seed: int, device: str = "cpu") -> Any:
    """The throwaway linear head from `width`-dim cell features to colour and kind logits (each
    with "empty"), seeded independently of the global RNG."""
    import torch

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS

    gen = torch.Generator().manual_seed(seed)
    head = torch.nn.Linear(width, len(COLORS) + len(KINDS) + 2).to(device)
    with torch.no_grad():
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) * width ** -0.5)
        head.bias.zero_()
    return head


class DenseLabels:
    """Stage 0's per-cell colour and kind labels kept on through training as an auxiliary loss on
    the projector output (the image tokens the decoder reads), through a throwaway linear head.

    Without it the decoder's gradients leave colour quiet in the image tokens (1.9% of their
    variance against kind's 74%), and a question that names an object and asks its colour stays at
    chance however it is worded; with it colour is 37% of their variance and the look-up is
    learnt (docs/training.md, session 18). `backward` adds weight x the loss's gradients to the
    model's before its optimizer step; `step` moves the head. The head and its scene stream are
    not checkpointed: a resumed run starts them afresh."""

    def __init__(self, cfg: Any, weight: float, batch_size: int = 8, seed: int = 0, device: str = "cpu") -> None:
        import torch

        self.head = dense_label_head(cfg.hidden_size, seed, device)
        self.opt = torch.optim.AdamW(self.head.parameters(), lr=1e-3, weight_decay=0.01)
        self.rng = np.random.default_rng(AUX_SEED + seed)
        self.weight, self.batch_size, self.device = weight, batch_size, device

    def backward(self, model: Any) -> float:
        """Accumulate weight x the loss's gradients into the model (and the head); returns the loss."""
        pix, yc, yk = scene_batch(self.rng, self.batch_size, model.config)
        tokens = model.projector(model.vision_tower(pix.to(self.device, model.projector.row_separator.dtype)))
        loss = dense_label_loss(self.head(tokens.float()), yc.to(self.device), yk.to(self.device))[0]
        (self.weight * loss).backward()
        return float(loss.detach())

    def step(self) -> None:
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)


def pretrain_vision(model: Any, steps: int, batch_size: int = 8, lr: float = 1e-3, seed: int = 0,
                    device: str = "cpu") -> dict[str, float]:
    """Train model.vision_tower in place on per-cell colour + kind labels; returns the last
    step's loss, colour and kind accuracy on occupied cells over the last 50 steps' (fresh,
    not yet trained on) batches, and the wall time."""
    import torch

    tower, cfg = model.vision_tower, model.config
    head = dense_label_head(cfg.vision_dims[-1], seed, device)
    params = list(tower.parameters()) + list(head.parameters())
    opt = torch.optim.AdamW(params, lr=lr, weight_decay=0.01, betas=(0.9, 0.95))
    rng = np.random.default_rng(PRETRAIN_SEED + seed)
    tower.train()
    t0, loss, tally = time.perf_counter(), float("nan"), np.zeros(3)  # occupied cells, colour hits, kind hits
    for step in range(steps):
        pix, yc, yk = scene_batch(rng, batch_size, cfg)
        total, lc, lk = dense_label_loss(head(tower(pix.to(device))), yc.to(device), yk.to(device))
        yc, yk = yc.view(-1).to(device), yk.view(-1).to(device)
        opt.zero_grad(set_to_none=True)
        total.backward()
        opt.step()
        loss = float(total.detach())
        if step >= steps - 50:
            occ = yc > 0
            tally += (int(occ.sum()), int((lc.argmax(-1) == yc)[occ].sum()), int((lk.argmax(-1) == yk)[occ].sum()))
    occupied = max(1.0, tally[0])
    return {"steps": steps, "loss": loss, "colour_acc": 100.0 * tally[1] / occupied,
            "kind_acc": 100.0 * tally[2] / occupied, "seconds": time.perf_counter() - t0}
