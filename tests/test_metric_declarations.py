"""Each benchmark declares its metrics once; aggregate, the bootstrap statistic and sub-metrics all
derive from that declaration.

`tests/benchmarks/aggregates_golden.json` holds every static benchmark's aggregate (headline and
each sub-metric) on the seeded hand-built records below, as computed by the per-benchmark
`aggregate` overrides that the declarations replaced (commit 3d42484): the refactor must not move a
number. Regenerate it only when a number is meant to change:
`.venv/bin/python tests/test_metric_declarations.py --regenerate`.
"""

from __future__ import annotations

import json
import math
import random
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from magma_bench.benchmark import Benchmark
from magma_bench.metrics.declare import AllWithin, Mean, OtherScores, report
from magma_bench.metrics.stats import DENSE_GROUPS, group_totals
from magma_bench.registry import benchmark_entries, make_benchmark

GOLDEN = Path(__file__).parent / "benchmarks" / "aggregates_golden.json"
N = 48  # records per benchmark: enough for every group to hold a few, small enough to read


def _record(i: int, scores: dict, meta: dict, **extra) -> dict:
    return {"id": f"s{i}", "scores": scores, "meta": meta, "target": extra.pop("target", None), **extra}


def _correct(rng: random.Random, p: float = 0.6) -> float:
    return float(rng.random() < p)


def _mean_records(fields: dict[str, tuple], extra_scores: tuple[str, ...] = (), graded: bool = False
                  ) -> Callable[[random.Random], list[dict]]:
    """Records with an accuracy score (0/1, or VQA-style grades) and meta drawn from `fields`;
    a None in a field's choices leaves the record without a value there."""
    def build(rng: random.Random) -> list[dict]:
        out = []
        for i in range(N):
            meta = {k: rng.choice(v) for k, v in fields.items()}
            acc = rng.choice((0.0, 0.3, 0.6, 1.0)) if graded else _correct(rng)
            out.append(_record(i, {"accuracy": acc, **{k: _correct(rng, 0.3) for k in extra_scores}}, meta))
        return out
    return build


def _pope(categories: tuple[str, ...]) -> Callable[[random.Random], list[dict]]:
    def build(rng: random.Random) -> list[dict]:
        out = []
        for i in range(N):
            target = rng.choice(("yes", "no"))
            parsed = rng.choice(("yes", "no", "yes", None))
            error = "boom" if rng.random() < 0.05 else None
            out.append(_record(i, {"accuracy": float(parsed == target and not error)},
                               {"category": rng.choice(categories)}, target=target, parsed=parsed, error=error))
        return out
    return build


def _mme(rng: random.Random) -> list[dict]:
    cats = ("existence", "count", "OCR", "code_reasoning", "numerical_calculation")
    out = []
    for pair in range(N // 2):
        cat = cats[pair % len(cats)]
        for _ in range(2):
            out.append(_record(len(out), {"accuracy": _correct(rng, 0.7)},
                               {"category": cat, "question_id": f"{cat}/{pair:03d}.png"}))
    return out


def _visualwebbench(rng: random.Random) -> list[dict]:
    out = []
    for i in range(N):
        task = rng.choice(("element_ground", "action_prediction", "webqa", "web_caption", "element_ocr"))
        if task in ("element_ground", "action_prediction"):
            acc = _correct(rng)
            scores = {"score": acc, "accuracy": acc}
        elif task == "webqa":
            f1 = round(rng.random(), 3)
            scores = {"score": f1, "f1": f1}
        else:
            r = {k: round(rng.random(), 3) for k in ("rouge_1", "rouge_2", "rouge_l")}
            scores = {"score": r["rouge_l"], **r}
        out.append(_record(i, scores, {"task_type": task}))
    return out


def _mind2web(rng: random.Random) -> list[dict]:
    out = []
    for i in range(N):
        ele = _correct(rng, 0.7)
        f1 = rng.choice((0.0, 0.5, 1.0, 1.0))
        scores = {"element_acc": ele, "op_f1": f1, "op_match": float(f1 > 0), "step_success": float(ele and f1 == 1.0)}
        out.append(_record(i, scores, {"episode": f"ep{i // 6}"}, target={"op": rng.choice((1, 2, 3))}))
    return out


# name -> (registered benchmark arguments, record builder)
CASES: dict[str, tuple[dict, Callable[[random.Random], list[dict]]]] = {
    "screenspot": ({}, _mean_records({"cell": ("mobile/text", "web/icon", "desktop/text")}, ("wrong_format",))),
    "screenspot_pro": ({}, _mean_records({"ui_type": ("text", "icon"), "group": ("Dev", "Creative"),
                                          "application": ("vscode", "blender", "photoshop")}, ("wrong_format",))),
    "visualwebbench": ({"task": "all"}, _visualwebbench),
    "mind2web": ({}, _mind2web),
    "aitw": ({}, _mean_records({"subset": ("general", "install", "single")}, ("type_match",))),
    "spatialeval": ({}, _mean_records({"task": ("spatialmap", "mazenav"), "mode": ("tqa", "vqa", "vtqa"),
                                       "qid": (0, 1, 2)})),
    "vsr": ({}, _mean_records({"relation": ("left of", "on", "under"), "category": ("adjacency", "topological")})),
    "blink": ({}, _mean_records({"sub_task": ("Counting", "Relative_Depth", "Jigsaw")})),
    "nextqa": ({}, _mean_records({"group": ("causal", "temporal", None), "type": ("CW", "TN", "DC")})),
    "intentqa": ({}, _mean_records({"type": ("CW", "CH", "TN", "XX")})),
    "mvbench": ({}, _mean_records({"task": ("action_sequence", "object_shuffle", "fine_grained_pose", None)})),
    "videomme": ({}, _mean_records({"duration": ("short", "long"), "task_type": ("Counting", "OCR", "Reasoning")})),
    "pope": ({}, _pope(("random", "popular", "adversarial"))),
    "pope_random": ({"category": "random"}, _pope(("random",))),
    "vqav2": ({}, _mean_records({"answer_type": ("yes/no", "number", "other", None)}, graded=True)),
    "textvqa": ({}, _mean_records({"answer_type": ("ocr",)}, graded=True)),
    "gqa": ({}, _mean_records({"structural": ("verify", "query", "choose")})),
    "chartqa": ({}, _mean_records({"type": ("human", "augmented")})),
    "docvqa": ({}, _mean_records({"question_type": ("table/list", "form", "layout")}, graded=True)),
    "mme": ({}, _mme),
}


def _bench(case: str) -> Benchmark:
    args, _ = CASES[case]
    return make_benchmark(case.split("_random")[0], **args)


def _records(case: str) -> list[dict]:
    return CASES[case][1](random.Random(case))


def _aggregate_json(case: str) -> dict:
    bench = _bench(case)
    full, empty = bench.aggregate(_records(case)), bench.aggregate([])
    return {"headline": full.headline, "metrics": full.metrics, "n": full.n,
            "empty": {"headline": empty.headline, "metrics": empty.metrics, "n": empty.n}}


def _static_benchmarks() -> list[str]:
    names = []
    for name, entry in benchmark_entries(include_plugins=False).items():
        cls = entry.load()
        if isinstance(cls, type) and issubclass(cls, Benchmark):
            names.append(name)
    return names


def test_every_static_benchmark_has_a_golden_case() -> None:
    classes = {type(make_benchmark(n)) for n in _static_benchmarks()}
    assert classes <= {type(_bench(c)) for c in CASES}


@pytest.mark.parametrize("case", sorted(CASES))
def test_aggregate_matches_the_golden_numbers(case: str) -> None:
    want = json.loads(GOLDEN.read_text())[case]
    got = _aggregate_json(case)
    assert got["n"] == want["n"] and got["empty"] == want["empty"]
    assert got["headline"] == pytest.approx(want["headline"], rel=1e-12, abs=1e-9)
    assert sorted(got["metrics"]) == sorted(want["metrics"])
    for k, v in want["metrics"].items():
        assert got["metrics"][k] == pytest.approx(v, rel=1e-12, abs=1e-9), k


@pytest.mark.parametrize("case", sorted(CASES))
def test_headline_is_the_bootstrap_statistic_at_unit_weights(case: str) -> None:
    """The bootstrap resamples the very function the headline is: at weights of one they agree,
    and a replicate that draws every sample twice changes no mean."""
    bench, records = _bench(case), _records(case)
    cols = bench.columns(records)
    ones = np.ones((1, len(records)), dtype=np.float32)
    headline = bench.aggregate(records).headline
    assert float(bench.statistic(cols, ones)[0]) == pytest.approx(headline, rel=1e-9, abs=1e-9)
    assert float(bench.statistic(cols, 2 * ones)[0]) == pytest.approx(headline, rel=1e-9, abs=1e-9)
    assert not math.isnan(headline)


def test_registered_headlines_equal_statistic_at_unit_weights() -> None:
    """Every registered static benchmark, with its registered arguments, on records it can read."""
    for name in _static_benchmarks():
        bench = make_benchmark(name)
        case = next(c for c in CASES if type(_bench(c)) is type(bench))
        records = _records(case)
        cols = bench.columns(records)
        got = float(bench.statistic(cols, np.ones((1, len(records))))[0])
        assert got == pytest.approx(bench.aggregate(records).headline, rel=1e-9, abs=1e-9), name



@pytest.mark.parametrize("case", sorted(CASES))
def test_weights_act_as_repeated_records(case: str) -> None:
    """Every declared number at integer weights w equals the number on the records repeated w
    times: the bootstrap resamples the reported numbers themselves, sub-metrics included. (Weights
    of at least one keep every MME pair and Mind2Web episode whole, as resampling cannot split one.)"""
    bench, records = _bench(case), _records(case)
    rng = np.random.default_rng(0)
    w = rng.integers(1, 4, size=len(records))
    repeated = [r for r, k in zip(records, w, strict=True) for _ in range(k)]
    for metric in bench.metrics:
        got = metric.values(metric.columns(records), w[None, :].astype(np.float32))
        want = metric.values(metric.columns(repeated), np.ones((1, len(repeated)), dtype=np.float32))
        assert sorted(got) == sorted(want)
        for k in want:
            np.testing.assert_allclose(got[k], want[k], rtol=1e-9, err_msg=k)
    assert float(bench.statistic(bench.columns(records), w[None, :])[0]) == pytest.approx(
        bench.aggregate(repeated).headline, rel=1e-9)


def test_group_means_skip_absent_groups_and_missing_scores() -> None:
    recs = [{"scores": {"a": 1.0}, "meta": {"t": "x"}}, {"scores": {"a": 0.0}, "meta": {"t": "x"}},
            {"scores": {}, "meta": {"t": "y"}}, {"scores": {"a": 1.0}, "meta": {"t": None}}]
    macro = Mean("a", over="{t}")
    cols = macro.columns(recs)
    assert list(cols["g_names"]) == ["None", "x", "y"]  # an unset field reads "None", as str(meta.get) does
    assert macro.statistic(cols, np.ones((1, 4)))[0] == pytest.approx(100 * (0.5 + 0.0 + 1.0) / 3)
    # a replicate without group y averages the two groups it drew
    assert macro.statistic(cols, np.array([[1, 1, 0, 1]]))[0] == pytest.approx(100 * 0.75)
    skipping = Mean("a", over="{t}", missing=None, skip_unset=True)
    assert skipping.statistic(skipping.columns(recs), np.ones((1, 4)))[0] == pytest.approx(50.0)
    by = Mean("a", by="t/{t}", skip_unset=True)
    assert by.values(by.columns(recs), np.ones((1, 4))) == {"t/x": pytest.approx(50.0), "t/y": pytest.approx(0.0)}


def test_all_within_is_whether_every_record_of_the_group_is_right() -> None:
    recs = [{"scores": {"s": v}, "meta": {"e": e}} for v, e in ((1.0, "a"), (1.0, "a"), (1.0, "b"), (0.0, "b"))]
    assert list(AllWithin("s", "{e}")(recs)) == [1.0, 1.0, 0.0, 0.0]


def test_a_key_declared_twice_is_an_error_but_other_scores_only_fill_in() -> None:
    recs = [{"scores": {"a": 1.0, "b": 0.0}, "meta": {}}]
    assert report((Mean("a"), OtherScores()), recs) == {"a": 100.0, "b": 0.0}
    assert report((Mean("a", name="renamed"), OtherScores()), recs) == {"renamed": 100.0, "b": 0.0}
    with pytest.raises(ValueError, match="declared twice"):
        report((Mean("a"), Mean("b", name="a")), recs)


@pytest.mark.parametrize("k", [7, DENSE_GROUPS + 40])
def test_group_totals_match_a_dense_one_hot(k: int) -> None:
    """Both ways of summing per group (one-hot products for a few groups, bincount for many)."""
    rng = np.random.default_rng(1)
    v, g = rng.random(300), rng.integers(-1, k, size=300)
    w = rng.integers(0, 3, size=(4, 300)).astype(np.float32)
    onehot = (g[:, None] == np.arange(k)[None, :]).astype(np.float64)
    sums, counts = group_totals(v, g, k, w)
    np.testing.assert_allclose(sums, w @ (onehot * v[:, None]))
    np.testing.assert_allclose(counts, w @ onehot)


def test_env_benchmark_declaration_reports_success_steps_partials_and_tasks() -> None:
    """EnvBenchmark's declaration against the numbers written out by hand: partial credit is
    averaged over the episodes that report it, steps stay in steps."""
    from magma_bench.benchmark import EnvBenchmark

    class Env(EnvBenchmark):
        name, domain = "env", "robotics"
        episodes = reset = step = None  # type: ignore[assignment]

    recs = [{"scores": {"success": 1.0, "steps": 10, "grasp": 1.0}, "meta": {"task": "pick"}},
            {"scores": {"success": 0.0, "steps": 30, "grasp": 0.0}, "meta": {"task": "pick"}},
            {"scores": {"success": 1.0, "steps": 20}, "meta": {"task": "open"}}]
    agg = object.__new__(Env).aggregate(recs)  # no environment needed to aggregate
    assert agg.headline == pytest.approx(200 / 3)
    assert agg.metrics == {"success": pytest.approx(200 / 3), "steps": pytest.approx(20.0),
                           "grasp": pytest.approx(50.0), "task/pick": pytest.approx(50.0),
                           "task/open": pytest.approx(100.0)}


def _regenerate() -> None:
    GOLDEN.write_text(json.dumps({c: _aggregate_json(c) for c in sorted(CASES)}, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__" and "--regenerate" in sys.argv:
    _regenerate()
