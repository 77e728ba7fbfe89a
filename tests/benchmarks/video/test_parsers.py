"""Property tests: every video benchmark's parser and scorer take any text without raising."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from magma_bench.registry import make_benchmark
from magma_bench.types import Sample

NAMES = ("nextqa", "intentqa", "mvbench", "videomme")
SAMPLE = Sample(id="x", benchmark="x", inputs={"video": "v.mp4", "question": "q?",
                                               "options": ["red", "the blue cube hit it", "E", "four"]},
                target="B", meta={})


@pytest.mark.parametrize("name", NAMES)
@settings(max_examples=150, deadline=None)
@given(text=st.one_of(st.text(), st.text(alphabet="ABCDE().: \n-abde", max_size=30), st.none()))
def test_parse_and_score_never_raise(name, text):
    bench = make_benchmark(name)
    parsed = bench.parse(text)
    assert parsed is None or isinstance(parsed, str)
    assert bench.score(SAMPLE, parsed)["accuracy"] in (0.0, 1.0)


@pytest.mark.parametrize("name", NAMES)
def test_letters(name):
    bench = make_benchmark(name)
    ok = lambda t: bench.score(SAMPLE, bench.parse(t))["accuracy"]  # noqa: E731
    assert ok("B") == ok("(B)") == ok("Answer: B") == 1.0
    assert ok("A") == ok("red") == ok(None) == 0.0


@pytest.mark.parametrize(("name", "ok"), [("nextqa", 1.0), ("intentqa", 1.0), ("mvbench", 0.0), ("videomme", 0.0)])
def test_option_text_only_where_the_official_rule_reads_it(name, ok):
    """A reply of over 5 words naming an option's text: NExT-QA's (MMMU) rule reads it, MVBench's
    mcq_acc and Video-MME's extract_characters_regex never do."""
    bench = make_benchmark(name)
    sample = Sample(id="x", benchmark="x", inputs={"video": "v.mp4", "question": "q?",
                                                   "options": ["red", "the blue cube hit it", "green", "four"]},
                    target="B", meta={})
    assert bench.score(sample, bench.parse("i think that the blue cube hit it"))["accuracy"] == ok
    assert bench.score(sample, bench.parse("the blue cube hit it"))["accuracy"] == 0.0  # 5 words: no text stage
