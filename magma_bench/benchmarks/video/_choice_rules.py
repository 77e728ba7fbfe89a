"""How each video benchmark's official script reads an option letter out of a model's reply.

The four scripts disagree, most visibly when a reply mentions several options, so each benchmark
uses its own rule rather than one shared parser (the rules are ported line by line; the sources
are named on each function). What each does with "A or B", "(B) ... not (C)" and friends:

- Video-MME (`eval_your_results.py`, the official script; lmms-eval's `extract_characters_regex`
  as of the paper, Feb 2025, is the same minus the last four prefixes): strip answer prefixes,
  then the FIRST capital A-D anywhere, even inside a word ("Black." reads as B). "A or B" -> A.
- MVBench (lmms-eval `mvbench/utils.py::mcq_acc`, which the Magma paper's lmms-eval run used):
  "X. text" at the start gives X; else punctuation is dropped and the FIRST standalone a-e word,
  any case, wins ("It is a ball" reads as A). "(B) or (C)" -> B. Bare option text never scores.
- NExT-QA (lmms-eval `nextqa/utils.py::parse_multi_choice_response`, MMMU's parser): "(X)"
  forms, else "X " forms, else "X." forms, else (replies over 5 words) option texts found in the
  reply; with several candidates the LAST one mentioned wins. "A or B" -> B. Where lmms-eval
  then picks a random letter (nothing found), the harness scores the reply wrong, so runs are
  deterministic; expect up to 1/5 of such replies' accuracy below lmms-eval's.
- IntentQA has no text-parsing script (`eval_intentqa.py` compares predicted indices); it shares
  NExT-QA's format and lmms-eval prompt, so it uses the NExT-QA rule.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence

# eval_your_results.py's list as written: two pairs lack a comma, so Python joins them into one
# string each ("The best option isThe correct option is"); kept, since that is what runs.
VIDEOMME_PREFIXES = (
    "The best answer is", "The correct answer is", "The answer is", "The answer",
    "The best option is" "The correct option is", "Best answer:" "Best option:",  # noqa: ISC001
    "Answer:", "Option:", "The correct answer", "The correct option",
)


def videomme_letter(text: str) -> str | None:
    """Video-MME `extract_characters_regex`: the first capital A-D after dropping prefixes."""
    s = text.strip()
    for prefix in VIDEOMME_PREFIXES:
        s = s.replace(prefix, "")
    m = re.search(r"[ABCD]", s)
    return m.group(0) if m else None  # > 10 words without A-D is "" there too


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


def mvbench_letter(text: str) -> str | None:
    """lmms-eval MVBench `mcq_acc.process`: the option letter it reduces a reply to, or None when
    it reduces to text (which never equals the right letter there)."""
    m = re.match(r"^([A-E])\.\s*(.+)$", text.strip(), re.IGNORECASE)
    if m:
        return m.group(1).upper()
    s = _mvbench_punctuation(text.replace("\n", " ").replace("\t", " ").strip())
    s = s.strip("'").strip('"').strip(")").strip("(").strip().lower()
    m = re.search(r"\b([A-E])\b", s, re.IGNORECASE)
    return m.group(1).upper() if m else None


def _padded(text: str) -> str:
    for ch in (",", ".", "!", "?", ";", ":", "'"):
        text = text.strip(ch)
    return " " + text + " "


def _last(candidates: list[str], positions: list[int]) -> str:
    """np.argmax over positions: the largest, the first of equals."""
    best = max(range(len(candidates)), key=lambda i: (positions[i], -i))
    return candidates[best]


def mmmu_letter(text: str, n_options: int) -> str | None:
    """The letter stages of lmms-eval's NExT-QA `parse_multi_choice_response`: None when no
    letter form is found (the option-text stage needs the options: `mmmu_option_text`)."""
    choices = string.ascii_uppercase[:n_options]
    response = _padded(text)
    candidates = [c for c in choices if f"({c})" in response]
    bracketed = bool(candidates)
    if not candidates:
        candidates = [c for c in choices if f"{c} " in response]
    if not candidates:
        candidates = [c for c in choices if f"{c}." in response]
    if not candidates:
        return None
    if len(candidates) == 1:
        return candidates[0]
    form = "({})" if bracketed else " {} "
    return _last(candidates, [response.rfind(form.format(c)) for c in candidates])


def mmmu_wants_text(text: str) -> bool:
    """Whether the option-text stage applies: more than 5 words."""
    return len(_padded(text).split()) > 5


def mmmu_option_text(text: str, options: Sequence[str]) -> str | None:
    """The option-text stage: options whose text occurs in the reply; the last mentioned wins."""
    low = _padded(text).lower()
    letters = string.ascii_uppercase[:len(options)]
    candidates = [letters[i] for i, o in enumerate(options) if o.strip().lower() in low]
    if not candidates:
        return None
    answers = dict(zip(letters, (o.strip().lower() for o in options), strict=False))
    return _last(candidates, [low.rfind(answers[c]) for c in candidates])
