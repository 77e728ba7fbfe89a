"""`magma-bench generate --layout hf`: each benchmark with a hub snapshot gets one our loader reads
back with the same official ids, the oracle scores full marks on, and `datasets.load_dataset`
(what lmms-eval calls with `dataset_path`) opens by config and split with images decoded."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from magma_bench.benchmarks.ui._browser import chromium_path
from magma_bench.benchmarks.vl.mme import PERCEPTION
from magma_bench.cli.generate_cmd import generate_cmd
from magma_bench.data.hub_layout import LAYOUTS, layout_for
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run

datasets = pytest.importorskip("datasets")

HAVE_BROWSER = chromium_path() is not None and importlib.util.find_spec("playwright") is not None
needs_browser = pytest.mark.skipif(not HAVE_BROWSER, reason="needs Debian chromium + playwright")

# sample ids the loader builds from row positions on the hub (not from the release's file names)
HUB_IDS_DIFFER = {"chartqa", "screenspot"}
CHEAP = ["pope", "vqav2", "textvqa", "gqa", "docvqa", "chartqa", "mme", "vsr", "blink", "spatialeval",
         "nextqa", "videomme", "mvbench"]


def _generate(out: Path, name: str, layout: str, n: int) -> None:
    res = CliRunner().invoke(generate_cmd, [name, "--out", str(out), "--n", str(n), "--seed", "3", "--layout", layout])
    assert res.exit_code == 0, res.output


def _check(tmp_path: Path, name: str, n: int) -> Path:
    _generate(tmp_path / "official", name, "official", n)
    _generate(tmp_path / "hf", name, "hf", n)
    bench = make_benchmark(name)
    split = bench.default_split
    off = bench.load(tmp_path / "official", split)
    hub = make_benchmark(name).load(tmp_path / "hf", split)
    assert len(hub) == len(off) > 0
    if name == "screenspot":  # JSON positions restart per platform file; the hub's run over all rows
        assert [s.official_id for s in hub] == [str(i) for i in range(len(off))]
        assert [(s.meta["cell"], s.inputs["instruction"]) for s in hub] == [
            (s.meta["cell"], s.inputs["instruction"]) for s in off]
        assert all(a.target == pytest.approx(b.target) for a, b in zip(hub, off, strict=True))
    else:
        assert [s.official_id for s in hub] == [s.official_id for s in off]
        assert [s.target for s in hub] == [s.target for s in off]
    if name not in HUB_IDS_DIFFER:
        assert [s.id for s in hub] == [s.id for s in off]
    marker = json.loads((tmp_path / "hf" / "MAGMA_BENCH_GENERATED.json").read_text())
    assert marker["layout"] == "hf" and marker["hub"] == layout_for(name).repo
    s = run(RunConfig(benchmark=name, adapter="oracle", data_dir=tmp_path / "hf", out=tmp_path / "runs"))
    assert s["errors"] == 0 and s["n"] == len(off)
    if name == "mme":  # a sum over the generated categories, 200 each (acc 100 + acc+ 100)
        cats = {x.meta["category"] for x in off if x.meta["category"] in PERCEPTION}
        assert s["headline"] == pytest.approx(200.0 * len(cats)) and cats
    else:
        assert s["headline"] == pytest.approx(100.0)
    return tmp_path / "hf"


@pytest.mark.parametrize("name", CHEAP)
def test_hf_layout_reads_back_with_the_same_ids_and_oracle_100(tmp_path, name):
    _check(tmp_path, name, 6)


@needs_browser
@pytest.mark.parametrize("name", ["screenspot", "visualwebbench"])
def test_hf_layout_ui(tmp_path, name):
    _check(tmp_path, name, 6)


@pytest.mark.parametrize("name,config,split,image_col", [
    ("pope", None, "test", "image"),
    ("gqa", "testdev_balanced_instructions", "testdev", None),
    ("gqa", "testdev_balanced_images", "testdev", "image"),
    ("blink", "Counting", "val", "image_1"),  # generated in the hub layout already: images re-stamped
    ("nextqa", "MC", "test", None),
])
def test_load_dataset_opens_the_folder_as_lmms_eval_does(tmp_path, name, config, split, image_col):
    """lmms-eval calls `datasets.load_dataset(dataset_path, dataset_name)` and decodes images to PIL."""
    _generate(tmp_path / "hf", name, "hf", 6)
    ds = datasets.load_dataset(str(tmp_path / "hf"), config, split=split)
    assert len(ds) > 0
    if image_col:
        assert ds.features[image_col] == datasets.Image()
        assert ds[0][image_col].convert("RGB").size[0] > 0


def test_hub_columns_match_the_lmms_lab_schema(tmp_path):
    """POPE's lmms-lab columns and types (pope/utils.py reads question, answer, category, image)."""
    import pyarrow.parquet as pq

    _generate(tmp_path / "hf", "pope", "hf", 6)
    table = pq.read_table(tmp_path / "hf" / "data" / "test-00000-of-00001.parquet")
    assert table.column_names == ["id", "question_id", "question", "answer", "image_source", "image", "category"]
    assert {str(table.schema.field(c).type) for c in table.column_names if c != "image"} == {"string"}
    assert str(table.schema.field("image").type) == "struct<bytes: binary, path: string>"
    assert set(table.column("answer").to_pylist()) <= {"yes", "no"}


def test_benchmark_without_a_hub_layout_is_refused_before_writing(tmp_path):
    res = CliRunner().invoke(generate_cmd, ["mind2web", "--out", str(tmp_path / "x"), "--layout", "hf"])
    assert res.exit_code != 0 and "mind2web: no hub parquet layout" in str(res.exception)
    assert not (tmp_path / "x").exists()


def test_every_layout_names_a_registered_benchmark():
    from magma_bench.registry import benchmark_entries

    assert set(LAYOUTS) <= set(benchmark_entries())
    assert layout_for("visualwebbench_all").repo == "visualwebbench/VisualWebBench"
    with pytest.raises(Exception, match="no hub parquet layout"):
        layout_for("screenspot_pro")
