"""VSR, BLINK and SpatialEval read from the releases as users unpack them, under a parent folder:
the oracle scores 100, and predictions keyed by the release's own ids score exactly as the same
predictions keyed by harness ids.

Layouts (file and folder names, keys and id fields as published):
- VSR: a clone of cambridgeltl/visual-spatial-reasoning (`data/splits/{zeroshot,random}/*.jsonl`,
  `data/images/`), the hub copy cambridgeltl/vsr_zeroshot (`test.jsonl` + `trainval2017/`) and its
  parquet conversion (`default/test/0000.parquet`). The three VSR records are the first lines of
  the repo's `data/splits/zeroshot/test.jsonl` (Apache-2.0 code, CC-BY-4.0 data); images are
  blank stand-ins with the COCO names.
- BLINK: the BLINK-Benchmark/BLINK snapshot (`<Sub_Task>/val-00000-of-00001.parquet`, written with
  `datasets` so image columns are real Image features) and its parquet conversion
  (`<Sub_Task>/val/0000.parquet`). Rows are made up in the published schema.
- SpatialEval: the MilaWang/SpatialEval snapshot, `tqa/`, `vqa/`, `vtqa/` with sharded
  `test-0000k-of-0000n.parquet`. Rows are made up in the published schema.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run, score_predictions

datasets = pytest.importorskip("datasets")
PIL = pytest.importorskip("PIL.Image")

VSR_RECORDS = [  # visual-spatial-reasoning data/splits/zeroshot/test.jsonl, lines 1-3
    {"image": "000000017697.jpg", "image_link": "http://images.cocodataset.org/train2017/000000017697.jpg",
     "caption": "The car is behind the suitcase.", "label": 1, "relation": "behind", "subj": "car", "obj": "suitcase",
     "annotator_id": 2, "vote_true_validator_id": "[18, 2]", "vote_false_validator_id": "[1]"},
    {"image": "000000199940.jpg", "image_link": "http://images.cocodataset.org/train2017/000000199940.jpg",
     "caption": "The cat is under the backpack.", "label": 0, "relation": "under", "subj": "cat", "obj": "backpack",
     "annotator_id": 1, "vote_true_validator_id": "[]", "vote_false_validator_id": "[2, 51, 26]"},
    {"image": "000000470862.jpg", "image_link": "http://images.cocodataset.org/train2017/000000470862.jpg",
     "caption": "The handbag is right of the cat.", "label": 0, "relation": "right of", "subj": "andbag",
     "obj": "cat", "annotator_id": 29, "vote_true_validator_id": "[2]", "vote_false_validator_id": "[53, 19]"},
]


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_CACHE", str(tmp_path / "cache"))


def _png(color=(200, 40, 40)) -> bytes:
    buf = io.BytesIO()
    PIL.new("RGB", (8, 8), color).save(buf, format="PNG")
    return buf.getvalue()


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _images(folder: Path, rows: list[dict]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for r in rows:
        PIL.new("RGB", (8, 8)).save(folder / r["image"], format="JPEG")


def oracle_and_ids(name: str, data: Path, out: Path, preds_by_official: dict[str, str] | None = None,
                   split: str | None = None, **args) -> tuple[dict, dict]:
    """The oracle's run summary on `data`, and the score of the oracle's own replies keyed by
    official ids, checked equal to the same replies keyed by harness ids."""
    summary = run(RunConfig(benchmark=name, adapter="oracle", data_dir=data, out=out, split=split,
                            benchmark_args=args))
    assert summary["errors"] == 0 and summary["headline"] == 100.0, summary
    bench = make_benchmark(name, **args)
    samples = bench.load(data, bench.check_split(split))
    replies = {s.id: bench.request(s).reference for s in samples}
    by_official = preds_by_official or {s.official_id: replies[s.id] for s in samples}
    by_id = {s.id: by_official[s.official_id] for s in samples}
    a = score_predictions(bench, samples, by_official)
    b = score_predictions(bench, samples, by_id)
    same = all(s.official_id == s.id for s in samples)  # then either keying reads as harness ids
    assert a["matched_by"] == ("id" if same else "official_id") and b["matched_by"] == "id"
    assert (a["headline"], a["metrics"], a["missing_ids"]) == (b["headline"], b["metrics"], b["missing_ids"])
    return summary, a


# -- VSR ----------------------------------------------------------------------------------------
def test_vsr_repo_clone_under_a_parent_folder(tmp_path):
    repo = tmp_path / "data" / "visual-spatial-reasoning"
    _jsonl(repo / "data" / "splits" / "zeroshot" / "test.jsonl", VSR_RECORDS)
    _jsonl(repo / "data" / "splits" / "random" / "test.jsonl", VSR_RECORDS[:1])  # never read
    _images(repo / "data" / "images", VSR_RECORDS)
    samples = make_benchmark("vsr").load(tmp_path / "data", "test")
    assert [s.official_id for s in samples] == ["0", "1", "2"]
    assert samples[2].inputs["image"] == str(repo / "data" / "images" / "000000470862.jpg")
    # the official preds.txt holds one 0/1 per line: keyed by line position, those score as labels
    _, scored = oracle_and_ids("vsr", tmp_path / "data", tmp_path / "runs", {"0": "1", "1": "0", "2": "1"})
    assert scored["headline"] == pytest.approx(200 / 3)


def test_vsr_hub_copy_and_parquet_conversion(tmp_path):
    hub = tmp_path / "hub" / "vsr_zeroshot"
    _jsonl(hub / "test.jsonl", VSR_RECORDS)
    _images(tmp_path / "hub" / "coco" / "trainval2017", VSR_RECORDS)
    oracle_and_ids("vsr", tmp_path / "hub", tmp_path / "runs")

    conv = tmp_path / "conv"
    (conv / "default" / "test").mkdir(parents=True)
    datasets.Dataset.from_list(VSR_RECORDS).to_parquet(str(conv / "default" / "test" / "0000.parquet"))
    _images(conv / "images", VSR_RECORDS)
    samples = make_benchmark("vsr").load(conv, "test")
    assert [s.target for s in samples] == ["true", "false", "false"]
    oracle_and_ids("vsr", conv, tmp_path / "runs2")


def test_vsr_says_what_it_looked_for(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(UserError, match=r"splits/zeroshot/test\.jsonl"):
        make_benchmark("vsr").load(tmp_path / "empty", "test")
    _jsonl(tmp_path / "noimg" / "test.jsonl", VSR_RECORDS)
    with pytest.raises(UserError, match=r"none of the 3 VSR images found .*trainval2017/"):
        make_benchmark("vsr").load(tmp_path / "noimg", "test")
    _jsonl(tmp_path / "two" / "a" / "zeroshot" / "test.jsonl", VSR_RECORDS)
    _jsonl(tmp_path / "two" / "b" / "zeroshot" / "test.jsonl", VSR_RECORDS)
    with pytest.raises(UserError, match="several VSR test files"):
        make_benchmark("vsr").load(tmp_path / "two", "test")


# -- BLINK --------------------------------------------------------------------------------------
def _blink_rows(task: str, n: int) -> list[dict]:
    rows = []
    for i in range(n):
        choices = ["the first image", "the second image"] if i % 2 == 0 else ["A", "B", "C", "D"]
        q = "Which image shares the same style as the reference image?"
        rows.append({
            "idx": f"val_{task}_{i + 1}", "question": q, "sub_task": task,
            "image_1": {"bytes": _png(), "path": None}, "image_2": {"bytes": _png((0, 90, 0)), "path": None},
            "image_3": None, "image_4": None, "choices": choices, "answer": f"({'AB'[i % 2]})",
            "prompt": q + "\nSelect from the following choices.\n"
                      + "\n".join(f"({chr(65 + j)}) {c}" for j, c in enumerate(choices)),
            "explanation": ""})
    return rows


def _blink_parquet(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    ds = datasets.Dataset.from_list(rows)
    for k in ("image_1", "image_2", "image_3", "image_4"):
        ds = ds.cast_column(k, datasets.Image())
    ds.to_parquet(str(path))


def test_blink_hub_snapshot_and_conversion(tmp_path):
    snap = tmp_path / "hf" / "BLINK"
    _blink_parquet(snap / "Art_Style" / "val-00000-of-00001.parquet", _blink_rows("Art_Style", 3))
    _blink_parquet(snap / "Art_Style" / "test-00000-of-00001.parquet",  # hidden answers: never read for val
                   [{**r, "idx": r["idx"].replace("val", "test"), "answer": "hidden"} for r in _blink_rows("Art_Style", 1)])
    _blink_parquet(snap / "Counting" / "val" / "0000.parquet", _blink_rows("Counting", 2))
    samples = make_benchmark("blink").load(tmp_path / "hf", "val")
    assert [s.official_id for s in samples] == ["val_Art_Style_1", "val_Art_Style_2", "val_Art_Style_3",
                                                "val_Counting_1", "val_Counting_2"]
    assert all(str(tmp_path / "cache") in p for s in samples for p in s.inputs["images"])
    # evaluate.py's final prediction file: {idx: "(A)"}; Art_Style 2/3 right, Counting 2/2 right
    preds = {"val_Art_Style_1": "(A)", "val_Art_Style_2": "(A)", "val_Art_Style_3": "(A)",
             "val_Counting_1": "(A)", "val_Counting_2": "(B)"}
    _, scored = oracle_and_ids("blink", tmp_path / "hf", tmp_path / "runs", preds)
    assert scored["headline"] == pytest.approx((200 / 3 + 100) / 2)  # evaluate.py: mean over sub-tasks


@pytest.mark.parametrize(("reply", "letter"), [
    ("(A) or (B)", "A"), ("B, or maybe A", "B"), ("A and B are both plausible", "A"),
    ("The answer is B", "T"),  # a word first: its initial, as lmms-eval's _extract_answer_letter reads it
])
def test_blink_reply_naming_several_options(reply, letter):
    assert make_benchmark("blink").parse(reply) == letter


def test_blink_says_what_it_looked_for(tmp_path):
    with pytest.raises(UserError, match=r"<Sub_Task>/val-\*\.parquet"):
        make_benchmark("blink").load(tmp_path, "val")


# -- SpatialEval --------------------------------------------------------------------------------
def _spatialeval_rows(mode: str) -> list[dict]:
    rows = []
    for i, (task, qid, answer, option) in enumerate([("spatialmap", 0, "Northeast", "B"),
                                                     ("mazenav", 2, "No", "B"), ("spatialgrid", 1, "cat", "C")]):
        opts = {"spatialmap": ["Southwest", "Northeast", "Northwest", "Southeast"], "mazenav": ["Yes", "No"],
                "spatialgrid": ["dog", "rabbit", "cat", "elephant"]}[task]
        text = (f"Question {i}. Available options: "
                + " ".join(f"{chr(65 + j)}. {o}." for j, o in enumerate(opts)))
        row = {"id": f"{task}.{mode}.{i}.{qid}", "text": text}
        if mode != "tqa":
            row["image"] = {"bytes": _png(), "path": f"{task}.{mode}.{i}.{qid}.png"}
        rows.append({**row, "oracle_answer": answer, "oracle_option": option,
                     "oracle_full_answer": f"The answer is {answer}."})
    rows.append({**rows[0], "id": f"spatialreal.{mode}.9.0"})  # Spatial-Real rows are skipped
    return rows


def test_spatialeval_sharded_snapshot(tmp_path):
    snap = tmp_path / "hub" / "SpatialEval"
    for mode in ("tqa", "vqa", "vtqa"):
        rows = _spatialeval_rows(mode)
        ds = datasets.Dataset.from_list(rows)
        if mode != "tqa":
            ds = ds.cast_column("image", datasets.Image())
        (snap / mode).mkdir(parents=True)
        ds.select(range(2)).to_parquet(str(snap / mode / "test-00000-of-00002.parquet"))
        ds.select(range(2, len(rows))).to_parquet(str(snap / mode / "test-00001-of-00002.parquet"))
    for mode in ("tqa", "vqa", "vtqa"):
        samples = make_benchmark("spatialeval", mode=mode).load(tmp_path / "hub", "test")
        assert [s.official_id for s in samples] == [f"spatialmap.{mode}.0.0", f"mazenav.{mode}.1.2",
                                                    f"spatialgrid.{mode}.2.1"]
        oracle_and_ids("spatialeval", tmp_path / "hub", tmp_path / f"runs_{mode}", mode=mode)
    # the official outputs hold free text per id; evaluation.py's extraction reads it
    preds = {"spatialmap.vqa.0.0": "It is to the northeast.", "mazenav.vqa.1.2": "Yes, it is.",
             "spatialgrid.vqa.2.1": "A cat."}
    _, scored = oracle_and_ids("spatialeval", tmp_path / "hub", tmp_path / "runs_free", preds, mode="vqa")
    assert scored["headline"] == pytest.approx(200 / 3)


@pytest.mark.parametrize(("task", "qid", "reply", "answer", "option", "ok"), [
    ("spatialmap", 0, "B. Northeast, or C. Northwest", "Northeast", "B", True),  # the leading option letter
    ("spatialmap", 0, "Northwest or northeast", "Northeast", "B", False),  # the first direction named
    ("mazenav", 2, "Yes or no, hard to say", "No", "B", False),  # yes patterns are tried first
    ("spatialgrid", 1, "a cat, or perhaps a dog", "cat", "C", True),  # the first animal named
])
def test_spatialeval_reply_naming_several_options(task, qid, reply, answer, option, ok):
    from magma_bench.benchmarks.spatial._spatialeval_extract import is_correct

    assert is_correct(task, qid, reply, answer, option) is ok


def test_spatialeval_says_what_it_looked_for(tmp_path):
    shutil.rmtree(tmp_path, ignore_errors=True)
    tmp_path.mkdir()
    with pytest.raises(UserError, match=r"vtqa/test-\*\.parquet"):
        make_benchmark("spatialeval", mode="vtqa").load(tmp_path, "test")
