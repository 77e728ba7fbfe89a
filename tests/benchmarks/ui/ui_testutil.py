"""Helpers for the UI tests (a uniquely named module: tests/ has no packages)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from magma_bench.benchmarks.ui._browser import chromium_path
from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark

HAVE_BROWSER = chromium_path() is not None and importlib.util.find_spec("playwright") is not None
needs_browser = pytest.mark.skipif(not HAVE_BROWSER, reason="needs Debian chromium at /usr/bin/chromium + playwright")


def load_error(benchmark: str, root: Path, split: str, files: dict[str, Any]) -> str:
    """The one-line UserError loading `benchmark` raises when `root` holds these official files
    (file name -> JSON document): a broken record must name where it is, not end in a traceback."""
    for name, doc in files.items():
        (root / name).write_text(json.dumps(doc))
    with pytest.raises(UserError) as e:
        make_benchmark(benchmark).load(root, split)
    return str(e.value)
