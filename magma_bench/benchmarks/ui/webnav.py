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

With `actions="text"` (the default) text models drive it as Magma's UI agent does: the marks are
always drawn (Set-of-Mark), and each observation carries a `request` (the marked screenshot, the
goal, the actions taken so far and the answer format); the rollout answers it with the adapter's
`generate`, and the reply is the action:
  `Coordinate: (x, y). Mark: k`            click mark k (1-based), else the point (x, y in [0, 1]);
  `Coordinate: (x, y). Mark: k. TYPE: t`   click it, select all, type t (TYPE: t alone types into
                                            the focused field);
  `SCROLL: down` / `SCROLL: up` / `SCROLL: <px>`.
The click is read with the UI grounding parser (`parse_grounding` / `resolve_point`, a valid mark
wins over the point), so the answer forms ScreenSpot accepts work here too. A reply with no
action is a step that does nothing. `step` takes the 7-number vector in either mode.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.benchmark import EnvBenchmark
from magma_bench.errors import UserError
from magma_bench.types import AnswerSpace, Episode, Request, StepResult

VIEWPORT = (1024, 640)
SCROLL_PX = 400  # one SCROLL: down / up, and the vector's a[4] = 1
PROMPT = ("Imagine that you are imitating humans doing web navigation for a task step by step. "
          "Task: {goal}\nPrevious actions: {history}\n"
          "The screenshot shows the current page; its actionable elements are marked with numbered red boxes. "
          "Reply with the next action only, in one of these forms:\n"
          "Coordinate: (x, y). Mark: k   (click mark k; x, y in [0, 1] over the screenshot)\n"
          "Coordinate: (x, y). Mark: k. TYPE: text   (click it, then type the text)\n"
          "SCROLL: down   (or SCROLL: up)")
_SCROLL = re.compile(r"^\s*SCROLL\s*:?\s*(?P<arg>up|down|[-+]?\d+(?:\.\d+)?)(?!\w|\.\d)", re.I)
_TYPE = re.compile(r"\bTYPE\s*:", re.I)


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


def action_text(op: str, point: tuple[float, float] | None = None, mark: int | None = None, value: str = "",
                scroll_px: float = 0.0) -> str:
    """The text form of one action (`mark` 1-based); what the oracle replies with."""
    if op == "SCROLL":
        return "SCROLL: down" if scroll_px >= 0 else "SCROLL: up"
    x, y = point if point is not None else (0.5, 0.5)
    out = f"Coordinate: ({x:.3f}, {y:.3f})." + (f" Mark: {mark}" if mark is not None else "")
    return out + (f". TYPE: {value}" if op == "TYPE" else "")


def parse_text_action(text: Any, marks: list[list[float]], size: tuple[int, int] = VIEWPORT
                      ) -> tuple[str, tuple[float, float] | None, str, float] | None:
    """(op, click point in px or None, text to type, scroll px) from a reply, or None when it
    names no action. Never raises. A valid mark wins over the point (`resolve_point`)."""
    from magma_bench.parsers.grounding import parse_grounding, resolve_point

    if not isinstance(text, str) or not text.strip():
        return None
    m = _SCROLL.match(text)
    if m:
        arg = m["arg"].lower()
        px = SCROLL_PX if arg == "down" else -SCROLL_PX if arg == "up" else float(arg)
        return "SCROLL", None, "", max(-10 * SCROLL_PX, min(10 * SCROLL_PX, px))
    t = _TYPE.search(text)
    where, typed = text, ""
    if t:
        rest = text[t.end():].strip()
        where, typed = text[:t.start()], rest.splitlines()[0].strip() if rest else ""
    if len(typed) >= 2 and typed[0] == typed[-1] and typed[0] in "\"'":
        typed = typed[1:-1]
    point = resolve_point(parse_grounding(re.sub(r"^\s*CLICK\s*:?", "", where, flags=re.I)), size, marks)
    if point is not None:
        point = (min(max(point[0], 0.0), size[0] - 1.0), min(max(point[1], 0.0), size[1] - 1.0))
    if t:
        return "TYPE", point, typed, 0.0
    return ("CLICK", point, "", 0.0) if point is not None else None


class WebNav(EnvBenchmark):
    name = "webnav"
    domain = "ui"
    splits = ("test",)
    default_n = 20
    requires: ClassVar[tuple[str, ...]] = ("playwright",)

    def __init__(self, som: bool = False, actions: str = "text", **args: Any) -> None:
        if actions not in ("text", "vector"):
            raise UserError(f"webnav: actions must be text or vector, got {actions!r}")
        super().__init__(som=som, actions=actions, **args)
        self.text_actions = actions == "text"
        self.som = bool(som) or self.text_actions  # text actions name marks: they are on the page
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
        self._episode_id = episode.id
        self._history: list[str] = []
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
        expert, expert_text = [0.0] * 7, "SCROLL: down"
        if self._step < len(self._site.plan):
            op, eid, value = self._site.plan[self._step]
            if eid in boxes:
                x1, y1, x2, y2 = boxes[eid]
                pt = ((x1 + x2) / 2 / w, (y1 + y2) / 2 / h)
                mark = list(boxes).index(eid) if self.som else None
                expert = encode_action(op, pt, values.index(value) if value in values else 0, len(values),
                                       mark=mark, n_marks=len(marks))
                expert_text = action_text(op, pt, None if mark is None else mark + 1, value)
        largest = max(boxes.values(), key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=[0, 0, w, h])
        big = ((largest[0] + largest[2]) / 2 / w, (largest[1] + largest[3]) / 2 / h)
        heuristic = encode_action("CLICK", big)
        self._marks = marks
        obs = {"image": image, "marks": marks, "values": values, "expert_action": expert,
               "heuristic_action": heuristic}
        if self.text_actions:
            big_mark = marks.index(largest) + 1 if largest in marks else None
            obs["request"] = self._request(image, expert_text, action_text("CLICK", big, big_mark))
        return obs

    def _request(self, image: np.ndarray, reference: str, heuristic: str) -> Request:
        """What a text model is asked at this step: the marked screenshot, goal and history."""
        text = PROMPT.format(goal=self._site.goal, history="; ".join(self._history) or "None")
        content = [{"type": "image", "image": image}, {"type": "text", "text": text}]
        return Request(id=f"{self._episode_id}/step{self._step}", messages=[{"role": "user", "content": content}],
                       answer_space=AnswerSpace("point"), max_new_tokens=48, images=[image], reference=reference,
                       heuristic=heuristic)

    def step(self, action: list[float] | str) -> StepResult:
        """One action: the 7-number vector, or a text reply (`parse_text_action`; none: no-op)."""
        page = self._browser.page
        if isinstance(action, str):
            parsed = parse_text_action(action, self._marks)
            self._history.append(" ".join(action.split())[:120] if parsed else "(no action)")
            if parsed is not None:
                self._perform(*parsed)
        else:
            values = self._site.values or [""]
            op, (x, y), idx, scroll, mark = decode_action(action, len(values), len(self._marks) if self.som else 0)
            px, py = x * VIEWPORT[0], y * VIEWPORT[1]
            if mark is not None:
                x1, y1, x2, y2 = self._marks[mark]
                px, py = (x1 + x2) / 2, (y1 + y2) / 2
            self._perform(op, (px, py), values[idx], scroll * SCROLL_PX)
            self._history.append(action_text(op, (px / VIEWPORT[0], py / VIEWPORT[1]), None, values[idx], scroll))
        self._step += 1
        success = bool(page.evaluate("window.__mb_success === true"))
        obs = self._observe()
        return StepResult(obs, done=success, info={"success": success})

    def _perform(self, op: str, point: tuple[float, float] | None, typed: str, scroll_px: float) -> None:
        page = self._browser.page
        if op == "SCROLL":
            page.mouse.wheel(0, scroll_px)
            return
        if point is not None:
            page.mouse.click(*point)
        if op == "TYPE":
            page.keyboard.press("Control+A")
            page.keyboard.type(typed)

    def close(self) -> None:
        if self._browser is not None:
            self._browser.__exit__(None, None, None)
            self._browser = None
