"""A tiny random LLaVA-1.5 (or LLaVA-NeXT) checkpoint built in a test, nothing downloaded: a byte-level
BPE tokenizer, a CLIP image processor (32x32 images, 8x8 patches: 16 image tokens) and random weights,
saved like a hub snapshot. Shared by the HF VLM adapter tests and the lmms-eval tests; the latter run
in .venv-lmms (`make test-lmms`), so this module imports only transformers and tokenizers, on call."""

from __future__ import annotations

from pathlib import Path
from typing import Any

# A minimal LLaVA-1.5-style chat template (USER: <image>\n... ASSISTANT:).
TEMPLATE = ("{% for m in messages %}{{ m['role'].upper() }}: {% for c in m['content'] %}"
            "{% if c['type'] == 'image' %}<image>\n{% else %}{{ c['text'] }}{% endif %}{% endfor %}\n"
            "{% endfor %}{% if add_generation_prompt %}ASSISTANT:{% endif %}")


def tiny_tokenizer() -> Any:
    """Byte-level BPE with no merges: ids 0-4 are <unk> <s> </s> <pad> <image>, then the 256 byte symbols."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    specials = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    vocab = {t: i for i, t in enumerate(specials + sorted(pre_tokenizers.ByteLevel.alphabet()))}
    tk = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token="<unk>"))
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    return PreTrainedTokenizerFast(tokenizer_object=tk, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                   pad_token="<pad>", additional_special_tokens=["<image>"])


def build_tiny_llava(path: Path, next_: bool = False, chat_template: str | None = TEMPLATE,
                     initializer_range: float = 0.02) -> Path:
    """Save a random LLaVA(-NeXT with `next_`) with its processor at `path`. `chat_template=None`
    saves none (a back-end then brings its own); a larger `initializer_range` gives sharper random
    logits, so greedy answers vary from prompt to prompt instead of repeating one token."""
    import torch
    from transformers import CLIPVisionConfig, LlamaConfig

    tok = tiny_tokenizer()
    common = dict(tokenizer=tok, patch_size=8, vision_feature_select_strategy="default",
                  chat_template=chat_template, num_additional_image_tokens=1)
    if next_:
        from transformers import (
            LlavaNextConfig,
            LlavaNextForConditionalGeneration,
            LlavaNextImageProcessorPil,
            LlavaNextProcessor,
        )

        grid = [[32, 64], [64, 32], [64, 64]]
        proc = LlavaNextProcessor(image_processor=LlavaNextImageProcessorPil(
            size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}, image_grid_pinpoints=grid), **common)
        config_cls, model_cls, extra = LlavaNextConfig, LlavaNextForConditionalGeneration, {"image_grid_pinpoints": grid}
    else:
        from transformers import (
            CLIPImageProcessorPil,
            LlavaConfig,
            LlavaForConditionalGeneration,
            LlavaProcessor,
        )

        proc = LlavaProcessor(image_processor=CLIPImageProcessorPil(
            size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}), **common)
        config_cls, model_cls, extra = LlavaConfig, LlavaForConditionalGeneration, {}
    cfg = config_cls(
        vision_config=CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=2,
                                       image_size=32, patch_size=8, projection_dim=32),
        text_config=LlamaConfig(vocab_size=len(tok), hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=512,
                                pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                                eos_token_id=tok.eos_token_id, initializer_range=initializer_range),
        image_token_index=tok.convert_tokens_to_ids("<image>"), vision_feature_layer=-2,
        vision_feature_select_strategy="default", **extra)
    torch.manual_seed(0)
    model = model_cls(cfg).eval()
    path = Path(path)
    proc.save_pretrained(path)
    model.save_pretrained(path, safe_serialization=True)
    return path
