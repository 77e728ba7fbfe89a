"""Magma (Yang et al., CVPR 2025, arXiv 2502.13130) in one file: ConvNeXt -> MLP -> LLaMA.

References: upstream microsoft/Magma `magma/modeling_magma.py` (MagmaForCausalLM: open_clip
ConvNeXt trunk, `clip_vis_dense` features, "crop" anyres with a row separator after each feature
row, mlp2x_gelu projector, LLaMA-3 decoder) and nanoGPT's `model.py` for the shape of this file.

Data flow for one image of rows x cols crops (S px each, g = S/stride features per side, D = decoder
width, C = last ConvNeXt width):

    crops (R*K, 3, S, S) --ConvNeXt--> (R*K, g, g, C) --MLP--> (R*K, g, g, D)
    -> stitch to (R*g, K*g, D) -> append row separator -> (R*g, K*g+1, D) -> flatten (R*g*(K*g+1), D)
    (a global view, when present, is one 1x1 grid placed before the crops)

The prompt already holds one `<image>` id per feature vector (processing_magma.feature_count),
so merging is a masked scatter and left padding, KV caching and batching stay plain LLaMA.
Optionally (config.image_read="xattn", not upstream) every text token also reads its example's
image tokens through one cross-attention, on the embeddings or in front of a decoder layer.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from magma_bench.errors import UserError
from magma_bench.model.configuration_magma import MagmaConfig
from magma_bench.model.processing_magma import ImageViews


class ConvTrunk(nn.Module):
    """The `cnn` trunk: ConvNeXt's 4x4 stride-4 stem, then per stage `depth` conv3x3-GroupNorm-ReLU
    layers, each stage after the first ending in a 2x2 max-pool (so the stride is ConvNeXt's).
    Max-pooled ReLU features learn glyph shapes from scratch in hundreds of steps, where a tiny
    ConvNeXt (linear stem and downsampling, LayerScale-damped blocks) stays near chance. The convs
    run before each pool: pooling first (ConvNeXt's order) halves glyph recognition in that probe."""

    def __init__(self, cfg: MagmaConfig) -> None:
        super().__init__()
        dims = cfg.vision_dims

        def unit(c_in: int, c_out: int, k: int = 3, stride: int = 1) -> list[nn.Module]:
            return [nn.Conv2d(c_in, c_out, k, stride=stride, padding=(k - 1) // 2 if stride == 1 else 0),
                    nn.GroupNorm(min(8, c_out), c_out), nn.ReLU()]

        self.stem = nn.Sequential(*unit(3, dims[0], k=4, stride=4))
        stages = []
        for i, (depth, c_out) in enumerate(zip(cfg.vision_depths, dims, strict=True)):
            c_in = dims[max(0, i - 1)]
            if depth == 0 and c_in != c_out:
                raise UserError(f"MagmaConfig: cnn stage {i} has depth 0 but changes width {c_in} -> {c_out}")
            layers: list[nn.Module] = []
            for j in range(depth):
                layers += unit(c_in if j == 0 else c_out, c_out)
            stages.append(nn.Sequential(*layers, *([nn.MaxPool2d(2)] if i else [])))
        self.stages = nn.ModuleList(stages)

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        x = self.stem(pixels)
        for stage in self.stages:
            x = stage(x)
        return x


class VisionTower(nn.Module):
    """The image trunk (total stride config.stride): transformers' ConvNeXt (upstream's), or the
    plain `cnn` trunk of the CPU presets."""

    def __init__(self, cfg: MagmaConfig) -> None:
        super().__init__()
        self.grid_norm = cfg.vision_feature_norm == "grid"
        if cfg.vision_trunk == "cnn":
            self.cnn = ConvTrunk(cfg)
            return
        from transformers import ConvNextConfig, ConvNextModel

        net = ConvNextModel(ConvNextConfig(
            num_channels=3, patch_size=4, num_stages=len(cfg.vision_dims), hidden_sizes=list(cfg.vision_dims),
            depths=list(cfg.vision_depths), hidden_act="gelu", layer_scale_init_value=cfg.vision_layer_scale_init,
            drop_path_rate=0.0))
        self.embeddings, self.encoder = net.embeddings, net.encoder  # the pooled head is not used
        for m in self.modules():  # open_clip's ConvNeXt-XXL uses eps 1e-5; transformers fixes 1e-6
            if isinstance(m, nn.LayerNorm):
                m.eps = cfg.vision_norm_eps

    def forward(self, pixels: torch.Tensor) -> torch.Tensor:
        if hasattr(self, "cnn"):
            x = self.cnn(pixels)  # (N, C, g, g)
        else:
            x = self.embeddings(pixels)  # (N, C0, S/4, S/4)
            for stage in self.encoder.stages:
                x = stage(x)  # ... -> (N, C, g, g), g = S / config.stride
        if self.grid_norm:
            x = F.instance_norm(x, eps=1e-5)
        return x.permute(0, 2, 3, 1)  # (N, g, g, C)


class Projector(nn.Module):
    """mlp2x_gelu: Linear(C, D) -> GELU -> Linear(D, D), plus the learned row-separator vector."""

    def __init__(self, cfg: MagmaConfig) -> None:
        super().__init__()
        layers: list[nn.Module] = [nn.Linear(cfg.vision_dims[-1], cfg.hidden_size)]
        for _ in range(1, cfg.projector_depth):
            layers += [nn.GELU(), nn.Linear(cfg.hidden_size, cfg.hidden_size)]
        self.proj = nn.Sequential(*layers)
        self.row_separator = nn.Parameter(torch.zeros(1, 1, cfg.hidden_size))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.proj(x)


class ImageRead(nn.Module):
    """config.image_read="xattn" (not in upstream Magma): each text token adds what its own embedding
    finds among its example's image tokens, one multi-head cross-attention read before the decoder.
    Plain residual, no zero-init gate: the option is for models trained from scratch, where there is
    no pretrained decoder for a gate to protect (upstream weights load with image_read="none")."""

    def __init__(self, cfg: MagmaConfig) -> None:
        super().__init__()
        self.attn = nn.MultiheadAttention(cfg.hidden_size, cfg.num_attention_heads, batch_first=True)

    @staticmethod
    def memory(emb: torch.Tensor, is_img: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """(image tokens per row (B, N, D), key padding mask (B, N), which rows have an image)."""
        counts = is_img.sum(1)
        n = max(int(counts.max()), 1)
        order = torch.argsort((~is_img).to(torch.int8), dim=1, stable=True)[:, :n]  # image positions first
        mem = emb.gather(1, order[..., None].expand(-1, -1, emb.shape[-1]))
        ignore = torch.arange(n, device=emb.device) >= counts[:, None]
        ignore[:, 0] = False  # a row without an image keeps one key, zero-weighted below, so softmax stays finite
        return mem, ignore, counts > 0

    def forward(self, text: torch.Tensor, memory: tuple[torch.Tensor, torch.Tensor, torch.Tensor]) -> torch.Tensor:
        mem, ignore, has_image = memory
        found = self.attn(text, mem, mem, key_padding_mask=ignore, need_weights=False)[0]
        return text + found * has_image[:, None, None].to(found.dtype)


def _llama(cfg: MagmaConfig) -> nn.Module:
    from transformers import LlamaConfig, LlamaForCausalLM

    lc = LlamaConfig(vocab_size=cfg.vocab_size, hidden_size=cfg.hidden_size, intermediate_size=cfg.intermediate_size,
                     num_hidden_layers=cfg.num_hidden_layers, num_attention_heads=cfg.num_attention_heads,
                     num_key_value_heads=cfg.num_key_value_heads, max_position_embeddings=cfg.max_position_embeddings,
                     rope_theta=cfg.rope_theta, rms_norm_eps=cfg.rms_norm_eps,
                     tie_word_embeddings=cfg.tie_word_embeddings, pad_token_id=None, bos_token_id=None,
                     eos_token_id=None)
    lc._attn_implementation = "sdpa"
    return LlamaForCausalLM(lc)


def _new_cache(lm: nn.Module) -> Any:
    from transformers import DynamicCache

    try:
        return DynamicCache(config=lm.config)
    except TypeError:  # older transformers
        return DynamicCache()


class MagmaForCausalLM(nn.Module):
    def __init__(self, config: MagmaConfig) -> None:
        super().__init__()
        self.config = config
        self.vision_tower = VisionTower(config)
        self.projector = Projector(config)
        self.image_read = ImageRead(config) if config.image_read == "xattn" else None
        # config.image_pos_embed: one vector per cell of a view's g x g feature grid, zero at init (a
        # model trained without it starts out computing what it did). Not under `projector.`, so it
        # trains at the decoder's lr, not the tower's damped one (trainer/train.param_groups).
        g = config.grid_side
        self.image_position = nn.Parameter(torch.zeros(g, g, config.hidden_size)) if config.image_pos_embed else None
        self.language_model = _llama(config)
        self._reading: tuple[Any, torch.Tensor] | None = None  # (image memory, text mask) while the decoder runs
        if self.image_read is not None and config.image_read_layer:
            self.language_model.model.layers[config.image_read_layer].register_forward_pre_hook(
                self._read_before_layer, with_kwargs=True)
        params = inspect.signature(self.language_model.forward).parameters
        self._cache_kw = "cache" if "cache" in params else "past_key_values"  # transformers >= 5.x renamed it

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    # -- images -> feature rows ----------------------------------------------------------------------
    def image_features(self, images: list[ImageViews]) -> list[torch.Tensor]:
        """One (n_i, D) tensor per image, all views through the tower in a single batch."""
        views = []
        for im in images:
            if im.global_view is not None:
                views.append(im.global_view[None])
            views.append(im.crops)
        dtype = self.projector.row_separator.dtype
        feats = self.projector(self.vision_tower(torch.cat(views).to(self.device, dtype)))  # (V, g, g, D)
        if self.image_position is not None:
            feats = feats + self.image_position
        out, k = [], 0
        g, sep = feats.shape[1], self.projector.row_separator
        for im in images:
            parts = []
            grids = ([(1, 1)] if im.global_view is not None else []) + [im.grid]
            for rows, cols in grids:
                f = feats[k:k + rows * cols].view(rows, cols, g, g, -1)
                f = f.permute(0, 2, 1, 3, 4).reshape(rows * g, cols * g, -1)  # stitch crops row-major
                f = torch.cat([f, sep.expand(rows * g, 1, -1)], dim=1)  # (R*g, K*g+1, D)
                parts.append(f.flatten(0, 1))
                k += rows * cols
            out.append(torch.cat(parts))
        return out

    def embed(self, input_ids: torch.Tensor, images: list[ImageViews] | None) -> torch.Tensor:
        """Token embeddings with image features written over the `<image>` positions, in order."""
        return self._embed(input_ids, images)[0]

    def _embed(self, input_ids: torch.Tensor, images: list[ImageViews] | None) -> tuple[torch.Tensor, Any]:
        """(embeddings, (image memory, text mask) for the image read, or None without one). With
        image_read_layer 0 the text embeddings have already read the image."""
        is_img = input_ids == self.config.image_token_id
        table = self.language_model.get_input_embeddings()
        emb = table(input_ids.masked_fill(is_img, 0))  # (B, T, D); the image id may lie outside the vocab
        n_slots = int(is_img.sum())
        if images:
            feats = torch.cat(self.image_features(images)).to(emb.dtype)
            if feats.shape[0] != n_slots:
                raise ValueError(f"{n_slots} <image> tokens in the prompt but the images give {feats.shape[0]} features")
            emb = emb.masked_scatter(is_img[..., None], feats)
        elif n_slots:
            raise ValueError(f"{n_slots} <image> tokens in the prompt but no images were given")
        if self.image_read is None or not n_slots:
            return emb, None
        memory = self.image_read.memory(emb, is_img)
        if not self.config.image_read_layer:
            emb = torch.where(is_img[..., None], emb, self.image_read(emb, memory))
        return emb, (memory, ~is_img)

    @contextlib.contextmanager
    def _read_in_decoder(self, reading: tuple[Any, torch.Tensor] | None) -> Iterator[None]:
        """While the decoder runs, its layer `image_read_layer` reads the image (see _read_before_layer)."""
        self._reading = reading if reading is not None and self.config.image_read_layer else None
        try:
            yield
        finally:
            self._reading = None

    def _read_before_layer(self, layer: nn.Module, args: tuple, kwargs: dict) -> tuple[tuple, dict] | None:
        if self._reading is None:
            return None
        memory, text = self._reading
        h = args[0] if args else kwargs["hidden_states"]
        h = torch.where(text[..., None], self.image_read(h, memory), h)
        return ((h, *args[1:]), kwargs) if args else (args, {**kwargs, "hidden_states": h})

    # -- training / scoring ---------------------------------------------------------------------------
    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                images: list[ImageViews] | None = None, labels: torch.Tensor | None = None,
                ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(logits (B, T, V) float32, mean next-token loss over labels != -100 or None)."""
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        emb, reading = self._embed(input_ids, images)
        pos = (attention_mask.long().cumsum(-1) - 1).clamp(min=0)
        with self._read_in_decoder(reading):
            logits = self.language_model(inputs_embeds=emb, attention_mask=attention_mask, position_ids=pos,
                                         use_cache=False).logits.float()
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits[:, :-1].reshape(-1, logits.shape[-1]), labels[:, 1:].reshape(-1),
                                   ignore_index=-100)
        return logits, loss

    # -- generation -------------------------------------------------------------------------------------
    @torch.no_grad()
    def generate(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, images: list[ImageViews] | None = None,
                 max_new_tokens: int = 32, eos_id: int | None = None, use_cache: bool = True,
                 allowed_ids: tuple[int, int] | None = None, temperature: float = 0.0, top_k: int = 50,
                 generator: torch.Generator | None = None) -> list[list[int]]:
        """Greedy decoding of a left-padded batch; per row the new ids up to (not incl.) eos.

        allowed_ids=(lo, hi) restricts every step to ids lo..hi-1 (e.g. the action bins).
        temperature > 0 samples instead (softmax(logits / temperature) over the top_k ids, as HF
        `generate(do_sample=True)` with its default top_k=50), drawing from `generator`."""
        dev = self.device
        ids, mask = input_ids.to(dev), attention_mask.to(dev).long()
        emb, reading = self._embed(ids, images)
        pos = (mask.cumsum(-1) - 1).clamp(min=0)
        lm = self.language_model
        cache = _new_cache(lm) if use_cache else None
        new: list[torch.Tensor] = []
        done = torch.zeros(ids.shape[0], dtype=torch.bool, device=dev)
        step_in, step_pos = emb, pos
        for _ in range(max_new_tokens):
            kw = {self._cache_kw: cache, "use_cache": True} if use_cache else {"use_cache": False}
            with self._read_in_decoder(reading):
                logits = lm(inputs_embeds=step_in, attention_mask=mask, position_ids=step_pos, logits_to_keep=1,
                            **kw).logits[:, -1].float()  # (B, V)
            if allowed_ids is not None:
                logits[:, : allowed_ids[0]] = float("-inf")
                logits[:, allowed_ids[1]:] = float("-inf")
            if temperature > 0:
                logits = logits / temperature
                if 0 < top_k < logits.shape[-1]:
                    kth = logits.topk(top_k, dim=-1).values[:, -1:]
                    logits = logits.masked_fill(logits < kth, float("-inf"))
                nxt = torch.multinomial(logits.softmax(-1), 1, generator=generator)[:, 0]
            else:
                nxt = logits.argmax(-1)
            new.append(nxt)
            if eos_id is not None:
                done |= nxt == eos_id
                if bool(done.all()):
                    break
            mask = torch.cat([mask, mask.new_ones(mask.shape[0], 1)], dim=1)
            nxt_emb = lm.get_input_embeddings()(nxt)[:, None]
            if reading is not None:  # the new token is text: it reads the image like every other
                memory, text = reading
                if not self.config.image_read_layer:
                    nxt_emb = self.image_read(nxt_emb, memory)
                is_text = text.new_ones(text.shape[0], 1)
                reading = (memory, is_text if use_cache else torch.cat([text, is_text], 1))
            last_pos = step_pos[:, -1:] + 1
            if use_cache:
                step_in, step_pos = nxt_emb, last_pos
            else:  # recompute the whole sequence every step (the reference path)
                step_in, step_pos = torch.cat([step_in, nxt_emb], 1), torch.cat([step_pos, last_pos], 1)
        out = torch.stack(new, 1).tolist() if new else [[] for _ in range(ids.shape[0])]
        if eos_id is not None:
            out = [row[: row.index(eos_id)] if eos_id in row else row for row in out]
        return out

    # -- checkpoints --------------------------------------------------------------------------------------
    def save_pretrained(self, path: str | Path) -> Path:
        from magma_bench.model.checkpoint import save_pretrained

        return save_pretrained(self, path)

    @classmethod
    def from_pretrained(cls, path: str | Path, preset: str | None = None, dtype: torch.dtype | None = None,
                        device: str | torch.device = "cpu") -> MagmaForCausalLM:
        from magma_bench.model.checkpoint import from_pretrained

        return from_pretrained(path, preset=preset, dtype=dtype, device=device)
