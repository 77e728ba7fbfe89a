"""The trunk's stride follows its stage count: 3 stages give a 16 px stride, a 4x finer grid."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM  # noqa: E402
from magma_bench.model.processing_magma import encode_conversations, feature_count, image_views  # noqa: E402
from magma_bench.model.tokenization_magma import load_tokenizer  # noqa: E402


def test_three_stages_stride_16_and_the_prompt_matches_the_features():
    cfg = MagmaConfig.from_preset("tiny", vision_dims=(16, 32, 64), vision_depths=(1, 1, 2), image_size=128)
    assert (cfg.stride, cfg.grid_side) == (16, 8)
    assert (MagmaConfig.from_preset("tiny").stride, MagmaConfig.from_preset("8b").grid_side) == (32, 16)
    torch.manual_seed(0)
    m = MagmaForCausalLM(cfg)
    img = np.random.default_rng(0).integers(0, 255, (90, 120, 3), dtype=np.uint8)
    v = image_views(img, cfg)
    assert feature_count(v, cfg) == 8 * 9  # 8 rows of 8 features + a row separator each
    feats = m.image_features([v])[0]
    assert feats.shape == (72, cfg.hidden_size)
    b = encode_conversations([[{"role": "user", "content": [{"type": "image", "image": img},
                                                             {"type": "text", "text": "q"}]}]],
                             load_tokenizer(cfg), cfg)
    _, loss = m(b.input_ids, b.attention_mask, b.images, labels=b.input_ids)
    assert torch.isfinite(loss)


def test_image_size_must_be_a_multiple_of_the_stride():
    MagmaConfig.from_preset("tiny", vision_dims=(16, 32, 64), vision_depths=(1, 1, 2), image_size=80)
    with pytest.raises(UserError, match="multiple of 32"):
        MagmaConfig.from_preset("tiny", image_size=80)
    with pytest.raises(UserError, match="2 to 4 stages"):
        MagmaConfig.from_preset("tiny", vision_dims=(16,), vision_depths=(1,))
