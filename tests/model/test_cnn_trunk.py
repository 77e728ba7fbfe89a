"""The plain `cnn` vision trunk: ConvNeXt's grid and checkpoint round trip, and it learns glyphs."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM  # noqa: E402
from magma_bench.model.modeling_magma import VisionTower  # noqa: E402

CNN = dict(vision_trunk="cnn", vision_dims=(32, 64, 96, 96), vision_depths=(0, 1, 1, 1), vision_feature_norm="none")


@pytest.mark.parametrize("dims,depths", [((32, 64, 96, 96), (0, 1, 1, 1)), ((16, 32, 48), (1, 1, 2))])
def test_the_grid_is_convnexts_for_the_same_stages(dims, depths):
    cnn = MagmaConfig.from_preset("tiny", **{**CNN, "vision_dims": dims, "vision_depths": depths})
    convnext = MagmaConfig.from_preset("tiny", vision_dims=dims, vision_depths=depths)
    x = torch.zeros(2, 3, cnn.image_size, cnn.image_size)
    assert VisionTower(cnn)(x).shape == VisionTower(convnext)(x).shape == (2, cnn.grid_side, cnn.grid_side, dims[-1])


def test_checkpoint_round_trip(tmp_path):
    torch.manual_seed(0)
    m = MagmaForCausalLM(MagmaConfig.from_preset("tiny", **CNN)).eval()
    m.save_pretrained(tmp_path / "ck")
    back = MagmaForCausalLM.from_pretrained(tmp_path / "ck").eval()
    x = torch.randn(2, 3, 128, 128)
    assert back.config.vision_trunk == "cnn"
    assert torch.equal(m.vision_tower(x), back.vision_tower(x))


def test_bad_trunk_configs_are_one_line_errors():
    with pytest.raises(UserError, match="vision_trunk must be convnext or cnn"):
        MagmaConfig.from_preset("tiny", vision_trunk="vit")
    with pytest.raises(UserError, match="depth 0 but changes width"):
        VisionTower(MagmaConfig.from_preset("tiny", **{**CNN, "vision_depths": (1, 0, 1, 1)}))


def _glyphs(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """128 px images holding one offline-suite glyph (ball/box/star/ring, any colour, anywhere)."""
    from PIL import Image, ImageDraw

    from magma_bench.benchmarks.vl.offline.scenes import COLORS, Obj, draw

    kinds, rng = ("ball", "box", "star", "ring"), np.random.default_rng(seed)
    xs, ys = [], []
    for _ in range(n):
        k = int(rng.integers(len(kinds)))
        im = Image.new("RGB", (128, 128), (245, 245, 240))
        r = int(rng.integers(9, 16))
        draw(ImageDraw.Draw(im), Obj(kinds[k], str(rng.choice(list(COLORS))), *(int(v) for v in rng.integers(r, 128 - r, 2)), r))
        xs.append(np.asarray(im, dtype=np.float32) / 127.5 - 1.0)
        ys.append(k)
    return torch.from_numpy(np.stack(xs)).permute(0, 3, 1, 2), torch.tensor(ys)


def test_the_cnn_trunk_learns_glyph_kinds_in_a_few_hundred_images():
    """Why the CPU presets want it: 250 steps of 16 images, a max-pooled linear head. The trunk must
    name which of 4 glyphs is in a held-out image far above chance (25%)."""
    torch.manual_seed(0)
    torch.set_num_threads(1)
    tower = VisionTower(MagmaConfig.from_preset("tiny", **CNN))
    head = torch.nn.Linear(96, 4)
    opt = torch.optim.AdamW([*tower.parameters(), *head.parameters()], lr=2e-3)
    x, y = _glyphs(640, seed=1)
    for step in range(250):
        i = torch.arange(step * 16, step * 16 + 16) % len(x)
        loss = torch.nn.functional.cross_entropy(head(tower(x[i]).amax((1, 2))), y[i])
        opt.zero_grad()
        loss.backward()
        opt.step()
    xt, yt = _glyphs(200, seed=2)
    with torch.no_grad():
        acc = (head(tower(xt).amax((1, 2))).argmax(-1) == yt).float().mean().item()
    assert acc >= 0.8, acc
