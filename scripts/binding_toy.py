"""How many steps the tiny decoder needs to learn presence ("Is there a star?") from perfect cells.

Session 10's diagnostic for issue #19 (docs/training.md): no trainer, no tower, no byte text. A
scene is 16 cells, each a one-hot of (colour, kind, empty) through a learned linear map, the
tiny preset's LLaMA decoder reads the cells and then a question of single tokens, and answers
yes/no at the last position. What it measures is how the number of hops between the kind word
and the answer decides whether binding (pick the cell whose kind the question names) is learned:

- one hop: `... there <kind>` and the answer is predicted at the kind token;
- two hops: `... there a <kind>` + `--post` filler tokens (the "\\nAnswer the question using a
  single word or phrase." of the real prompts) and the answer after them;
- mix: half of each, accuracy reported on the two-hop questions;
- copy: a third each of one hop, two hops and a copy question (the two-hop layout whose last
  filler asks for the kind word back), so the answer position learns where the kind word is.

`--words bytes` spells each kind as the byte tokenizer does (3-8 tokens) instead of one token;
`--markers` lays the cells out as the model does (bos, user marker, image start, 4 rows of 4 cells
each ending in a learned row separator, image end). `--xattn` gives each text token one
cross-attention read of the cells before the decoder (query: the token's own embedding), the
question-to-cell hop built in (session 11).

    python scripts/binding_toy.py --hops one --steps 800               # one hop 81% at step 400, 85% at 800
    python scripts/binding_toy.py --hops two --post 10 --steps 1600    # 49-51% (chance) at every step
    python scripts/binding_toy.py --hops mix --post 10 --steps 1600    # two hops 74% at 1200, 86% at 1400
    python scripts/binding_toy.py --hops one --words bytes --steps 1000  # 70% at 600, 89% at 1000
    python scripts/binding_toy.py --hops one --words bytes --markers --steps 1000  # 72% at 600, 86% at 1000
    python scripts/binding_toy.py --hops two --post 2 --words bytes --steps 1000   # 49-51% at every step
    python scripts/binding_toy.py --hops two --post 1 --words bytes --steps 800    # one filler is enough: 49-51%
    python scripts/binding_toy.py --hops copy --post 10 --steps 1000  # copy learned (loss 0), one and two hops 48-52%
    python scripts/binding_toy.py --hops two --post 10 --xattn --steps 800   # 48-52%: the built-in hop alone is not enough
    python scripts/binding_toy.py --hops mix --post 10 --xattn --steps 800   # one hop 83.8%, two hops 83.9% at 800
    python scripts/binding_toy.py --hops mix --post 10 --xattn --seed 1 --steps 1400  # 73/73 at 1000, 93/91 at 1400
    python scripts/binding_toy.py --hops mix --post 70 --words bytes --xattn --steps 1200  # 86/86 at 1000, 95/95 at 1200
    python scripts/binding_toy.py --hops mix --post 70 --words bytes --steps 1200  # without it: 49-51% throughout
    python scripts/binding_toy.py --ask colour --hops one --steps 800          # colour by kind: 100% at 200 (chance 12.5)
    python scripts/binding_toy.py --ask colour --hops one --xattn --steps 800  # 99.7% at 200
    python scripts/binding_toy.py --ask colour --hops two --post 2 --words bytes --markers --xattn --steps 1000
                                                                     # "star: red"'s layout: 42% at 200, 72% at 1000

`--ask colour` asks for the colour of the named kind's cell instead (session 18). Accuracy is on
1000 held-out questions of each form. Batch 64, lr 1e-3, AdamW, one thread:
about 0.15-0.2 s a step (session 10, 2 shared cores).
"""

from __future__ import annotations

import argparse
import random
import time

import torch
import torch.nn.functional as F
from torch import nn

from magma_bench.benchmarks.vl.offline.scenes import COLORS
from magma_bench.benchmarks.vl.offline.scenes import KINDS as KIND_NAMES
from magma_bench.model.configuration_magma import MagmaConfig
from magma_bench.model.modeling_magma import ImageRead, _llama
from magma_bench.model.tokenization_magma import ByteTokenizer

KINDS, COLOURS, CELLS, GRID = len(KIND_NAMES), len(COLORS), 16, 4
YES, NO, KIND0, FILLER0, COLOUR0 = 200, 201, 100, 20, 210  # token ids (the byte range; meaning is learned)
TOKENIZER = ByteTokenizer(MagmaConfig.from_preset("tiny").vocab_size)
# a user turn holding one image of no features: the ids that frame the cells
FRAME = TOKENIZER.encode_chat([{"role": "user", "content": [{"type": "image"}]}], [0], add_generation_prompt=False)


def scene(rng: random.Random, distinct: bool = False) -> tuple[torch.Tensor, dict[int, int]]:
    """(cells, {kind: its colour}); with `distinct` no kind repeats, so a kind names one cell."""
    cells = rng.sample(range(CELLS), rng.randint(2, 5))
    x = torch.zeros(CELLS, COLOURS + KINDS + 1)
    x[:, -1] = 1
    colour_of = {}
    kinds = rng.sample(range(KINDS), len(cells)) if distinct else None
    for i, c in enumerate(cells):
        colour, kind = rng.randrange(COLOURS), kinds[i] if kinds else rng.randrange(KINDS)  # the old draw order
        x[c] = 0
        x[c, colour], x[c, COLOURS + kind] = 1, 1
        colour_of[kind] = colour
    return x, colour_of


def kind_ids(k: int, words: str) -> list[int]:
    """One token per kind, or the kind's name as the tiny preset's byte tokenizer spells it."""
    return [KIND0 + k] if words == "token" else TOKENIZER.encode(KIND_NAMES[k])


def question(rng: random.Random, colour_of: dict[int, int], form: str, post: int, words: str,
             ask: str = "presence") -> tuple[list[int], int]:
    """(token ids ending where the answer is predicted, answer id). Presence: present half the
    time, answer yes/no. Colour: a kind in the scene, answer its colour (the attribute look-up
    keyed by a word, session 18). A `copy` question is laid out as a two-hop one but its last
    filler asks for the kind itself (its first token): the answer learns to attend to the kind word
    without needing the cells."""
    if ask == "colour":
        k = rng.choice(sorted(colour_of))
        answer = COLOUR0 + colour_of[k]
    else:
        pool = sorted(colour_of) if rng.random() < 0.5 else [k for k in range(KINDS) if k not in colour_of]
        k = rng.choice(pool)
        answer = YES if k in colour_of else NO
    if form == "one":
        return [10, 11, *kind_ids(k, words)], answer
    ids = [10, 11, 12, *kind_ids(k, words), *range(FILLER0, FILLER0 + post)]
    if form == "copy":
        return [*ids[:-1], FILLER0 - 1], kind_ids(k, words)[0]
    return ids, answer


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hops", choices=("one", "two", "mix", "copy"), default="two")
    ap.add_argument("--post", type=int, default=1, help="filler tokens between the kind and the answer (two hops)")
    ap.add_argument("--words", choices=("token", "bytes"), default="token",
                    help="a kind is one token, or its name in bytes (the tiny preset's tokenizer)")
    ap.add_argument("--markers", action="store_true", help="bos, user, image start/end and row separators")
    ap.add_argument("--xattn", action="store_true",
                    help="each text token first reads the cells through one cross-attention (query: its embedding)")
    ap.add_argument("--ask", choices=("presence", "colour"), default="presence",
                    help="is the kind there (yes/no), or the colour of the kind's cell (8 ways)")
    ap.add_argument("--steps", type=int, default=1200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--eval-every", type=int, default=200)
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    cfg = MagmaConfig.from_preset("tiny")
    lm, cell = _llama(cfg), Cells(cfg, args.markers, args.xattn)
    opt = torch.optim.AdamW([*lm.parameters(), *cell.parameters()], lr=args.lr)
    held_out = {h: batch(random.Random(10**6), 1000, h, args.post, args.words, args.ask) for h in ("one", "two")}
    t0 = time.time()
    for step in range(args.steps + 1):
        logits, y = forward(lm, cell, batch(rng, args.batch, args.hops, args.post, args.words, args.ask))
        loss = F.cross_entropy(logits, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % args.eval_every == 0 or step == args.steps:
            with torch.no_grad():  # held out: a generator no training batch draws from
                acc = {h: accuracy(*forward(lm, cell, b)) for h, b in held_out.items()}
            print(f"step {step:5d}  train loss {loss.item():.3f}  held-out acc: one hop {acc['one']:.3f}, "
                  f"two hops {acc['two']:.3f}  {time.time() - t0:.0f}s", flush=True)
    return 0


def batch(rng: random.Random, n: int, hops: str, post: int, words: str, ask: str = "presence"
          ) -> tuple[torch.Tensor, list[list[int]], list[int]]:
    xs, rows, answers = [], [], []
    width = 3 + max(len(kind_ids(k, words)) for k in range(KINDS)) + post
    form = {"mix": ("one", "two"), "copy": ("one", "copy", "two")}.get(hops, (hops,))
    for _ in range(n):
        x, colour_of = scene(rng, distinct=ask == "colour")
        ids, ans = question(rng, colour_of, rng.choice(form), post, words, ask)
        xs.append(x)
        rows.append([0] * (width - len(ids)) + ids)  # left-padded so every answer is at the end
        answers.append(ans)
    return torch.stack(xs), rows, answers


class Cells(nn.Module):
    """The cells' one-hots -> decoder inputs; with `markers`, framed as the model frames an image
    (processing_magma / modeling_magma: a row separator after each grid row, the chat's specials)."""

    def __init__(self, cfg: MagmaConfig, markers: bool, xattn: bool = False) -> None:
        super().__init__()
        width = cfg.hidden_size
        self.proj = nn.Linear(COLOURS + KINDS + 1, width)
        self.row_separator = nn.Parameter(torch.zeros(1, 1, 1, width)) if markers else None
        self.xattn = ImageRead(cfg) if xattn else None  # the model's own read (image_read="xattn")

    def read(self, f: torch.Tensor, text: torch.Tensor) -> torch.Tensor:
        """Text embeddings plus what each token's own embedding finds among the cells `f` (their
        projection): the question-to-cell hop built in, so the decoder has only to carry it."""
        if self.xattn is None:
            return text
        every_cell = torch.zeros(f.shape[:2], dtype=torch.bool)  # no key is padding, every scene has cells
        return self.xattn(text, (f, every_cell, torch.ones(f.shape[0], dtype=torch.bool)))

    def forward(self, f: torch.Tensor, emb: nn.Module) -> torch.Tensor:
        """The projected cells `f` as decoder inputs, framed when `markers`."""
        if self.row_separator is None:
            return f
        n = f.shape[0]
        rows = torch.cat([f.view(n, GRID, GRID, -1), self.row_separator.expand(n, GRID, 1, -1)], 2).flatten(1, 2)
        before, after = FRAME[:-1], FRAME[-1:]  # [bos, user, image start], [image end]
        return torch.cat([emb(torch.tensor([before] * n)), rows, emb(torch.tensor([after] * n))], 1)


def forward(lm: nn.Module, cell: Cells, b: tuple) -> tuple[torch.Tensor, torch.Tensor]:
    """(logits at the answer position, the answers)."""
    xs, rows, answers = b
    emb, f = lm.get_input_embeddings(), cell.proj(xs)
    text = cell.read(f, emb(torch.tensor(rows)))
    return lm(inputs_embeds=torch.cat([cell(f, emb), text], 1)).logits[:, -1], torch.tensor(answers)


def accuracy(logits: torch.Tensor, y: torch.Tensor) -> float:
    return (logits.argmax(-1) == y).float().mean().item()


if __name__ == "__main__":
    raise SystemExit(main())
