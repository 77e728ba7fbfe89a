"""The session-9 binding experiments (docs/training.md, issue #19), reproducible: train or probe with
one of three patches, each switched on by an environment variable. Not a trainer option: these
are diagnostics, applied in this process only.

- ORACLE=1: the decoder reads perfect perception. Each 4x4 cell's image token is a trainable linear
  map of one-hot (colour, kind, empty) of the object centred in that cell, taken from the scene
  description when `scenes.render` draws it; the vision tower is bypassed. Blank images (the
  image-use check, the probe's blind run) read as empty grids. Use a fresh `--data-dir` (also to
  continue a run): the labels are recorded while the pool is drawn, and an image of a cached pool
  stops the run rather than reading as an empty grid.
- KIND_TOKENS=1: every scene kind word ("ball", "triangle", ...) is one token (control bytes 1-12)
  in the byte tokenizer, in prompts and answers alike.
- SHORT=0.5: that share of presence/colour/shape questions is asked in a short form whose object
  word sits next to the answer ("Is there a star?", "Color of the star?", "Which shape is red?"),
  the rest in the benchmarks' form (session 10; `scripts/binding_toy.py` is why: one hop between
  the kind word and the answer is learned, two are not, and a mix carries over). With PROBE=1 the
  probe then asks the short forms too (presence shows under "presence", the others under "other").
- QMIX=presence,shape,...: the VL source's default question cycle (trainer/sources.py VL_QUESTIONS),
  for the probe's scenes and for a mixture whose vl source names no `questions:` (a training
  mixture says it there since session 13); `checklist` is the one-hop presence form
  ("ball+ box- star+ ...", session 11).
- SPACED=0.5: that share of checklists is written "ball + box - ..." (the mark one token after
  the word), with its own prompt.
- LADDER=1: presence asked at three distances from the kind word to the answer (a third each).
- IMAGE_AFTER_TEXT=1: each user turn's images come after its text, so the image tokens can attend
  to the question (per-cell matching that the answer then pools).

    ORACLE=1 python scripts/binding_experiments.py --mixture vl.yaml --steps 1800 --threads 1 \\
        --data-dir /tmp/oracle-data --out /tmp/or1 --vision-pretrain-steps 0
    PROBE=1 ORACLE=1 python scripts/binding_experiments.py /tmp/or1
    SHORT=0.5 python scripts/binding_experiments.py --mixture vl.yaml --steps 1800 --batch-size 32 \\
        --threads 1 --data-dir /tmp/short-data --out /tmp/short

`vl.yaml` is the VL-only mixture of the experiments: `sources: {vl: {weight: 1.0, n: 6000}}`,
`total: 2000`, `seed: 0`.
"""

from __future__ import annotations

import os
import random
import re
import sys
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from magma_bench.benchmarks.vl.offline import scenes
from magma_bench.model import modeling_magma, processing_magma
from magma_bench.model import tokenization_magma as tm
from magma_bench.trainer import sources, train, vl_probe

COLORS, KINDS = list(scenes.COLORS), list(scenes.KINDS)
N_LABELS = len(COLORS) + len(KINDS) + 1  # colour one-hot, kind one-hot, empty
GRID = 4  # the tiny preset's feature grid side


def patch_oracle_perception() -> None:
    labels: dict[str, tuple[list[scenes.Obj], int]] = {}
    render, views, init = scenes.render, processing_magma.image_views, modeling_magma.MagmaForCausalLM.__init__

    def recording_render(objs: list[scenes.Obj], path: Any, size: int = 224) -> None:
        labels[str(path)] = (objs, size)
        render(objs, path, size)

    def labelled_views(src: Any, cfg: Any) -> Any:
        if isinstance(src, (str, os.PathLike)) and str(src) not in labels:  # else it would read as empty
            raise SystemExit(f"ORACLE=1: {src} was drawn by another process (a cached pool), so its scene "
                             "is unknown here; use a fresh --data-dir")
        v = views(src, cfg)
        object.__setattr__(v, "oracle", labels.get(str(src)))
        return v

    def init_with_oracle(self: Any, config: Any) -> None:
        init(self, config)
        self.oracle_proj = nn.Linear(N_LABELS, config.hidden_size)

    def oracle_features(self: Any, images: list[Any]) -> list[torch.Tensor]:
        out = []
        for im in images:
            objs, size = getattr(im, "oracle", None) or ([], 224)
            x = torch.zeros(GRID, GRID, N_LABELS)
            x[..., -1] = 1
            for o in objs:
                r, c = min(GRID - 1, o.cy * GRID // size), min(GRID - 1, o.cx * GRID // size)
                x[r, c] = 0
                x[r, c, COLORS.index(o.color)] = 1
                x[r, c, len(COLORS) + KINDS.index(o.kind)] = 1
            f = self.oracle_proj(x.to(self.device))
            out.append(torch.cat([f, self.projector.row_separator.expand(GRID, 1, -1)], 1).flatten(0, 1))
        return out

    scenes.render, processing_magma.image_views = recording_render, labelled_views
    modeling_magma.MagmaForCausalLM.__init__ = init_with_oracle
    modeling_magma.MagmaForCausalLM.image_features = oracle_features


def patch_kind_tokens() -> None:
    encode = tm.ByteTokenizer.encode

    def encode_kinds_as_one_byte(self: Any, text: str) -> list[int]:
        for i, k in enumerate(KINDS):
            text = text.replace(k, chr(1 + i))
        return encode(self, text)

    tm.ByteTokenizer.encode = encode_kinds_as_one_byte


def patch_image_after_text() -> None:
    parts = tm.message_parts

    def text_first(message: dict[str, Any]) -> list[dict[str, Any]]:
        return sorted(parts(message), key=lambda p: p.get("type") == "image")  # stable: image order kept

    tm.message_parts = text_first


def rewrite_vl_examples(rewrite: Callable[[Any], None]) -> None:
    """Every example the VL source draws passes through `rewrite` (in place) before it is pooled."""
    vl_source = sources.vl_source

    def rewritten(*args: Any, **kwargs: Any) -> list[Any]:
        out = vl_source(*args, **kwargs)
        for ex in out:
            rewrite(ex)
        return out

    sources.vl_source = rewritten


def question_part(ex: Any) -> dict[str, Any]:
    """The user turn's text part (the VL source's examples hold one image, then the question)."""
    return ex.messages[0]["content"][1]


PRESENCE = re.compile(r"^Is there an? (\w+) in the image\?\n.*$", re.S)
SHORT_FORMS = ((PRESENCE, r"Is there a \1?"),
               (re.compile(r"^What color is the (\w+)\?\n.*$", re.S), r"Color of the \1?"),
               (re.compile(r"^What shape is the (\w+) object\?\n.*$", re.S), r"Which shape is \1?"))


def patch_short_questions(share: float) -> None:
    def shorten(ex: Any) -> None:
        if random.Random(ex.id).random() < share:
            part = question_part(ex)
            for pattern, short in SHORT_FORMS:
                part["text"] = pattern.sub(short, part["text"])

    rewrite_vl_examples(shorten)


SPACED_PROMPT = "Which shapes are in the image? Mark each one + or - after a space."


def patch_spaced_checklist(share: float) -> None:
    """That share of checklists puts a space between each kind and its mark ("ball +"): the mark is
    then one token after the word, so the lookup must happen at the word in a layer below the last
    and be carried on, the path a two-hop question's answer needs (session 11)."""

    def space(ex: Any) -> None:
        part = question_part(ex)
        if part["text"] == sources.CHECKLIST_PROMPT and random.Random(ex.id).random() < share:
            part["text"] = SPACED_PROMPT
            ex.messages[1]["content"] = re.sub(r"([+-])", r" \1", ex.messages[1]["content"])

    rewrite_vl_examples(space)


LADDER = (r"Is there a \1?", r"Is there a \1 in the image?", None)  # None: the benchmark's own form


def patch_presence_ladder() -> None:
    """Presence questions a third each at three distances from the kind word to the answer: "Is
    there a star?", "... in the image?", and POPE's full prompt, so the carry from the spaced
    checklist (one token) can climb to the benchmark form (about 70) in steps (session 11)."""

    def climb(ex: Any) -> None:
        rung = LADDER[random.Random(ex.id).randrange(len(LADDER))]
        if rung is not None:
            part = question_part(ex)
            part["text"] = PRESENCE.sub(rung, part["text"])

    rewrite_vl_examples(climb)


def main() -> int:
    if os.environ.get("ORACLE"):
        patch_oracle_perception()
    if os.environ.get("KIND_TOKENS"):
        patch_kind_tokens()
    if os.environ.get("IMAGE_AFTER_TEXT"):
        patch_image_after_text()
    if os.environ.get("SHORT"):
        patch_short_questions(float(os.environ["SHORT"]))
    if os.environ.get("SPACED"):
        patch_spaced_checklist(float(os.environ["SPACED"]))
    if os.environ.get("LADDER"):
        patch_presence_ladder()
    if os.environ.get("QMIX"):
        sources.VL_QUESTIONS = tuple(os.environ["QMIX"].split(","))
    return vl_probe.main(sys.argv[1:]) if os.environ.get("PROBE") else train.main(sys.argv[1:])


if __name__ == "__main__":
    raise SystemExit(main())
