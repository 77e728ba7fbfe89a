"""What a learned model cannot do, said next to its rows: derived from the runs, never typed in.

A row of a learned model is "at chance" when its 95% CI overlaps the `random` baseline's on the
same suite (benchmark, variant, split, data). That alone does not say why, so suites whose
answers need reading rendered text (TextVQA, DocVQA, ChartQA, the UI grounding and web-agent
suites) say so, with the crop size the checkpoint's preset sees: a tiny model's 128 px crop
turns a screenshot's text into a few pixels per glyph, and no recipe reads that. Where the
model does beat random, the blind controls (the same adapter with image=blank, or image=shuffled:
another question's picture) tell whether the win comes from the pixels (the control back at
chance, or below it) or from text priors.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from magma_bench.leaderboards.results import RunResult

BASELINES = ("oracle", "random", "heuristic", "null")
# answers that need reading text rendered in the image (OCR-style questions, screen grounding, web agents)
READS_TEXT = frozenset({"textvqa", "docvqa", "chartqa", "screenspot", "screenspot_v2", "screenspot_pro",
                        "visualwebbench", "mind2web", "aitw", "webnav"})


def _suite(r: RunResult) -> tuple:
    return (r.benchmark, r.variant, r.split, r.data)


def _apart(a: RunResult, b: RunResult) -> bool | None:
    """True when a's CI lies above b's, False when they overlap, None when either has none."""
    if None in (*a.ci95, *b.ci95):
        return None
    return a.ci95[0] > b.ci95[1]  # type: ignore[operator]


def _crops(r: RunResult) -> str:
    """'128 px crops (tiny preset)' from the checkpoint's preset; '' when unknown."""
    preset = (r.adapter_describe or {}).get("preset")
    try:
        from magma_bench.model.configuration_magma import PRESETS, MagmaConfig
    except ImportError:
        return ""
    if preset not in PRESETS:
        return ""
    cfg = MagmaConfig.from_preset(preset)
    many = f", at most {cfg.max_crops} per image" if cfg.max_crops > 1 else ", one per image"
    return f"{cfg.image_size} px crops{many} ({preset} preset)"


# the magma adapter's blind controls (adapters/magma.py): image=<key> -> how a note names it
CONTROLS = {"blank": "blind control", "shuffled": "shuffled-image control"}


def _is_blind(r: RunResult) -> bool:
    return (r.adapter_args or {}).get("image") in CONTROLS


def _controls_of(r: RunResult, rows: Sequence[RunResult]) -> list[RunResult]:
    """r's control rows, blank first: the same adapter and arguments but the image."""
    wants = [{**(r.adapter_args or {}), "image": k} for k in CONTROLS]
    return [b for w in wants for b in rows if b.adapter == r.adapter and dict(b.adapter_args or {}) == w]


def _control_word(b: RunResult, rnd: RunResult) -> str:
    """'above random' / 'at chance' / 'below random' for a control row against random's CI."""
    if _apart(b, rnd):
        return "above random"
    return "below random" if b.ci95[1] is not None and b.ci95[1] < rnd.ci95[0] else "at chance"  # type: ignore[operator]


def limit_notes(results: Sequence[RunResult]) -> dict[Path, str]:
    """{run_dir: note} for rows of learned models (not the baselines) that have a `random` row to
    compare with: at chance (and why, where the suite reads text), or above chance and what its
    blind control says."""
    by_suite: dict[tuple, list[RunResult]] = {}
    for r in results:
        if r.measured:
            by_suite.setdefault(_suite(r), []).append(r)
    notes: dict[Path, str] = {}
    for rows in by_suite.values():
        rnd = next((r for r in rows if r.adapter == "random" and not r.adapter_args), None)
        if rnd is None:
            continue
        for r in rows:
            if r.adapter in BASELINES:
                continue
            apart = _apart(r, rnd)
            if apart is None:
                continue
            if _is_blind(r):
                name = CONTROLS[r.adapter_args["image"]]
                notes[r.run_dir] = f"{name}: " + ("above random, so text priors alone score" if apart else
                                                  "not above random, as it should be")
            elif not apart:
                why = ""
                if r.benchmark in READS_TEXT:
                    crops = _crops(r)
                    why = "; needs reading rendered text" + (f", too small to read in {crops}" if crops else "")
                notes[r.run_dir] = f"at chance (CI overlaps random's {rnd.headline:.1f}){why}"
            else:
                tail = ""
                for b in _controls_of(r, rows):
                    name, word = CONTROLS[b.adapter_args["image"]], _control_word(b, rnd)
                    tail += (f"; {name} also above random: partly text priors" if word == "above random" else
                             f"; {name} {word}: the win comes from the image")
                notes[r.run_dir] = f"above random ({rnd.headline:.1f}, CIs apart){tail}"
    return notes


def summary(results: Sequence[RunResult]) -> str:
    """One sentence per learned configuration: the suites where it is at chance, those that need
    text reading named apart. '' when no learned model has a random row to compare with."""
    notes = limit_notes(results)
    by_label: dict[str, tuple[list[str], list[str], str]] = {}
    for r in results:
        note = notes.get(r.run_dir, "")
        if _is_blind(r) or not note:
            continue
        text, other, crops = by_label.setdefault(r.adapter_label, ([], [], _crops(r)))
        if note.startswith("at chance"):
            (text if r.benchmark in READS_TEXT else other).append(r.benchmark + (f" ({r.variant})" if r.variant else ""))
    out = []
    for label, (text, other, crops) in sorted(by_label.items()):
        if text:
            out.append(f"{label} cannot read text{f' at {crops}' if crops else ''}: at chance on "
                       f"{', '.join(sorted(text))}.")
        if other:
            out.append(f"{label} is also at chance on {', '.join(sorted(other))}.")
    return " ".join(out)
