"""Render generated pages in Chromium: screenshots on disk, element boxes from the DOM.

`ScreenRenderer` launches ONE browser for a whole batch of pages (a generate() call) and reuses
it; each screen keeps its visible, unambiguous elements with integer pixel boxes, which every UI
suite (ScreenSpot, VisualWebBench, SoM candidates) builds its records from.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from magma_bench.benchmarks.ui.offline.pages import Element, Page


@dataclass
class Screen:
    file: str  # image file name, relative to the suite's image folder
    size: tuple[int, int]  # (width, height) px
    page: Page
    boxes: dict[str, list[int]]  # element id -> [x1, y1, x2, y2] px, visible elements only

    def targets(self) -> list[Element]:
        """Visible elements a user could name without ambiguity (unique words and instruction)."""
        els = [self.page.elements[i] for i in self.boxes]
        words = Counter(e.words.lower() for e in els)
        instr = Counter(e.instruction.lower() for e in els)
        return [e for e in els if words[e.words.lower()] == 1 and instr[e.instruction.lower()] == 1]


def _int_box(b: dict, w: int, h: int) -> list[int] | None:
    x1, y1 = math.floor(b["x"]), math.floor(b["y"])
    x2, y2 = math.ceil(b["x"] + b["w"]), math.ceil(b["y"] + b["h"])
    if not b["visible"] or x1 < 0 or y1 < 0 or x2 > w or y2 > h or x2 - x1 < 4 or y2 - y1 < 4:
        return None
    return [x1, y1, x2, y2]


class ScreenRenderer:
    """One browser for a batch of pages: `with ScreenRenderer(img_dir) as r: r.render(page, name)`."""

    def __init__(self, img_dir: Path) -> None:
        self.img_dir = img_dir
        self.blocked = 0

    def __enter__(self) -> ScreenRenderer:
        from magma_bench.benchmarks.ui._browser import OfflineBrowser

        self.img_dir.mkdir(parents=True, exist_ok=True)
        self._browser = OfflineBrowser().__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.blocked = len(self._browser.blocked)
        self._browser.__exit__(*exc)

    def render(self, page: Page, name: str) -> Screen:
        r = self._browser.render(page.html, page.viewport)
        (self.img_dir / name).write_bytes(r.png)
        w, h = page.viewport
        boxes = {b["id"]: box for b in r.boxes if (box := _int_box(b, w, h)) is not None}
        return Screen(name, (w, h), page, boxes)
