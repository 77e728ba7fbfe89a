"""Free-text answers, for benchmarks whose scorer reads the reply itself (VQA accuracy, SpatialEval's
per-task extraction): parsing only trims it, and a blank reply is no answer."""

from __future__ import annotations

from typing import Any


def nonblank(text: Any) -> str | None:
    """The reply without surrounding whitespace; None for a blank reply or a non-string."""
    if not isinstance(text, str) or not text.strip():
        return None
    return text.strip()
