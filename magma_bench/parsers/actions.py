"""UI actions: the SeeClick answer forms (a dict literal, JSON or Python) and the words models
write instead, read into one action per benchmark's vocabulary. Never raises.

Mind2Web and AITW share SeeClick's dict form (`{"action_type": 4, "click_point": [x, y], ...}`),
read by `seeclick_dict`; their word forms and action ids differ, so each has its own reader.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from magma_bench.parsers.grounding import grounding_from_point, parse_grounding

# Mind2Web operations and SeeClick's ids for them.
MIND2WEB_OPS = {"CLICK": 4, "HOVER": 4, "ENTER": 4, "SELECT": 2, "TYPE": 3}
# AITW: SeeClick's ids for scrolls, and the touch/lift points (x, y) both sides convert them to.
AITW_SCROLLS = {"scroll down": (0, (0.5, 0.8), (0.5, 0.2)), "scroll up": (1, (0.5, 0.2), (0.5, 0.8)),
                "scroll left": (8, (0.2, 0.5), (0.8, 0.5)), "scroll right": (9, (0.8, 0.5), (0.2, 0.5))}
AITW_WORDS = {"press back": 5, "back": 5, "press home": 6, "home": 6, "press enter": 7, "enter": 7,
              "task complete": 10, "complete": 10, "impossible": 11}


def seeclick_dict(s: str) -> dict[str, Any] | None:
    """The reply as SeeClick's action dict, when it is one: the first of JSON and a Python
    literal that reads, if that is a dict with an int `action_type`; else None."""
    if not s.startswith("{"):
        return None
    for loader in (json.loads, ast.literal_eval):
        try:
            obj = loader(s)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            continue
        return obj if isinstance(obj, dict) and isinstance(obj.get("action_type"), int) else None
    return None


def mind2web_action(text: Any) -> dict[str, Any] | None:
    """{"action_type": int, "parsed": grounding dict, "value": str} from a dict literal (JSON or the
    Python-literal form SeeClick models emit), or from "TYPE: value" / "CLICK" words plus any
    coordinate or mark. A bare point or mark is a CLICK."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    obj = seeclick_dict(s)
    if obj is not None:
        return {"action_type": obj["action_type"], "parsed": grounding_from_point(obj.get("click_point")),
                "value": str(obj.get("value", ""))}
    m = re.search(r"\b(CLICK|HOVER|ENTER|SELECT|TYPE)\b\s*:?\s*(.*)", s, re.I)
    g = parse_grounding(s)
    if m:
        op = MIND2WEB_OPS[m.group(1).upper()]
        value = ""
        if op in (2, 3):
            value = re.sub(r"\s*(?:at|on)?\s*[\(\[][^\)\]]*[\)\]].*$", "", m.group(2)).strip().strip("'\"")
        return {"action_type": op, "parsed": g, "value": value}
    return {"action_type": 4, "parsed": g, "value": ""} if g else None


def aitw_step(text: Any) -> dict[str, Any] | None:
    """An AITW action as {"type", "parsed" (point), "text"} from SeeClick's dict answer (JSON or
    Python literal) or words ("scroll down", "press back", "type: hello", a point = tap)."""
    if not isinstance(text, str) or not text.strip():
        return None
    s = text.strip()
    obj = seeclick_dict(s)
    if obj is not None:
        return {"type": obj["action_type"], "parsed": grounding_from_point(obj.get("click_point")),
                "text": str(obj.get("typed_text", ""))}
    low = s.lower()
    for words, (sid, _, _) in AITW_SCROLLS.items():
        if words in low or words.replace("scroll", "swipe") in low:
            return {"type": sid, "parsed": None, "text": ""}
    m = re.match(r"\s*type\s*:?\s*(.+)", s, re.I)
    if m:
        return {"type": 3, "parsed": None, "text": m.group(1).strip().strip("'\"")}
    g = parse_grounding(s)
    if g:
        return {"type": 4, "parsed": g, "text": ""}
    for words, t in AITW_WORDS.items():
        if re.search(rf"\b{words}\b", low):
            return {"type": t, "parsed": None, "text": ""}
    return None
