"""Where derived files go: never into a user's data directory.

Dataset folders are often read-only or shared, so images decoded from hub parquet rows, SoM
screenshots and other files derived from `--data-dir` live under a cache root instead:
`$MAGMA_BENCH_CACHE`, else `$XDG_CACHE_HOME/magma-bench`, else `~/.cache/magma-bench`. Each data
directory gets its own folder, keyed by its resolved path, so two datasets never share files.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path


def cache_root() -> Path:
    """The root of everything magma-bench derives from data it reads."""
    if os.environ.get("MAGMA_BENCH_CACHE"):
        return Path(os.environ["MAGMA_BENCH_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "magma-bench"


def data_cache(data_dir: Path, kind: str) -> Path:
    """The cache folder for files of `kind` (e.g. "images", "som") derived from `data_dir`:
    `<cache root>/data/<folder name>-<hash of its resolved path>/<kind>`. Created on first write."""
    resolved = Path(data_dir).resolve()
    name = re.sub(r"[^A-Za-z0-9._-]", "_", resolved.name)[:40] or "root"
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:12]
    return cache_root() / "data" / f"{name}-{digest}" / kind
