"""Which visual skills has a checkpoint learned? Held-out VL questions by type, and how loud each
scene attribute is in the image tokens the decoder reads.

The offline suites mix skills (POPE is presence, VSR relations, GQA a bit of each), so a suite at
chance does not say what is missing. This asks the `vl` source's own question types (caption,
presence, colour, shape, count, relation, and the checklist when the cycle has it) on scenes from
PROBE_SEED, a seed no pool, stage 0 or suite uses, with real and with blank images; an answer counts
when every answer token (and the end of answer) is the model's top choice under teacher forcing,
which is exactly when greedy decoding would produce it. `salience` measures the share of the image
tokens' variance that each label (colour, kind) explains on occupied cells: a label can be linearly
decodable yet too quiet for a small decoder to pick up (docs/training.md, session 8); `readout`
says whether it is decodable, from the tower and from the projector.

    python -m magma_bench.trainer.vl_probe checkpoints/magma-tiny
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np

PROBE_SEED = 424_242  # held out: not an evaluation seed (0, 1, ...), a pool seed or stage 0's
QUESTION_TYPES = (("mark each one", "checklist"), ("then its colour", "attributes"), ("describe", "caption"), ("is there", "presence"),
                  ("what color", "colour"), ("what shape", "shape"), ("how many", "count"), ("left or", "relation"))


def question_type(question: str) -> str:
    q = question.lower()
    return next((t for key, t in QUESTION_TYPES if key in q), "other")


def _question(example: Any) -> str:
    return next(p["text"] for m in example.messages if m["role"] == "user" for p in m["content"]
                if isinstance(p, dict) and p.get("type") == "text")


def attribute_spans(answer: str) -> dict[str, list[tuple[int, int]]]:
    """Character spans of each entry's colour and place in an `attributes` answer
    ("star: red, top left; ball: blue, center.")."""
    spans: dict[str, list[tuple[int, int]]] = {"attributes colour": [], "attributes place": []}
    for m in re.finditer(r"[a-z]+: ([a-z]+), ([a-z ]+)", answer):
        spans["attributes colour"].append(m.span(1))
        spans["attributes place"].append(m.span(2))
    return spans


def skills(model: Any, n: int = 700, seed: int = PROBE_SEED, batch: int = 16,
           questions: list[str] | None = None) -> dict[str, dict[str, float]]:
    """{"real" | "blank": {question type: exact-match %}} on n fresh VL examples (the `vl` source's
    default cycle, or `questions`). A checklist is scored per mark instead (a whole 12-mark line is
    rarely right): "checklist+" is the share of present kinds marked +, "checklist-" of absent
    kinds marked -, "checklist" their mean (50 by chance whatever the prior). An attributes line is
    scored per entry: "attributes colour" and "attributes place" are the shares of entries whose
    colour (place) comes out whole once its kind word is given."""
    import torch

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.tokenization_magma import load_tokenizer
    from magma_bench.trainer.image_use import blank_like
    from magma_bench.trainer.sources import vl_source
    from magma_bench.trainer.train import collate, encode_example

    tok, act = load_tokenizer(model.config), ActionTokenizer.from_config(model.config)
    plus, minus = tok.encode("+")[-1], tok.encode("-")[-1]
    with tempfile.TemporaryDirectory() as d:
        examples = vl_source(Path(d), n, seed, questions=questions)
        encoded = [encode_example(e, tok, model.config, act, 1024) for e in examples]
    model.eval()
    out = {}
    for blank in (False, True):
        hits, total = defaultdict(int), defaultdict(int)
        for i in range(0, len(encoded), batch):
            ids, mask, labels, images = collate(encoded[i:i + batch], tok.pad_id)
            with torch.no_grad():
                logits, _ = model(ids, mask, blank_like(images) if blank else images)
            target = labels[:, 1:]
            guess = logits[:, :-1].argmax(-1)
            right = ((guess == target) | (target == -100)).all(-1)
            for j, (e, ok) in enumerate(zip(examples[i:i + batch], right.tolist(), strict=True)):
                t = question_type(_question(e))
                if t == "attributes" and len(tok.encode(e.target)) == len(e.target):  # one token a character
                    start = int((target[j] != -100).nonzero()[0])
                    for name, spans in attribute_spans(e.target).items():
                        for a, b in spans:
                            hits[name] += int(bool((guess[j][start + a:start + b] == target[j][start + a:start + b]).all()))
                            total[name] += 1
                    continue
                if t != "checklist":
                    hits[t], total[t] = hits[t] + int(ok), total[t] + 1
                    continue
                for mark, name in ((plus, "checklist+"), (minus, "checklist-")):
                    at = target[j] == mark
                    hits[name] += int((guess[j][at] == mark).sum())
                    total[name] += int(at.sum())
        scores = {t: round(100.0 * hits[t] / total[t], 1) for t in sorted(total)}
        if "checklist+" in scores and "checklist-" in scores:
            scores["checklist"] = round((scores["checklist+"] + scores["checklist-"]) / 2, 1)
        out["blank" if blank else "real"] = scores
    return out


LABELS = ("colour", "kind", "place")  # occupied_cells' label columns, in order


def variance_share(x: Any, y: Any) -> float:
    """Between-class share of the total variance of rows x (N, D) under labels y (N,)."""
    mu = x.mean(0)
    total = float(((x - mu) ** 2).sum())
    between = sum(float(((x[y == c].mean(0) - mu) ** 2).sum()) * int((y == c).sum()) for c in y.unique())
    return between / total if total > 0 else 0.0


def occupied_cells(model: Any, rng: np.random.Generator, n: int) -> tuple[Any, Any, Any, Any, Any]:
    """(tower features, image tokens (projector output), colour, kind and place labels) of the
    occupied cells of n fresh scenes (vision_pretrain.scene_batch)."""
    import torch

    from magma_bench.trainer.vision_pretrain import scene_batch

    pix, colour, kind, place = scene_batch(rng, n, model.config)
    with torch.no_grad():
        tower = model.vision_tower(pix.to(model.device))
        tokens = model.projector(tower)
    occ = kind > 0
    return tower[occ].float().cpu(), tokens[occ].float().cpu(), colour[occ], kind[occ], place[occ]


def salience(model: Any, n: int = 400, seed: int = PROBE_SEED) -> dict[str, float]:
    """Share of the image tokens' variance (projector output, occupied cells) explained by the
    object's colour, its kind and its place."""
    _, x, *labels = occupied_cells(model, np.random.default_rng(seed), n)
    return {name: round(variance_share(x, y), 3) for name, y in zip(LABELS, labels, strict=True)}


def readout_accuracy(x: Any, y: Any, x_test: Any, y_test: Any, steps: int = 300) -> float:
    """Held-out accuracy (%) of a softmax regression fitted on standardised rows x (N, D) to
    labels y: whether a label can be read from the features at all, however quiet it is."""
    import torch

    mu, sd = x.mean(0), x.std(0) + 1e-6
    w = torch.zeros(x.shape[1], int(max(y.max(), y_test.max())) + 1, requires_grad=True)
    b = torch.zeros(w.shape[1], requires_grad=True)
    opt = torch.optim.Adam([w, b], lr=0.05)
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.cross_entropy((x - mu) / sd @ w + b, y).backward()
        opt.step()
    with torch.no_grad():
        return round(100.0 * float((((x_test - mu) / sd @ w + b).argmax(-1) == y_test).float().mean()), 1)


def readout(model: Any, n: int = 600, seed: int = PROBE_SEED) -> dict[str, dict[str, float]]:
    """{"tower" | "projector": {"colour" | "kind" | "place": held-out linear read-out %}} on occupied cells of
    n training and n/2 held-out scenes. Beside `salience`: a label read out here but quiet there is in
    the image tokens and unused by the decoder (docs/training.md, session 18)."""
    rng = np.random.default_rng(seed + 1)
    train, test = occupied_cells(model, rng, n), occupied_cells(model, rng, max(n // 2, 1))
    return {where: {label: readout_accuracy(train[i], train[j], test[i], test[j]) for j, label in enumerate(LABELS, 2)}
            for where, i in (("tower", 0), ("projector", 1))}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m magma_bench.trainer.vl_probe", description=__doc__.split("\n")[0])
    p.add_argument("checkpoint")
    p.add_argument("--n", type=int, default=700, help="held-out VL examples (7 question slots per cycle)")
    p.add_argument("--questions", help="comma-separated `vl` forms to ask instead of the default cycle")
    ns = p.parse_args(argv)
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    model = MagmaForCausalLM.from_pretrained(ns.checkpoint)
    print(json.dumps({"checkpoint": ns.checkpoint, **skills(model, ns.n, questions=ns.questions.split(",") if ns.questions else None), "variance_share": salience(model),
                      "linear_readout": readout(model)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
