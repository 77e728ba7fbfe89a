"""A tiny random checkpoint in the upstream microsoft/Magma-8B layout, rebuilt bit for bit on any
machine: the tokenizer and JSON files are committed under golden/magma8b-tiny/, the weights are
drawn here from a seeded torch.Generator (no transformers init code involved, so the same numbers
come out under any transformers version). `tests/model/test_upstream_golden.py` compares our code against
ids and actions that upstream's own code produced from exactly this checkpoint.

Layout as the hub release: `<|begin_of_text|>`-prefixing post-processor and LLaMA-3's chat template
in the tokenizer files, `<image>` outside the embedding table, action bins on the 256 ids below
the tokenizer's base vocabulary (400 here, 128000 upstream).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import torch

from magma_bench.model.configuration_magma import CONVNEXT_SHAPES

FIXTURE = Path(__file__).parent / "model" / "golden" / "magma8b-tiny"
BASE_VOCAB = 400  # BPE entries; the action bins are ids 144..399
SPECIALS = ("<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
            "<image_start>", "<image_end>", "<pad>", "<image>")  # ids 400..408
V = 408  # embedding rows: every special but <image> (id 408, like upstream's 128257 >= 128256)
IMG, EOT = 408, 404
H, S = 64, 256  # decoder width; crop side (upstream 512; 256 keeps the test fast)
TEXT = {"model_type": "llama", "hidden_size": H, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": V, "rms_norm_eps": 1e-5,
        "rope_theta": 500000.0, "max_position_embeddings": 1024, "bos_token_id": 400, "eos_token_id": EOT,
        "pad_token_id": 407, "tie_word_embeddings": False}
VISION = {"vision_backbone": "convnexttiny", "mm_projector_type": "mlp2x_gelu", "img_anyres_strategy": "crop",
          "img_size": S, "max_num_crops": 4, "vision_feature_layer": "clip_vis_dense", "mm_hidden_size": 768,
          "mm_use_row_seperator": True}
CORPUS = ("What action should the robot take to put the spoon on the towel? pick up the coke can, "
          "open the top drawer, move the sponge near the apple, put eggplant into the yellow basket. "
          "You are agent that can see, talk and act. What is in the image? The robot arm picks up a "
          "carrot and places it on the plate. system user assistant\n\n The quick brown fox jumps over "
          "the lazy dog; a stack of green blocks sits on the yellow block beside the sink and the microwave. "
          "Close the bottom drawer, then place the bowl on the stove and turn on the faucet. Which mark "
          "should the gripper reach next? Answer as Coordinate: (0.25, 0.75). Mark: 12. Click the search "
          "button, type the query, scroll down and open the first result.")


def build_tokenizer(path: Path) -> None:
    """Writes tokenizer.json + tokenizer_config.json (run once to make the fixture; kept for the record)."""
    from tokenizers import AddedToken, Tokenizer, decoders, models, pre_tokenizers, processors, trainers

    tk = Tokenizer(models.BPE())
    tk.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tk.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=BASE_VOCAB, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                  show_progress=False)
    tk.train_from_iterator([CORPUS] * 4, trainer)
    assert tk.get_vocab_size() == BASE_VOCAB, tk.get_vocab_size()
    tk.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in SPECIALS])
    tk.post_processor = processors.TemplateProcessing(single="<|begin_of_text|> $A",
                                                      pair="<|begin_of_text|> $A <|begin_of_text|> $B",
                                                      special_tokens=[("<|begin_of_text|>", 400)])
    path.mkdir(parents=True, exist_ok=True)
    tk.save(str(path / "tokenizer.json"))
    from magma_bench.model.tokenization_magma import LLAMA3_CHAT_TEMPLATE

    (path / "tokenizer_config.json").write_text(json.dumps({
        "tokenizer_class": "PreTrainedTokenizerFast", "bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>",
        "pad_token": "<pad>", "model_max_length": 8192, "model_input_names": ["input_ids", "attention_mask"],
        "chat_template": LLAMA3_CHAT_TEMPLATE}, indent=1))
    (path / "config.json").write_text(json.dumps({
        "model_type": "magma", "image_token_index": IMG, "mm_use_image_start_end": True,
        "vision_config": VISION, "text_config": TEXT}, indent=1))
    (path / "preprocessor_config.json").write_text(json.dumps({
        "image_processor_type": "MagmaImageProcessor", "anyres_strategy": "crop", "base_img_size": S,
        "num_crops": 4, "do_convert_rgb": True, "image_mean": [0.48145466, 0.4578275, 0.40821073],
        "image_std": [0.26862954, 0.26130258, 0.27577711]}, indent=1))


def tiny_state(seed: int = 0) -> dict[str, torch.Tensor]:
    """Upstream key names and shapes (timm ConvNeXt-T trunk, mlp2x_gelu projector, LLaMA decoder)."""
    from transformers import LlamaConfig, LlamaForCausalLM

    g = torch.Generator().manual_seed(seed)

    def r(*shape, scale=0.05, base=0.0):
        return base + torch.randn(*shape, generator=g) * scale

    depths, dims = CONVNEXT_SHAPES["convnexttiny"]
    t = "vision_tower.clip_vision_model.trunk."
    st = {t + "stem.0.weight": r(dims[0], 3, 4, 4, scale=0.2), t + "stem.0.bias": r(dims[0]),
          t + "stem.1.weight": r(dims[0], base=1), t + "stem.1.bias": r(dims[0])}
    for i, (depth, d) in enumerate(zip(depths, dims, strict=True)):
        p = f"{t}stages.{i}."
        if i > 0:
            st |= {p + "downsample.0.weight": r(dims[i - 1], base=1), p + "downsample.0.bias": r(dims[i - 1]),
                   p + "downsample.1.weight": r(d, dims[i - 1], 2, 2, scale=0.1), p + "downsample.1.bias": r(d)}
        for j in range(depth):
            b = f"{p}blocks.{j}."
            st |= {b + "conv_dw.weight": r(d, 1, 7, 7, scale=0.1), b + "conv_dw.bias": r(d),
                   b + "norm.weight": r(d, base=1), b + "norm.bias": r(d),
                   b + "mlp.fc1.weight": r(4 * d, d), b + "mlp.fc1.bias": r(4 * d),
                   b + "mlp.fc2.weight": r(d, 4 * d), b + "mlp.fc2.bias": r(d), b + "gamma": r(d, base=0.3)}
    st |= {"multi_modal_projector.proj.0.weight": r(H, dims[-1]), "multi_modal_projector.proj.0.bias": r(H),
           "multi_modal_projector.proj.2.weight": r(H, H, scale=0.2), "multi_modal_projector.proj.2.bias": r(H),
           "multi_modal_projector.row_seperator": r(1, 1, H, scale=1.0)}
    cfg = LlamaConfig(**{k: v for k, v in TEXT.items() if k != "model_type"})
    with torch.device("meta"):
        shapes = {k: tuple(v.shape) for k, v in LlamaForCausalLM(cfg).state_dict().items()}
    for k in sorted(shapes):
        norm = k.endswith("norm.weight")
        st[f"language_model.{k}"] = r(*shapes[k], scale=0.1 if norm else 0.15, base=1.0 if norm else 0.0)
    return st


def write_checkpoint(path: Path, seed: int = 0, stats: dict | None = None) -> Path:
    """The fixture files + seeded weights in `path` (+ dataset_statistics.json when `stats`)."""
    from safetensors.torch import save_file

    path.mkdir(parents=True, exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json", "config.json", "preprocessor_config.json"):
        shutil.copy(FIXTURE / f, path / f)
    save_file({k: v.contiguous() for k, v in tiny_state(seed).items()}, str(path / "model.safetensors"))
    if stats is not None:
        (path / "dataset_statistics.json").write_text(json.dumps(stats))
    return path
