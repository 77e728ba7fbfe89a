"""The training stream: which examples micro-batch k holds, as a pure function of k (exact resume).

Mixture passes are drawn by `mixtures.sample`; with curriculum phases each phase draws its own.
With `lengths`, each pass is grouped by length the way HF Trainer's `group_by_length` does
(LLaVA's `group_by_modality_length` for the same reason): mega-batches of `mult` batches are
sorted by token count and cut into batches, and the batches are shuffled. A micro-batch then pads
to a length near its own examples' instead of the longest clip in the pass. On the `full`
mixture this takes the padded share of the tokens from 61% to a few percent in the mixture phase
(`python -m magma_bench.trainer.perf`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np

from magma_bench.trainer import mixtures
from magma_bench.trainer.data import Example

MEGABATCH_MULT = 50  # HF Trainer's LengthGroupedSampler default


def group_by_length(examples: list[Example], length: Callable[[Example], int], batch: int, seed: int,
                    mult: int = MEGABATCH_MULT) -> list[Example]:
    """The same examples, reordered so that consecutive runs of `batch` have similar lengths.
    Full batches are shuffled (seeded); a last partial batch stays last, so batch boundaries
    fall where they fell before grouping."""
    mega = batch * mult
    full: list[list[Example]] = []
    tail: list[Example] = []
    for i in range(0, len(examples), mega):
        chunk = sorted(examples[i:i + mega], key=length, reverse=True)  # stable: ties keep the pass order
        for j in range(0, len(chunk), batch):
            b = chunk[j:j + batch]
            if len(b) == batch:
                full.append(b)
            else:
                tail += b
    order = np.random.default_rng(seed).permutation(len(full))
    return [e for k in order for e in full[k]] + tail


class Stream:
    """Micro-batch k of the run = examples [k*B, (k+1)*B) of the concatenated mixture passes.

    With curriculum phases, phase i covers the micro-batches up to until_i * steps * micro_per_step
    and draws its own passes (same pools, the phase's weights); the stream stays a pure function
    of k, so a resumed run sees exactly the batches the uninterrupted one would have.
    `lengths` (example id -> tokens) turns on length grouping within each pass."""

    def __init__(self, mix: mixtures.Mixture, pools: dict[str, list[Example]], batch: int, steps: int = 0,
                 micro_per_step: int = 1, lengths: Mapping[str, int] | None = None) -> None:
        self.mix, self.pools, self.batch, self.lengths = mix, pools, batch, lengths
        self.bounds = [b * micro_per_step for b in mixtures.phase_starts(mix, steps)]
        self._passes: dict[tuple[int, int], list[Example]] = {}

    def _pass(self, phase: int, p: int) -> list[Example]:
        if (phase, p) not in self._passes:
            seed = self.mix.seed + p + 7919 * phase
            exs = mixtures.sample(mixtures.phase_mixture(self.mix, phase),
                                  mixtures.phase_pools(self.mix, phase, self.pools), seed=seed)
            if self.lengths is not None:
                lengths = self.lengths
                exs = group_by_length(exs, lambda e: lengths[e.id], self.batch, seed=seed + 104729)
            self._passes = {(phase, p): exs}
        return self._passes[(phase, p)]

    def phase_of(self, k: int) -> int:
        return next((i for i, b in enumerate(self.bounds) if k < b), len(self.bounds))

    def micro_batch(self, k: int) -> list[Example]:
        phase = self.phase_of(k)
        local, n = k - (self.bounds[phase - 1] if phase else 0), self.mix.total
        return [self._pass(phase, i // n)[i % n] for i in range(local * self.batch, (local + 1) * self.batch)]


def padding_efficiency(stream: Stream, lengths: Mapping[str, int], start: int, stop: int) -> float:
    """Real tokens / padded tokens over micro-batches [start, stop) (1.0 = no padding)."""
    real = padded = 0
    for k in range(start, stop):
        ls = [lengths[e.id] for e in stream.micro_batch(k)]
        real, padded = real + sum(ls), padded + len(ls) * max(ls)
    return real / padded if padded else 1.0
