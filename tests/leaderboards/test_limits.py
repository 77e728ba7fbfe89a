"""The leaderboard's notes on what a learned model cannot do: derived from the runs' CIs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from magma_bench.leaderboards.html import render_page
from magma_bench.leaderboards.limits import limit_notes, summary
from magma_bench.leaderboards.results import RunResult, with_labels

CK = {"checkpoint": "checkpoints/magma-tiny"}


def _r(bench: str, adapter: str, h: float, half: float = 5.0, args: dict | None = None) -> RunResult:
    args = dict(args or {})
    desc = {"name": adapter, "args": args, "seed": 0} | ({"preset": "tiny"} if adapter == "magma" else {})
    return RunResult(benchmark=bench, adapter=adapter, split="test", variant="", data="offline", n=100, headline=h,
                     ci95=(h - half, h + half), metrics={}, run_dir=Path(f"/runs/{bench}/{adapter}{len(args)}"),
                     adapter_args=args, adapter_describe=desc)


def _rows() -> list[RunResult]:
    return with_labels([
        _r("textvqa", "random", 1.0), _r("textvqa", "magma", 3.0, args=CK), _r("textvqa", "heuristic", 2.0),
        _r("gqa", "random", 30.0), _r("gqa", "magma", 33.0, args=CK),
        _r("vqav2", "random", 28.0), _r("vqav2", "magma", 45.0, args=CK),
        _r("vqav2", "magma", 29.0, args=CK | {"image": "blank"}),
        _r("pope", "random", 50.0), _r("pope", "magma", 70.0, args=CK),
        _r("pope", "magma", 68.0, args=CK | {"image": "blank"}),
        _r("docvqa", "magma", 2.0, args=CK),  # no random row: nothing to say
        _r("mme", "random", 340.0, half=50.0), _r("mme", "magma", 475.0, half=45.0, args=CK),
        _r("mme", "magma", 17.5, half=13.0, args=CK | {"image": "blank"}),  # answers nothing to grey frames
        dataclasses.replace(_r("mme", "magma", 302.5, half=48.0, args=CK | {"image": "shuffled"}),
                            run_dir=Path("/runs/mme/magma-shuffled")),
    ])


def test_notes_say_at_chance_and_why_and_what_the_blind_control_shows() -> None:
    notes = {str(k): v for k, v in limit_notes(_rows()).items()}
    assert notes["/runs/textvqa/magma1"].startswith("at chance (CI overlaps random's 1.0)")
    assert "needs reading rendered text, too small to read in 128 px crops, one per image (tiny preset)" in (
        notes["/runs/textvqa/magma1"])
    assert notes["/runs/gqa/magma1"] == "at chance (CI overlaps random's 30.0)"  # not a text suite: no reason made up
    assert notes["/runs/vqav2/magma1"].endswith("blind control at chance: the win comes from the image")
    assert notes["/runs/vqav2/magma2"] == "blind control: not above random, as it should be"
    assert notes["/runs/pope/magma1"].endswith("blind control also above random: partly text priors")
    assert not any(k.endswith(("random0", "heuristic0")) for k in notes) and "/runs/docvqa/magma1" not in notes
    assert notes["/runs/mme/magma1"] == ("above random (340.0, CIs apart); blind control below random: the win comes "
                                         "from the image; shuffled-image control at chance: the win comes from the image")
    assert notes["/runs/mme/magma-shuffled"] == "shuffled-image control: not above random, as it should be"


def test_summary_names_the_suites_and_the_page_shows_it() -> None:
    rows = _rows()
    s = summary(rows)
    assert "cannot read text at 128 px crops, one per image (tiny preset): at chance on textvqa." in s
    assert "also at chance on gqa." in s and "vqav2" not in s and "pope" not in s
    page = render_page(rows, [])
    assert 'id="limits"' in page and "at chance on textvqa" in page
    assert render_page([r for r in rows if r.benchmark == "vqav2"], []).count('id="limits"') == 0
