"""Worked examples for the UI metrics, computed by hand from the official evaluation code."""

from __future__ import annotations

import pytest

from magma_bench.geometry import intersection_area as _overlap
from magma_bench.geometry import point_in_box, xywh_to_xyxy
from magma_bench.marks import label_positions
from magma_bench.metrics.ui import aitw_actions_match, mind2web_f1, mind2web_op_string
from magma_bench.parsers.actions import aitw_step, mind2web_action
from magma_bench.parsers.choice import vwb_choice_index, vwb_last_mentioned
from magma_bench.parsers.grounding import parse_grounding, resolve_point


def test_screenspot_seeclick_hit_test():
    # screenspot_test.py: bbox [x, y, w, h] -> [x1, y1, x2, y2] / image size; point in box, edges inclusive.
    w, h = 1000, 500
    x1, y1, x2, y2 = xywh_to_xyxy([100, 200, 50, 20])
    box = [x1 / w, y1 / h, x2 / w, y2 / h]
    assert box == [0.1, 0.4, 0.15, 0.44]
    assert point_in_box((0.12, 0.42), box)
    assert point_in_box((0.15, 0.44), box)  # on the corner
    assert not point_in_box((0.16, 0.42), box)
    assert not point_in_box(None, box)


@pytest.mark.parametrize("text, expected", [
    ("Coordinate: (0.04, 0.12). Mark: 12", {"point": [0.04, 0.12], "mark": 12}),
    ("(0.5,0.25)", {"point": [0.5, 0.25], "mark": None}),
    ("[640, 360]", {"point": [640.0, 360.0]}),
    ("[0.1, 0.2, 0.3, 0.4]", {"box": [0.1, 0.2, 0.3, 0.4], "point": None}),
    ("<box>(100,200),(300,400)</box>", {"box": [100.0, 200.0, 300.0, 400.0], "scale": 1000}),
    ("Mark: 7", {"mark": 7, "point": None}),
    ("7", {"mark": 7}),
    ('{"action_type": 4, "click_point": [0.31, 0.62]}', {"point": [0.31, 0.62]}),
    ('{"mark": "3"}', {"mark": 3}),
])
def test_parse_grounding_forms(text, expected):
    got = parse_grounding(text)
    assert got is not None
    for k, v in expected.items():
        assert got[k] == v, (k, got)


@pytest.mark.parametrize("text", ["", "I cannot see it", None, 12, "{not json", "(1, 2, 3)", "[]"])
def test_parse_grounding_never_raises(text):
    assert parse_grounding(text) is None


def test_resolve_point_units_and_marks():
    size = (200, 100)
    assert resolve_point(parse_grounding("(0.5, 0.5)"), size) == (100.0, 50.0)
    assert resolve_point(parse_grounding("(150, 20)"), size) == (150.0, 20.0)
    assert resolve_point(parse_grounding("<box>(0,0),(500,1000)</box>"), size) == (50.0, 50.0)
    marks = [[0, 0, 10, 10], [100, 40, 120, 60]]
    # a valid mark wins over the coordinate; an out-of-range mark falls back to it
    assert resolve_point(parse_grounding("Coordinate: (0.9, 0.9). Mark: 2"), size, marks) == (110.0, 50.0)
    assert resolve_point(parse_grounding("Coordinate: (0.9, 0.9). Mark: 5"), size, marks) == (180.0, 90.0)
    assert resolve_point(parse_grounding("Mark: 5"), size, marks) is None


@pytest.mark.parametrize("response, letter, index", [
    ("B", "B", 1), ("b", "B", 1), ("C. the search box", "C", 2), ("The answer is (D)", "D", 3),
    ("I think B or maybe E", "E", 4),  # several candidates: the last one wins (rfind)
    ("(A) or (F)?", "F", 5), ("", "a", -1), ("none of these", "z", -1),
])
def test_visualwebbench_parse_multi_choice(response, letter, index):
    assert vwb_last_mentioned(response) == letter
    assert vwb_choice_index(response) == index


def test_mind2web_operation_f1_and_step_success():
    # mind2web_test.py: op string = action type (+ lower-cased value for TYPE/SELECT); token-set F1.
    gold = mind2web_op_string(3, "New York City")
    assert gold == "3 new york city"
    assert mind2web_f1(mind2web_op_string(3, "new york"), gold) == pytest.approx(2 * 1 * 0.75 / 1.75)
    assert mind2web_f1("4", "4") == 1.0
    assert mind2web_f1("4", gold) == 0.0
    assert mind2web_f1("", "") == 1.0
    # step success = element hit and op F1 == 1.0
    assert mind2web_f1(mind2web_op_string(3, "NEW YORK city"), gold) == 1.0


def test_aitw_action_matching_official_cases():
    boxes = [[0.40, 0.40, 0.10, 0.10]]  # (y, x, h, w): enlarged by 1.4 -> y 0.33..0.57, x 0.33..0.57
    tap = lambda y, x: ((y, x), (y, x), 4)  # noqa: E731
    gold = tap(0.45, 0.45)
    # inside the same enlarged box, 0.16 apart (> 0.14): match through the box
    assert aitw_actions_match(*tap(0.34, 0.56), *gold, boxes)
    # outside every box but within 0.14 of the gold tap
    assert aitw_actions_match(*tap(0.45, 0.32), *gold, boxes)  # 0.13 apart
    assert not aitw_actions_match(*tap(0.45, 0.30), *gold, boxes)  # 0.15 apart, x outside the box
    # outside and far
    assert not aitw_actions_match(*tap(0.90, 0.90), *gold, boxes)
    # scroll vs tap never match; two vertical drags match whatever their sign (main axis only)
    up, down = ((0.8, 0.5), (0.2, 0.5), 4), ((0.2, 0.5), (0.8, 0.5), 4)
    left = ((0.5, 0.8), (0.5, 0.2), 4)
    assert not aitw_actions_match(*up, *gold, boxes)
    assert aitw_actions_match(*up, *down, boxes)
    assert not aitw_actions_match(*up, *left, boxes)
    # non dual-point actions compare types only (TYPE=3, PRESS_BACK=5, STATUS_TASK_COMPLETE=10)
    none = (-1.0, -1.0)
    assert aitw_actions_match(none, none, 3, none, none, 3, boxes)
    assert not aitw_actions_match(none, none, 5, none, none, 10, boxes)
    assert not aitw_actions_match(none, none, 5, *gold, boxes)


def test_som_labels_never_overlap_on_a_dense_grid():
    boxes = [[x, y, x + 30, y + 20] for x in range(0, 300, 32) for y in range(20, 300, 22)]
    rects = label_positions(boxes, (400, 400), [(18, 14)] * len(boxes))
    assert all(0 <= r[0] and r[2] <= 400 and 0 <= r[1] and r[3] <= 400 for r in rects)
    clashes = sum(_overlap(a, b) for i, a in enumerate(rects) for b in rects[i + 1:])
    assert clashes <= len(boxes) // 10  # only the fallback placement may touch on a grid this dense


def test_ui_parsers_never_raise():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    alphabet = st.sampled_from(list("{}[]()<>:,.'\"-0123456789 abcdefxyzMarkTYPECLICKclick_pointaction_type"))

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet, max_size=60) | st.text(max_size=40))
    def check(text):
        for fn in (parse_grounding, mind2web_action, aitw_step, vwb_last_mentioned):
            fn(text)
        g = parse_grounding(text)
        resolve_point(g, (100, 100), [[0, 0, 1, 1]])

    check()


@pytest.mark.parametrize("text", ["{'action_type': 4, 'click_point': (1j, 2)}", "{'action_type': 4, 'click_point': {1, 2}}",
                                  '{"action_type": 4, "click_point": [true, 2]}', "{'action_type': 4, 'click_point': 'x'}"])
def test_dict_answers_with_odd_points_do_not_raise(text):
    assert mind2web_action(text)["parsed"] is None
    assert aitw_step(text)["parsed"] is None
