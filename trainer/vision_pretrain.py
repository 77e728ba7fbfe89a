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


def scene_batch(rng: np.random.Generator, n: int, cfg: Any) -> tuple[Any, Any, Any, Any]:
    """(pixels (n, 3, S, S), colour, kind and place labels (n, g, g) each); label 0 is "empty",
    c > 0 is COLORS/KINDS index c - 1 of the object whose centre falls in the cell, and its place
    1 + 3 row + col in the 3x3 partition the captions' place words name (sources.place_cell)."""
    import torch

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, sample_scene, scene_image
    from magma_bench.model.processing_magma import image_views
    from magma_bench.trainer.sources import place_cell

    g, colours = cfg.grid_side, list(COLORS)
    pix, (yc, yk, yp) = [], (torch.zeros(n, g, g, dtype=torch.long) for _ in range(3))
    for i in range(n):
        objs = sample_scene(rng, SCENE_SIZE)
        for o in objs:
            gy, gx = o.cy * g // SCENE_SIZE, o.cx * g // SCENE_SIZE
            row, col = place_cell(o, SCENE_SIZE)
            yc[i, gy, gx], yk[i, gy, gx], yp[i, gy, gx] = 1 + colours.index(o.color), 1 + KINDS.index(o.kind), 1 + 3 * row + col
        pix.append(image_views(scene_image(objs, SCENE_SIZE), cfg).crops[0])
    return torch.stack(pix), yc, yk, yp


N_PLACES = 9  # the 3x3 partition of sources.place_cell


def dense_label_loss(out: Any, yc: Any, yk: Any, yp: Any = None) -> tuple[Any, Any, Any]:
    """(colour CE + kind CE [+ place CE], colour logits, kind logits) of per-cell head outputs
    (B, g, g, n_col + n_kind [+ n_place]) against scene_batch's labels; the logits flattened to one
    row per cell. Place is scored when yp is given (DenseLabels; stage 0 learns colour and kind)."""
    import torch.nn.functional as F

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS

    n_col, n_kind = len(COLORS) + 1, len(KINDS) + 1
    lc, lk = out[..., :n_col].flatten(0, -2), out[..., n_col:n_col + n_kind].flatten(0, -2)
    loss = F.cross_entropy(lc, yc.reshape(-1)) + F.cross_entropy(lk, yk.reshape(-1))
    if yp is not None:
        loss = loss + F.cross_entropy(out[..., n_col + n_kind:].flatten(0, -2), yp.reshape(-1))
    return loss, lc, lk


def dense_label_head(width: int, seed: int, device: str = "cpu", places: bool = False) -> Any:
    """The throwaway linear head from `width`-dim cell features to colour and kind logits (each
    with "empty") [and place logits], seeded independently of the global RNG."""
    import torch

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS

    gen = torch.Generator().manual_seed(seed)
    head = torch.nn.Linear(width, len(COLORS) + len(KINDS) + 2 + (N_PLACES + 1 if places else 0)).to(device)
    with torch.no_grad():
        head.weight.copy_(torch.randn(head.weight.shape, generator=gen) * width ** -0.5)
        head.bias.zero_()
    return head


class DenseLabels:
    """Stage 0's per-cell colour and kind labels, and the object's place, kept on through training
    as an auxiliary loss on the projector output (the image tokens the decoder reads), through a
    throwaway linear head.

    Without it the decoder's gradients leave colour quiet in the image tokens (1.9% of their
    variance against kind's 74%), and a question that names an object and asks its colour stays at
    chance however it is worded; with it colour is 37% of their variance and the look-up is
    learnt (docs/training.md, session 18). `backward` adds weight x the loss's gradients to the
    model's before its optimizer step; `step` moves the head. `state_dict` (the head, its
    optimizer, the scene stream's position) goes into the trainer's checkpoints, so a resumed run
    continues it exactly."""

    def __init__(self, cfg: Any, weight: float, batch_size: int = 8, seed: int = 0, device: str = "cpu") -> None:
        import torch

        self.head = dense_label_head(cfg.hidden_size, seed, device, places=True)
        self.opt = torch.optim.AdamW(self.head.parameters(), lr=1e-3, weight_decay=0.01)
        self.rng = np.random.default_rng(AUX_SEED + seed)
        self.weight, self.batch_size, self.device = weight, batch_size, device

    def loss(self, model: Any) -> Any:
        """The (unweighted) loss on the next batch of scenes, not yet backpropagated."""
        pix, *labels = scene_batch(self.rng, self.batch_size, model.config)
        tokens = model.projector(model.vision_tower(pix.to(self.device, model.projector.row_separator.dtype)))
        return dense_label_loss(self.head(tokens.float()), *(y.to(self.device) for y in labels))[0]

    def backward(self, model: Any) -> float:
        """Accumulate weight x the loss's gradients into the model (and the head); returns the loss."""
        loss = self.loss(model)
        (self.weight * loss).backward()
        return float(loss.detach())

    def step(self) -> None:
        self.opt.step()
        self.opt.zero_grad(set_to_none=True)

    def state_dict(self) -> dict[str, Any]:
        return {"head": self.head.state_dict(), "opt": self.opt.state_dict(), "rng": self.rng.bit_generator.state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.head.load_state_dict(state["head"])
        self.opt.load_state_dict(state["opt"])
        self.rng.bit_generator.state = state["rng"]


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
        pix, yc, yk, _ = scene_batch(rng, batch_size, cfg)
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
