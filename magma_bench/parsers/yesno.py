"""Yes/no (and true/false) answers, each by the rule its official script runs.

The rules disagree on replies that name both answers, so each is its own function named by
what it reads:
- `first_sentence_negation` (POPE / LLaVA `eval_pope.py`): "no" when the first sentence has a
  negation word, else "yes" (so any reply without one, even "Maybe", is yes).
- `opening_yes_no` (lmms-eval / Otter `parse_pred_ans`, MME): an exact yes/no, a lone y/n, else
  whichever of "yes" / "no" is in the first four characters, "yes" first; else None.
- `first_truth_word` (VSR): the first true/false, yes/no or correct/incorrect word; a bare "1" /
  "0" is the label itself (the official preds.txt form).
"""

from __future__ import annotations

import re


def first_sentence_negation(text: str) -> str:
    """The POPE/LLaVA `eval_pope.py` rule: keep the first sentence, drop commas, and answer "no"
    if the words contain "No", "not" or "no", else "yes"."""
    if "." in text:
        text = text.split(".")[0]
    words = text.replace(",", "").split(" ")
    return "no" if ("No" in words or "not" in words or "no" in words) else "yes"


def opening_yes_no(text: str) -> str | None:
    """lmms-eval / Otter `parse_pred_ans`: "yes", "no", or None where it answers "other"."""
    t = text.lower().strip().replace(".", "")
    if t in ("yes", "no"):
        return t
    if len(t) == 1:
        return {"y": "yes", "n": "no"}.get(t)
    head = t[:4]
    return "yes" if "yes" in head else "no" if "no" in head else None


_TRUTH = re.compile(r"\b(true|false|yes|no|correct|incorrect)\b", re.IGNORECASE)


def first_truth_word(text: str) -> str | None:
    """"true" / "false" from the first truth word, or a bare "1" / "0"; None when there is none."""
    if text.strip() in ("1", "0"):
        return "true" if text.strip() == "1" else "false"
    m = _TRUTH.search(text)
    if not m:
        return None
    return "true" if m.group(1).lower() in ("true", "yes", "correct") else "false"
