"""Option letters: index -> letter, and the rules official scripts use to read a letter out of a
model's reply.

The official scripts disagree, most visibly when a reply mentions several options, so each rule
is its own function named by what it does, and each benchmark picks the one its official script
runs (the sources are named on each function; ports are line by line). What each does with
"A or B", "(B) ... not (C)" and friends:

- `leading_letter` (lmms-eval BLINK `_extract_answer_letter`): the letter the reply opens with,
  any case, after optional "(" / spaces. "(A) or (B)" -> A; "The answer is B" -> T.
- `option_form_letter` (SpatialEval, Magma Table 6 footnote 2 "standard option matching"): a
  reply that is in option form ("B", "(B)", "B.", "B. text", "Answer: B"), upper case only, so
  prose such as "a cat" or "e.g." is never a letter.
- `first_capital_letter` (Video-MME `eval_your_results.py`; lmms-eval's
  `extract_characters_regex` as of the paper, Feb 2025, is the same minus the last four
  prefixes): strip answer prefixes, then the FIRST capital A-D anywhere, even inside a word
  ("Black." reads as B). "A or B" -> A.
- `first_standalone_letter` (lmms-eval `mvbench/utils.py::mcq_acc`, which the Magma paper's
  lmms-eval run used): "X. text" at the start gives X; else punctuation is dropped and the FIRST
  standalone a-e word, any case, wins ("It is a ball" reads as A). Bare option text never scores.
- `last_mentioned_option` / `last_mentioned_option_text` (MMMU's `parse_multi_choice_response`,
  used by lmms-eval NExT-QA): "(X)" forms, else "X " forms, else "X." forms, else (replies over
  5 words, `reads_option_text`) option texts found in the reply; with several candidates the
  LAST one mentioned wins. "A or B" -> B. Where lmms-eval then picks a random letter (nothing
  found), the harness scores the reply wrong, so runs are deterministic.
- `vwb_last_mentioned` (VisualWebBench `utils/eval_utils.py`, MMMU's parser as VWB edited it):
  a one-character reply is the letter; "X." at the start; else punctuation removed, "(X)" then
  " X " forms, last mentioned wins; "z" for none and "a" for empty, as the script returns.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence


# -- index -> letter -------------------------------------------------------------------------------
def letters(n: int) -> list[str]:
    """The first n option letters: ["A", "B", ...]."""
    return list(string.ascii_uppercase[:n])


def index_letter(i: int) -> str:
    """The option letter of the i-th option (0 -> "A")."""
    return string.ascii_uppercase[i]


# -- leading letter (BLINK) ------------------------------------------------------------------------
_LEADING = re.compile(r"[\(\s]*([A-Z])[\)\.\s]*", re.IGNORECASE)


def leading_letter(text: str) -> str | None:
    """lmms-eval `_extract_answer_letter`: a letter at the very start (upper-cased), else None."""
    m = _LEADING.match(text.strip())
    return m.group(1).upper() if m else None


# -- option form (SpatialEval) ---------------------------------------------------------------------
_OPTION_FORM = re.compile(r"^\s*(?i:\**answer\**\s*[:：]\s*)?\(?([A-H])\)?(?:\s*$|\s*[.:)]\s*(.*)$)", re.DOTALL)


def option_form_letter(text: str, n_options: int = 4) -> str | None:
    """The option letter when the reply is in option form ("B", "(B)", "B.", "B. text");
    upper-case only, so prose such as "a cat" or "e.g." is never read as a letter."""
    m = _OPTION_FORM.match(text)
    if not m or ord(m.group(1)) - 65 >= n_options:
        return None
    return m.group(1)


# -- first capital (Video-MME) ---------------------------------------------------------------------
# eval_your_results.py's list as written: two pairs lack a comma, so Python joins them into one
# string each ("The best option isThe correct option is"); kept, since that is what runs.
VIDEOMME_PREFIXES = (
    "The best answer is", "The correct answer is", "The answer is", "The answer",
    "The best option is" "The correct option is", "Best answer:" "Best option:",  # noqa: ISC001
    "Answer:", "Option:", "The correct answer", "The correct option",
)


def first_capital_letter(text: str) -> str | None:
    """Video-MME `extract_characters_regex`: the first capital A-D after dropping prefixes."""
    s = text.strip()
    for prefix in VIDEOMME_PREFIXES:
        s = s.replace(prefix, "")
    m = re.search(r"[ABCD]", s)
    return m.group(0) if m else None  # > 10 words without A-D is "" there too


# -- first standalone letter (MVBench) -------------------------------------------------------------
_PUNCT = (";", "/", "[", "]", '"', "{", "}", "(", ")", "=", "+", "\\", "_", "-", ">", "<", "@", "`", ",", "?", "!")
_PERIOD_STRIP = re.compile(r"(?!<=\d)(\.)(?!\d)")
_COMMA_STRIP = re.compile(r"(\d)(\,)(\d)")


def _mvbench_punctuation(text: str) -> str:
    out = text
    for p in _PUNCT:
        if p + " " in text or " " + p in text or _COMMA_STRIP.search(text) is not None:
            out = out.replace(p, "")
        else:
            out = out.replace(p, " ")
    return _PERIOD_STRIP.sub("", out)


def first_standalone_letter(text: str) -> str | None:
    """lmms-eval MVBench `mcq_acc.process`: the option letter it reduces a reply to, or None when
    it reduces to text (which never equals the right letter there)."""
    m = re.match(r"^([A-E])\.\s*(.+)$", text.strip(), re.IGNORECASE)
    if m:
        return m.group(1).upper()
    s = _mvbench_punctuation(text.replace("\n", " ").replace("\t", " ").strip())
    s = s.strip("'").strip('"').strip(")").strip("(").strip().lower()
    m = re.search(r"\b([A-E])\b", s, re.IGNORECASE)
    return m.group(1).upper() if m else None


# -- last mentioned (MMMU's parser: NExT-QA, IntentQA; VisualWebBench's variant) -------------------
def _padded(text: str) -> str:
    for ch in (",", ".", "!", "?", ";", ":", "'"):
        text = text.strip(ch)
    return " " + text + " "


def _named(response: str, choices: Sequence[str], loose_forms: tuple[str, ...]) -> tuple[list[str], bool]:
    """(options named, bracketed): those written "(X)", else those in the first of `loose_forms`
    ("{} " and the like) that names any, MMMU's stage order."""
    named = [c for c in choices if f"({c})" in response]
    if named:
        return named, True
    for form in loose_forms:
        named = [c for c in choices if form.format(c) in response]
        if named:
            break
    return named, False


def _last(candidates: list[str], positions: list[int]) -> str:
    """np.argmax over positions: the largest, the first of equals."""
    best = max(range(len(candidates)), key=lambda i: (positions[i], -i))
    return candidates[best]


def last_mentioned_option(text: str, n_options: int) -> str | None:
    """The letter stages of MMMU's `parse_multi_choice_response`: None when no letter form is
    found (the option-text stage needs the options: `last_mentioned_option_text`)."""
    response = _padded(text)
    candidates, bracketed = _named(response, letters(n_options), ("{} ", "{}."))
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    form = "({})" if bracketed else " {} "
    return _last(candidates, [response.rfind(form.format(c)) for c in candidates])


def reads_option_text(text: str) -> bool:
    """Whether MMMU's option-text stage applies: more than 5 words."""
    return len(_padded(text).split()) > 5


def last_mentioned_option_text(text: str, options: Sequence[str]) -> str | None:
    """MMMU's option-text stage: options whose text occurs in the reply; the last mentioned wins."""
    low = _padded(text).lower()
    keys = letters(len(options))
    candidates = [keys[i] for i, o in enumerate(options) if o.strip().lower() in low]
    if not candidates:
        return None
    answers = dict(zip(keys, (o.strip().lower() for o in options), strict=False))
    return _last(candidates, [low.rfind(answers[c]) for c in candidates])


def vwb_last_mentioned(response: object, n: int = 8) -> str:
    """VisualWebBench's `parse_multi_choice_response`: a letter, "z" for none, "a" for empty."""
    if not isinstance(response, str):
        return "z"
    if len(response) == 1:
        return response.upper()
    if not response:
        return "a"
    if re.match(r"[A-Z]\.", response):
        return response[0]
    for ch in (",", ".", "!", "?", ";", ":", "'", '"'):
        response = response.replace(ch, "")
    response = f" {response} "
    cands, bracket = _named(response, letters(n), (" {} ",))
    if not cands:
        return "z"
    if len(cands) == 1:
        return cands[0]
    form = "({})" if bracket else " {} "
    return _last(cands, [response.rfind(form.format(c)) for c in cands])


def vwb_choice_index(response: object, n: int = 8) -> int:
    """Index the VisualWebBench scorer compares with the gold answer (-1 when not a capital letter)."""
    c = vwb_last_mentioned(response, n)
    # len check: a one-character answer is upper-cased, and "ß".upper() is "SS", "ﬁ".upper() "FI"
    return ord(c) - ord("A") if len(c) == 1 and "A" <= c <= "Z" else -1
