"""OpenVLA-compatible action tokenizer: continuous 7-DoF actions <-> the last 256 vocabulary ids.

Exactly the scheme of `prismatic/vla/action_tokenizer.py` (OpenVLA), which upstream Magma's
SimplerEnv policy decodes the same way, so checkpoints of either decode correctly here: normalise
each dimension to [-1, 1] with the dataset's 1st/99th percentiles, clip, digitize against 256
uniform edges `linspace(-1, 1, 256)` and write bin d (1..256) as id `vocab_size - d`.

[Contract] ids:      the range is [vocab_size - 256, vocab_size). Ids run *backwards*: -1 is the
                     LAST id (vocab_size - 1), +1 is the first (vocab_size - 256), as in OpenVLA.
[Contract] bins:     256 edges give 255 bin centres; id i decodes to centre clip(vocab_size-i-1, 0, 254).
[Contract] round trip: encode(decode(i)) == i for every id except vocab_size - 256, which only +1.0
                     itself produces; it decodes to the last centre and re-encodes one id up
                     (kept bit-for-bit for checkpoint compatibility; openvla #327/#246/#226).
[Contract] clipping: values outside [-1, 1] (after normalisation) go to the end bins.
[Contract] stats:    q01/q99 per dimension; dimensions with mask False (the gripper) are not
                     normalised, only clipped. Degenerate ranges (q99 == q01) decode to q01.
[Contract] ids out of the action range (a model that emitted text) decode to 0.0 after
                     normalisation, i.e. the middle of the range, never an exception.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


class ActionTokenizer:
    def __init__(self, vocab_size: int, n_bins: int = 256, q01: Sequence[float] | None = None,
                 q99: Sequence[float] | None = None, mask: Sequence[bool] | None = None, dim: int = 7) -> None:
        self.vocab_size, self.n_bins, self.dim = vocab_size, n_bins, dim
        self.begin = vocab_size - n_bins
        self.edges = np.linspace(-1.0, 1.0, n_bins)  # OpenVLA: n_bins edges, n_bins - 1 centres
        self.centers = (self.edges[:-1] + self.edges[1:]) / 2.0
        self.q01 = np.asarray(q01 if q01 is not None else [-1.0] * dim, dtype=np.float64)
        self.q99 = np.asarray(q99 if q99 is not None else [1.0] * dim, dtype=np.float64)
        self.mask = np.asarray(mask if mask is not None else [True] * dim, dtype=bool)

    @classmethod
    def from_config(cls, cfg: Any) -> ActionTokenizer:
        """The tokenizer a MagmaConfig implies (its action range end and saved q01/q99 statistics)."""
        return cls(cfg.action_end, cfg.n_action_bins, cfg.action_q01, cfg.action_q99, cfg.action_normalize_mask,
                   cfg.action_dim)

    # -- normalisation (q01/q99 -> [-1, 1]) ---------------------------------------------------------
    def normalize(self, action: np.ndarray) -> np.ndarray:
        a = np.asarray(action, dtype=np.float64)
        span = np.where(self.q99 > self.q01, self.q99 - self.q01, 1.0)
        norm = 2.0 * (a - self.q01) / span - 1.0
        return np.clip(np.where(self.mask, norm, a), -1.0, 1.0)

    def unnormalize(self, norm: np.ndarray) -> np.ndarray:
        n = np.asarray(norm, dtype=np.float64)
        return np.where(self.mask, 0.5 * (n + 1.0) * (self.q99 - self.q01) + self.q01, n)

    # -- bins <-> ids --------------------------------------------------------------------------------
    def encode_normalized(self, norm: np.ndarray) -> np.ndarray:
        d = np.digitize(np.clip(np.asarray(norm, dtype=np.float64), -1.0, 1.0), self.edges)  # 1..n_bins
        return (self.vocab_size - d).astype(np.int64)

    def decode_normalized(self, ids: np.ndarray, clip_ids: bool = False) -> np.ndarray:
        """Bin centres; ids outside the range give 0.0, or with clip_ids the nearest end bin (what
        upstream Magma's agents compute: `clip(vocab_size - id - 1, 0, 254)` on any id)."""
        ids = np.asarray(ids, dtype=np.int64)
        valid = (ids >= self.begin) & (ids < self.vocab_size)
        idx = np.clip(self.vocab_size - ids - 1, 0, len(self.centers) - 1)
        return self.centers[idx] if clip_ids else np.where(valid, self.centers[idx], 0.0)

    # -- what callers use ----------------------------------------------------------------------------
    def encode(self, action: Sequence[float]) -> list[int]:
        """A raw action (robot units) -> `dim` token ids."""
        return self.encode_normalized(self.normalize(np.asarray(action))).tolist()

    def decode(self, ids: Sequence[int], clip_ids: bool = False) -> list[float]:
        """`dim` token ids -> a raw action (robot units). Missing ids (short output) decode as 0.0."""
        n = min(len(ids), self.dim)
        norm = np.zeros(self.dim)
        norm[:n] = self.decode_normalized(np.asarray(list(ids)[:n]), clip_ids)
        return [float(v) for v in self.unnormalize(norm)]

    @classmethod
    def from_stats(cls, vocab_size: int, stats: dict[str, Any], n_bins: int = 256) -> ActionTokenizer:
        """A tokenizer over the ids below `vocab_size` with one dataset's {q01, q99, mask}."""
        return cls(vocab_size, n_bins, stats["q01"], stats["q99"], stats.get("mask"), len(stats["q01"]))

    def is_action_id(self, token_id: int) -> bool:
        return self.begin <= token_id < self.vocab_size
