"""The Magma model: shapes, generation (KV cache, batching), checkpoints and their failure modes."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM, encode_conversations, load_tokenizer  # noqa: E402
from magma_bench.model.processing_magma import best_grid, feature_count, image_views  # noqa: E402


def _model(preset="tiny", seed=0, **over):
    torch.manual_seed(seed)
    cfg = MagmaConfig.from_preset(preset, **over)
    m = MagmaForCausalLM(cfg).eval()
    # A trained-looking model: non-zero row separator and layer scales, so images matter.
    with torch.no_grad():
        m.projector.row_separator.normal_(0, 0.5)
        for name, p in m.vision_tower.named_parameters():
            if name.endswith("layer_scale_parameter"):
                p.fill_(0.5)
    return m, load_tokenizer(cfg)


def _img(seed, h=90, w=140):
    return np.random.default_rng(seed).integers(0, 255, (h, w, 3), dtype=np.uint8)


def _conv(text, img=None):
    parts = ([{"type": "image", "image": img}] if img is not None else []) + [{"type": "text", "text": text}]
    return [{"role": "user", "content": parts}]


CONVS = [_conv("Is there a red square in the image?", _img(1)), _conv("hi", _img(2, 60, 60)),
         _conv("A text-only prompt that is rather longer than the others."), _conv("Where is the button?", _img(3))]


def test_forward_shapes_and_loss():
    m, tok = _model()
    b = encode_conversations(CONVS, tok, m.config)
    g = m.config.grid_side
    assert b.input_ids.shape[0] == 4
    assert int((b.input_ids == tok.image_id).sum()) == 3 * g * (g + 1)  # 3 images, rows + separators
    logits, loss = m(b.input_ids, b.attention_mask, b.images, labels=b.input_ids.masked_fill(b.attention_mask == 0, -100))
    assert logits.shape == (*b.input_ids.shape, m.config.vocab_size) and logits.dtype == torch.float32
    assert loss is not None and torch.isfinite(loss) and loss.item() > 0
    loss.backward()
    first = next(m.vision_tower.parameters())  # the trunk's stem, whichever trunk the preset uses
    assert first.grad is not None and bool(first.grad.abs().sum() > 0)  # images reach the loss


def test_image_changes_output():
    m, tok = _model()
    a = encode_conversations([_conv("q", _img(1))], tok, m.config)
    b = encode_conversations([_conv("q", _img(9))], tok, m.config)
    la, _ = m(a.input_ids, a.attention_mask, a.images)
    lb, _ = m(b.input_ids, b.attention_mask, b.images)
    assert not torch.allclose(la[:, -1], lb[:, -1])


def test_grid_feature_norm_lets_a_small_object_stand_out_from_the_background():
    """From scratch the trunk's features are one shared background vector plus a small per-cell
    part; "grid" standardises each channel over the grid so the part that differs is what is left.
    (The ConvNeXt trunk, as the `small` preset has it; the tiny preset's cnn trunk does not need it.)"""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (224, 224), (245, 245, 240))
    ImageDraw.Draw(img).ellipse((150, 150, 180, 180), fill=(220, 40, 40))
    share = {}
    for norm in ("none", "grid"):
        torch.manual_seed(0)
        m = MagmaForCausalLM(MagmaConfig.from_preset("tiny", vision_feature_norm=norm, vision_trunk="convnext",
                                                      vision_depths=(1, 1, 2, 1), vision_dims=(16, 32, 64, 96))).eval()
        with torch.no_grad():
            f = m.vision_tower(image_views(img, m.config).crops)[0]  # (g, g, C)
        per_cell = (f - f.mean((0, 1))).norm(dim=-1)
        share[norm] = float(per_cell.max() / f.norm(dim=-1).mean())
        if norm == "grid":
            assert torch.allclose(f.mean((0, 1)), torch.zeros(f.shape[-1]), atol=1e-4)
    assert share["grid"] > 5 * share["none"], share
    with pytest.raises(UserError, match="vision_feature_norm"):
        MagmaConfig.from_preset("tiny", vision_feature_norm="batch")


def test_anyres_grid_and_feature_count():
    assert best_grid(1000, 500, 4, 512) == (1, 2)  # wide image -> 1 row x 2 cols
    assert best_grid(500, 1000, 4, 512) == (2, 1)
    assert best_grid(2000, 2000, 4, 512) == (2, 2)
    assert best_grid(100, 100, 4, 512) == (1, 1)
    cfg = MagmaConfig.from_preset("tiny", max_crops=4)
    v = image_views(_img(0, 128, 256), cfg)
    g = cfg.grid_side
    assert v.grid == (1, 2) and v.crops.shape == (2, 3, cfg.image_size, cfg.image_size)
    assert v.global_view is not None
    assert feature_count(v, cfg) == g * (g + 1) + g * (2 * g + 1)
    m, tok = _model(max_crops=4)
    b = encode_conversations([_conv("q", _img(0, 128, 256))], tok, m.config)
    feats = m.image_features(b.images)
    assert feats[0].shape == (feature_count(v, cfg), m.config.hidden_size)
    # every row of the stitched grid ends in the row separator
    sep = m.projector.row_separator[0, 0]
    assert torch.allclose(feats[0][g], sep) and torch.allclose(feats[0][g * (g + 1) + 2 * g], sep)


def test_kv_cache_generation_equals_full_recompute():
    m, tok = _model()
    b = encode_conversations(CONVS, tok, m.config)
    with_cache = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=24, use_cache=True)
    without = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=24, use_cache=False)
    assert with_cache == without
    assert all(len(r) == 24 for r in with_cache)


def test_batched_equals_unbatched():
    m, tok = _model()
    b = encode_conversations(CONVS, tok, m.config)
    batched = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=12)
    for i, conv in enumerate(CONVS):
        one = encode_conversations([conv], tok, m.config)
        assert m.generate(one.input_ids, one.attention_mask, one.images, max_new_tokens=12)[0] == batched[i]


def test_generation_stops_at_eos_and_respects_allowed_ids():
    m, tok = _model()
    b = encode_conversations(CONVS[:2], tok, m.config)
    lo = m.config.action_token_begin
    out = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=7, allowed_ids=(lo, m.config.vocab_size))
    assert all(len(r) == 7 and all(lo <= t < m.config.vocab_size for t in r) for r in out)
    first = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=3)
    eos = first[0][1]
    cut = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=3, eos_id=eos)
    assert cut[0] == first[0][:1]


def test_save_load_round_trip(tmp_path):
    m, tok = _model()
    m.config.action_q01 = [-0.05] * 6 + [0.0]
    m.save_pretrained(tmp_path / "ck")
    assert sorted(p.name for p in (tmp_path / "ck").iterdir()) == ["config.json", "model.safetensors"]
    m2 = MagmaForCausalLM.from_pretrained(tmp_path / "ck", preset="tiny")
    assert m2.config == m.config
    b = encode_conversations(CONVS, tok, m.config)
    l1, _ = m(b.input_ids, b.attention_mask, b.images)
    l2, _ = m2(b.input_ids, b.attention_mask, b.images)
    assert torch.equal(l1, l2)


def test_bad_checkpoints(tmp_path):
    m, _ = _model()
    good = m.save_pretrained(tmp_path / "good")
    with pytest.raises(UserError, match="expected 'small'"):
        MagmaForCausalLM.from_pretrained(good, preset="small")
    with pytest.raises(UserError, match="not found"):
        MagmaForCausalLM.from_pretrained(tmp_path / "nope")
    # pickle only -> refused
    pk = tmp_path / "pickle"
    pk.mkdir()
    (pk / "config.json").write_text((good / "config.json").read_text())
    (pk / "pytorch_model.bin").write_bytes(b"\x80\x04not really")
    with pytest.raises(UserError, match="safetensors only"):
        MagmaForCausalLM.from_pretrained(pk)
    # corrupt safetensors
    bad = tmp_path / "corrupt"
    bad.mkdir()
    (bad / "config.json").write_text((good / "config.json").read_text())
    (bad / "model.safetensors").write_bytes((good / "model.safetensors").read_bytes()[:200])
    with pytest.raises(UserError, match="corrupt"):
        MagmaForCausalLM.from_pretrained(bad)
    # missing config
    nocfg = tmp_path / "nocfg"
    nocfg.mkdir()
    (nocfg / "model.safetensors").write_bytes((good / "model.safetensors").read_bytes())
    with pytest.raises(UserError, match="config.json"):
        MagmaForCausalLM.from_pretrained(nocfg)
    # weights of another size under a config that claims tiny
    other = tmp_path / "other"
    m_small, _ = _model(hidden_size=96, intermediate_size=256)
    m_small.save_pretrained(other)
    (other / "config.json").write_text((good / "config.json").read_text())
    with pytest.raises(UserError, match="shape"):
        MagmaForCausalLM.from_pretrained(other)
    # unknown config key
    cfg = json.loads((good / "config.json").read_text())
    cfg["hiden_size"] = 3
    (good / "config.json").write_text(json.dumps(cfg))
    with pytest.raises(UserError, match="hiden_size"):
        MagmaForCausalLM.from_pretrained(good)


def test_undecodable_image_is_a_clear_error(tmp_path):
    _, tok = _model()
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"not a png")
    cfg = MagmaConfig.from_preset("tiny")
    with pytest.raises(UserError, match="cannot decode image .*broken.png"):
        encode_conversations([[{"role": "user", "content": [{"type": "image", "path": str(bad)}]}]], tok, cfg)


def test_8b_preset_on_meta_matches_upstream_size():
    cfg = MagmaConfig.from_preset("8b")
    with torch.device("meta"):
        m = MagmaForCausalLM(cfg)
    n = m.num_parameters()
    vision = sum(p.numel() for p in m.vision_tower.parameters())
    llm = sum(p.numel() for p in m.language_model.parameters())
    print(f"\nMagma 8b preset: {n / 1e9:.3f}B parameters (vision {vision / 1e6:.0f}M, decoder {llm / 1e9:.3f}B)")
    assert 8.0e9 < llm < 8.1e9  # LLaMA-3-8B: 8.03B
    assert 0.8e9 < vision < 0.9e9  # open_clip ConvNeXt-XXLarge trunk: ~846M
    assert 8.8e9 < n < 9.0e9  # upstream Magma-8B: 8.9B
    assert (cfg.action_token_begin, cfg.action_end) == (127744, 128000)  # below LLaMA-3's special tokens


def test_training_batch_masks_the_prompt_and_the_model_can_learn():
    from magma_bench.model import ActionTokenizer, encode_for_training

    m, tok = _model()
    m.train()
    acts = ActionTokenizer(m.config.vocab_size)
    convs = [_conv("Where is the cat?", _img(1)), _conv("Move the arm.", _img(2))]
    answers = ["Coordinate: (0.25, 0.75). Mark: 3", acts.encode([0.1, -0.2, 0.3, 0.0, 0.0, 0.5, 1.0])]
    b = encode_for_training(convs, answers, tok, m.config)
    n_answer = len(tok.encode(answers[0])) + 1 + 7 + 1  # answers + their end tokens
    assert int((b.labels != -100).sum()) == n_answer
    assert b.labels[1, -8:-1].tolist() == answers[1] and b.labels[1, -1].item() == tok.eos_id
    opt = torch.optim.AdamW(m.parameters(), lr=3e-3)
    answer_pos = b.labels[:, 1:] != -100
    losses, acc = [], 0.0
    for _ in range(300):  # until every answer token is the teacher-forced argmax
        logits, loss = m(b.input_ids, b.attention_mask, b.images, labels=b.labels)
        losses.append(loss.item())
        acc = (logits[:, :-1].argmax(-1) == b.labels[:, 1:])[answer_pos].float().mean().item()
        if acc == 1.0:
            break
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert acc == 1.0 and losses[-1] < 0.2 * losses[0]
    m.eval()  # ...so greedy generation must now reproduce both answers exactly
    prompt = encode_conversations(convs, tok, m.config)
    out = m.generate(prompt.input_ids, prompt.attention_mask, prompt.images, max_new_tokens=40, eos_id=tok.eos_id)
    assert tok.decode(out[0]) == answers[0] and out[1] == answers[1]


# -- config.image_read="xattn": text tokens read their own example's image before the decoder, and
# generation, batching and checkpoints behave exactly as without it.

def _xattn(layer=0):
    return _model(image_read="xattn", image_read_layer=layer)


def test_question_tokens_hold_the_image_before_the_decoder():
    m, tok = _xattn()
    a = encode_conversations([_conv("Is there a star?", _img(1))], tok, m.config)
    b = encode_conversations([_conv("Is there a star?", _img(9))], tok, m.config)
    text = a.input_ids != tok.image_id
    ea, eb = m.embed(a.input_ids, a.images), m.embed(b.input_ids, b.images)
    assert not torch.allclose(ea[text], eb[text])  # the question's own embeddings differ with the image
    plain, _ = _model(image_read="none")
    pa, pb = plain.embed(a.input_ids, a.images), plain.embed(b.input_ids, b.images)
    assert torch.equal(pa[text], pb[text])  # upstream's layout: only the image slots do


def test_a_read_inside_the_decoder_changes_only_the_layers_after_it():
    """image_read_layer=2: the first two layers see plain text embeddings, the question's logits
    depend on the image through the read (the 4-layer tiny decoder)."""
    m, tok = _xattn(layer=2)
    a = encode_conversations([_conv("Is there a star?", _img(1))], tok, m.config)
    seen = []
    hook = m.language_model.model.layers[1].register_forward_hook(
        lambda mod, i, o: seen.append(o[0] if isinstance(o, tuple) else o))
    la, _ = m(a.input_ids, a.attention_mask, a.images)
    with torch.no_grad():
        m.image_read.attn.out_proj.weight.zero_()
        m.image_read.attn.out_proj.bias.zero_()
    lz, _ = m(a.input_ids, a.attention_mask, a.images)
    hook.remove()
    assert torch.equal(seen[0], seen[1])  # layer 1's output: before the read, unchanged
    assert not torch.allclose(la[0, -1], lz[0, -1])  # the read reaches the answer


def test_each_row_reads_only_its_own_image_and_a_text_only_row_is_untouched():
    m, tok = _xattn()
    convs = [CONVS[0], CONVS[2]]  # an image row and a text-only row
    b = encode_conversations(convs, tok, m.config)
    swapped = encode_conversations([_conv("Is there a red square in the image?", _img(7)), CONVS[2]], tok, m.config)
    e, e2 = m.embed(b.input_ids, b.images), m.embed(swapped.input_ids, swapped.images)
    assert torch.equal(e[1], e2[1])
    table = m.language_model.get_input_embeddings()
    assert torch.equal(e[1], table(b.input_ids[1]))  # no image: the read adds nothing


@pytest.mark.parametrize("layer", [0, 2])
def test_gradients_are_finite_with_text_only_rows_and_reach_the_read(layer):
    m, tok = _xattn(layer)
    b = encode_conversations(CONVS, tok, m.config)
    _, loss = m(b.input_ids, b.attention_mask, b.images, labels=b.input_ids.masked_fill(b.attention_mask == 0, -100))
    loss.backward()
    grads = [p.grad for p in m.parameters() if p.grad is not None]
    assert all(bool(torch.isfinite(g).all()) for g in grads)
    assert bool(m.image_read.attn.in_proj_weight.grad.abs().sum() > 0)


@pytest.mark.parametrize("layer", [0, 2])
def test_generation_cache_batching_and_forward_agree(layer):
    m, tok = _xattn(layer)
    b = encode_conversations(CONVS, tok, m.config)
    with_cache = m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=10, use_cache=True)
    assert with_cache == m.generate(b.input_ids, b.attention_mask, b.images, max_new_tokens=10, use_cache=False)
    for i, conv in enumerate(CONVS):
        one = encode_conversations([conv], tok, m.config)
        out = m.generate(one.input_ids, one.attention_mask, one.images, max_new_tokens=10)[0]
        assert out == with_cache[i]
        # the generated tokens read the image as the forward pass reads them: greedy = forward's argmax
        ids = torch.cat([one.input_ids, torch.tensor([out])], 1)
        logits, _ = m(ids, torch.ones_like(ids), one.images)
        assert logits[0, one.input_ids.shape[1] - 1:-1].argmax(-1).tolist() == out


def test_checkpoint_round_trip_keeps_the_read(tmp_path):
    m, tok = _xattn(layer=1)
    m.save_pretrained(tmp_path / "ck")
    m2 = MagmaForCausalLM.from_pretrained(tmp_path / "ck")
    assert m2.config.image_read == "xattn" and m2.config.image_read_layer == 1 and m2.image_read is not None
    b = encode_conversations(CONVS, tok, m.config)
    assert torch.equal(m(b.input_ids, b.attention_mask, b.images)[0], m2(b.input_ids, b.attention_mask, b.images)[0])


def test_unknown_read_is_a_one_line_error():
    with pytest.raises(UserError, match="image_read must be none or xattn"):
        MagmaConfig.from_preset("tiny", image_read="film")
    with pytest.raises(UserError, match="image_read_layer must be in 0..3"):
        MagmaConfig.from_preset("tiny", image_read="xattn", image_read_layer=4)


# -- image_pos_embed: a learned vector per feature-grid cell, so the read can tell where a cell is ---

def _flip_cells(m):
    """Mirror every view's feature grid left-right after the projector: the same cells, moved."""
    return m.projector.register_forward_hook(lambda mod, i, out: out.flip(2))


@pytest.mark.parametrize("pos", [False, True])
def test_only_the_position_table_lets_the_read_tell_a_mirrored_grid_apart(pos):
    """The read attends over the image tokens as a set: moving cells around changes nothing a
    question token reads unless each cell carries its position."""
    m, tok = _model(image_read="xattn", image_pos_embed=pos)
    if pos:
        with torch.no_grad():
            m.image_position.normal_(0, 1.0)
    a = encode_conversations([_conv("Is the star left of the ring?", _img(1))], tok, m.config)
    text = a.input_ids != tok.image_id
    plain = m.embed(a.input_ids, a.images)[text]
    hook = _flip_cells(m)
    flipped = m.embed(a.input_ids, a.images)[text]
    hook.remove()
    assert torch.allclose(plain, flipped, atol=1e-5) is (not pos)


def test_a_zero_position_table_computes_what_the_model_without_it_does(tmp_path):
    """It starts at zero, so a checkpoint trained without it can be fine-tuned with it
    (TrainConfig.init_from) from exactly where it was; and it round-trips through a checkpoint."""
    m, tok = _model(image_read="xattn")
    m2 = MagmaForCausalLM(MagmaConfig.from_preset("tiny", image_read="xattn", image_pos_embed=True)).eval()
    assert m2.load_state_dict(m.state_dict(), strict=False).missing_keys == ["image_position"]
    b = encode_conversations(CONVS, tok, m.config)
    assert torch.equal(m(b.input_ids, b.attention_mask, b.images)[0], m2(b.input_ids, b.attention_mask, b.images)[0])
    with torch.no_grad():
        m2.image_position.normal_(0, 1.0)
    m2.save_pretrained(tmp_path / "ck")
    m3 = MagmaForCausalLM.from_pretrained(tmp_path / "ck")
    assert m3.config.image_pos_embed and torch.equal(m3.image_position, m2.image_position)
    assert not torch.allclose(m(b.input_ids, b.attention_mask, b.images)[0], m3(b.input_ids, b.attention_mask, b.images)[0])
