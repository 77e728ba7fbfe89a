"""Does the trained model look at the image? Answer loss with the real images vs blank ones.

A small VLM trained from scratch can reach a low loss while ignoring its vision tower entirely
(answer priors and formats are learnable from text alone: yes/no balance, colour words, the
`Coordinate:` prefix). The gap between the answer loss on blank (mean-grey) images and on the
real ones measures how much the answers depend on the pixels: ~0 means the image is ignored.
Per source, so a mixture shows which data taught the model to see.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from magma_bench.trainer.data import Example


def blank_like(views: list) -> list:
    """The same view shapes, every pixel the normalised image mean (0 after normalisation)."""
    import torch

    from magma_bench.model.processing_magma import ImageViews

    return [ImageViews(None if v.global_view is None else torch.zeros_like(v.global_view),
                       torch.zeros_like(v.crops), v.grid) for v in views]


def image_use(model: Any, examples: list[Example], tok: Any, act_tok: Any, max_tokens: int
              ) -> dict[str, dict[str, float]]:
    """{source: {loss_real, loss_blank, gap, n}} over the examples that have at least one image
    (one example per forward pass, so every example weighs the same whatever its answer length)."""
    import torch

    from magma_bench.trainer.train import collate, encode_example

    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    dev = model.device
    model.eval()
    with torch.no_grad():
        for e in (e for e in examples if e.images):
            ids, mask, labels, images = collate([encode_example(e, tok, model.config, act_tok, max_tokens)], tok.pad_id)
            ids, mask, labels = ids.to(dev), mask.to(dev), labels.to(dev)
            real, blank = model(ids, mask, images, labels)[1], model(ids, mask, blank_like(images), labels)[1]
            s = sums[e.source]
            s[0], s[1], s[2] = s[0] + float(real), s[1] + float(blank), s[2] + 1
    out = {}
    for src, (real, blank, n) in sorted(sums.items()):
        out[src] = {"loss_real": round(real / n, 4), "loss_blank": round(blank / n, 4),
                    "gap": round((blank - real) / n, 4), "n": n}
    return out
