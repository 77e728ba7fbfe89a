"""Reading model replies: option letters, yes/no, grounding, UI actions and free text.

Parsing is kept apart from scoring (`magma_bench.metrics`): a parser turns a reply into what
the official script would compare, a metric scores that. Where official scripts read replies
differently, each rule is its own function named by what it does, and each benchmark picks its
own. None of them raises.
"""

from magma_bench.parsers.actions import aitw_step, mind2web_action, seeclick_dict
from magma_bench.parsers.choice import (
    first_capital_letter,
    first_standalone_letter,
    index_letter,
    last_mentioned_option,
    last_mentioned_option_text,
    leading_letter,
    letters,
    option_form_letter,
    reads_option_text,
    vwb_choice_index,
    vwb_last_mentioned,
)
from magma_bench.parsers.grounding import grounding_from_point, parse_grounding, resolve_point
from magma_bench.parsers.text import nonblank
from magma_bench.parsers.yesno import first_sentence_negation, first_truth_word, opening_yes_no

__all__ = [
    "aitw_step", "first_capital_letter", "first_sentence_negation", "first_standalone_letter", "first_truth_word",
    "grounding_from_point", "index_letter", "last_mentioned_option", "last_mentioned_option_text", "leading_letter",
    "letters", "mind2web_action", "nonblank", "opening_yes_no", "option_form_letter", "parse_grounding", "reads_option_text",
    "resolve_point", "seeclick_dict", "vwb_choice_index", "vwb_last_mentioned",
]
