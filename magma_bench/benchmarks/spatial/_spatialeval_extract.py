"""SpatialEval answer extraction, following the official `evals/evaluation.py` rules
(jiayuww/SpatialEval): a per task, per question-type extractor, then a hit when the lower-cased
`oracle_answer` is a substring of the lower-cased extracted answer.

Deliberate differences, both so a wrong or empty answer can never count:
- the official script scores a failed extraction as the string "none", which contains "no", so
  an unparseable reply is credited on every "No" maze question; here it scores 0;
- the model-name-specific patterns (claude, gemini, gpt4o) are left out.
The option-letter rule (`parsers.choice.option_form_letter`: "B", "(B)", "B. Northeast") is the paper's "standard option matching"
(Magma Table 6, footnote 2) and is checked before the text rules.
"""

from __future__ import annotations

import re

from magma_bench.parsers.choice import option_form_letter

NUMBER_WORDS = {"zero": 0, "no": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
                "seven": 7, "eight": 8, "nine": 9}
DIRS = ("southeast", "northeast", "northwest", "southwest")
_DIR = rf"\b({'|'.join(DIRS)})\b"
ANIMALS = ("giraffe", "cat", "dog", "elephant", "rabbit")
def _earliest_number(text: str) -> int | None:
    found = [(m.start(), v) for w, v in NUMBER_WORDS.items() for m in re.finditer(rf"\b{w}\b", text, re.IGNORECASE)]
    text = re.sub(r"^\n\n\d+\.\s", "", text)
    found += [(m.start(), int(m.group(0))) for m in re.finditer(r"\d+", text)]
    return min(found)[1] if found else None


def _spatialmap(text: str, qid: int) -> object:
    if qid == 0:
        m = re.search(r"\b[A-D]\.\s*(" + "|".join(DIRS) + r")\b", text, re.IGNORECASE)
        if m:
            return m.group(1).lower()
        m = re.search(_DIR, text, re.IGNORECASE)
        return m.group(1) if m else None
    if qid == 1:
        m = re.search(rf"^([\w\s'’]+?)\s+is\s+(?:located\s+|in\s+the\s+|located\s+to\s+the\s+)({_DIR})",
                      text, re.IGNORECASE)
        if m:
            return m.group(1)
        m = re.search(r"\b[A-D]\.\s*(.*)", text)
        if m:
            return m.group(1).replace("**", "").replace(".", "").split(" is", 1)[0].strip()
        m = re.search(r"\b([ABCD][.,]|[(][abcdABCD][)])\s*(.*?)(?=\sis\b|\.|,|<|$)", text)
        if m:
            return re.sub(r"[\.,\?!<]+$", "", m.group(1).strip())
        m = re.search(rf"Therefore, the object in the {_DIR} of [\w\s'’]+ is ([\w\s'’]+)", text, re.IGNORECASE)
        if m:
            return m.group(2)
        m = re.search(r"\bis\b\s+(.*?)(?=\.|,|<|$)", text)
        return re.sub(r"[\.,\?!<]+$", "", m.group(1).strip()) if m else None
    m = re.search(r"\b[A-D]\.\s*(\d+)", text)
    if m:
        return int(m.group(1))
    return _earliest_number(text)


_MAZE_COUNT = {
    0: (r"\bThere are\s*(\d+)\s*right turns\b", r"\bThere is\s*(\d+)\s*right turn\b", r"\b(\d+)\s+right turn(s)?",
        r"answer is\s+(\d+)", r"answer is:\s*\n*\s*(\d+)", r"from S to E is\s+(\d+)", r"Answer:\*\*\s*(\d+)\b"),
    1: (r"\bThere are\s*(\d+)\s*total turns\b", r"\bThere are\s*(\d+)\s*turns\b", r"There is\s*(\d+)\s*turn\b",
        r"There is\s*(\d+)\s*total turn\b", r"answer is\s+(\d+)", r"answer is:\s*\n*\s*(\d+)",
        r"from S to E is\s+(\d+)", r"\btotal of\s+(\d+)\s+turn(s)?", r"Answer:\*\*\s*(\d+)\b",
        r"(\d+)\s+total turn(s)?", r"\b(\d+)\s+turn(s)?"),
}


def _mazenav(text: str, qid: int) -> object:
    if qid == 2:
        for p in (r"\byes\b", r"the answer is yes", r"\"yes\"", r"\'yes\'", r"is the shortest path"):
            if re.search(p, text, re.IGNORECASE):
                return "Yes"
        for p in (r"\bno\b", r"the answer is no", r"\"no\"", r"\'no\'", r"\bnot\b"):
            if re.search(p, text, re.IGNORECASE):
                return "No"
        return None
    for word, v in NUMBER_WORDS.items():  # the official script checks number words first, in this order
        if re.search(rf"\b{word}\b", text, re.IGNORECASE):
            return v
    for p in _MAZE_COUNT.get(qid, ()):
        m = re.search(p, text, re.IGNORECASE)
        if m:
            return int(m.group(1))
    m = re.search(r"\d+", text)
    return int(m.group(0)) if m else None


def _spatialgrid(text: str, qid: int) -> object:
    if qid >= 1:
        m = re.search(rf"\b({'|'.join(ANIMALS)})\b", text, re.IGNORECASE)
        return m.group(1) if m else None
    return _earliest_number(text)


EXTRACTORS = {"spatialmap": _spatialmap, "mazenav": _mazenav, "spatialgrid": _spatialgrid}


def extract(task: str, qid: int, text: str) -> object:
    """The official extracted answer (str, int or None). Never raises."""
    fn = EXTRACTORS.get(task)
    if fn is None or not isinstance(text, str):
        return None
    try:
        return fn(text, qid)
    except (ValueError, IndexError, OverflowError):
        return None


def is_correct(task: str, qid: int, text: str, oracle_answer: str, oracle_letter: str | None,
               n_options: int = 4) -> bool:
    """Option letter if the reply is in option form, else the official extraction + substring rule."""
    if not isinstance(text, str):
        return False
    letter = option_form_letter(text, n_options)
    if letter is not None and oracle_letter is not None:
        return letter == oracle_letter
    got = extract(task, qid, text)
    if got is None:
        return False
    return str(oracle_answer).lower() in str(got).lower()
