"""What a learned model cannot do, said next to its rows: derived from the runs, never typed in.

A row of a learned model is "at chance" when its 95% CI overlaps the `random` baseline's on the
same suite (benchmark, variant, split, data). That alone does not say why, so suites whose
answers need reading rendered text (TextVQA, DocVQA, ChartQA, the UI grounding and web-agent
suites) say so, with the crop size the checkpoint's preset sees: a tiny model's 128 px crop
turns a screenshot's text into a few pixels per glyph, and no recipe reads that. Where the
model does beat random, the blind control (the same adapter with image=blank) tells whether the
win comes from the pixels (the blind row back at chance) or from text priors.
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


def _is_blind(r: RunResult) -> bool:
    return (r.adapter_args or {}).get("image") == "blank"


def _blind_of(r: RunResult, rows: Sequence[RunResult]) -> RunResult | None:
    want = {**(r.adapter_args or {}), "image": "blank"}
    return next((b for b in rows if b.adapter == r.adapter and _is_blind(b) and dict(b.adapter_args) == want), None)


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
                notes[r.run_dir] = "blind control: " + ("above random, so text priors alone score" if apart else
                                                        "not above random, as it should be")
            elif not apart:
                why = ""
                if r.benchmark in READS_TEXT:
                    crops = _crops(r)
                    why = "; needs reading rendered text" + (f", too small to read in {crops}" if crops else "")
                notes[r.run_dir] = f"at chance (CI overlaps random's {rnd.headline:.1f}){why}"
            else:
                blind = _blind_of(r, rows)
                tail = "" if blind is None else (
                    "; blind control at chance: the win comes from the image" if not _apart(blind, rnd) else
                    "; blind control also above random: partly text priors")
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
