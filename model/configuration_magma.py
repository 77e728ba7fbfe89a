"""MagmaConfig: one typed dataclass describes every Magma size, from `tiny` (CPU, minutes) to `8b`.

The `8b` preset follows the upstream microsoft/Magma-8B shapes: an open_clip ConvNeXt-XXLarge
vision trunk (depths 3-4-30-3, widths 384-768-1536-3072, its dense 1/32 feature map is the image
feature), a 2-layer GELU MLP projector (3072 -> 4096 -> 4096) with a learned row-separator
vector, and a LLaMA-3-8B(-Instruct) decoder (32 layers, 4096 wide, GQA 32/8 heads, SwiGLU 14336,
RoPE theta 5e5, vocab 128256). Upstream's OpenVLA-style action tokens are the 256 ids below the
*tokenizer's* base vocabulary size (`tokenizer.vocab_size`, 128000 for LLaMA-3: its reserved special
tokens sit above), i.e. ids 127744..127999, and its `<image>` id (128257) lies outside the embedding
table. Crops are 512 px, up to 4 of them (the paper's setting). Upstream's "crop" anyres
code stitches the crops only (no separate global view), so `8b` sets global_view=False to load
those weights faithfully; the smaller presets add the global view the paper describes.

No torch import here: configs are imported eagerly, models lazily (lerobot convention).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from magma_bench.errors import UserError

UPSTREAM_SYSTEM_PROMPT = "You are agent that can see, talk and act."  # every upstream Magma caller sends it

# ConvNeXt trunks by upstream `vision_backbone` name: (depths, widths).
CONVNEXT_SHAPES: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    "convnexttiny": ((3, 3, 9, 3), (96, 192, 384, 768)),
    "convnextbase": ((3, 3, 27, 3), (128, 256, 512, 1024)),
    "convnextlarge": ((3, 3, 27, 3), (192, 384, 768, 1536)),
    "convnextxxlarge": ((3, 4, 30, 3), (384, 768, 1536, 3072)),
}


@dataclass
class MagmaConfig:
    preset: str = "custom"  # name of the preset this config came from (checked on load)
    # -- vision tower (total stride 32 with 4 stages) ------------------------------------------
    # "convnext" (upstream's trunk, what the 8b weights load into) | "cnn": a plain conv trunk, the
    # same 4x4 stem and stage strides, conv3x3-GroupNorm-ReLU layers and a 2x2 max-pool per stage.
    # Trained from scratch on 2 CPU cores a ConvNeXt this small tells the scene glyphs apart only
    # ~20% of the time after 800 steps; the plain trunk ~90% at the same cost (docs/training.md).
    vision_trunk: str = "convnext"
    vision_depths: tuple[int, ...] = (1, 1, 1, 1)  # blocks per stage
    vision_dims: tuple[int, ...] = (16, 32, 48, 64)  # channels per stage; the last is the feature width
    # (4 stages: total stride 32 as upstream; 3 stages: stride 16, a 4x finer feature grid per crop)
    vision_norm_eps: float = 1e-6  # LayerNorm eps (open_clip/timm ConvNeXt-XXL uses 1e-5)
    vision_layer_scale_init: float = 1e-6  # ConvNeXt LayerScale init (1e-6 as in the paper's trunk)
    # "none" (upstream) | "grid": standardise each feature channel over the crop's grid. A trunk
    # trained from scratch starts out nearly linear, so its features are one shared vector (the
    # background) plus a small per-cell part; after the decoder's RMSNorm every image token then
    # looks alike to attention. Pretrained trunks (8b) do not need it.
    vision_feature_norm: str = "none"
    image_size: int = 64  # crop side in px; features per crop side = image_size // stride
    max_crops: int = 1  # anyres: up to this many crops (grids rows*cols <= max_crops)
    global_view: bool = True  # multi-crop images also get a whole-image view first (upstream 8B: no)
    image_mean: tuple[float, float, float] = (0.48145466, 0.4578275, 0.40821073)  # OpenAI CLIP
    image_std: tuple[float, float, float] = (0.26862954, 0.26130258, 0.27577711)
    # -- projector ---------------------------------------------------------------------------------
    projector_depth: int = 2  # Linear(+GELU+Linear): upstream "mlp2x_gelu"
    # "none" (upstream) | "xattn": before the decoder, every text token adds one cross-attention read
    # of its example's image tokens, its own embedding as the query (modeling_magma.ImageRead). A
    # question naming an object then arrives already holding what the image shows of it, so the
    # decoder needs one hop where upstream's layout needs two (question word -> image -> answer),
    # the hop a tiny decoder trained from scratch does not find (docs/training.md).
    image_read: str = "none"
    # where the read happens: 0 on the token embeddings (the query is one byte of a word), k > 0 in
    # front of decoder layer k, the query a hidden state that has seen its context (the whole word)
    image_read_layer: int = 0
    # a learned vector per feature-grid cell added to the projector output (not upstream). The image
    # read attends over the image tokens as a set, so without it nothing tells it where a cell lies
    # and "left of" / "where is" questions and action targets have no position to read
    image_pos_embed: bool = False
    # -- decoder (transformers LlamaConfig fields) -------------------------------------------------
    vocab_size: int = 528  # embedding rows; the last 256 ids are the action bins
    hidden_size: int = 64
    intermediate_size: int = 172
    num_hidden_layers: int = 2
    num_attention_heads: int = 4
    num_key_value_heads: int = 2
    max_position_embeddings: int = 1024
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = False
    # -- tokens ------------------------------------------------------------------------------------
    tokenizer: str = "bytes"  # "bytes" (built in code, offline) or "hf" (tokenizer.json in the checkpoint)
    image_token_id: int = 4  # placeholder id, one per image feature vector (may lie outside the vocab)
    n_action_bins: int = 256  # OpenVLA: 256 bins over [-1, 1], on the ids just below action_vocab_end
    action_vocab_end: int = 0  # one past the last action id; 0 = vocab_size (OpenVLA: tokenizer.vocab_size)
    action_dim: int = 7  # tokens per action step
    # q01/q99 per action dimension (OpenVLA normalisation); saved with the checkpoint
    action_q01: list[float] = field(default_factory=lambda: [-1.0] * 6 + [0.0])
    action_q99: list[float] = field(default_factory=lambda: [1.0] * 6 + [1.0])
    action_normalize_mask: list[bool] = field(default_factory=lambda: [True] * 6 + [False])
    # -- upstream Magma-8B conventions (set from an upstream checkpoint's files; see checkpoint.py) ---
    # "native": our chat layout (tokenization_magma.py); "upstream": the checkpoint's own chat template
    # rendered to text and tokenized once, as upstream's MagmaProcessor does (system turn, one
    # `<image_start><image><image_end>` + newline per image before the text, BOS from the template
    # and again from the tokenizer's post-processor).
    prompt_template: str = "native"
    system_prompt: str = ""  # upstream callers all send "You are agent that can see, talk and act."
    image_start_end: bool = True  # upstream `mm_use_image_start_end`: `<image>` written as <image_start><image><image_end>
    # "pil": PIL bilinear resize of the uint8 image, then normalise; "tensor": normalise, then
    # torch bilinear interpolation without antialiasing (upstream MagmaImageProcessor).
    image_resize: str = "pil"

    def __post_init__(self) -> None:
        self.vision_depths = tuple(self.vision_depths)
        self.vision_dims = tuple(self.vision_dims)
        self.image_mean = tuple(self.image_mean)  # type: ignore[assignment]
        self.image_std = tuple(self.image_std)  # type: ignore[assignment]
        if len(self.vision_depths) != len(self.vision_dims):
            raise UserError("MagmaConfig: vision_depths and vision_dims must have the same length")
        if self.prompt_template not in ("native", "upstream") or self.image_resize not in ("pil", "tensor"):
            raise UserError("MagmaConfig: prompt_template must be native or upstream, image_resize pil or tensor")
        if self.vision_trunk not in ("convnext", "cnn"):
            raise UserError(f"MagmaConfig: vision_trunk must be convnext or cnn, got {self.vision_trunk!r}")
        if self.image_read not in ("none", "xattn"):
            raise UserError(f"MagmaConfig: image_read must be none or xattn, got {self.image_read!r}")
        if not 0 <= self.image_read_layer < self.num_hidden_layers:
            raise UserError(f"MagmaConfig: image_read_layer must be in 0..{self.num_hidden_layers - 1}, "
                            f"got {self.image_read_layer}")
        if self.vision_feature_norm not in ("none", "grid"):
            raise UserError(f"MagmaConfig: vision_feature_norm must be none or grid, got {self.vision_feature_norm!r}")
        if not 2 <= len(self.vision_dims) <= 4:
            raise UserError(f"MagmaConfig: the ConvNeXt trunk has 2 to 4 stages, got {len(self.vision_dims)}")
        if self.image_size % self.stride:
            raise UserError(f"MagmaConfig: image_size must be a multiple of {self.stride} (the ConvNeXt stride of "
                            f"{len(self.vision_dims)} stages), got {self.image_size}")
        if not self.n_action_bins < self.action_end <= self.vocab_size:
            raise UserError("MagmaConfig: need n_action_bins < action_vocab_end <= vocab_size")
        if not (len(self.action_q01) == len(self.action_q99) == len(self.action_normalize_mask) == self.action_dim):
            raise UserError(f"MagmaConfig: action statistics must have {self.action_dim} entries")

    @property
    def action_end(self) -> int:
        """One past the last action id (the ActionTokenizer's `vocab_size`)."""
        return self.action_vocab_end or self.vocab_size

    @property
    def action_token_begin(self) -> int:
        """First action id, `action_end - 256` (OpenVLA writes +1.0 there and -1.0 at the last id)."""
        return self.action_end - self.n_action_bins

    @property
    def stride(self) -> int:
        """Pixels per feature: the stem's 4, then 2 per further stage (32 for upstream's 4 stages)."""
        return 4 * 2 ** (len(self.vision_dims) - 1)

    @property
    def grid_side(self) -> int:
        return self.image_size // self.stride

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        return {k: list(v) if isinstance(v, tuple) else v for k, v in d.items()}

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "config") -> MagmaConfig:
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known - {"model_type", "format_version"})
        if unknown:
            raise UserError(f"{where}: unknown MagmaConfig key(s) {', '.join(unknown)}")
        return cls(**{k: v for k, v in d.items() if k in known})

    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> MagmaConfig:
        if name not in PRESETS:
            raise UserError(f"unknown Magma preset {name!r}; choose one of {', '.join(PRESETS)}")
        return cls(**{**PRESETS[name], "preset": name, **overrides})


PRESETS: dict[str, dict[str, Any]] = {
    # Trains on 2 CPU cores in minutes: ~1M parameters, 128 px crops -> 4x4 features (20 image tokens),
    # the plain cnn trunk (a ConvNeXt this small does not learn the scene glyphs: docs/training.md),
    # and the image read (without it, no question that names an object was learned in 3300 steps).
    "tiny": dict(vision_trunk="cnn", vision_depths=(0, 1, 1, 1), vision_dims=(32, 64, 96, 96), image_size=128,
                 max_crops=1, image_read="xattn",
                 vocab_size=528, hidden_size=128, intermediate_size=344, num_hidden_layers=4,
                 num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=1024),
    # A single GPU: ConvNeXt-Tiny trunk, 256 px crops (8x8 features), up to 4 crops + global, ~105M.
    "small": dict(vision_depths=CONVNEXT_SHAPES["convnexttiny"][0], vision_dims=CONVNEXT_SHAPES["convnexttiny"][1],
                  image_size=256, max_crops=4, vocab_size=528, hidden_size=768, intermediate_size=2048,
                  num_hidden_layers=12, num_attention_heads=12, num_key_value_heads=4,
                  max_position_embeddings=4096, vision_feature_norm="grid"),
    # Upstream microsoft/Magma-8B shapes (see module docstring).
    "8b": dict(vision_depths=CONVNEXT_SHAPES["convnextxxlarge"][0], vision_dims=CONVNEXT_SHAPES["convnextxxlarge"][1],
               vision_norm_eps=1e-5, image_size=512, max_crops=4, global_view=False, vocab_size=128256, hidden_size=4096,
               intermediate_size=14336, num_hidden_layers=32, num_attention_heads=32, num_key_value_heads=8,
               max_position_embeddings=8192, rope_theta=500000.0, tokenizer="hf", image_token_id=128257,
               action_vocab_end=128000, prompt_template="upstream", system_prompt=UPSTREAM_SYSTEM_PROMPT,
               image_resize="tensor"),
}
