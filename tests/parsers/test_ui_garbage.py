"""UI answer parsing on the inputs that used to crash a run or leak Infinity into records."""

from __future__ import annotations

import pytest

from magma_bench.parsers.choice import vwb_choice_index, vwb_last_mentioned
from magma_bench.parsers.grounding import grounding_from_point, parse_grounding, resolve_point


@pytest.mark.parametrize("text", ["ß", "ﬁ", "ǰ", "ŉ"])
def test_vwb_one_character_answer_that_uppercases_to_two(text):
    # the official rule upper-cases a one-character reply; "ß" becomes "SS", which is no option
    assert len(vwb_last_mentioned(text)) == 2
    assert vwb_choice_index(text) == -1


@pytest.mark.parametrize("text", [
    "Mark: " + "9" * 5000,  # int() past Python's 4300-digit limit
    "9" * 5000, "9" * 5000 + ".",
    '{"mark": "' + "9" * 5000 + '"}',
    "Mark: 1234567890",  # ten digits: no candidate list is that long
])
def test_oversized_marks_are_no_answer(text):
    assert parse_grounding(text) is None


@pytest.mark.parametrize("text", [
    "Coordinate: (" + "9" * 400 + ", 0.5)",  # float() gives inf
    "[" + "9" * 400 + ", 1, 2, 3]",
    "<box>(" + "9" * 400 + ",1),(2,3)</box>",
    '{"click_point": [1e999, 2]}', '{"point": [NaN, 0.5]}', '{"bbox": [0, 0, Infinity, 1]}',
])
def test_non_finite_coordinates_are_no_answer(text):
    assert parse_grounding(text) is None


def test_a_valid_mark_survives_a_garbage_coordinate():
    g = parse_grounding("Coordinate: (" + "9" * 400 + ", 0.5). Mark: 2")
    assert g == {"point": None, "box": None, "mark": 2, "scale": None}
    assert resolve_point(g, (100, 100), [[0, 0, 10, 10], [20, 20, 40, 40]]) == (30.0, 30.0)


def test_dict_points_must_be_finite_numbers():
    assert grounding_from_point([float("inf"), 0.5]) is None
    assert grounding_from_point([float("nan"), 0.5]) is None
    assert grounding_from_point([10 ** 400, 0.5]) is None  # int too large for a float
    assert grounding_from_point([True, 0.5]) is None
    assert grounding_from_point([3, 0.5])["point"] == [3.0, 0.5]


def test_huge_finite_box_resolves_to_no_point():
    # the centre of [1.7e308, ..] overflows to inf: a miss, not an inf in later arithmetic
    g = {"point": None, "box": [1.7e308, 0.0, 1.7e308, 1.0], "mark": None, "scale": None}
    assert resolve_point(g, (100, 100)) is None
