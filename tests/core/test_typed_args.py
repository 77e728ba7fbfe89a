"""Typed arguments: KEY=VALUE text, sweep YAML and CLI numbers are checked against what they feed,
and every registered name and shipped config still passes (without building any model)."""

from __future__ import annotations

from pathlib import Path

import pytest

from magma_bench.cli.main import main
from magma_bench.cli.options import parse_kv
from magma_bench.errors import UserError
from magma_bench.execute.sweep_config import load_sweep
from magma_bench.registry import adapter_entries, benchmark_entries, make_benchmark
from magma_bench.typed_args import adapter_args, benchmark_args, coerce_args, describe_hint, params_of
from mb_testutil import REPO


# -- booleans, numbers, lists ------------------------------------------------------------------------
@pytest.mark.parametrize("text, value", [("true", True), ("TRUE", True), ("Yes", True), ("1", True),
                                         ("false", False), ("False", False), ("no", False), ("0", False)])
def test_bool_spellings(text, value):
    assert benchmark_args("screenspot", {"som": text}) == {"som": value}


@pytest.mark.parametrize("text", ["ture", "on", "2", "", "none", "y"])
def test_other_bool_text_is_an_error_naming_the_key(text):
    with pytest.raises(UserError, match=r"som=.*expected a boolean \(true/false, yes/no, 1/0\)"):
        benchmark_args("screenspot", {"som": text}, where="--bench-arg")


@pytest.mark.parametrize("args, match", [
    ({"categroy": "random"}, r"--bench-arg for benchmark 'pope': unknown argument 'categroy' \(did you mean: category"),
    ({"smo": "true"}, r"unknown argument 'smo' \(did you mean: som.*accepted: platform, som, som_boxes, version"),
])
def test_unknown_benchmark_args_name_the_key_and_the_accepted_ones(args, match):
    name = "pope" if "categroy" in args else "screenspot"
    with pytest.raises(UserError, match=match):
        benchmark_args(name, args, where="--bench-arg")
    with pytest.raises(UserError, match="unknown argument"):
        make_benchmark(name, **args)  # the Python API checks the same way


def test_numbers_lists_and_none():
    assert benchmark_args("nextqa", {"num_frames": "8"}) == {"num_frames": 8}
    assert benchmark_args("nextqa", {"num_frames": "none"}) == {"num_frames": None}
    for bad in ("2.5", "eight", True):
        with pytest.raises(UserError, match=r"num_frames=.*expected an integer.*\(or none\)"):
            benchmark_args("nextqa", {"num_frames": bad})
    assert benchmark_args("libero_spatial", {"tasks": "0,1"})["tasks"] == [0, 1]
    assert benchmark_args("libero_spatial", {"tasks": "[2, 3]", "wrist_image": "no"}) == {"tasks": [2, 3],
                                                                                        "wrist_image": False}
    with pytest.raises(UserError, match="tasks="):
        benchmark_args("libero_spatial", {"tasks": "[0, 1.5]"})
    for bad in ("nan", "inf", "-inf", "soon"):
        with pytest.raises(UserError, match="delay_s=.*expected a (finite )?number"):
            adapter_args("random", {"delay_s": bad})
    assert adapter_args("random", {"delay_s": "0.5"}) == {"delay_s": 0.5}
    with pytest.raises(UserError, match="expected a string .*quote it"):  # YAML `language: no` is a bool
        benchmark_args("screenspot_pro", {"language": False})


def test_json_text_for_lists_and_mappings():
    def target(xs: list[int] | None = None, opts: dict | None = None) -> None: ...

    assert coerce_args(target, {"xs": "[1, 2]", "opts": '{"a": [1]}'}, "t") == {"xs": [1, 2], "opts": {"a": [1]}}
    with pytest.raises(UserError, match=r"xs=.*expected a list \(JSON `\[a, b\]` or `a,b`\)"):
        coerce_args(target, {"xs": "[1, 2"}, "t")
    with pytest.raises(UserError, match=r"opts=.*expected a JSON object"):
        coerce_args(target, {"opts": '{"a": 1'}, "t")
    with pytest.raises(UserError, match=r"opts=.*expected a mapping"):
        coerce_args(target, {"opts": "[1]"}, "t")


def test_registered_variants_keep_their_fixed_arguments():
    with pytest.raises(UserError, match="'screenspot_v2' is the version='v2' variant"):
        benchmark_args("screenspot_v2", {"version": "v1"})
    assert benchmark_args("screenspot_v2", {"version": "v2"}) == {"version": "v2"}
    with pytest.raises(UserError, match="'llava-1.5' is the family='llava-1.5' variant"):
        adapter_args("llava-1.5", {"family": "qwen2-vl"})


def test_adapter_args_typos_reserved_keys_and_labels():
    with pytest.raises(UserError, match=r"unknown argument 'chekpoint' \(did you mean: checkpoint"):
        adapter_args("magma", {"chekpoint": "x"})
    with pytest.raises(UserError, match="'seed' is not an adapter argument here; set it with --seed") as e:
        adapter_args("magma", {"seed": "3"})
    with pytest.raises(UserError) as e:
        adapter_args("magma", {"sede": "3"})
    assert "seed" not in str(e.value).split("accepted:")[1]  # not offered where it is refused
    assert adapter_args("magma", {"seed": "3"}, user=False) == {"seed": 3}  # the runner passes --seed so
    # `variant`/`model` label a run for the ablation table (leaderboards.ablation), on any adapter
    assert adapter_args("oracle", {"variant": "full", "model": "toy"}) == {"variant": "full", "model": "toy"}
    assert adapter_args("lmms", {"model": "dummy", "batch_size": "4"}) == {"model": "dummy", "batch_size": 4}


def test_parse_kv_keeps_text_and_refuses_malformed_pairs():
    assert parse_kv(("a=1", "b=x=y", "c="), "--bench-arg") == {"a": "1", "b": "x=y", "c": ""}
    for bad in (("a",), ("=1",), ("a=1", "a=2")):
        with pytest.raises(UserError, match="--bench-arg"):
            parse_kv(bad, "--bench-arg")


# -- every registered name and every shipped config --------------------------------------------------
def _all_params(cls):
    params, open_ = params_of(cls)
    return params, open_


@pytest.mark.parametrize("kind, entries", [("benchmark", benchmark_entries), ("adapter", adapter_entries)])
def test_every_registered_name_is_closed_typed_and_takes_its_registry_kwargs(kind, entries):
    for name, e in entries(include_plugins=False).items():
        cls = e.load()
        params, open_ = _all_params(cls)
        assert not open_, f"{name}: unknown arguments would reach a **kwargs nobody checks"
        for p, param in params.items():
            assert describe_hint(param.hint), (name, p)
        assert coerce_args(cls, e.kwargs, f"{kind} {name}") == e.kwargs, name
        if kind == "benchmark":  # built from defaults, and rebuilt from its recorded args (compare, leaderboards)
            args = make_benchmark(name).args
            assert args.items() >= e.kwargs.items() and make_benchmark(name, **args).args == args


CONFIGS = sorted((REPO / "configs").glob("*.yaml"))
MIXTURES = sorted((REPO / "configs" / "mixtures").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=lambda p: p.name)
def test_shipped_sweep_configs_validate(path):
    cfg = load_sweep(path)
    for b in cfg.benchmarks:
        assert benchmark_args(b.name, b.args) == b.args
    for a in cfg.adapters:
        assert adapter_args(a.name, a.args) == a.args
    assert cfg.batch_size >= 1 and (cfg.timeout_s is None or cfg.timeout_s > 0)


@pytest.mark.parametrize("path", MIXTURES, ids=lambda p: p.name)
def test_shipped_mixtures_name_registered_benchmarks(path):
    from magma_bench.trainer.mixtures import load_mixture

    mix = load_mixture(path)
    names = set()
    for sp in mix.sources.values():
        suites = getattr(sp, "task_suite", None)
        names |= {suites} if isinstance(suites, str) else set(suites or ())
        names |= set(getattr(sp, "benchmarks", None) or ())
    for name in names:
        benchmark_args(name, {})  # resolves (a typo would say "unknown benchmark") and builds from defaults


def test_configs_glob_finds_the_shipped_files():
    assert {p.name for p in CONFIGS} >= {"bench.yaml", "sweep_ray_example.yaml"} and MIXTURES


# -- sweep YAML values ---------------------------------------------------------------------------------
@pytest.mark.parametrize("extra, match", [
    ("benchmarks: [{name: pope, limit: -5}]", r"s\.yaml: benchmarks\[0\]\.limit: -5 is not valid; expected a number >= 0$"),
    ("benchmarks: [{name: pope, n: 0}]", r"benchmarks\[0\]\.n: 0 is not valid"),
    ("benchmarks: [{name: pope, args: {categroy: random}}]", r"benchmarks\[0\]\.args for benchmark 'pope': unknown"),
    ("benchmarks: [{name: screenspot, args: {som: ture}}]", "som='ture' is not valid; expected a boolean"),
    ("benchmarks: [pope]\ntimeout_s: .nan", "s.yaml: timeout_s: nan is not valid; expected a finite number"),
    ("benchmarks: [pope]\ntimeout_s: 0", "timeout_s: 0 is not valid; expected a number > 0"),
    ("benchmarks: [pope]\nbatch_size: 0", "batch_size: 0 is not valid"),
    ("benchmarks: [pope]\nbatch_size: '2.5'", r"batch_size: '2\.5' is not valid; expected an integer"),
    ("benchmarks: [pope]\nseed: true", "seed: True is not valid; expected a number"),
    ("benchmarks: [pope]\nskip_unavailable: maybe", "skip_unavailable: 'maybe' is not valid; expected a boolean"),
    ("benchmarks: [pope]\nskip_unavailable: 'on'", "skip_unavailable: 'on' is not valid"),
    ("benchmarks: [{name: pope, limt: 3}]", r"benchmarks\[0\]: unknown key 'limt' \(did you mean: limit"),
    ("benchmarks: []", "benchmarks: .* expected a non-empty list"),
    ("benchmarks: [{split: test}]", r"benchmarks\[0\]\.name: missing"),
    ("benchmarks: [{name: screenspot, args: {som: on}}]", "som='on' is not valid"),  # YAML 1.1's on is no bool here
    ("benchmarks: [{name: pope, args: {category: bogus}}]", r"benchmarks\[0\]\.args: pope: unknown category 'bogus'"),
    ("benchmarks: [pope]\nadapters_: [x]", "unknown key 'adapters_'"),
])
def test_sweep_values_are_typed(tmp_path, extra, match):
    cfg = tmp_path / "s.yaml"
    adapters = "" if "adapters_" in extra else "adapters: [random]\n"
    cfg.write_text(adapters + extra + ("\nadapters: [random]\n" if "adapters_" in extra else "\n"))
    with pytest.raises(UserError, match=match):
        load_sweep(cfg)


def test_sweep_text_numbers_are_read_as_numbers(tmp_path):
    cfg = tmp_path / "s.yaml"
    cfg.write_text("benchmarks: [{name: pope, n: '30', args: {category: adversarial}}, "
                   "{name: screenspot, args: {som: yes}}]\n"
                   "adapters: [{name: random, args: {delay_s: '0.01'}}]\nbatch_size: '8'\ntimeout_s: 2\n")
    s = load_sweep(cfg)
    assert (s.batch_size, s.timeout_s, s.benchmarks[0].n, s.adapters[0].args) == (8, 2.0, 30, {"delay_s": 0.01})
    assert s.benchmarks[1].args == {"som": True}


# -- CLI numbers ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("args, option", [
    (["--limit", "-5"], "--limit"), (["--timeout", "0"], "--timeout"), (["--timeout", "-1"], "--timeout"),
    (["--timeout", "nan"], "--timeout"), (["--timeout", "inf"], "--timeout"), (["--timeout", "x"], "--timeout"),
    (["--n", "0"], "--n"), (["--batch-size", "0"], "--batch-size"),
])
def test_cli_numbers_are_checked(args, option, capsys):
    assert main(["run", "-b", "pope", "-a", "oracle", *args]) == 2
    err = capsys.readouterr().err
    assert f"'{option}'" in err and "Traceback" not in err


def test_cli_typed_args_end_in_one_line(capsys, tmp_path: Path):
    for arg in (["--bench-arg", "categroy=random"], ["--adapter-arg", "delay_s=soon"],
                ["--bench-arg", "category=random", "--bench-arg", "category=popular"]):
        assert main(["run", "-b", "pope", "-a", "random", "--n", "6", "--out", str(tmp_path), *arg]) == 2
        err = capsys.readouterr().err
        assert len(err.strip().splitlines()) == 1 and arg[-1].split("=")[0] in err, err
    assert not any(tmp_path.iterdir())  # refused before anything ran
