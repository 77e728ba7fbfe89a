"""Which id an external predictions file is keyed by: the harness's (`Sample.id`) or the release's
own (`Sample.official_id`, what official evaluation scripts and other harnesses key by).

The keying that matches more samples wins; a file that matches neither is refused with examples
of both, since scoring it would count every sample as missing and print a headline of 0.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from magma_bench.errors import UserError


@dataclass
class Matched:
    by: str  # "id" | "official_id"
    predictions: dict[str, Any]  # harness sample id -> prediction
    unknown: list[str] = field(default_factory=list)  # prediction keys that match no sample


def _examples(keys: Sequence[str], k: int = 3) -> str:
    return ", ".join(repr(x) for x in keys[:k]) or "(none)"


def match_prediction_ids(samples: Sequence[Any], predictions: Mapping[str, Any], where: str,
                         official_desc: str = "") -> Matched:
    """Map predictions onto samples by harness id or official id (whichever matches more)."""
    harness = [s.id for s in samples]
    official = [s.official_id for s in samples if s.official_id is not None]
    keys = set(predictions)
    hits_id = keys & set(harness)
    hits_off = keys & set(official)
    if samples and predictions and not hits_id and not hits_off:
        off = (f"; or official ids ({official_desc or 'the release id'}) such as {_examples(official)}"
               if official else "; this benchmark's loader declares no official ids")
        raise UserError(f"{where}: no prediction id matches a sample (got e.g. {_examples(sorted(keys))}); "
                        f"expected harness ids such as {_examples(harness)}{off}")
    if len(hits_off) > len(hits_id):
        repeated = [k for k, c in Counter(official).items() if c > 1 and k in keys]
        if repeated:
            raise UserError(f"{where}: official id {repeated[0]!r} names {Counter(official)[repeated[0]]} samples "
                            "(ids repeat across this benchmark's files or categories); key the predictions by "
                            f"harness id (e.g. {_examples(harness, 1)}) or select one file/category with --bench-arg")
        by_official = {s.official_id: s.id for s in samples if s.official_id is not None}
        return Matched("official_id", {by_official[k]: v for k, v in predictions.items() if k in by_official},
                       sorted(keys - hits_off))
    return Matched("id", {k: v for k, v in predictions.items() if k in hits_id}, sorted(keys - hits_id))
