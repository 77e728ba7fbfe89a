"""Each video benchmark's offline suite end to end: the oracle scores 100 with no errors and
reports the official groupings; random answers sit at chance (1 / options)."""

from __future__ import annotations

import pytest

pytest.importorskip("cv2")


@pytest.mark.parametrize("bench,n,groups,chance", [
    ("nextqa", 40, {"group/causal", "group/temporal", "group/descriptive"}, 0.2),
    ("intentqa", 40, {"type/why", "type/how", "type/before_after"}, 0.2),
    ("videomme", 36, {"duration/short", "duration/medium", "duration/long"}, 0.25),
])
def test_oracle_and_random(offline_run, near_chance, bench, n, groups, chance):
    s = offline_run(bench, "oracle", n)
    assert s["headline"] == 100.0 and s["errors"] == 0 and s["n"] == n
    assert groups <= set(s["metrics"])
    near_chance(offline_run(bench, "random", n), chance)
