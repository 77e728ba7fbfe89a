"""UI metrics as pure functions, each following its official evaluation code.

- ScreenSpot / ScreenSpot-v2 / -Pro (SeeClick `screenspot_test.py`, `eval_screenspot_pro.py`): a hit
  is the predicted click point inside the target box, edges inclusive.
- VisualWebBench (`utils/eval_utils.py`): `parse_multi_choice_response` over letters A-H, accuracy.
- Mind2Web (SeeClick `mind2web_test.py`, following MindAct): element accuracy (click point inside
  the target box), operation F1 (token-set F1 of "op [value]"), step success = element hit and
  operation F1 == 1.
- AITW (google-research `android_in_the_wild/action_matching.py`): taps match inside the same box
  enlarged by 1.4 x width/height or within 0.14 of the screen; drags match on main axis; other
  actions match on type.

`parse_grounding` turns the answer forms models emit into one structure; it never raises. Numbers
that are not finite (`1e999`, a 400-digit coordinate, JSON `NaN`) or marks of more than
`MAX_MARK_DIGITS` digits are no answer: they would overflow later arithmetic, break Python's
int-from-string limit, or write non-standard `Infinity` into records.jsonl.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

_NUM = r"-?\d+(?:\.\d+)?"
MAX_MARK_DIGITS = 9  # a mark id longer than this is garbage, not a candidate index


# -- answer parsing --------------------------------------------------------------------------------
def _finite(v: Any) -> float | None:
    """v as a finite float, or None (bools, non-numbers, inf/nan, overflowing numbers)."""
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    try:
        f = float(v)
    except OverflowError:  # an int too large for a float
        return None
    return f if math.isfinite(f) else None


def _finite_list(v: Any, n: int) -> list[float] | None:
    """A list/tuple of exactly n finite numbers as floats, else None."""
    if not isinstance(v, list | tuple) or len(v) != n:
        return None
    out = [_finite(u) for u in v]
    return None if any(u is None for u in out) else out  # type: ignore[return-value]


def _mark(v: Any) -> int | None:
    """A mark id from an int or a digit string of at most MAX_MARK_DIGITS digits, else None."""
    if isinstance(v, bool):
        return None
    if isinstance(v, str):
        v = v.strip()
        return int(v) if v.isdecimal() and v.isascii() and len(v) <= MAX_MARK_DIGITS else None
    return v if isinstance(v, int) and 0 <= v < 10 ** MAX_MARK_DIGITS else None


def _floats(s: str) -> list[float]:
    """The numbers in s; [] when any of them is not finite (so a garbage coordinate is no coordinate)."""
    vals = [float(v) for v in re.findall(_NUM, s)]
    return vals if all(math.isfinite(v) for v in vals) else []


def _reject_constant(name: str) -> None:
    raise ValueError(f"non-finite JSON constant {name}")


def loads_finite(s: str) -> Any:
    """json.loads that refuses NaN/Infinity and raises ValueError on any malformed, too deep or
    too large input (callers catch ValueError only)."""
    try:
        return json.loads(s, parse_constant=_reject_constant)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def parse_grounding(text: Any) -> dict[str, Any] | None:
    """{"point": [x, y] | None, "box": [x1, y1, x2, y2] | None, "mark": int | None, "scale": 1000 | None}
    from Magma's `Coordinate: (x, y). Mark: k`, a bare `(x, y)` / `[x, y]`, a box `[x1, y1, x2, y2]`,
    SeeClick/Qwen `<box>(x1,y1),(x2,y2)</box>` (0-1000 scale), a mark number (`Mark: 12`, `12`) or a
    JSON action (`{"click_point": [x, y]}`, `{"point": ...}`, `{"bbox": ...}`). None if nothing usable."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    out: dict[str, Any] = {"point": None, "box": None, "mark": None, "scale": None}
    if s.startswith("{"):
        try:
            obj = loads_finite(s)
        except ValueError:  # includes JSONDecodeError and ints past Python's digit limit
            obj = None
        if isinstance(obj, dict):
            for key in ("click_point", "point", "coordinate", "position"):
                pt = _finite_list(obj.get(key), 2)
                if pt is not None:
                    out["point"] = pt
                    break
            out["box"] = _finite_list(obj.get("bbox") or obj.get("box"), 4)
            out["mark"] = _mark(obj.get("mark"))
            return out if any(out[k] is not None for k in ("point", "box", "mark")) else None
    qbox = re.search(r"<box>\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*,\s*\(\s*(\d+)\s*,\s*(\d+)\s*\)\s*</box>", s)
    qvals = _finite_list([float(v) for v in qbox.groups()], 4) if qbox else None
    if qvals is not None:
        out["box"], out["scale"] = qvals, 1000
    mark = re.search(r"\bmark\s*(?:id|number)?\s*[:#=]?\s*(\d+)", s, re.I)
    if mark:
        out["mark"] = _mark(mark.group(1))
    if out["box"] is None:
        coord_part = s[: mark.start()] if mark else s
        group = re.search(rf"[\(\[]\s*({_NUM}(?:\s*,\s*{_NUM}){{1,3}})\s*[\)\]]", coord_part)
        vals = _floats(group.group(1)) if group else []
        if len(vals) == 4:
            out["box"] = vals
        elif len(vals) == 2:
            out["point"] = vals
        elif len(vals) == 3:
            return None if out["mark"] is None else out
    if out["point"] is None and out["box"] is None and out["mark"] is None:
        out["mark"] = _mark(s.rstrip(".")) if re.fullmatch(r"\d+\.?", s) else None
        if out["mark"] is None:
            return None
    return out


def grounding_from_point(value: Any) -> dict[str, Any] | None:
    """A parse_grounding-shaped dict from an [x, y] value taken out of a dict answer, or None
    (also for non-finite or overflowing numbers)."""
    pt = _finite_list(value, 2)
    return None if pt is None else {"point": pt, "box": None, "mark": None, "scale": None}


def resolve_point(parsed: dict[str, Any] | None, size: Sequence[float],
                  marks: Sequence[Sequence[float]] | None = None) -> tuple[float, float] | None:
    """The click point in pixels. A valid mark (1-based, into `marks` as [x1, y1, x2, y2] px) wins,
    then a box's centre, then a point. Coordinates all <= 1 are normalised, else pixels; `scale`
    1000 means 0-1000 relative (Qwen-VL / SeeClick boxes). None when there is no point, or when
    the arithmetic on huge finite numbers leaves no finite one (a miss, never an error)."""
    pt = _resolve(parsed, size, marks)
    return pt if pt is not None and all(math.isfinite(v) for v in pt) else None


def _resolve(parsed: dict[str, Any] | None, size: Sequence[float],
             marks: Sequence[Sequence[float]] | None) -> tuple[float, float] | None:
    if not parsed:
        return None
    w, h = float(size[0]), float(size[1])
    k = parsed.get("mark")
    if marks and isinstance(k, int) and 1 <= k <= len(marks):
        x1, y1, x2, y2 = marks[k - 1]
        return ((x1 + x2) / 2, (y1 + y2) / 2)
    box, pt = parsed.get("box"), parsed.get("point")
    if box is not None:
        pt = [(box[0] + box[2]) / 2, (box[1] + box[3]) / 2]
    if pt is None:
        return None
    if parsed.get("scale") == 1000:
        return (pt[0] / 1000 * w, pt[1] / 1000 * h)
    if max(abs(pt[0]), abs(pt[1])) <= 1.0:
        return (pt[0] * w, pt[1] * h)
    return (float(pt[0]), float(pt[1]))


# -- VisualWebBench --------------------------------------------------------------------------------
def vwb_parse_choice(response: Any, n: int = 8) -> str:
    """VisualWebBench's `parse_multi_choice_response`: a letter, "z" for none, "a" for empty."""
    if not isinstance(response, str):
        return "z"
    choices = [chr(ord("A") + i) for i in range(n)]
    if len(response) == 1:
        return response.upper()
    if not response:
        return "a"
    if re.match(r"[A-Z]\.", response):
        return response[0]
    for ch in (",", ".", "!", "?", ";", ":", "'", '"'):
        response = response.replace(ch, "")
    response = f" {response} "
    cands = [c for c in choices if f"({c})" in response]
    bracket = bool(cands)
    if not cands:
        cands = [c for c in choices if f" {c} " in response]
    if not cands:
        return "z"
    if len(cands) == 1:
        return cands[0]
    pos = [response.rfind(f"({c})") if bracket else response.rfind(f" {c} ") for c in cands]
    return cands[int(np.argmax(pos))]


def vwb_choice_index(response: Any, n: int = 8) -> int:
    """Index the official scorer compares with the gold answer (-1 when not a capital letter)."""
    c = vwb_parse_choice(response, n)
    # len check: a one-character answer is upper-cased, and "ß".upper() is "SS", "ﬁ".upper() "FI"
    return ord(c) - ord("A") if len(c) == 1 and "A" <= c <= "Z" else -1


def vwb_rouge(pred: Any, gold: str, min_len: int = 0) -> dict[str, float]:
    """ROUGE-1/2/L F of one prediction, as VisualWebBench's `eval_web_caption` / `eval_heading_ocr`
    compute them with the `rouge` package (empty predictions, and for element OCR predictions of
    length <= min_len, become " "). 0 where the package rejects the pair. Rounded to 6 decimals: the
    package's F has a 1e-8 smoothing term, so a perfect answer would score 0.999999995, not 1."""
    from rouge import Rouge

    pred = pred if isinstance(pred, str) and pred and len(pred) > min_len else " "
    try:
        s = Rouge(metrics=["rouge-1", "rouge-2", "rouge-l"]).get_scores([pred], [gold], avg=True)
    except (ValueError, RecursionError):
        return {"rouge_1": 0.0, "rouge_2": 0.0, "rouge_l": 0.0}
    return {k: round(s[m]["f"], 6) for k, m in (("rouge_1", "rouge-1"), ("rouge_2", "rouge-2"), ("rouge_l", "rouge-l"))}


def vwb_webqa_f1(pred: Any, golds: Sequence[str]) -> float:
    """VisualWebBench `eval_webqa`: the best ROUGE-1 F over the gold answers."""
    if not golds:
        return 0.0
    return max(vwb_rouge(pred, g)["rouge_1"] for g in golds)


# -- Mind2Web --------------------------------------------------------------------------------------
def mind2web_f1(pred: str, label: str) -> float:
    """Token-set F1 between operation strings ("4", "3 new york"), as in MindAct / SeeClick."""
    p, g = set(pred.strip().split()), set(label.strip().split())
    if not p and not g:
        return 1.0
    if not p or not g:
        return 0.0
    tp = len(p & g)
    if tp == 0:
        return 0.0
    prec, rec = tp / len(p), tp / len(g)
    return 2 * prec * rec / (prec + rec)


def mind2web_op_string(action_type: int, value: str = "") -> str:
    """SeeClick's op string: the action type id, plus the lower-cased value for TYPE (3) / SELECT (2)."""
    return f"{action_type} {value.lower()}" if action_type in (2, 3) else str(action_type)


# -- AITW action matching --------------------------------------------------------------------------
TAP_DISTANCE_THRESHOLD = 0.14
ANNOTATION_AUGMENT = 1.4
SWIPE_DISTANCE_THRESHOLD = 0.04
DUAL_POINT = 4


def is_tap(touch_yx: Sequence[float], lift_yx: Sequence[float]) -> bool:
    return float(np.linalg.norm(np.subtract(touch_yx, lift_yx))) <= SWIPE_DISTANCE_THRESHOLD


def _enlarge(boxes: np.ndarray) -> np.ndarray:
    """Official `_resize_annotation_bounding_boxes`: rows (y, x, h, w), normalised."""
    dh, dw = ANNOTATION_AUGMENT * boxes[:, 2], ANNOTATION_AUGMENT * boxes[:, 3]
    return np.stack([np.maximum(0, boxes[:, 0] - dh / 2), np.maximum(0, boxes[:, 1] - dw / 2),
                     np.minimum(1, boxes[:, 2] + dh), np.minimum(1, boxes[:, 3] + dw)], axis=1)


def _in_boxes(yx: Sequence[float], boxes: np.ndarray) -> np.ndarray:
    y, x = yx
    top, left, hh, ww = boxes.T
    return (y >= top) & (y <= top + hh) & (x >= left) & (x <= left + ww)


def aitw_actions_match(t1: Sequence[float], l1: Sequence[float], type1: int,
                       t2: Sequence[float], l2: Sequence[float], type2: int,
                       annotations: Sequence[Sequence[float]]) -> bool:
    """Official `check_actions_match`: points are (y, x) normalised; annotations rows (y, x, h, w)."""
    if type1 != DUAL_POINT or type2 != DUAL_POINT:
        return type1 == type2
    tap1, tap2 = is_tap(t1, l1), is_tap(t2, l2)
    if tap1 != tap2:
        return False
    if tap1:
        boxes = np.asarray(annotations, dtype=np.float64).reshape(-1, 4)
        if len(boxes):
            big = _enlarge(boxes)
            if bool(np.any(_in_boxes(t1, big) & _in_boxes(t2, big))):
                return True
        return float(np.linalg.norm(np.subtract(t1, t2))) <= TAP_DISTANCE_THRESHOLD
    d1, d2 = np.subtract(l1, t1), np.subtract(l2, t2)
    return int(np.argmax(np.abs(d1))) == int(np.argmax(np.abs(d2)))
