"""Loading the upstream microsoft/Magma layout: a tiny random checkpoint written with upstream key
names (open_clip/timm ConvNeXt trunk, `multi_modal_projector`, `language_model`), sharded with an
index like the hub release, must give the logits of an independent reference forward that reads
those upstream keys directly (functional ConvNeXt, upstream "crop" stitching, one `<image>` token
expanded in place as upstream's `_merge_input_ids_with_image_features` does)."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")
import torch.nn.functional as F  # noqa: E402
from PIL import Image  # noqa: E402

from magma_bench.model import MagmaForCausalLM, map_upstream_key  # noqa: E402
from magma_bench.model.configuration_magma import CONVNEXT_SHAPES  # noqa: E402
from magma_bench.model.processing_magma import encode_conversations  # noqa: E402
from magma_bench.model.tokenization_magma import ByteTokenizer  # noqa: E402

S, H, V, IMG = 64, 64, 600, 601  # crop px, decoder width, vocab, image token id (outside the vocab)
TEXT = {"model_type": "llama", "hidden_size": H, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": V, "rms_norm_eps": 1e-5,
        "rope_theta": 500000.0, "max_position_embeddings": 512}
VISION = {"vision_backbone": "convnexttiny", "mm_projector_type": "mlp2x_gelu", "img_anyres_strategy": "crop",
          "img_size": S, "max_num_crops": 4, "vision_feature_layer": "clip_vis_dense", "mm_hidden_size": 768,
          "mm_use_row_seperator": True}


def _upstream_state(seed: int = 0) -> dict[str, torch.Tensor]:
    from transformers import LlamaConfig, LlamaForCausalLM

    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=0.05):
        return torch.randn(*shape, generator=g) * scale

    depths, dims = CONVNEXT_SHAPES["convnexttiny"]
    t = "vision_tower.clip_vision_model.trunk."
    st = {t + "stem.0.weight": r(dims[0], 3, 4, 4, scale=0.2), t + "stem.0.bias": r(dims[0]),
          t + "stem.1.weight": 1 + r(dims[0]), t + "stem.1.bias": r(dims[0])}
    for i, (depth, d) in enumerate(zip(depths, dims, strict=True)):
        p = f"{t}stages.{i}."
        if i > 0:
            st |= {p + "downsample.0.weight": 1 + r(dims[i - 1]), p + "downsample.0.bias": r(dims[i - 1]),
                   p + "downsample.1.weight": r(d, dims[i - 1], 2, 2, scale=0.1), p + "downsample.1.bias": r(d)}
        for j in range(depth):
            b = f"{p}blocks.{j}."
            st |= {b + "conv_dw.weight": r(d, 1, 7, 7, scale=0.1), b + "conv_dw.bias": r(d),
                   b + "norm.weight": 1 + r(d), b + "norm.bias": r(d),
                   b + "mlp.fc1.weight": r(4 * d, d), b + "mlp.fc1.bias": r(4 * d),
                   b + "mlp.fc2.weight": r(d, 4 * d), b + "mlp.fc2.bias": r(d), b + "gamma": 0.3 + r(d)}
    # weights upstream has but does not use for Magma: the CLIP pooling head, start/end separators
    st |= {t + "head.norm.weight": r(dims[-1]), "vision_tower.clip_vision_model.head.proj.weight": r(8, dims[-1]),
           "multi_modal_projector.img_start_seperator": r(1, H), "multi_modal_projector.img_end_seperator": r(1, H)}
    st |= {"multi_modal_projector.proj.0.weight": r(H, dims[-1]), "multi_modal_projector.proj.0.bias": r(H),
           "multi_modal_projector.proj.2.weight": r(H, H, scale=0.2), "multi_modal_projector.proj.2.bias": r(H),
           "multi_modal_projector.row_seperator": r(1, 1, H, scale=1.0)}
    torch.manual_seed(seed)
    lm = LlamaForCausalLM(LlamaConfig(**{k: v for k, v in TEXT.items() if k != "model_type"}))
    st |= {f"language_model.{k}": v.clone() for k, v in lm.state_dict().items()}
    return st


def _write_upstream(path, state):
    from safetensors.torch import save_file

    path.mkdir()
    keys = sorted(state)
    shards = {"model-00001-of-00002.safetensors": keys[: len(keys) // 2],
              "model-00002-of-00002.safetensors": keys[len(keys) // 2:]}
    for name, ks in shards.items():
        save_file({k: state[k].contiguous() for k in ks}, str(path / name))
    (path / "model.safetensors.index.json").write_text(json.dumps(
        {"weight_map": {k: n for n, ks in shards.items() for k in ks}}))
    (path / "config.json").write_text(json.dumps({"model_type": "magma", "image_token_index": IMG,
                                                  "vision_config": VISION, "text_config": TEXT}))


def _ref_trunk(st, x):
    """Functional open_clip/timm ConvNeXt trunk (stem + stages) over upstream key names."""
    t = "vision_tower.clip_vision_model.trunk."

    def ln2d(x, w, b, eps=1e-6):
        return F.layer_norm(x.permute(0, 2, 3, 1), (x.shape[1],), w, b, eps).permute(0, 3, 1, 2)

    x = F.conv2d(x, st[t + "stem.0.weight"], st[t + "stem.0.bias"], stride=4)
    x = ln2d(x, st[t + "stem.1.weight"], st[t + "stem.1.bias"])
    depths, _ = CONVNEXT_SHAPES["convnexttiny"]
    for i, depth in enumerate(depths):
        p = f"{t}stages.{i}."
        if i > 0:
            x = ln2d(x, st[p + "downsample.0.weight"], st[p + "downsample.0.bias"])
            x = F.conv2d(x, st[p + "downsample.1.weight"], st[p + "downsample.1.bias"], stride=2)
        for j in range(depth):
            b = f"{p}blocks.{j}."
            y = F.conv2d(x, st[b + "conv_dw.weight"], st[b + "conv_dw.bias"], padding=3, groups=x.shape[1])
            y = F.layer_norm(y.permute(0, 2, 3, 1), (x.shape[1],), st[b + "norm.weight"], st[b + "norm.bias"], 1e-6)
            y = F.linear(F.gelu(F.linear(y, st[b + "mlp.fc1.weight"], st[b + "mlp.fc1.bias"])),
                         st[b + "mlp.fc2.weight"], st[b + "mlp.fc2.bias"])
            x = x + (y * st[b + "gamma"]).permute(0, 3, 1, 2)
    return x


def _ref_image_tokens(st, img: Image.Image, rows: int, cols: int) -> torch.Tensor:
    mean = np.array([0.48145466, 0.4578275, 0.40821073], dtype=np.float32)
    std = np.array([0.26862954, 0.26130258, 0.27577711], dtype=np.float32)
    # upstream MagmaImageProcessor: ToTensor + Normalize on the whole image, then bilinear interpolation
    full = torch.from_numpy((np.asarray(img, dtype=np.float32) / 255 - mean) / std).permute(2, 0, 1)
    arr = F.interpolate(full[None], size=(rows * S, cols * S), mode="bilinear")[0].permute(1, 2, 0).numpy()
    crops = [arr[r * S:(r + 1) * S, c * S:(c + 1) * S] for r in range(rows) for c in range(cols)]
    x = torch.from_numpy(np.stack(crops)).permute(0, 3, 1, 2)
    f = _ref_trunk(st, x).permute(0, 2, 3, 1)  # upstream: vision_tower(...)[clip_vis_dense].permute(0, 2, 3, 1)
    f = F.linear(F.gelu(F.linear(f, st["multi_modal_projector.proj.0.weight"], st["multi_modal_projector.proj.0.bias"])),
                 st["multi_modal_projector.proj.2.weight"], st["multi_modal_projector.proj.2.bias"])
    f = f.view(rows, cols, *f.shape[1:]).permute(0, 2, 1, 3, 4).flatten(2, 3).flatten(0, 1)
    f = torch.cat((f, st["multi_modal_projector.row_seperator"].repeat(f.shape[0], 1, 1)), dim=1)
    return f.flatten(0, 1)


def _ref_logits(st, text_ids_before, text_ids_after, img_tokens):
    from transformers import LlamaConfig, LlamaForCausalLM

    lm = LlamaForCausalLM(LlamaConfig(**{k: v for k, v in TEXT.items() if k != "model_type"})).eval()
    lm.load_state_dict({k[len("language_model."):]: v for k, v in st.items() if k.startswith("language_model.")})
    emb = lm.get_input_embeddings()
    seq = torch.cat([emb(torch.tensor(text_ids_before)), img_tokens, emb(torch.tensor(text_ids_after))])[None]
    with torch.no_grad():
        return lm(inputs_embeds=seq).logits[0].float()


def test_key_mapping_rules():
    assert map_upstream_key("vision_tower.clip_vision_model.trunk.stages.2.blocks.7.mlp.fc1.weight") == \
        "vision_tower.encoder.stages.2.layers.7.pwconv1.weight"
    assert map_upstream_key("vision_tower.clip_vision_model.trunk.stages.1.blocks.0.gamma") == \
        "vision_tower.encoder.stages.1.layers.0.layer_scale_parameter"
    assert map_upstream_key("multi_modal_projector.row_seperator") == "projector.row_separator"
    assert map_upstream_key("language_model.model.layers.3.self_attn.q_proj.weight") == \
        "language_model.model.layers.3.self_attn.q_proj.weight"
    assert map_upstream_key("vision_tower.clip_vision_model.head.proj.weight") is None


@pytest.fixture(scope="module")
def upstream(tmp_path_factory):
    st = _upstream_state()
    path = tmp_path_factory.mktemp("up") / "magma-upstream"
    _write_upstream(path, st)
    return st, MagmaForCausalLM.from_pretrained(path)


@pytest.mark.parametrize("size,grid", [((60, 60), (1, 1)), ((128, 64), (1, 2)), ((120, 130), (2, 2)), ((190, 60), (1, 3))])
def test_upstream_checkpoint_gives_reference_logits(upstream, size, grid):
    st, model = upstream
    cfg = model.config
    assert (cfg.image_size, cfg.max_crops, cfg.image_token_id, cfg.global_view) == (S, 4, IMG, False)

    img = Image.fromarray(np.random.default_rng(1).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8))
    before, after = [1, 10, 11, 12], [13, 14, 15]
    ref_img = _ref_image_tokens(st, img, *grid)
    ref = _ref_logits(st, before, after, ref_img)

    # Our side: the same text around one image; the tokenizer writes n <image> ids in place.
    tok = ByteTokenizer(V)
    tok.image_id, tok.image_start_id, tok.image_end_id = IMG, None, None
    batch = encode_conversations([[{"role": "user", "content": [{"type": "image", "image": np.asarray(img)}]}]],
                                 tok, cfg, add_generation_prompt=False)
    assert batch.images[0].grid == grid
    n = int((batch.input_ids == IMG).sum())
    assert n == ref_img.shape[0]
    ids = torch.tensor([before + [IMG] * n + after])
    logits, _ = model(ids, torch.ones_like(ids), batch.images)
    assert torch.allclose(logits[0], ref, atol=2e-4, rtol=1e-4), (logits[0] - ref).abs().max()


# The upstream layout behind the `magma` adapter (prompt, statistics, actions): test_upstream_golden.py
# and tests/adapters/test_magma_actions.py, on tests/mb_magma8b_tiny.py's checkpoint.
