"""webnav: live closed-loop web navigation on generated mini-sites, in offline Chromium.

Tasks: log in, search and open a result, add to cart, change a setting, fill a form
(`_webnav_sites`). Observation: the screenshot (HxWx3 uint8), SoM candidate boxes of the page's
actionable elements (`marks`, [x1, y1, x2, y2] px) and the strings that may be typed (`values`).
Success is read from the page (`window.__mb_success`), and an episode ends on success or after
`max_steps` (expert plan length + 3).

With `som=True` the screenshot carries the marks drawn as numbered red boxes (1..n, in `marks`
order), and actions may name a mark instead of a point.

Actions travel through the harness's 7-number action contract, encoded as:
  a[0] op: < -1/3 click, < 1/3 type (click the point, select all, type), else scroll;
  a[1], a[2]: the point, x and y in [-1, 1] over the viewport; a[3]: which of `values` to type
  (its [-1, 1] range split evenly); a[4]: scroll amount (x 400 px); a[5] > 0: act on the mark
  a[6] picks (its [-1, 1] range split evenly over the marks) instead of the point.
`encode_action` / `decode_action` convert; the expert and heuristic actions ride in the observation.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.types import Episode, StepResult

VIEWPORT = (1024, 640)


def _bin_centre(i: int, n: int) -> float:
    return -1.0 + (2 * i + 1) / max(1, n)


def _bin(v: float, n: int) -> int:
    return min(max(0, int((float(np.clip(v, -1, 1)) + 1) / 2 * n)), max(0, n - 1))


def encode_action(op: str, point: tuple[float, float] = (0.5, 0.5), value_idx: int = 0, n_values: int = 1,
                  scroll: float = 0.0, mark: int | None = None, n_marks: int = 1) -> list[float]:
    """op CLICK | TYPE | SCROLL, point normalised to [0, 1], or a 0-based mark index."""
    code = {"CLICK": -1.0, "TYPE": 0.0, "SCROLL": 1.0}[op]
    m = [1.0, _bin_centre(mark, n_marks)] if mark is not None else [-1.0, 0.0]
    return [code, 2 * point[0] - 1, 2 * point[1] - 1, _bin_centre(value_idx, n_values), float(np.clip(scroll, -1, 1)), *m]


def decode_action(a: list[float], n_values: int, n_marks: int = 0) -> tuple[str, tuple[float, float], int, float, int | None]:
    """(op, point in [0, 1]^2, value index, scroll, mark index or None). Never raises."""
    op = "CLICK" if a[0] < -1 / 3 else "TYPE" if a[0] < 1 / 3 else "SCROLL"
    x, y = (float(np.clip(a[1], -1, 1)) + 1) / 2, (float(np.clip(a[2], -1, 1)) + 1) / 2
    mark = _bin(a[6], n_marks) if a[5] > 0 and n_marks > 0 else None
    return op, (x, y), _bin(a[3], n_values), float(a[4]), mark


class WebNav(EnvBenchmark):
    name = "webnav"
    domain = "ui"
    splits = ("test",)
    default_n = 20
    requires: ClassVar[tuple[str, ...]] = ("playwright",)

    def __init__(self, som: bool = False, **args: Any) -> None:
        super().__init__(som=som, **args)
        self.som = bool(som)
        self._browser: Any = None
        self._site: Any = None

    # -- episodes ----------------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """An episode list: families in turn, each with its own site seed."""
        from magma_bench.benchmarks.ui._webnav_sites import FAMILIES, make_site

        out_dir.mkdir(parents=True, exist_ok=True)
        rows = []
        for i in range(n):
            family = FAMILIES[i % len(FAMILIES)]
            site = make_site(family, np.random.default_rng([seed, i]))
            rows.append({"id": f"{family}-{i}", "family": family, "site_seed": [seed, i], "goal": site.goal,
                         "max_steps": len(site.plan) + 3})
        (out_dir / "webnav_episodes.json").write_text(json.dumps(rows, indent=1) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    def episodes(self, data_dir: Path | None, split: str) -> list[Episode]:
        path = Path(data_dir or ".") / "webnav_episodes.json"
        if not path.exists():
            raise UserError(f"{path}: no webnav episode list (leave out --data-dir to generate one)")
        out = []
        for i, r in enumerate(json.loads(path.read_text())):
            missing = [k for k in ("id", "family", "site_seed", "goal", "max_steps") if k not in r]
            if missing:
                raise UserError(f"{path}: episode {i}: missing field(s) {', '.join(missing)}")
            out.append(Episode(r["id"], self.name, r["goal"], int(r["max_steps"]),
                               meta={"task": r["family"], "site_seed": r["site_seed"]}))
        return out

    # -- environment -------------------------------------------------------------------------------
    def reset(self, episode: Episode) -> dict[str, Any]:
        from magma_bench.benchmarks.ui._browser import OfflineBrowser
        from magma_bench.benchmarks.ui._webnav_sites import make_site

        if self._browser is None:
            self._browser = OfflineBrowser().__enter__()
        self._site = make_site(episode.meta["task"], np.random.default_rng(episode.meta["site_seed"]))
        if self._site.goal != episode.instruction:
            raise UserError(f"webnav episode {episode.id}: the site generator no longer matches the episode list")
        self._step = 0
        self._browser.goto(self._site.html, VIEWPORT, path=f"{episode.id}.html")
        return self._observe()

    def _boxes(self) -> dict[str, list[float]]:
        out = {}
        for b in self._browser.boxes():
            if b["visible"] and b["w"] > 0 and b["h"] > 0:
                out[b["id"]] = [b["x"], b["y"], b["x"] + b["w"], b["y"] + b["h"]]
        return out

    def _observe(self) -> dict[str, Any]:
        from PIL import Image

        boxes = self._boxes()
        png = self._browser.screenshot()
        img = Image.open(io.BytesIO(png)).convert("RGB")
        marks = list(boxes.values())
        if self.som and marks:
            from magma_bench.marks import draw_box_marks

            draw_box_marks(img, marks)
        image = np.asarray(img)
        values = self._site.values or [""]
        w, h = VIEWPORT
        expert = [0.0] * 7
        if self._step < len(self._site.plan):
            op, eid, value = self._site.plan[self._step]
            if eid in boxes:
                x1, y1, x2, y2 = boxes[eid]
                pt = ((x1 + x2) / 2 / w, (y1 + y2) / 2 / h)
                mark = list(boxes).index(eid) if self.som else None
                expert = encode_action(op, pt, values.index(value) if value in values else 0, len(values),
                                       mark=mark, n_marks=len(marks))
        largest = max(boxes.values(), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=[0, 0, w, h])
        heuristic = encode_action("CLICK", ((largest[0] + largest[2]) / 2 / w, (largest[1] + largest[3]) / 2 / h))
        self._marks = marks
        return {"image": image, "marks": marks, "values": values, "expert_action": expert,
                "heuristic_action": heuristic}

    def step(self, action: list[float]) -> StepResult:
        page = self._browser.page
        values = self._site.values or [""]
        op, (x, y), idx, scroll, mark = decode_action(action, len(values), len(self._marks) if self.som else 0)
        px, py = x * VIEWPORT[0], y * VIEWPORT[1]
        if mark is not None:
            x1, y1, x2, y2 = self._marks[mark]
            px, py = (x1 + x2) / 2, (y1 + y2) / 2
        if op == "SCROLL":
            page.mouse.wheel(0, scroll * 400)
        else:
            page.mouse.click(px, py)
            if op == "TYPE":
                page.keyboard.press("Control+A")
                page.keyboard.type(values[idx])
        self._step += 1
        success = bool(page.evaluate("window.__mb_success === true"))
        obs = self._observe()
        return StepResult(obs, done=success, info={"success": success})

    def close(self) -> None:
        if self._browser is not None:
            self._browser.__exit__(None, None, None)
            self._browser = None
