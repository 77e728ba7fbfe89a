"""Adapter labels for result rows: two runs of one adapter under different configurations never
share a label, so a table keyed by label (the report's pivot, the leaderboards) cannot merge
them into one row that shows an arbitrary one of the two.

A configuration is what the run recorded about its adapter: `describe()` (arguments, checkpoint
hash, ...) and the seed. The label is the adapter name with its arguments and a non-zero seed,
`magma (checkpoint=ck,seed=1)`; when runs with the same such label still differ elsewhere in
describe() (the same checkpoint path holding other weights), the describe() fields that differ
are added (`checkpoint_hash=…`), and if even that leaves two alike, a short config hash.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import Any

SHOWN = ("name", "args", "seed")  # describe() fields the base label already accounts for


def _short(v: Any, width: int = 16) -> str:
    s = v if isinstance(v, str) else json.dumps(v, sort_keys=True, default=str)
    return s if len(s) <= width else s[: width - 1] + "…"


def base_label(adapter: str, args: dict[str, Any], seed: int, extra: Sequence[str] = ()) -> str:
    """`adapter (k=v,...,seed=S)`: arguments that are set, the seed when not 0, then `extra`."""
    parts = [f"{k}={v}" for k, v in sorted(args.items()) if v is not None]
    if seed:
        parts.append(f"seed={seed}")
    parts += list(extra)
    return adapter + (f" ({','.join(parts)})" if parts else "")


def config_hash(describe: dict[str, Any], seed: int) -> str:
    blob = json.dumps({"describe": describe, "seed": seed}, sort_keys=True, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()[:8]


def adapter_labels(runs: Sequence[tuple[str, dict[str, Any], int]]) -> list[str]:
    """One label per (adapter name, describe(), seed), in order; distinct configurations get
    distinct labels (see the module docstring)."""
    descs = [d or {} for _, d, _ in runs]
    base = [base_label(a, dict(d.get("args") or {}), int(s or 0)) for (a, _, s), d in zip(runs, descs, strict=True)]
    fps = [config_hash(d, int(s or 0)) for (_, _, s), d in zip(runs, descs, strict=True)]
    labels = list(base)
    for b in set(base):
        idx = [i for i, x in enumerate(base) if x == b]
        if len({fps[i] for i in idx}) < 2:
            continue
        keys = sorted({k for i in idx for k in descs[i] if k not in SHOWN})
        differ = [k for k in keys if len({json.dumps(descs[i].get(k), sort_keys=True, default=str) for i in idx}) > 1]
        for i in idx:
            a, _, s = runs[i]
            extra = [f"{k}={_short(descs[i].get(k))}" for k in differ]
            labels[i] = base_label(a, dict(descs[i].get("args") or {}), int(s or 0), extra)
        by_label: dict[str, set[str]] = {}
        for i in idx:
            by_label.setdefault(labels[i], set()).add(fps[i])
        for i in idx:
            if len(by_label[labels[i]]) > 1:  # still alike: only the full configuration tells them apart
                a, _, s = runs[i]
                extra = [f"{k}={_short(descs[i].get(k))}" for k in differ] + [f"config={fps[i]}"]
                labels[i] = base_label(a, dict(descs[i].get("args") or {}), int(s or 0), extra)
    return labels
