"""Grounding answers: the coordinate, box and mark forms UI models emit, read into one structure.

`parse_grounding` never raises. Numbers that are not finite (`1e999`, a 400-digit coordinate,
JSON `NaN`) or marks of more than `MAX_MARK_DIGITS` digits are no answer: they would overflow
later arithmetic, break Python's int-from-string limit, or write non-standard `Infinity` into
records.jsonl. `resolve_point` turns a parse into the click point in pixels.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from typing import Any

_NUM = r"-?\d+(?:\.\d+)?"
MAX_MARK_DIGITS = 9  # a mark id longer than this is garbage, not a candidate index


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
