"""UI metrics as pure functions, each following its official evaluation code.

- ScreenSpot / ScreenSpot-v2 / -Pro (SeeClick `screenspot_test.py`, `eval_screenspot_pro.py`): a hit
  is the predicted click point inside the target box, edges inclusive.
- VisualWebBench (`utils/eval_utils.py`): ROUGE for captions/OCR, best ROUGE-1 for WebQA; its
  choice tasks are accuracy over `parsers.choice.vwb_choice_index`.
- Mind2Web (SeeClick `mind2web_test.py`, following MindAct): element accuracy (click point inside
  the target box), operation F1 (token-set F1 of "op [value]"), step success = element hit and
  operation F1 == 1.
- AITW (google-research `android_in_the_wild/action_matching.py`): taps match inside the same box
  enlarged by 1.4 x width/height or within 0.14 of the screen; drags match on main axis; other
  actions match on type.

Replies are read into points, choices and actions by `magma_bench.parsers` first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np


# -- VisualWebBench --------------------------------------------------------------------------------
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
