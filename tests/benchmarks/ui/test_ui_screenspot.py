"""ScreenSpot v1/v2/Pro: official-format fixtures, generated suites through the runner (oracle
exactly 100, random near chance, with and without SoM marks), determinism per seed."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from ui_testutil import needs_browser

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import offline_dir, run


def _run(name, adapter, root, n, **bargs):
    return run(RunConfig(benchmark=name, adapter=adapter, out=root / "runs", n=n, benchmark_args=bargs))


def _chance(bench, data_dir, group):
    """Expected headline of a uniform guesser and its standard deviation, per the headline's
    convention (mean of per-group means): a random point hits with probability area / screen, a
    random mark hits when the mark's centre is inside the target."""
    by: dict[str, list[float]] = {}
    for s in bench.load(data_dir, "test"):
        x1, y1, x2, y2 = s.target
        if "marks" in s.inputs:
            m = s.inputs["marks"]
            p = sum(x1 <= (a + c) / 2 <= x2 and y1 <= (b + d) / 2 <= y2 for a, b, c, d in m) / len(m)
        else:
            w, h = s.inputs["size"]
            p = (x2 - x1) * (y2 - y1) / (w * h)
        by.setdefault(group(s), []).append(p)
    k = len(by)
    mean = 100 * float(np.mean([np.mean(v) for v in by.values()]))
    var = sum(sum(p * (1 - p) for p in v) / len(v) ** 2 for v in by.values()) / k**2
    return mean, 100 * math.sqrt(var)




@pytest.mark.browser
@needs_browser
@pytest.mark.parametrize("som", [False, True])
def test_screenspot_oracle_and_random(data_root, som):
    oracle = _run("screenspot", "oracle", data_root, 12, som=som)
    assert oracle["headline"] == 100.0 and oracle["errors"] == 0
    assert {k for k in oracle["metrics"] if k.startswith("cell/")} == {
        f"cell/{p}/{t}" for p in ("mobile", "desktop", "web") for t in ("text", "icon")}
    rnd = _run("screenspot", "random", data_root, 12, som=som)
    bench = make_benchmark("screenspot", som=som)
    mean, sd = _chance(bench, Path(oracle["data_dir"]), lambda s: s.meta["cell"])
    assert abs(rnd["headline"] - mean) <= 4 * sd + 1.0, (rnd["headline"], mean, sd)
    assert rnd["headline"] < 50
    marker = json.loads((Path(oracle["data_dir"]) / "MAGMA_BENCH_GENERATED.json").read_text())
    assert marker["blocked_requests"] == 0


@pytest.mark.browser
@needs_browser
def test_screenspot_v2_files_and_heuristic(data_root):
    s = _run("screenspot_v2", "oracle", data_root, 6, som=True)
    d = Path(s["data_dir"])
    assert s["headline"] == 100.0
    assert {p.name for p in d.glob("screenspot_*_v2.json")} == {f"screenspot_{p}_v2.json" for p in ("mobile", "desktop", "web")}
    assert any((d / "screenspotv2_image").iterdir())
    h = _run("screenspot_v2", "heuristic", data_root, 6, som=True)  # "largest mark": valid, not the oracle
    assert h["errors"] == 0 and h["headline"] < 100.0


@pytest.mark.browser
@needs_browser
def test_screenspot_pro_oracle_and_random(data_root):
    oracle = _run("screenspot_pro", "oracle", data_root, 6)
    assert oracle["headline"] == 100.0
    assert oracle["metrics"]["text_acc"] == 100.0 and oracle["metrics"]["icon_acc"] == 100.0
    d = Path(oracle["data_dir"])
    row = json.loads(next((d / "annotations").glob("*.json")).read_text())[0]
    assert row["img_size"] == [2560, 1440] and row["bbox"][2] > row["bbox"][0]
    rnd = _run("screenspot_pro", "random", data_root, 6)
    mean, sd = _chance(make_benchmark("screenspot_pro"), d, lambda s: "all")
    assert abs(rnd["headline"] - mean) <= 4 * sd + 1.0


@pytest.mark.slow  # two browser launches; per-page pixel determinism is tested by default in test_ui_pages
@pytest.mark.browser
@needs_browser
def test_generation_is_deterministic_per_seed(tmp_path):
    bench = make_benchmark("screenspot", platform="mobile")
    a, b = bench.generate(tmp_path / "a", 4, seed=3), bench.generate(tmp_path / "b", 4, seed=3)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for f in files:
        assert (a / f).read_bytes() == (b / f).read_bytes(), f


def test_offline_dir_is_per_benchmark(tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path))
    assert offline_dir(make_benchmark("screenspot_v2"), 6, 0) != offline_dir(make_benchmark("screenspot"), 6, 0)


# -- official-format fixtures (hand-written in the published schema) ---------------------------------
def _png(path: Path, size=(200, 100)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)


def test_screenspot_official_json_fixture(tmp_path):
    _png(tmp_path / "screenspot_imgs" / "web_1.png")
    rows = [{"img_filename": "web_1.png", "bbox": [20, 10, 40, 20], "instruction": "search",
             "data_type": "icon", "data_source": "shop"},
            {"img_filename": "web_1.png", "bbox": [100, 50, 60, 30], "instruction": "view cart",
             "data_type": "text", "data_source": "shop"}]
    (tmp_path / "screenspot_web.json").write_text(json.dumps(rows))
    bench = make_benchmark("screenspot")
    samples = bench.load(tmp_path, "test")
    assert [s.id for s in samples] == ["web-0", "web-1"]
    assert samples[0].target == [20.0, 10.0, 60.0, 30.0] and samples[0].inputs["size"] == [200, 100]
    assert samples[1].meta["cell"] == "web/text"
    # (0.2, 0.2) of 200x100 = (40, 20): inside [20, 10, 60, 30]; pixel answers work too
    assert bench.score(samples[0], bench.parse("Coordinate: (0.2, 0.2)"))["accuracy"] == 1.0
    assert bench.score(samples[0], bench.parse("(61, 20)"))["accuracy"] == 0.0
    assert bench.score(samples[1], bench.parse("[100, 50, 160, 80]"))["accuracy"] == 1.0
    assert bench.score(samples[1], None) == {"accuracy": 0.0, "wrong_format": 1.0}
    with pytest.raises(UserError, match="som_boxes"):
        make_benchmark("screenspot", som=True).load(tmp_path, "test")
    (tmp_path / "dets.json").write_text(json.dumps({"web_1.png": [[0, 0, 10, 10], [20, 10, 60, 30]]}))
    som = make_benchmark("screenspot", som=True, som_boxes=str(tmp_path / "dets.json"))
    s0 = som.load(tmp_path, "test")[0]
    req = som.request(s0)
    assert req.reference.endswith("Mark: 2") and Path(req.images[0]).exists()
    assert som.score(s0, som.parse("Mark: 2"))["accuracy"] == 1.0


def test_screenspot_bad_record_names_file_and_record(tmp_path):
    (tmp_path / "screenspot_mobile.json").write_text(json.dumps([{"img_filename": "a.png", "bbox": [1, 2, 3],
                                                                   "instruction": "x", "data_type": "text"}]))
    with pytest.raises(UserError, match=r"screenspot_mobile\.json: record 0: bbox"):
        make_benchmark("screenspot").load(tmp_path, "test")


def test_screenspot_pro_official_fixture(tmp_path):
    _png(tmp_path / "images" / "vscode_macos" / "s1.png", (400, 300))
    rows = [{"img_filename": "vscode_macos/s1.png", "bbox": [100, 100, 140, 120], "instruction": "run the code",
             "instruction_cn": "运行代码", "id": "vscode_macos_0", "application": "vscode", "platform": "macos",
             "img_size": [400, 300], "ui_type": "icon", "group": "Dev"}]
    (tmp_path / "annotations").mkdir()
    (tmp_path / "annotations" / "vscode_macos.json").write_text(json.dumps(rows, ensure_ascii=False))
    bench = make_benchmark("screenspot_pro")
    [s] = bench.load(tmp_path, "test")
    assert s.id == "vscode_macos_0" and s.target == [100.0, 100.0, 140.0, 120.0]
    assert bench.score(s, bench.parse("(0.3, 0.36)"))["accuracy"] == 1.0  # (120, 108)
    rec = {"scores": {"accuracy": 1.0}, "meta": s.meta}
    agg = bench.aggregate([rec, {"scores": {"accuracy": 0.0}, "meta": {**s.meta, "ui_type": "text"}}])
    assert agg.headline == 50.0 and agg.metrics["icon_acc"] == 100.0 and agg.metrics["group/Dev/text"] == 0.0
    assert make_benchmark("screenspot_pro", language="cn").load(tmp_path, "test")[0].inputs["instruction"] == "运行代码"


def test_screenspot_hub_parquet_fixture(tmp_path):
    """The rootsautomation/ScreenSpot hub layout: bbox normalised [x1, y1, x2, y2], platform from data_source."""
    import io

    import datasets

    buf = io.BytesIO()
    Image.new("RGB", (200, 100), "white").save(buf, format="PNG")
    img = {"bytes": buf.getvalue(), "path": None}
    rows = [{"file_name": "a.png", "bbox": [0.1, 0.2, 0.3, 0.4], "instruction": "home", "data_type": "icon",
             "data_source": "android", "image": img},
            {"file_name": "b.png", "bbox": [0.5, 0.5, 0.9, 0.9], "instruction": "Save", "data_type": "text",
             "data_source": "windows", "image": img}]
    (tmp_path / "data").mkdir()
    datasets.Dataset.from_list(rows).cast_column("image", datasets.Image()).to_parquet(
        str(tmp_path / "data" / "test-00000-of-00001.parquet"))
    samples = make_benchmark("screenspot").load(tmp_path, "test")
    assert [(s.id, s.meta["cell"]) for s in samples] == [("mobile-0", "mobile/icon"), ("desktop-1", "desktop/text")]
    assert samples[0].target == pytest.approx([20.0, 20.0, 60.0, 40.0]) and samples[0].inputs["size"] == [200, 100]
    assert Path(samples[0].inputs["image"]).exists()
    assert [s.id for s in make_benchmark("screenspot", platform="desktop").load(tmp_path, "test")] == ["desktop-1"]
