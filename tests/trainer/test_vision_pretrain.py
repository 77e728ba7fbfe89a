"""Stage 0 (trainer/vision_pretrain.py): labels say where each object is, the tower learns them, and
the stage is a pure function of the seed (a resumed run never redoes it: the checkpoint holds it)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from magma_bench.benchmarks.vl.offline.scenes import COLORS, KINDS, sample_scene  # noqa: E402
from magma_bench.model.configuration_magma import MagmaConfig  # noqa: E402
from magma_bench.model.modeling_magma import MagmaForCausalLM  # noqa: E402
from magma_bench.trainer import vision_pretrain as V  # noqa: E402
from magma_bench.trainer.sources import _where  # noqa: E402


def test_labels_mark_the_cell_of_each_object_centre():
    cfg = MagmaConfig.from_preset("tiny")
    g = cfg.grid_side
    pix, yc, yk, yp = V.scene_batch(np.random.default_rng(5), 6, cfg)
    assert pix.shape == (6, 3, cfg.image_size, cfg.image_size) and yc.shape == yk.shape == yp.shape == (6, g, g)
    objs = sample_scene(np.random.default_rng(5), V.SCENE_SIZE)  # the batch's first scene, same rng draw
    for o in objs:
        cell = (o.cy * g // V.SCENE_SIZE, o.cx * g // V.SCENE_SIZE)
        assert yc[0][cell] > 0 and yk[0][cell] > 0
        words = _where(o, V.SCENE_SIZE)  # the place label is the caption's place word for it
        row, col = divmod(int(yp[0][cell]) - 1, 3)
        assert ("top" in words) == (row == 0) and ("bottom" in words) == (row == 2)
        assert ("left" in words) == (col == 0) and ("right" in words) == (col == 2)
    labelled = {(int(a), int(b)) for a, b in zip(*np.nonzero(yc[0].numpy()), strict=True)}
    assert labelled == {(o.cy * g // V.SCENE_SIZE, o.cx * g // V.SCENE_SIZE) for o in objs}
    occupied = yc > 0
    assert bool(((yk > 0) == occupied).all()) and bool(((yp > 0) == occupied).all())
    assert int(yc.max()) <= len(COLORS) and int(yk.max()) <= len(KINDS)


def test_tower_learns_colours_far_above_chance():
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = MagmaForCausalLM(MagmaConfig.from_preset("tiny"))
    r = V.pretrain_vision(model, steps=150, batch_size=8, seed=0)
    assert r["colour_acc"] > 50.0, r  # chance 1/8 on occupied cells
    assert r["loss"] < 3.0, r


def test_same_seed_same_tower_and_the_decoder_is_untouched():
    def run(seed: int) -> torch.Tensor:
        torch.manual_seed(0)
        model = MagmaForCausalLM(MagmaConfig.from_preset("tiny"))
        lm_before = model.language_model.lm_head.weight.clone()
        V.pretrain_vision(model, steps=3, batch_size=2, seed=seed)
        assert torch.equal(model.language_model.lm_head.weight, lm_before)
        return torch.cat([p.flatten() for p in model.vision_tower.parameters()])

    a, b, c = run(0), run(0), run(1)
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_dense_labels_teach_the_image_tokens_and_leave_the_decoder_alone():
    """The auxiliary loss reaches the tower and projector, not the decoder, and its optimizer steps
    (the model's at the image tokens' rate here, as update_step does) bring its loss down."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    model = MagmaForCausalLM(MagmaConfig.from_preset("tiny"))
    aux = V.DenseLabels(model.config, weight=1.0, batch_size=8, seed=0)
    opt = torch.optim.AdamW([*model.vision_tower.parameters(), *model.projector.parameters()], lr=1e-3)
    first = aux.backward(model)
    assert model.language_model.lm_head.weight.grad is None
    assert float(model.projector.proj[0].weight.grad.abs().sum()) > 0
    losses = [first]
    for _ in range(60):
        opt.step()
        opt.zero_grad()
        aux.step()
        losses.append(aux.backward(model))
    assert np.mean(losses[-10:]) < 0.7 * np.mean(losses[:5]), losses


def test_update_step_adds_the_auxiliary_loss():
    from magma_bench.trainer import train as T

    class Aux:
        def __init__(self):
            self.stepped = 0

        def backward(self, model):
            model.projector.row_separator.sum().backward()  # a text-only batch gives it no gradient
            return 1.5

        def step(self):
            self.stepped += 1

    torch.manual_seed(0)
    model = MagmaForCausalLM(MagmaConfig.from_preset("tiny", image_size=32))
    opt = T.make_optimizer(model, T.TrainConfig())
    ids = torch.tensor([[10, 11, 12, 13]])
    mb = [(ids, torch.ones_like(ids), torch.tensor([[-100, 11, 12, 13]]), None)]
    sep = model.projector.row_separator
    T.update_step(model, opt, mb, 1e-3, 1.0)
    assert float(sep.abs().sum()) == 0
    aux = Aux()
    out = T.update_step(model, opt, mb, 1e-3, 1.0, aux=aux)
    assert out["aux_loss"] == 1.5 and aux.stepped == 1 and float(sep.abs().sum()) > 0
