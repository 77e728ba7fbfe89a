"""Click options generated from config dataclasses and argparse parsers (magma_bench/cli)."""

from __future__ import annotations

import argparse
import dataclasses
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from magma_bench.cli.argparse_options import argparse_options, argv_for, subcommands
from magma_bench.cli.dataclass_options import dataclass_options


@dataclass
class Toy:
    name: str = "a#b"  # the run's name (a '#' in a default is not a comment)
    steps: int = 3  # optimizer steps
    lr: float = 0.5
    resume: bool = True  # continue when a checkpoint exists
    data_dir: str | None = None  # default: <out>/data
    variants: tuple[str, ...] = ("x", "y")  # rows, in order


def test_dataclass_options_type_default_and_explain_every_field():
    seen: dict = {}
    cmd = click.Command("t", params=dataclass_options(Toy), callback=lambda **kw: seen.update(kw))
    r = CliRunner().invoke(cmd, [])
    assert r.exit_code == 0, r.output
    assert Toy(**seen) == Toy()  # defaults round-trip, the tuple's included
    r = CliRunner().invoke(cmd, ["--steps", "7", "--lr", "1e-3", "--resume", "false", "--data-dir", "d",
                                 "--variants", "p, q,", "--name", "-n"])
    assert Toy(**seen) == Toy(name="-n", steps=7, lr=1e-3, resume=False, data_dir="d", variants=("p", "q"))
    text = CliRunner().invoke(cmd, ["--help"]).output
    for line in ("the run's name (a '#' in a default is not a comment)", "optimizer steps", "continue when a",
                 "default: <out>/data", "[default: x,y]"):
        assert line in text, line
    assert CliRunner().invoke(cmd, ["--resume", "maybe"]).exit_code == 2
    assert CliRunner().invoke(cmd, ["--variants", ","]).exit_code == 2
    assert [o.name for o in dataclass_options(Toy, exclude=("lr", "name"))] == [
        "steps", "resume", "data_dir", "variants"]


def test_a_field_of_an_unknown_type_is_refused_not_read_as_text():
    @dataclass
    class Nested:
        toy: Toy = dataclasses.field(default_factory=Toy)

    with pytest.raises(TypeError, match="Nested.toy"):
        dataclass_options(Nested)
    assert dataclass_options(Nested, exclude=("toy",)) == []


def _toy_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="toy", description="A toy entry point.")
    sub = ap.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("build", help="build it all")
    b.add_argument("--out", type=Path, default=Path("o"), help="where (default %(default)s)")
    b.add_argument("--n", type=int, default=2)
    b.add_argument("--mode", choices=["fast", "full"], default="full")
    b.add_argument("--no-plots", action="store_true")
    b.add_argument("--keep", dest="clean", action="store_false")
    return ap


def test_subcommands_and_their_options():
    [(name, (sub, help_))] = subcommands(_toy_parser()).items()
    assert (name, help_) == ("build", "build it all")
    assert [o.name for o in argparse_options(sub)] == ["out", "n", "mode", "no_plots", "clean"]


def test_argparse_options_round_trip_through_argv(tmp_path):
    sub, _ = subcommands(_toy_parser())["build"]
    seen = {}
    cmd = click.Command("build", params=argparse_options(sub), callback=lambda **kw: seen.update(kw))
    for argv in ([], ["--out", str(tmp_path / "x"), "--n", "-3", "--mode", "fast", "--no-plots", "--keep"]):
        seen.clear()
        assert CliRunner().invoke(cmd, argv).exit_code == 0
        assert vars(sub.parse_args(argv_for(sub, seen))) == seen == vars(sub.parse_args(argv))
    assert argv_for(sub, seen) == [f"--out={tmp_path / 'x'}", "--n=-3", "--mode=fast", "--no-plots", "--keep"]
    text = CliRunner().invoke(cmd, ["--help"]).output
    assert "where (default o)" in text and "[default: 2]" in text
    assert CliRunner().invoke(cmd, ["--mode", "slow"]).exit_code == 2


def test_options_argparse_cannot_express_as_one_click_option_are_refused():
    ap = argparse.ArgumentParser(prog="p")
    ap.add_argument("--tags", nargs="+")
    with pytest.raises(TypeError, match="'tags'"):
        argparse_options(ap)
