"""Length grouping of the training stream: same examples, far less padding, still a pure function of k."""

from __future__ import annotations

from collections import Counter

from magma_bench.trainer import mixtures
from magma_bench.trainer.data import Example
from magma_bench.trainer.stream import Stream, group_by_length, padding_efficiency

MIX = {"name": "g", "total": 60, "seed": 3,
       "sources": {"vl": {"weight": 0.6, "n": 40}, "video": {"weight": 0.4, "n": 20}}}


def _pools() -> tuple[dict[str, list[Example]], dict[str, int]]:
    msgs = [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]
    pools = {"vl": [Example(f"vl/{i}", "vl", msgs) for i in range(40)],
             "video": [Example(f"video/{i}", "video", msgs) for i in range(20)]}
    lengths = {e.id: (100 + i if e.source == "vl" else 900 + 7 * i) for p in pools.values() for i, e in enumerate(p)}
    return pools, lengths


def test_grouping_keeps_the_examples_and_the_partial_batch_last():
    pools, lengths = _pools()
    exs = pools["vl"][:23]
    out = group_by_length(exs, lambda e: lengths[e.id], batch=4, seed=0, mult=2)
    assert Counter(e.id for e in out) == Counter(e.id for e in exs)
    # mega-batches of 8 (and the 7 left): sorted, cut into 4s; 23 = 5 full batches + a batch of 3
    assert {e.id for e in out[-3:]} == {"vl/16", "vl/17", "vl/18"}
    for b in range(5):
        ls = [lengths[e.id] for e in out[4 * b:4 * b + 4]]
        assert ls == sorted(ls, reverse=True) and max(ls) - min(ls) <= 4  # neighbours within one mega-batch
    assert out != group_by_length(exs, lambda e: lengths[e.id], batch=4, seed=1, mult=2)  # batch order is seeded


def test_grouped_stream_pads_less_draws_the_same_mixture_and_resumes_exactly():
    pools, lengths = _pools()
    mix = mixtures.parse_mixture(MIX)
    plain, grouped = Stream(mix, pools, batch=6, steps=30), Stream(mix, pools, batch=6, steps=30, lengths=lengths)
    assert padding_efficiency(grouped, lengths, 0, 30) > 0.95 > 0.6 > padding_efficiency(plain, lengths, 0, 30)
    # each pass holds the same draw, only reordered
    def drawn(st: Stream, p: int) -> Counter:
        return Counter(e.id for k in range(10 * p, 10 * p + 10) for e in st.micro_batch(k))

    assert all(drawn(grouped, p) == drawn(plain, p) for p in range(3))
    again = Stream(mix, pools, batch=6, steps=30, lengths=lengths)  # a resumed run starts at k=17
    assert [e.id for e in again.micro_batch(17)] == [e.id for e in grouped.micro_batch(17)]
