"""Each option-letter rule on the replies its docstring names: where the rules genuinely differ
(several options named, prose, a lower-case letter), each keeps its official answer."""

from __future__ import annotations

import pytest

from magma_bench.parsers import choice as C


def test_index_to_letter():
    assert C.letters(4) == ["A", "B", "C", "D"] and C.index_letter(0) == "A" and C.index_letter(25) == "Z"


@pytest.mark.parametrize("text,leading,option_form,first_capital,standalone,last", [
    ("A or B", "A", None, "A", "A", "B"),
    ("(B) or (C)", "B", "B", "B", "B", "C"),
    ("The answer is B", "T", None, "B", "B", "B"),
    ("Black.", "B", None, "B", None, None),
    ("b", "B", None, None, "B", None),
    ("C. a dog", "C", "C", "C", "C", "C"),
])
def test_rules_differ_as_their_scripts_do(text, leading, option_form, first_capital, standalone, last):
    assert C.leading_letter(text) == leading
    assert C.option_form_letter(text) == option_form
    assert C.first_capital_letter(text) == first_capital
    assert C.first_standalone_letter(text) == standalone
    assert C.last_mentioned_option(text, 4) == last


def test_option_text_stage_and_vwb_sentinels():
    reply = "I think the person opens the red door, not the blue door"
    assert C.reads_option_text(reply) and not C.reads_option_text("the red door")
    assert C.last_mentioned_option_text(reply, ["the blue door", "the red door"]) == "A"  # blue is named last
    assert C.vwb_last_mentioned("") == "a" and C.vwb_last_mentioned("nothing here") == "z"
    assert C.vwb_last_mentioned("(A) then (C)") == "C" and C.vwb_last_mentioned("d") == "D"
