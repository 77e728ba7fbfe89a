"""Mixture YAML -> typed (pydantic) dataclasses (strict keys), per-source counts, sampling, pool building."""

from __future__ import annotations

import os

os.environ.setdefault("MUJOCO_GL", "egl")  # before anything imports mujoco (as the robotics tests do)

from collections import Counter  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.trainer import mixtures  # noqa: E402

CONFIGS = Path(__file__).resolve().parents[2] / "configs" / "mixtures"


def test_shipped_mixtures_are_the_table3_variants_at_one_budget():
    mixes = {p.stem: mixtures.load_mixture(p) for p in sorted(CONFIGS.glob("*.yaml"))}
    assert set(mixes) == {"full", "full_no_somtom", "ui_only", "robot_only", "act"}
    assert all(m.name == stem for stem, m in mixes.items())
    assert len({m.total for m in mixes.values()}) == 1  # same budget for every variant
    assert set(mixes["act"].sources) == {"ui", "robot"} and set(mixes["full"].sources) == {"ui", "robot", "video", "vl", "suites"}
    assert not mixes["full_no_somtom"].som and not mixes["full_no_somtom"].tom and mixes["full"].som
    assert mixes["full"].sources == mixes["full_no_somtom"].sources and mixes["full"].phases == mixes["full_no_somtom"].phases
    for m in mixes.values():
        c = mixtures.counts(m)
        assert sum(c.values()) == m.total


@pytest.mark.parametrize("text,msg", [
    ("name: x\nsources: {ui: {weight: 1}}\nsoom: true\n", r"unknown key 'soom' \(did you mean: som"),
    ("name: x\nsources: {ui: {wieght: 1}}\n", r"sources.ui: unknown key 'wieght'"),
    ("name: x\nsources: {uii: {weight: 1}}\n", r"sources: unknown source 'uii' \(did you mean: ui"),
    ("name: x\nname: y\nsources: {ui: {}}\n", r"\.yaml:2: duplicate key 'name'"),
    ("name: x\nsources: {ui: {weight: 1}, ui: {weight: 2}}\n", r"duplicate key 'ui'"),
    ("name: x\nsources: {ui: {n: many}}\n", r"sources\.ui\.n: 'many' is not valid; expected an integer"),
    ("name: x\nsom: 1\nsources: {ui: {}}\n", r"som: 1 is not valid; expected the YAML bool true or false"),
    ("name: x\nsources: {ui: {format: rlds_npz, path: d}}\n", r"format 'rlds_npz' not one of"),
    ("name: x\nsources: {ui: {format: seeclick}}\n", r"no path"),
    ("name: x\nsources: {ui: {weight: 0}}\n", r"all source weights are zero"),
    ("sources: {ui: {}}\n", r"name: missing \(required\)"),
    ("name: [x\n", r"not valid YAML"),
])
def test_bad_mixtures_fail_with_the_file_and_the_key(tmp_path, text, msg):
    p = tmp_path / "m.yaml"
    p.write_text(text)
    with pytest.raises(UserError, match=msg) as e:
        mixtures.load_mixture(p)
    assert str(p) in str(e.value)


def test_counts_follow_weights_and_sampling_is_seeded():
    mix = mixtures.parse_mixture({"name": "m", "total": 10, "sources": {"ui": {"weight": 2}, "vl": {"weight": 1}}})
    assert mixtures.counts(mix) == {"ui": 7, "vl": 3}
    pools = {"ui": [f"u{i}" for i in range(3)], "vl": ["v0"]}
    a, b = mixtures.sample(mix, pools), mixtures.sample(mix, pools)
    assert a == b and Counter(x[0] for x in a) == {"u": 7, "v": 3}
    assert Counter(a)["u0"] in (2, 3)  # cycles through permutations: no item repeats early
    assert mixtures.sample(mix, pools, seed=1) != a
    with pytest.raises(UserError, match="source 'vl' has weight but no examples"):
        mixtures.sample(mix, {"ui": pools["ui"]})


def test_build_pools_from_real_screenspot_data_and_generated_sources(screenspot_suite, tmp_path):
    mix = mixtures.parse_mixture({"name": "m", "total": 12, "sources": {
        "ui": {"format": "screenspot", "path": str(screenspot_suite), "weight": 1},
        "video": {"n": 1, "weight": 1}, "vl": {"n": 4, "weight": 1}}})
    pools = mixtures.build_pools(mix, tmp_path / "pools")
    assert {s: len(p) for s, p in pools.items()} == {"ui": 2, "video": 1, "vl": 4}
    drawn = mixtures.sample(mix, pools)
    assert Counter(e.source for e in drawn) == {"ui": 4, "video": 4, "vl": 4}
    assert mixtures.describe(mix)["counts"] == {"ui": 4, "video": 4, "vl": 4}


@pytest.mark.slow
@pytest.mark.browser
def test_generated_ui_and_robot_pools_come_from_the_benchmark_generators(tmp_path):
    """UI: the ScreenSpot generator (Chromium); robot: the tabletop expert (MuJoCo)."""
    pytest.importorskip("playwright")
    pytest.importorskip("mujoco")
    mix = mixtures.parse_mixture({"name": "m", "total": 20, "sources": {"ui": {"n": 6}, "robot": {"n": 1}}})
    pools = mixtures.build_pools(mix, tmp_path)
    assert len(pools["ui"]) == 6 and all("Mark:" in e.target for e in pools["ui"])
    acts = [e for e in pools["robot"] if e.action is not None]
    assert acts and all(len(e.action) == 7 for e in acts)


@pytest.mark.slow
def test_robot_demos_can_mix_tabletop_suites(tmp_path):
    """A task_suite list splits the episodes over the suites (Bridge and Google-robot, as Open-X mixes them)."""
    pytest.importorskip("mujoco")
    mix = mixtures.parse_mixture({"name": "m", "som": False, "tom": False, "sources": {
        "robot": {"n": 2, "task_suite": ["tabletop_bridge", "tabletop_google"]}}})
    pools = mixtures.build_pools(mix, tmp_path)
    suites = {e.id.split("/")[1].split("__")[0] for e in pools["robot"]}
    assert suites == {"tabletop_bridge", "tabletop_google"}
    assert all((tmp_path / "demos" / s / "dataset_info.json").is_file() for s in suites)


def test_task_suite_is_a_name_or_a_list_of_names():
    spec = {"name": "m", "sources": {"robot": {"n": 2, "task_suite": ["tabletop_bridge", "tabletop_google"]}}}
    assert mixtures.parse_mixture(spec).sources["robot"].task_suite == ["tabletop_bridge", "tabletop_google"]
    for bad in (3, [], ["tabletop_bridge", 3]):
        spec["sources"]["robot"]["task_suite"] = bad
        with pytest.raises(UserError, match=r"sources\.robot\.task_suite: .* is not valid; expected a suite name or a "
                                              "non-empty list"):
            mixtures.parse_mixture(spec)


def test_suites_source_needs_its_benchmark_list(tmp_path):
    p = tmp_path / "m.yaml"
    p.write_text("name: x\nsources: {suites: {n: 4}}\n")
    with pytest.raises(UserError, match="needs a non-empty 'benchmarks' list"):
        mixtures.load_mixture(p)
    p.write_text("name: x\nsources: {suites: {n: 4, benchmarks: [pope, vsr]}}\n")
    assert mixtures.load_mixture(p).sources["suites"].benchmarks == ["pope", "vsr"]


PHASED = {"name": "p", "total": 10, "seed": 0, "sources": {"vl": {"weight": 0.5, "n": 5}, "ui": {"weight": 0.5, "n": 5}},
          "phases": [{"until": 0.5, "weights": {"vl": 1.0}}]}


def test_curriculum_phases_draw_their_own_weights_then_the_main_mixture():
    from magma_bench.trainer.data import Example
    from magma_bench.trainer.stream import Stream

    mix = mixtures.parse_mixture(PHASED)
    pools = {s: [Example(f"{s}/{i}", s, [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}])
                 for i in range(5)] for s in ("vl", "ui")}
    st = Stream(mix, pools, batch=4, steps=10, micro_per_step=2)  # phase 0 = micro-batches 0..9
    assert st.bounds == [10] and st.phase_of(9) == 0 and st.phase_of(10) == 1
    early = [e.source for k in range(10) for e in st.micro_batch(k)]
    late = Counter(e.source for k in range(10, 20) for e in st.micro_batch(k))
    assert set(early) == {"vl"} and late["ui"] == late["vl"] == 20
    again = Stream(mix, pools, batch=4, steps=10, micro_per_step=2)  # a resumed run: same batches
    assert [e.id for e in again.micro_batch(13)] == [e.id for e in st.micro_batch(13)]
    assert mixtures.describe(mix)["phases"] == [{"until": 0.5, "weights": {"vl": 1.0}, "questions": None}]


def test_a_phase_naming_questions_draws_only_those_vl_forms_then_all_of_them(tmp_path):
    from magma_bench.trainer.stream import Stream

    mix = mixtures.parse_mixture({"name": "q", "total": 12, "seed": 0, "sources": {
        "vl": {"n": 12, "questions": ["checklist", "presence", "color"]}},
        "phases": [{"until": 0.5, "weights": {"vl": 1.0}, "questions": ["checklist", "presence"]}]})
    pools = mixtures.build_pools(mix, tmp_path)
    assert [e.meta["question"] for e in pools["vl"][:4]] == ["checklist", "presence", "color", "checklist"]
    st = Stream(mix, pools, batch=4, steps=10)
    early = Counter(e.meta["question"] for k in range(5) for e in st.micro_batch(k))
    late = Counter(e.meta["question"] for k in range(5, 10) for e in st.micro_batch(k))
    assert set(early) == {"checklist", "presence"} and sum(early.values()) == 20
    assert set(late) == {"checklist", "presence", "color"}


@pytest.mark.parametrize("spec, msg", [
    ({"sources": {"vl": {"questions": ["colour"]}}}, r"unknown form 'colour'; choose from"),
    ({"sources": {"ui": {"questions": ["presence"]}}}, r"sources\.ui: 'questions' is a vl source field"),
    ({"sources": {"vl": {"plain_share": 0.5}}}, r"sources\.vl: 'plain_share' is a ui source field"),
    ({"sources": {"ui": {"plain_share": 1.5}}}, r"plain_share: 1\.5 is not valid"),
    ({"sources": {"vl": {"questions": ["presence"]}, "ui": {}},
      "phases": [{"until": 0.5, "weights": {"vl": 1}, "questions": ["checklist"]}]}, r"'checklist' is not in the vl"),
    ({"sources": {"vl": {}, "ui": {}}, "phases": [{"until": 0.5, "weights": {"ui": 1}, "questions": ["presence"]}]},
     "needs the vl source in the phase's weights"),
])
def test_bad_question_forms_are_clear_errors(spec, msg):
    with pytest.raises(UserError, match=msg):
        mixtures.parse_mixture({"name": "x", **spec}, "mix.yaml")


@pytest.mark.parametrize("phases, msg", [
    ([{"until": 0.5}], r"phases\[0\]\.weights: missing"),
    ([{"until": 1.5, "weights": {"vl": 1}}], r"phases\[0\]\.until: 1\.5 is not valid; expected a number <= 1"),
    ([{"until": 0.5, "weights": {"vl": 1}}, {"until": 0.4, "weights": {"ui": 1}}], "increase"),
    ([{"until": 0.5, "weights": {"video": 1}}], "not an active source"),
    ([{"until": 0.5, "weights": {"vl": 0}}], "all weights are zero"),
    ("vl first", "phases: 'vl first' is not valid; expected a list"),
])
def test_bad_phases_are_clear_errors(phases, msg):
    with pytest.raises(UserError, match=msg):
        mixtures.parse_mixture({**PHASED, "phases": phases}, "mix.yaml")


def test_plain_share_keys_the_ui_pool_only_when_set():
    """A field at its default stays out of the pool key: pools cached before it existed stay valid."""
    base = mixtures.parse_mixture({"name": "x", "sources": {"ui": {}, "vl": {}}}, "mix.yaml")
    half = mixtures.parse_mixture({"name": "x", "sources": {"ui": {"plain_share": 0.5}, "vl": {}}}, "mix.yaml")
    assert "plain_share" not in mixtures.source_key(base, "ui")["spec"]
    assert mixtures.source_key(half, "ui") != mixtures.source_key(base, "ui")
    assert mixtures.source_key(half, "vl") == mixtures.source_key(base, "vl")


def test_a_variant_extends_its_base_and_states_only_what_differs(tmp_path):
    (tmp_path / "base.yaml").write_text("name: base\ntotal: 50\nsources:\n  ui: {weight: 0.5, n: 7}\n  vl: {weight: 0.5}\n")
    (tmp_path / "v.yaml").write_text("extends: base.yaml\nname: v\nsom: false\nsources: {ui: {weight: 0.2}, video: {}}\n")
    v = mixtures.load_mixture(tmp_path / "v.yaml")
    assert (v.name, v.total, v.som) == ("v", 50, False)
    assert (v.sources["ui"].weight, v.sources["ui"].n) == (0.2, 7)  # one field replaced, the rest kept
    assert set(v.sources) == {"ui", "vl", "video"}


@pytest.mark.parametrize("files, msg", [
    ({"v.yaml": "extends: nothere.yaml\nname: v\n"}, r"nothere\.yaml: cannot read mixture"),
    ({"v.yaml": "extends: w.yaml\nname: v\n", "w.yaml": "extends: v.yaml\nname: w\n"}, "makes a cycle"),
    ({"v.yaml": "extends: [a]\nname: v\n"}, r"v\.yaml: extends: \['a'\] is not valid"),
    ({"v.yaml": "extends: b.yaml\nname: v\n", "b.yaml": "name: b\nsources: {ui: {wieght: 1}}\n"},
     r"v\.yaml: sources\.ui: unknown key 'wieght'"),
])
def test_bad_extends_are_clear_errors(tmp_path, files, msg):
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    with pytest.raises(UserError, match=msg):
        mixtures.load_mixture(tmp_path / "v.yaml")
