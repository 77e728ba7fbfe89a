"""Checkpoints: safetensors only, in our layout or in the upstream microsoft/Magma-8B layout.

Our layout: `config.json` (MagmaConfig.to_dict() + model_type "magma-bench") and
`model.safetensors`. Upstream layout: `config.json` with model_type "magma", `vision_config`
(vision_backbone "convnextxxlarge", mm_projector_type "mlp2x_gelu", img_anyres_strategy "crop")
and `text_config` (LLaMA), weights in `model*.safetensors` (+ `model.safetensors.index.json`),
key names from upstream `modeling_magma.py`:

    vision_tower.clip_vision_model.trunk.stem.{0,1}.*              (open_clip / timm ConvNeXt)
    vision_tower.clip_vision_model.trunk.stages.{i}.downsample.{0,1}.*
    vision_tower.clip_vision_model.trunk.stages.{i}.blocks.{j}.{conv_dw,norm,mlp.fc1,mlp.fc2,gamma}
    multi_modal_projector.proj.{0,2}.*, multi_modal_projector.row_seperator
    language_model.model.*, language_model.lm_head.weight          (LlamaForCausalLM, unchanged)

Pickle files (`*.bin`, `*.pt`, `*.pth`, `*.ckpt`, `*.pkl`) are refused: loading them runs code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import torch

from magma_bench.errors import UserError
from magma_bench.model.configuration_magma import CONVNEXT_SHAPES, UPSTREAM_SYSTEM_PROMPT, MagmaConfig

FORMAT_VERSION = 1
PICKLE_SUFFIXES = (".bin", ".pt", ".pth", ".ckpt", ".pkl", ".pickle")

_UPSTREAM_RULES = [  # (regex on the upstream key, replacement in our layout)
    (r"^vision_tower\.clip_vision_model\.trunk\.stem\.0\.", "vision_tower.embeddings.patch_embeddings."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stem\.1\.", "vision_tower.embeddings.layernorm."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.downsample\.(\d)\.",
     r"vision_tower.encoder.stages.\1.downsampling_layer.\2."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.blocks\.(\d+)\.conv_dw\.",
     r"vision_tower.encoder.stages.\1.layers.\2.dwconv."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.blocks\.(\d+)\.norm\.",
     r"vision_tower.encoder.stages.\1.layers.\2.layernorm."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc1\.",
     r"vision_tower.encoder.stages.\1.layers.\2.pwconv1."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.blocks\.(\d+)\.mlp\.fc2\.",
     r"vision_tower.encoder.stages.\1.layers.\2.pwconv2."),
    (r"^vision_tower\.clip_vision_model\.trunk\.stages\.(\d+)\.blocks\.(\d+)\.gamma$",
     r"vision_tower.encoder.stages.\1.layers.\2.layer_scale_parameter"),
    (r"^multi_modal_projector\.proj\.", "projector.proj."),
    (r"^multi_modal_projector\.row_seperator$", "projector.row_separator"),
    (r"^language_model\.", "language_model."),
]
# Upstream weights with no counterpart here: the CLIP head/text tower, unused start/end separators.
_UPSTREAM_IGNORED = re.compile(r"^vision_tower\.clip_vision_model\.(?!trunk\.(stem|stages)\.)|"
                               r"^multi_modal_projector\.img_(start|end)_seperator$|rotary_emb\.inv_freq$")


def map_upstream_key(key: str) -> str | None:
    """Our parameter name for an upstream Magma key, or None for weights we do not use."""
    if _UPSTREAM_IGNORED.search(key):
        return None
    for pat, rep in _UPSTREAM_RULES:
        if re.search(pat, key):
            return re.sub(pat, rep, key)
    return None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise UserError(f"{path}: unreadable JSON ({type(e).__name__}: {e})") from None
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a JSON object")
    return data


def tokenizer_base_vocab(path: Path) -> int | None:
    """The tokenizer's base vocabulary size (HF `tokenizer.vocab_size`: the BPE model's entries,
    added tokens excluded): 128000 for LLaMA-3. Upstream's agents decode action ids against it."""
    tok = path / "tokenizer.json"
    if not tok.is_file():
        return None
    from tokenizers import Tokenizer

    try:
        return int(Tokenizer.from_file(str(tok)).get_vocab_size(with_added_tokens=False))
    except Exception as e:
        raise UserError(f"{tok}: not a readable tokenizer.json ({e})") from None


def upstream_config(raw: dict[str, Any], where: str, path: Path | None = None) -> MagmaConfig:
    """MagmaConfig from an upstream `config.json` (vision_config + text_config), with the crop size
    and count from `preprocessor_config.json` (base_img_size, num_crops: what upstream's processor
    uses) and the action-id range from the tokenizer's base vocabulary when those files exist."""
    vc, tc = raw.get("vision_config") or {}, raw.get("text_config") or {}
    pre = _read_json(path / "preprocessor_config.json") if path and (path / "preprocessor_config.json").is_file() else {}
    backbone = vc.get("vision_backbone", "convnextxxlarge")
    if backbone not in CONVNEXT_SHAPES:
        raise UserError(f"{where}: unsupported vision_backbone {backbone!r}; known: {', '.join(CONVNEXT_SHAPES)}")
    if vc.get("mm_projector_type", "mlp2x_gelu") != "mlp2x_gelu" or vc.get("img_anyres_strategy", "crop") != "crop":
        raise UserError(f"{where}: only mm_projector_type mlp2x_gelu with img_anyres_strategy crop is supported")
    depths, dims = CONVNEXT_SHAPES[backbone]
    vocab = int(tc.get("vocab_size", 128256))
    base_vocab = tokenizer_base_vocab(path) if path else None
    action_end = base_vocab or int(raw.get("tokenizer_vocab_size", 128000 if vocab == 128256 else vocab))
    size = int(pre.get("base_img_size", vc.get("img_size", vc.get("base_img_size", 512))))
    crops = int(pre.get("num_crops", vc.get("max_num_crops", 4)))
    norm = {k: tuple(pre[k]) for k in ("image_mean", "image_std") if k in pre}
    return MagmaConfig(
        preset="8b" if backbone == "convnextxxlarge" and tc.get("num_hidden_layers") == 32 else "upstream",
        vision_depths=depths, vision_dims=dims, vision_norm_eps=1e-5 if backbone == "convnextxxlarge" else 1e-6,
        image_size=size, max_crops=crops, global_view=False, image_resize="tensor", **norm,
        vocab_size=vocab, hidden_size=tc["hidden_size"], intermediate_size=tc["intermediate_size"],
        num_hidden_layers=tc["num_hidden_layers"], num_attention_heads=tc["num_attention_heads"],
        num_key_value_heads=tc.get("num_key_value_heads", tc["num_attention_heads"]),
        max_position_embeddings=tc.get("max_position_embeddings", 8192), rope_theta=tc.get("rope_theta", 500000.0),
        rms_norm_eps=tc.get("rms_norm_eps", 1e-5), tie_word_embeddings=bool(tc.get("tie_word_embeddings", False)),
        tokenizer="hf", image_token_id=int(raw.get("image_token_index", vocab + 1)), action_vocab_end=action_end,
        prompt_template="upstream", system_prompt=UPSTREAM_SYSTEM_PROMPT,
        image_start_end=bool(raw.get("mm_use_image_start_end", vc.get("mm_use_image_start_end", True))))


def config_json(config: MagmaConfig) -> str:
    """The text of a magma-bench checkpoint's config.json (what `read_config` reads back)."""
    return json.dumps({"model_type": "magma-bench", "format_version": FORMAT_VERSION, **config.to_dict()},
                      indent=1) + "\n"


def save_pretrained(model: Any, path: str | Path) -> Path:
    from safetensors.torch import save_file

    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in model.state_dict().items()}
    save_file(state, str(path / "model.safetensors"), metadata={"format": "pt", "magma_bench": str(FORMAT_VERSION)})
    (path / "config.json").write_text(config_json(model.config))
    return path


def _weight_files(path: Path) -> list[Path]:
    """The weight files: the shards an index names, else model.safetensors, else model*.safetensors."""
    index = path / "model.safetensors.index.json"
    if index.is_file():
        try:
            names = sorted(set(json.loads(index.read_text())["weight_map"].values()))
        except (json.JSONDecodeError, KeyError, AttributeError) as e:
            raise UserError(f"{index}: not a safetensors index ({type(e).__name__}: {e})") from None
        missing = [n for n in names if not (path / n).is_file()]
        if missing:
            raise UserError(f"{index}: shard(s) missing on disk: {', '.join(missing[:3])}")
        return [path / n for n in names]
    if (path / "model.safetensors").is_file():
        return [path / "model.safetensors"]
    files = sorted(path.glob("model*.safetensors"))
    if files:
        return files
    pickles = sorted(p.name for p in path.iterdir() if p.suffix in PICKLE_SUFFIXES)
    if pickles:
        raise UserError(f"{path}: only pickle weights found ({', '.join(pickles[:3])}); magma-bench loads "
                        "safetensors only (pickle can run code). Convert them with safetensors first.")
    raise UserError(f"{path}: no model*.safetensors weight file")


def _read_state(files: list[Path]) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file

    state: dict[str, torch.Tensor] = {}
    for f in files:
        try:
            state.update(load_file(str(f)))
        except Exception as e:
            raise UserError(f"{f}: corrupt or unreadable safetensors file ({type(e).__name__}: {e})"[:400]) from None
    return state


def read_config(path: Path) -> tuple[MagmaConfig, bool]:
    """(config, is_upstream_layout) for a checkpoint dir."""
    cfg_file = path / "config.json"
    if not cfg_file.is_file():
        raise UserError(f"{cfg_file}: missing; not a Magma checkpoint directory")
    try:
        raw = json.loads(cfg_file.read_text())
    except json.JSONDecodeError as e:
        raise UserError(f"{cfg_file}: invalid JSON ({e})") from None
    if raw.get("model_type") == "magma":
        return upstream_config(raw, str(cfg_file), path), True
    if raw.get("model_type") != "magma-bench":
        raise UserError(f"{cfg_file}: model_type {raw.get('model_type')!r} is neither 'magma-bench' nor upstream 'magma'")
    return MagmaConfig.from_dict(raw, str(cfg_file)), False


def from_pretrained(path: str | Path, preset: str | None = None, dtype: torch.dtype | None = None,
                    device: str | torch.device = "cpu") -> Any:
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    path = Path(path)
    if not path.is_dir():
        raise UserError(f"{path}: checkpoint directory not found (train one with `make train`, or pass a path)")
    cfg, upstream = read_config(path)
    if preset is not None and cfg.preset != preset:
        raise UserError(f"{path}: checkpoint is preset {cfg.preset!r}, expected {preset!r}")
    state = _read_state(_weight_files(path))
    if upstream:
        state = {nk: v for k, v in state.items() if (nk := map_upstream_key(k)) is not None}
    with torch.device("meta"):
        model = MagmaForCausalLM(cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise UserError(f"{path}: weights do not match preset {cfg.preset!r} "
                        f"(missing {missing[:3]}{'...' if len(missing) > 3 else ''}, "
                        f"unexpected {unexpected[:3]}{'...' if len(unexpected) > 3 else ''})")
    for k, v in state.items():
        if tuple(v.shape) != tuple(expected[k].shape):
            raise UserError(f"{path}: {k} has shape {tuple(v.shape)}, preset {cfg.preset!r} expects "
                            f"{tuple(expected[k].shape)} (a checkpoint of another size?)")
    model.load_state_dict(state, assign=True, strict=True)
    _init_buffers(model)
    model = model.to(device=device, dtype=dtype) if dtype is not None else model.to(device)
    return model.eval()


def _init_buffers(model: Any) -> None:
    """Non-persistent buffers (RoPE inverse frequencies) were built on meta: rebuild each such module
    on CPU from its own config and take its buffers (works across transformers versions)."""
    for _, mod in model.named_modules():
        metas = [n for n, b in mod.named_buffers(recurse=False) if b.is_meta]
        if not metas:
            continue
        fresh = type(mod)(mod.config)
        for n in metas:
            setattr(mod, n, getattr(fresh, n))
        for attr in ("attention_scaling",):
            if hasattr(fresh, attr):
                setattr(mod, attr, getattr(fresh, attr))
    for name, buf in model.named_buffers():
        if buf.is_meta:
            raise UserError(f"internal: buffer {name} was not initialised after loading")
