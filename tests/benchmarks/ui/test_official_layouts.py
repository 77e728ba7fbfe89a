"""UI benchmarks read their releases as users unpack them, and score predictions keyed by official ids.

Each fixture is hand-written in the published layout (file and folder names, keys, id fields as
the releases and their official scripts have them; record values are made up): SeeClick's
ScreenSpot download (`ScreenSpot/` + `screenspot_imgs/`), the rootsautomation/ScreenSpot hub
parquet, OS-Atlas's ScreenSpot-v2 files, likaixin/ScreenSpot-Pro (`annotations/` + `images/`), the
visualwebbench/VisualWebBench hub snapshot (one parquet folder per task), SeeClick's Mind2Web
(`data/mind2web_data_test_*.json` + `mind2web_imgs/`) and AITW (`aitw_data_test.json` +
`aitw_imgs/`) — each nested below --data-dir, as a download folder usually is. For each: the oracle
scores exactly 100 through the runner, and one predictions file (some answers right, some wrong)
scores the same keyed by official ids as keyed by harness ids.
"""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run, score_predictions


def _png(path: Path, size: tuple[int, int] = (200, 400)) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, "white").save(path)


def _write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, ensure_ascii=False))


def _tree(root: Path, skip: Path) -> list[tuple[str, int]]:
    return sorted((str(p), p.stat().st_mtime_ns) for p in root.rglob("*") if not p.is_relative_to(skip))


def _oracle(name: str, data_dir: Path, out: Path, split: str | None = None, **bargs: Any) -> dict:
    """The oracle scores exactly 100, and nothing under data_dir is written or touched (the run
    store `out` aside, when a test puts it there)."""
    before = _tree(data_dir, out)
    s = run(RunConfig(benchmark=name, adapter="oracle", data_dir=data_dir, split=split, out=out, benchmark_args=bargs))
    assert s["errors"] == 0 and s["headline"] == 100.0, s
    assert _tree(data_dir, out) == before
    return s


def _same_by_either_id(name: str, data_dir: Path, split: str | None = None, **bargs: Any) -> dict:
    """Every other sample answered by the oracle's reference, the rest with a wrong answer; the
    file keyed by official ids must score exactly as keyed by harness ids, and not 0 or 100."""
    bench = make_benchmark(name, **bargs)
    samples = bench.load(data_dir, bench.check_split(split))
    wrong = {"mind2web": '{"action_type": 3, "click_point": [0.99, 0.99], "value": "zzz"}',
             "aitw": '{"action_type": 6}'}.get(name, "Z" if "visualwebbench" in name else "(0.999, 0.999)")
    answers = [bench.request(s).reference if k % 2 == 0 else wrong for k, s in enumerate(samples)]
    assert all(s.official_id is not None for s in samples)
    by_id = score_predictions(bench, samples, {s.id: a for s, a in zip(samples, answers, strict=True)})
    by_off = score_predictions(bench, samples, {s.official_id: a for s, a in zip(samples, answers, strict=True)})
    same = all(s.id == s.official_id for s in samples)  # ScreenSpot-Pro: its ids are the harness's
    assert (by_id["matched_by"], by_off["matched_by"]) == ("id", "id" if same else "official_id")
    assert by_off["missing_ids"] == by_off["unknown_ids"] == 0
    assert 0 < by_off["headline"] < 100 and by_off["headline"] == by_id["headline"]
    assert by_off["metrics"] == by_id["metrics"]
    return by_off


# -- ScreenSpot v1 (SeeClick's download) and v2 (OS-Atlas) ------------------------------------------
def _screenspot(root: Path, names: tuple[str, str], suffix: str) -> None:
    """Two records per platform file (a text and an icon target), images in the release's folder."""
    json_dir, img_dir = root / names[0], root / names[1]
    sources = {"mobile": ("android", "ios"), "desktop": ("windows", "macos"), "web": ("shop", "forum")}
    for p, (s1, s2) in sources.items():
        rows = []
        for k, (dtype, src) in enumerate((("text", s1), ("icon", s2))):
            img = f"{p}_6aa0e7dc-66cc-494b-aa49-71eed77fca{k:02d}.png"
            _png(img_dir / img)
            rows.append({"img_filename": img, "bbox": [20 + 40 * k, 30, 60, 40], "instruction": f"open {p} item {k}",
                         "data_type": dtype, "data_source": src})
        _write(json_dir / f"screenspot_{p}{suffix}.json", rows)


def test_screenspot_seeclick_download(tmp_path):
    data = tmp_path / "datasets"
    _screenspot(data / "seeclick", ("ScreenSpot", "screenspot_imgs"), "")
    _oracle("screenspot", data, tmp_path / "runs")
    [s] = [s for s in make_benchmark("screenspot").load(data, "test") if s.id == "web-1"]
    assert s.official_id == "1" and Path(s.inputs["image"]).parent.name == "screenspot_imgs"
    r = _same_by_either_id("screenspot", data, platform="mobile")
    assert r["n"] == 2 and r["headline"] == 50.0  # cells mobile/text 100, mobile/icon 0
    # positions restart per file: all three platforms at once are ambiguous, and say what to do
    bench = make_benchmark("screenspot")
    samples = bench.load(data, "test")
    with pytest.raises(UserError, match="--bench-arg"):
        score_predictions(bench, samples, {"0": "(0.5, 0.5)", "1": "(0.5, 0.5)"})


def test_screenspot_v2_osatlas_files(tmp_path):
    data = tmp_path / "hf"
    _screenspot(data / "ScreenSpot-v2", ("", "screenspotv2_image"), "_v2")
    _oracle("screenspot_v2", data, tmp_path / "runs")
    _same_by_either_id("screenspot_v2", data, platform="web")
    with pytest.raises(UserError, match=r"screenspot_mobile_v2\.json.*at any depth"):
        make_benchmark("screenspot_v2").load(tmp_path / "runs", "test")


def test_screenspot_hub_parquet(tmp_path):
    """rootsautomation/ScreenSpot: data/test-*.parquet; official id = the row's position (lmms-eval doc_id)."""
    import datasets

    buf = io.BytesIO()
    Image.new("RGB", (200, 400), "white").save(buf, format="PNG")
    rows = [{"file_name": f"{src}_{k}.png", "bbox": [0.1, 0.1 + 0.1 * k, 0.4, 0.15 + 0.1 * k], "instruction": f"tap {k}",
             "data_type": ("text", "icon")[k % 2], "data_source": src, "image": {"bytes": buf.getvalue(), "path": None}}
            for k, src in enumerate(("ios", "android", "macos", "windows", "gitlab", "tool"))]
    feats = datasets.Features({"file_name": datasets.Value("string"), "bbox": datasets.Sequence(datasets.Value("float64")),
                               "instruction": datasets.Value("string"), "data_type": datasets.Value("string"),
                               "data_source": datasets.Value("string"), "image": datasets.Image()})
    data = tmp_path / "downloads"  # not tmp_path: the test's cache root is tmp_path/cache
    (data / "ScreenSpot" / "data").mkdir(parents=True)
    datasets.Dataset.from_list(rows, features=feats).to_parquet(str(data / "ScreenSpot/data/test-00000-of-00001.parquet"))
    _oracle("screenspot", data, tmp_path / "runs")
    samples = make_benchmark("screenspot").load(data, "test")
    assert [s.official_id for s in samples] == [str(k) for k in range(6)]
    _same_by_either_id("screenspot", data)  # row positions are unique over all platforms


# -- ScreenSpot-Pro --------------------------------------------------------------------------------
def test_screenspot_pro_release(tmp_path):
    root = tmp_path / "data" / "ScreenSpot-Pro"
    for app, plat, group in (("vscode", "macos", "Dev"), ("photoshop", "windows", "Creative")):
        rows = []
        for k, ui in enumerate(("text", "icon")):
            img = f"{app}_{plat}/screenshot_2024-11-0{k + 1}.png"
            _png(root / "images" / img, (640, 360))
            rows.append({"img_filename": img, "bbox": [100 + 200 * k, 100, 160 + 200 * k, 130], "instruction": f"use {ui}",
                         "instruction_cn": "点击", "id": f"{app}_{plat}_{k}", "application": app, "platform": plat,
                         "img_size": [640, 360], "ui_type": ui, "group": group})
        _write(root / "annotations" / f"{app}_{plat}.json", rows)
    _oracle("screenspot_pro", tmp_path, tmp_path / "runs")
    r = _same_by_either_id("screenspot_pro", tmp_path)
    assert r["metrics"]["text_acc"] == 100.0 and r["metrics"]["icon_acc"] == 0.0
    assert {s.official_id for s in make_benchmark("screenspot_pro").load(tmp_path, "test")} == {
        "vscode_macos_0", "vscode_macos_1", "photoshop_windows_0", "photoshop_windows_1"}


# -- VisualWebBench --------------------------------------------------------------------------------
def _vwb_snapshot(root: Path, converted: bool = False) -> None:
    """Two rows per task folder, columns and types of the hub's dataset_info; `converted`: the hub's
    refs/convert/parquet layout (<task>/test/0000.parquet) instead of <task>/test-00000-of-00001.parquet."""
    import datasets

    buf = io.BytesIO()
    Image.new("RGB", (128, 96), "white").save(buf, format="PNG")
    img = {"bytes": buf.getvalue(), "path": None}
    V, S = datasets.Value, datasets.Sequence
    boxes = [[0.1 * j, 0.1, 0.1 * j + 0.05, 0.2] for j in range(8)]
    common = {"id": V("string"), "task_type": V("string"), "website": V("string"), "image": datasets.Image(),
              "image_size": S(V("int64"))}
    per_task = {
        "web_caption": ({"answer": V("string")}, lambda k: {"answer": f"Site {k} sells books and music."}),
        "heading_ocr": ({"answer": V("string")}, lambda k: {"answer": f"Welcome to shop {k}"}),
        "webqa": ({"question": V("string"), "answer": S(V("string"))},
                  lambda k: {"question": f"What is the price of item {k}?", "answer": [f"${k}9.99", f"{k}9.99 dollars"]}),
        "element_ocr": ({"bbox": S(V("float64")), "elem_desc": V("string"), "answer": V("string")},
                        lambda k: {"bbox": [0.1, 0.1, 0.3, 0.2], "elem_desc": "a link", "answer": f"Read chapter {k}"}),
        "action_prediction": ({"options": S(V("string")), "bbox": S(V("float64")), "elem_desc": V("string"),
                               "answer": V("int64")},
                              lambda k: {"options": [f"Page {j}" for j in range(8)], "bbox": [0.1, 0.1, 0.3, 0.2],
                                         "elem_desc": "a tab", "answer": k + 2}),
        "element_ground": ({"raw_image": datasets.Image(), "options": S(S(V("float64"))), "elem_desc": V("string"),
                            "answer": V("int64")},
                           lambda k: {"raw_image": img, "options": boxes, "elem_desc": f"the cart icon {k}", "answer": k + 1}),
        "action_ground": ({"raw_image": datasets.Image(), "options": S(S(V("float64"))), "instruction": V("string"),
                           "answer": V("int64")},
                          lambda k: {"raw_image": img, "options": boxes, "instruction": f"open the menu {k}", "answer": 7 - k}),
    }
    for task, (feats, extra) in per_task.items():
        rows = [{"id": str(k), "task_type": task, "website": "example.com", "image": img, "image_size": [128, 96], **extra(k)}
                for k in range(2)]
        path = root / task / ("test/0000.parquet" if converted else "test-00000-of-00001.parquet")
        path.parent.mkdir(parents=True)
        datasets.Dataset.from_list(rows, features=datasets.Features({**common, **feats})).to_parquet(str(path))


def test_visualwebbench_hub_snapshot(tmp_path):
    hub = tmp_path / "hub"  # the hub cache's layout; not tmp_path itself, which holds the test's cache root
    _vwb_snapshot(hub / "datasets--visualwebbench--VisualWebBench" / "snapshots" / "9dace8a")
    _oracle("visualwebbench", hub, tmp_path / "runs")
    _oracle("visualwebbench_all", hub, tmp_path / "runs")
    _same_by_either_id("visualwebbench", hub, task="element_ground")
    _same_by_either_id("visualwebbench", hub, task="webqa")
    # ids restart per task here; the default (both grounding tasks) then needs one task selected
    bench = make_benchmark("visualwebbench")
    with pytest.raises(UserError, match="--bench-arg"):
        score_predictions(bench, bench.load(hub, "test"), {"0": "A", "1": "B"})


def test_visualwebbench_converted_parquet_and_missing_task(tmp_path):
    data = tmp_path / "downloads"
    _vwb_snapshot(data / "VisualWebBench", converted=True)
    _oracle("visualwebbench", data, tmp_path / "runs")
    for p in (data / "VisualWebBench" / "action_ground").rglob("*.parquet"):
        p.unlink()
    with pytest.raises(UserError, match=r"action_ground/.*at any depth"):
        make_benchmark("visualwebbench").load(data, "test")


@pytest.mark.parametrize(("reply", "letter"), [
    ("A or (C)", "C"),  # a bracketed letter beats bare ones
    ("(B) and (D)", "D"),  # several bracketed: the last one mentioned
    ("not A but B", "B"),  # several bare letters: the last one mentioned
    ("B, not A.", "A"),  # ... even when the reply rejects it (the official rule, kept as is)
    ("E. The search button", "E"),  # "X." at the start
    ("b", "B"),  # one character, upper-cased
    ("None of them", None),
])
def test_visualwebbench_choice_with_several_options(reply, letter):
    bench = make_benchmark("visualwebbench")
    assert bench.parse(reply)["choice"] == (None if letter is None else "ABCDEFGH".index(letter))


# -- Mind2Web --------------------------------------------------------------------------------------
def _mind2web(root: Path, imgs: str = "mind2web_imgs") -> None:
    """SeeClick's layout: annotations in data/, screenshots <annotation_id>-<action_uid>.jpg in imgs."""
    for s, split in enumerate(("task", "website", "domain")):
        eps = []
        for e in range(2):
            ann = f"{s}{e}c0f8e4-5b7a-4c3e-9d1e-{split:0>12}"[:36]
            steps = [("CLICK", ""), ("TYPE", "new york"), ("SELECT", "2 adults")]
            actions = []
            for j, (op, value) in enumerate(steps):
                uid = f"{s}{e}{j}d2a91-7f3c-4b8e-a6d5-0123456789ab"
                img = root / imgs / f"{ann}-{uid}.jpg"
                img.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (1280, 720), "white").save(img)
                actions.append({"action_uid": uid, "operation": {"original_op": op, "value": value, "op": op},
                                "pos_candidates": [], "bbox": {"x": 100 + 300 * j, "y": 200, "width": 120, "height": 40}})
            eps.append({"annotation_id": ann, "confirmed_task": f"Book a table ({split} {e})", "website": "opentable",
                        "domain": "Travel", "subdomain": "Restaurant", "action_reprs": [f"[a] {o}" for o, _ in steps],
                        "actions": actions})
        _write(root / "data" / f"mind2web_data_test_{split}.json", eps)


def test_mind2web_seeclick_release_all_three_splits(tmp_path):
    _mind2web(tmp_path / "SeeClick")
    for split in ("test_task", "test_website", "test_domain"):
        _oracle("mind2web", tmp_path, tmp_path / "runs", split=split)
        _same_by_either_id("mind2web", tmp_path, split=split)
    s = make_benchmark("mind2web").load(tmp_path, "test_domain")[0]
    assert s.official_id.startswith("20") and s.official_id.endswith("-0123456789ab")
    assert Path(s.inputs["image"]).parent.name == "mind2web_imgs"


def test_mind2web_images_found_where_they_are(tmp_path):
    _mind2web(tmp_path / "m2w", imgs="screens/raw_dump")  # no conventional name: found by a screenshot
    [s] = [x for x in make_benchmark("mind2web").load(tmp_path, "test_task")][:1]
    assert Path(s.inputs["image"]).is_file()
    for p in (tmp_path / "m2w" / "screens").rglob("*.jpg"):
        p.unlink()
    with pytest.raises(UserError, match=r"mind2web_data_test_task\.json: its images are not under .*mind2web_imgs"):
        make_benchmark("mind2web").load(tmp_path, "test_task")
    with pytest.raises(UserError, match=r"no mind2web_data_test_website\.json found at any depth"):
        make_benchmark("mind2web").load(tmp_path / "m2w" / "screens", "test_website")


def test_mind2web_two_copies_are_refused(tmp_path):
    _mind2web(tmp_path / "a")
    _mind2web(tmp_path / "b")
    with pytest.raises(UserError, match="2 copies of mind2web_data_test_task.json"):
        make_benchmark("mind2web").load(tmp_path, "test_task")


# -- AITW ------------------------------------------------------------------------------------------
def _step(ep: str, j: int, subset: str, kind: str) -> dict:
    row = {"ep_id": ep, "step": j, "img_filename": f"{subset}/{ep}_{j}", "goal": "open the settings app",
           "annot_position": [0.1, 0.1, 0.05, 0.3, 0.5, 0.2, 0.05, 0.4], "touch": [-1.0, -1.0], "lift": [-1.0, -1.0],
           "type_text": ""}
    if kind == "click":
        row.update(action_type_id=4, action_type_text="click", touch=[0.25, 0.12], lift=[0.25, 0.12])
    elif kind == "scroll":
        row.update(action_type_id=4, action_type_text="scroll down", touch=[0.5, 0.8], lift=[0.5, 0.2])
    elif kind == "type":
        row.update(action_type_id=3, action_type_text="type", type_text="wifi")
    else:
        row.update(action_type_id=10, action_type_text="status task complete")
    return row


def test_aitw_seeclick_release(tmp_path):
    root = tmp_path / "AITW"
    data = {}
    for subset, ep in (("general", "8473602210539587441"), ("install", "1297634004532190768")):
        data[subset] = [[_step(ep, j, subset, k) for j, k in enumerate(("click", "scroll", "type", "done"))]]
        for j in range(4):
            _png(root / "aitw_imgs" / subset / f"{ep}_{j}.png", (270, 600))
    _write(root / "aitw_data_test.json", data)
    _oracle("aitw", tmp_path, tmp_path / "runs")
    r = _same_by_either_id("aitw", tmp_path)
    assert r["metrics"]["subset/general"] == 50.0
    samples = make_benchmark("aitw").load(tmp_path, "test")
    assert samples[1].official_id == "8473602210539587441_1" and samples[1].id == "general-8473602210539587441-1"
    import shutil

    shutil.rmtree(root / "aitw_imgs")
    with pytest.raises(UserError, match=r"aitw_data_test\.json: its images are not under .*aitw_imgs or aitw_images"):
        make_benchmark("aitw").load(tmp_path, "test")
