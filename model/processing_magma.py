"""Images and chat messages -> model inputs (left-padded ids, masks, image views). No torchvision.

Anyres follows upstream `process_anyres_image`: among the grids (rows, cols) with rows*cols <=
max_crops, pick the one that keeps the most of the image's resolution (ties: least waste), resize
the image to (rows*S, cols*S) and cut it into S x S crops (S = config.image_size). With
`global_view` and more than one crop, a global view (the whole image resized to S x S) comes
first, as in LLaVA-NeXT-style anyres.
Each view becomes a (side x side) feature grid (side = S/32) and every grid row ends in a learned
row-separator vector, so an image costs `feature_count(grid)` tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from PIL import Image

from magma_bench.errors import UserError
from magma_bench.model.configuration_magma import MagmaConfig
from magma_bench.model.tokenization_magma import message_parts


@dataclass
class ImageViews:
    global_view: torch.Tensor | None  # (3, S, S) or None
    crops: torch.Tensor  # (rows*cols, 3, S, S), row-major
    grid: tuple[int, int]  # (rows, cols)


def load_image(src: Any) -> Image.Image:
    """A PIL RGB image from a path, an array (H, W[, C]) or a PIL image; clear error otherwise."""
    if isinstance(src, Image.Image):
        return src.convert("RGB")
    if isinstance(src, np.ndarray):
        arr = src if src.dtype == np.uint8 else np.clip(src * (255 if src.max() <= 1.0 else 1), 0, 255).astype(np.uint8)
        return Image.fromarray(arr).convert("RGB")
    try:
        with Image.open(Path(src)) as im:
            return im.convert("RGB")
    except FileNotFoundError:
        raise UserError(f"image not found: {src}") from None
    except Exception as e:
        raise UserError(f"cannot decode image {src}: {type(e).__name__}: {e}") from None


def best_grid(width: int, height: int, max_crops: int, base: int) -> tuple[int, int]:
    """(rows, cols) keeping the most effective resolution, then the least wasted area (upstream rule)."""
    best, best_eff, best_waste = (1, 1), -1, float("inf")
    for cols in range(1, max_crops + 1):  # upstream order: width multiples outer
        for rows in range(1, max_crops // cols + 1):
            scale = min(cols * base / width, rows * base / height)
            eff = min(int(width * scale) * int(height * scale), width * height)
            waste = rows * cols * base * base - eff
            if eff > best_eff or (eff == best_eff and waste < best_waste):
                best, best_eff, best_waste = (rows, cols), eff, waste
    return best


def _to_tensor(img: Image.Image, cfg: MagmaConfig) -> torch.Tensor:
    arr = torch.from_numpy(np.asarray(img, dtype=np.float32) / 255.0).permute(2, 0, 1)
    mean = torch.tensor(cfg.image_mean).view(3, 1, 1)
    std = torch.tensor(cfg.image_std).view(3, 1, 1)
    return (arr - mean) / std


def _resized(img: Image.Image, width: int, height: int, cfg: MagmaConfig) -> torch.Tensor:
    """(3, height, width) normalised pixels. image_resize "tensor" is upstream's order: normalise
    the full image, then torch bilinear interpolation (align_corners=False, no antialias)."""
    if cfg.image_resize == "pil":
        return _to_tensor(img.resize((width, height), Image.BILINEAR), cfg)
    full = _to_tensor(img, cfg)
    return torch.nn.functional.interpolate(full[None], size=(height, width), mode="bilinear")[0]


def image_views(src: Any, cfg: MagmaConfig) -> ImageViews:
    img = load_image(src)
    if min(img.size) < 1:
        raise UserError(f"image of size {img.size[0]}x{img.size[1]} has no pixels")
    s = cfg.image_size
    if cfg.image_resize == "tensor":  # upstream: one grid rule for any max_crops, no global view
        rows, cols = best_grid(*img.size, max(1, cfg.max_crops), s)
        big = _resized(img, cols * s, rows * s, cfg)
        crops = big.unfold(1, s, s).unfold(2, s, s).permute(1, 2, 0, 3, 4).reshape(rows * cols, 3, s, s)
        return ImageViews(None, crops, (rows, cols))
    if cfg.max_crops <= 1:
        return ImageViews(None, _to_tensor(img.resize((s, s), Image.BILINEAR), cfg)[None], (1, 1))
    rows, cols = best_grid(*img.size, cfg.max_crops, s)
    big = _to_tensor(img.resize((cols * s, rows * s), Image.BILINEAR), cfg)
    crops = big.unfold(1, s, s).unfold(2, s, s)  # (3, rows, cols, s, s)
    crops = crops.permute(1, 2, 0, 3, 4).reshape(rows * cols, 3, s, s)
    glob = None
    if cfg.global_view and (rows, cols) != (1, 1):
        glob = _to_tensor(img.resize((s, s), Image.BILINEAR), cfg)
    return ImageViews(glob, crops, (rows, cols))


def feature_count(views: ImageViews, cfg: MagmaConfig) -> int:
    """Tokens one image costs: each grid row of features plus its row separator."""
    g = cfg.grid_side
    rows, cols = views.grid
    n = rows * g * (cols * g + 1)
    return n + (g * (g + 1) if views.global_view is not None else 0)


@dataclass
class Batch:
    input_ids: torch.Tensor  # (B, T) left-padded
    attention_mask: torch.Tensor  # (B, T) 0 on padding
    images: list[ImageViews]  # every image of the batch, in order of appearance
    labels: torch.Tensor | None = None  # (B, T) training targets, -100 where no loss is taken


def collate(rows: list[list[int]], images: list[ImageViews], pad_id: int) -> Batch:
    """Left padding, so every row's last prompt token sits at the same position for generation."""
    width = max(len(r) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(rows), width), dtype=torch.long)
    for i, r in enumerate(rows):
        ids[i, width - len(r):] = torch.tensor(r, dtype=torch.long)
        mask[i, width - len(r):] = 1
    return Batch(ids, mask, images)


def encode_conversations(conversations: list[list[dict[str, Any]]], tokenizer: Any, cfg: MagmaConfig,
                         images: list[list[Any]] | None = None, add_generation_prompt: bool = True) -> Batch:
    """Chat messages (with {"type": "image", "path"|"image": ...} parts) -> a left-padded Batch.

    `images[i]`, when given, replaces the image sources found in conversation i's messages."""
    rows, all_views = [], []
    for i, msgs in enumerate(conversations):
        srcs = images[i] if images is not None else [
            p.get("path", p.get("image")) for m in msgs for p in message_parts(m) if p.get("type") == "image"]
        views = [image_views(s, cfg) for s in srcs]
        rows.append(tokenizer.encode_chat(msgs, [feature_count(v, cfg) for v in views], add_generation_prompt))
        all_views += views
    return collate(rows, all_views, tokenizer.pad_id)


def encode_for_training(conversations: list[list[dict[str, Any]]], answers: list[str | list[int]], tokenizer: Any,
                        cfg: MagmaConfig, images: list[list[Any]] | None = None) -> Batch:
    """Prompt + answer + end-of-turn per example, labels only on the answer (and its end token).

    An answer is text, or token ids (e.g. `ActionTokenizer.encode` output for robot actions)."""
    prompt = encode_conversations(conversations, tokenizer, cfg, images=images)
    rows, labels = [], []
    for i, ans in enumerate(answers):
        p = prompt.input_ids[i][prompt.attention_mask[i] == 1].tolist()
        a = (tokenizer.encode(ans) if isinstance(ans, str) else [int(t) for t in ans]) + [tokenizer.eos_id]
        rows.append(p + a)
        labels.append([-100] * len(p) + a)
    batch = collate(rows, prompt.images, tokenizer.pad_id)
    lab = torch.full_like(batch.input_ids, -100)
    for i, row in enumerate(labels):
        lab[i, lab.shape[1] - len(row):] = torch.tensor(row)
    batch.labels = lab
    return batch
