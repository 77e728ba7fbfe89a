"""VL releases laid out exactly as users unpack them, scored by the release's own ids.

Each fixture uses the published file names, folder names, keys and id fields (read from the
official READMEs, loaders and eval scripts: GT-Vision-Lab/VQA, RUCAIBox/POPE, LLaVA's
docs/Evaluation.md, lmms-eval's task utils and upload scripts), nested under a folder of the
user's own, plus the lmms-lab hub snapshots built with `datasets`. For each: the oracle scores
full marks, nothing is written under the (read-only) data folder, and a predictions file keyed by
official ids scores exactly as the same predictions keyed by harness ids.

Record values are made up in the published shape, except where a source is named: POPE's come
from RUCAIBox/POPE `output/` (MIT licence), DocVQA's one record is the val set's first.
"""

from __future__ import annotations

import io
import json
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from magma_bench.cli.score_cmd import score_cmd
from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run, score_predictions

datasets = pytest.importorskip("datasets")


# -- helpers -------------------------------------------------------------------------------------
def _img(path: Path, shade: int = 0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 8), (shade, 40, 80)).save(path)
    return path


def _img_cell(shade: int = 0) -> dict[str, Any]:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (shade, 40, 80)).save(buf, format="PNG")
    return {"bytes": buf.getvalue(), "path": None}


def _json(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc))


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _parquet(path: Path, columns: dict[str, list], image_cols: tuple[str, ...] = ("image",)) -> None:
    """One hub shard as `datasets` writes it (image columns as the Image feature)."""
    ds = datasets.Dataset.from_dict(columns)
    for c in image_cols:
        if c in columns:
            ds = ds.cast_column(c, datasets.Image())
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.to_parquet(str(path))


def _read_only(root: Path) -> dict[str, int]:
    tree = {}
    for p in [root, *root.rglob("*")]:
        p.chmod(p.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        tree[str(p.relative_to(root))] = p.stat().st_mtime_ns
    return tree


def _oracle(tmp_path: Path, name: str, data: Path, **args: Any) -> dict[str, Any]:
    before = _read_only(data)
    s = run(RunConfig(benchmark=name, adapter="oracle", data_dir=data, out=tmp_path / "runs", benchmark_args=args))
    assert {str(p.relative_to(data)): p.stat().st_mtime_ns for p in [data, *data.rglob("*")]} == before
    assert s["errors"] == 0 and s["data"] == "official", s
    return s


def _half_right(bench: Any, samples: list) -> list[str]:
    """The oracle's answer on even samples, a wrong one on odd: a headline strictly between."""
    return [bench.request(s).reference if i % 2 == 0 else "zzzz" for i, s in enumerate(samples)]


def _same_either_way(name: str, data: Path, split: str | None = None, **args: Any) -> dict[str, Any]:
    """Score one set of predictions keyed by harness ids and by official ids: identical results."""
    bench = make_benchmark(name, **args)
    samples = bench.load(data, bench.check_split(split))
    assert all(s.official_id is not None for s in samples) and bench.official_id
    preds = _half_right(bench, samples)
    by_id = score_predictions(bench, samples, {s.id: p for s, p in zip(samples, preds, strict=True)})
    by_off = score_predictions(bench, samples, {s.official_id: p for s, p in zip(samples, preds, strict=True)})
    same = all(s.official_id == s.id for s in samples)  # e.g. VQAv2: the harness id is question_id itself
    assert (by_id["matched_by"], by_off["matched_by"]) == ("id", "id" if same else "official_id")
    assert by_off["missing_ids"] == by_off["unknown_ids"] == 0
    assert by_off["headline"] == by_id["headline"] and by_off["metrics"] == by_id["metrics"]
    return by_off


# -- VQAv2 ---------------------------------------------------------------------------------------
def _vqa_ann(qid: int, image_id: int, answer: str, atype: str) -> dict[str, Any]:
    return {"question_id": qid, "image_id": image_id, "question_type": "what is the", "answer_type": atype,
            "multiple_choice_answer": answer,
            "answers": [{"answer": answer, "answer_confidence": "yes", "answer_id": j + 1} for j in range(10)]}


VQA_QS = [(262148000, 262148, "Where is he looking?", "down", "other"),
          (262148001, 262148, "What are the people in the background doing?", "watching", "other"),
          (393225000, 393225, "Is the bowl full?", "yes", "yes/no"),
          (393225001, 393225, "How many spoons are there?", "2", "number")]


def test_vqav2_as_the_zips_extract_with_the_vqa_api_folders(tmp_path):
    """Questions/ and Annotations/ (the VQA API's README), images in Images/mscoco/val2014/."""
    root = tmp_path / "data" / "VQA"
    info = {"info": {}, "license": {}, "data_subtype": "val2014"}
    _json(root / "Questions" / "v2_OpenEnded_mscoco_val2014_questions.json",
          {**info, "task_type": "Open-Ended", "data_type": "mscoco",
           "questions": [{"image_id": im, "question": q, "question_id": qid} for qid, im, q, _, _ in VQA_QS]})
    _json(root / "Annotations" / "v2_mscoco_val2014_annotations.json",
          {**info, "annotations": [_vqa_ann(qid, im, a, t) for qid, im, _, a, t in VQA_QS]})
    for im in (262148, 393225):
        _img(root / "Images" / "mscoco" / "val2014" / f"COCO_val2014_{im:012d}.jpg")
    assert _oracle(tmp_path, "vqav2", tmp_path / "data")["headline"] == 100.0
    out = _same_either_way("vqav2", tmp_path / "data")
    assert out["headline"] == 50.0
    (s,) = [s for s in make_benchmark("vqav2").load(tmp_path / "data", "validation") if s.id == "393225001"]
    assert s.official_id == "393225001" and s.inputs["image"].endswith("mscoco/val2014/COCO_val2014_000000393225.jpg")


def test_vqav2_questions_without_annotations_name_the_missing_file(tmp_path):
    _json(tmp_path / "Questions" / "v2_OpenEnded_mscoco_val2014_questions.json", {"questions": []})
    with pytest.raises(UserError, match="v2_mscoco_val2014_annotations.json not found"):
        make_benchmark("vqav2").load(tmp_path, "validation")


def test_vqav2_hub_snapshot(tmp_path):
    """lmms-lab/VQAv2: data/{validation,testdev,test}-*.parquet; only validation has answers."""
    cols = {"question_type": [], "multiple_choice_answer": [], "answers": [], "image_id": [], "answer_type": [],
            "question_id": [], "question": [], "image": []}
    for qid, im, q, a, t in VQA_QS:
        ann = _vqa_ann(qid, im, a, t)
        for k in ("question_type", "multiple_choice_answer", "answers", "image_id", "answer_type", "question_id"):
            cols[k].append(ann[k])
        cols["question"].append(q)
        cols["image"].append(_img_cell(im % 200))
    root = tmp_path / "hub" / "lmms-lab--VQAv2"
    _parquet(root / "data" / "validation-00000-of-00001.parquet", cols)
    _parquet(root / "data" / "testdev-00000-of-00001.parquet",
             {"question_id": [1], "question": ["What?"], "image_id": [1], "image": [_img_cell()]})
    assert _oracle(tmp_path, "vqav2", tmp_path / "hub")["n"] == 4
    assert _same_either_way("vqav2", tmp_path / "hub")["headline"] == 50.0


# -- TextVQA -------------------------------------------------------------------------------------
TEXT_QS = [(34602, "003a8ae2ef43b901", "what is the brand of this camera?", "nous les gosses"),
           (34603, "003a8ae2ef43b901", "what does the small white text spell?", "copenhagen"),
           (34604, "00685bc495504d61", "what kind of beer is this?", "ale")]


def _textvqa_row(qid: int, image_id: str, q: str, a: str) -> dict[str, Any]:
    return {"question": q, "image_id": image_id, "image_classes": ["Camera"], "flickr_original_url": "",
            "flickr_300k_url": "", "image_width": 1024, "image_height": 664, "answers": [a] * 10,
            "question_tokens": q.rstrip("?").split(), "question_id": qid, "set_name": "val"}


def test_textvqa_as_released_and_as_the_hub_snapshot(tmp_path):
    """TextVQA_0.5.1_val.json + train_images/ (train_val_images.zip); lmms-lab/textvqa data/."""
    root = tmp_path / "orig" / "textvqa"
    _json(root / "TextVQA_0.5.1_val.json", {"dataset_type": "val", "dataset_name": "textvqa",
                                            "dataset_version": "0.5.1", "data": [_textvqa_row(*q) for q in TEXT_QS]})
    _json(root / "TextVQA_Rosetta_OCR_v0.2_val.json", {"data": []})  # the OCR file beside it is not questions
    for im in {q[1] for q in TEXT_QS}:
        _img(root / "train_val_images" / "train_images" / f"{im}.jpg")
    assert _oracle(tmp_path, "textvqa", tmp_path / "orig")["headline"] == 100.0
    assert _same_either_way("textvqa", tmp_path / "orig")["n"] == 3

    rows = [{**_textvqa_row(*q), "ocr_tokens": ["nous", "les", "gosses"], "image": _img_cell(i)}
            for i, q in enumerate(TEXT_QS)]
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    _parquet(tmp_path / "hub" / "data" / "validation-00000-of-00001.parquet", cols)
    _parquet(tmp_path / "hub" / "data" / "test-00000-of-00001.parquet", {**cols, "answers": [[]] * 3})
    assert _oracle(tmp_path, "textvqa", tmp_path / "hub")["headline"] == 100.0
    assert _same_either_way("textvqa", tmp_path / "hub")["headline"] == pytest.approx(200 / 3)


# -- GQA -----------------------------------------------------------------------------------------
GQA_QS = {"201307251": ("n161313", "Is it overcast?", "no", "verify"),
          "201640614": ("n161313", "Who is wearing the dress?", "woman", "query"),
          "20968379": ("n235859", "Is the man to the left or right of the car?", "left", "choose")}


def _gqa_q(image_id: str, q: str, a: str, structural: str) -> dict[str, Any]:
    return {"semantic": [], "entailed": [], "equivalent": [], "question": q, "imageId": image_id, "isBalanced": True,
            "groups": {"global": None, "local": None}, "answer": a, "semanticStr": "", "annotations": {},
            "types": {"structural": structural, "semantic": "rel", "detailed": "relS"}, "fullAnswer": a.capitalize()}


def test_gqa_as_released_and_as_the_hub_snapshot(tmp_path):
    """questions1.2.zip's testdev_balanced_questions.json + images.zip's images/; lmms-lab/GQA's
    testdev_balanced_{instructions,images}/ among the snapshot's other configs."""
    root = tmp_path / "orig" / "gqa"
    _json(root / "questions1.2" / "testdev_balanced_questions.json",
          {qid: _gqa_q(*v) for qid, v in GQA_QS.items()})
    _json(root / "questions1.2" / "testdev_all_questions.json", {"1": _gqa_q("n161313", "Extra?", "no", "verify")})
    for im in ("n161313", "n235859"):
        _img(root / "images" / f"{im}.jpg")
    assert _oracle(tmp_path, "gqa", tmp_path / "orig")["headline"] == 100.0
    assert [s.official_id for s in make_benchmark("gqa").load(tmp_path / "orig", "testdev")] == list(GQA_QS)
    assert _same_either_way("gqa", tmp_path / "orig")["headline"] == pytest.approx(200 / 3)

    hub = tmp_path / "hub" / "lmms-lab" / "GQA"
    rows = [{"id": qid, **{k: v for k, v in _gqa_q(*q).items() if k not in ("annotations", "groups")}}
            for qid, q in GQA_QS.items()]
    for r in rows:
        r["types"] = json.dumps(r["types"])
        r["semantic"] = json.dumps(r["semantic"])
    cols = {k: [r[k] for r in rows] for k in rows[0]}
    _parquet(hub / "testdev_balanced_instructions" / "testdev-00000-of-00001.parquet", cols)
    _parquet(hub / "testdev_balanced_images" / "testdev-00000-of-00001.parquet",
             {"id": ["n161313", "n235859"], "image": [_img_cell(1), _img_cell(2)]})
    _parquet(hub / "testdev_all_instructions" / "testdev-00000-of-00001.parquet", {**cols, "id": ["a", "b", "c"]})
    assert _oracle(tmp_path, "gqa", tmp_path / "hub")["n"] == 3
    assert _same_either_way("gqa", tmp_path / "hub")["headline"] == pytest.approx(200 / 3)


# -- DocVQA --------------------------------------------------------------------------------------
DOC_FIRST = {"questionId": 49153, "question": "What is the \u2018actual\u2019 value per 1000, during the year 1975?",
             "question_types": ["figure/diagram"], "image": "documents/pybv0228_81.png", "docId": 14465,
             "ucsf_document_id": "pybv0228", "ucsf_document_page_no": "81", "answers": ["0.28"], "data_split": "val"}
DOC_SECOND = {**DOC_FIRST, "questionId": 24580, "question": "What is the name of the company?",
              "question_types": ["layout"], "image": "documents/nkbl0226_1.png", "docId": 1, "answers": ["itc limited"]}


@pytest.mark.parametrize("layout", ["spdocvqa", "val_tar"])
def test_docvqa_as_rrc_ships_it(tmp_path, layout):
    """RRC's spdocvqa_qas/val_v1.0_withQT.json + spdocvqa_images/documents/, or the older
    val.tar.gz: val/val_v1.0.json + val/documents/."""
    root = tmp_path / "data" / "DocVQA"
    qa, images = {"spdocvqa": (root / "spdocvqa_qas" / "val_v1.0_withQT.json", root / "spdocvqa_images"),
                  "val_tar": (root / "val" / "val_v1.0.json", root / "val")}[layout]
    _json(qa, {"dataset_name": "SP-DocVQA", "dataset_version": "1.0", "dataset_split": "val",
               "data": [DOC_FIRST, DOC_SECOND]})
    for r in (DOC_FIRST, DOC_SECOND):
        _img(images / r["image"])
    assert _oracle(tmp_path, "docvqa", tmp_path / "data")["headline"] == 100.0
    assert _same_either_way("docvqa", tmp_path / "data")["headline"] == 50.0


def test_docvqa_hub_snapshot_reads_only_the_docvqa_config(tmp_path):
    """lmms-lab/DocVQA holds DocVQA/ and InfographicVQA/ shards side by side."""
    rows = [DOC_FIRST, DOC_SECOND]
    cols = {k: [r[k] for r in rows] for k in ("questionId", "question", "question_types", "docId",
                                               "ucsf_document_id", "ucsf_document_page_no", "answers", "data_split")}
    cols["questionId"] = [str(x) for x in cols["questionId"]]
    _parquet(tmp_path / "hub" / "DocVQA" / "validation-00000-of-00001.parquet",
             {**cols, "image": [_img_cell(1), _img_cell(2)]})
    _parquet(tmp_path / "hub" / "InfographicVQA" / "validation-00000-of-00001.parquet",
             {"questionId": ["98765"], "question": ["How many?"], "answer_type": [["single span"]],
              "image": [_img_cell(3)], "image_url": [""], "operation/reasoning": [["counting"]], "ocr": ["[]"],
              "answers": [["3"]], "data_split": ["val"]})
    assert _oracle(tmp_path, "docvqa", tmp_path / "hub")["n"] == 2
    assert _same_either_way("docvqa", tmp_path / "hub")["headline"] == 50.0
    (tmp_path / "hub").chmod(0o755)
    (tmp_path / "hub").rename(tmp_path / "DocVQA")  # the snapshot downloaded into a folder of that name
    assert len(make_benchmark("docvqa").load(tmp_path / "DocVQA", "validation")) == 2


# -- ChartQA -------------------------------------------------------------------------------------
HUMAN = [{"imgname": "41699051005347.png", "query": "How many food item is shown in the bar graph?", "label": "14"},
         {"imgname": "41699051005347.png", "query": "What is the difference in value between Lamb and Corn?",
          "label": "0.57"}]
AUGMENTED = [{"imgname": "two_col_100022.png", "query": "What was the value in 2020?", "label": "24.3"},
             {"imgname": "two_col_100022.png", "query": "Which year has the highest value?", "label": "2020"}]


def test_chartqa_as_the_repository_lays_it_out(tmp_path):
    """`ChartQA Dataset/test/{test_human,test_augmented}.json` + `png/`; ids are file positions."""
    test = tmp_path / "data" / "ChartQA" / "ChartQA Dataset" / "test"
    _json(test / "test_human.json", HUMAN)
    _json(test / "test_augmented.json", AUGMENTED)
    for name in ("41699051005347.png", "two_col_100022.png"):
        _img(test / "png" / name)
    _json(tmp_path / "data" / "ChartQA" / "ChartQA Dataset" / "val" / "val_human.json", HUMAN)
    data = tmp_path / "data"
    assert _oracle(tmp_path, "chartqa", data)["headline"] == 100.0
    bench = make_benchmark("chartqa")
    samples = bench.load(data, "test")
    assert [(s.id, s.official_id) for s in samples] == [
        ("test_human-1", "0"), ("test_human-2", "1"), ("test_augmented-1", "0"), ("test_augmented-2", "1")]
    with pytest.raises(UserError, match="names 2 samples.*--bench-arg"):  # positions restart per file
        score_predictions(bench, samples, {"0": "14", "1": "0.57"})
    for subset in ("human", "augmented"):
        out = _same_either_way("chartqa", data, subset=subset)
        assert out["n"] == 2 and out["headline"] == 50.0


def test_chartqa_hub_snapshot_positions_follow_the_files(tmp_path):
    """lmms-lab/ChartQA data/test-*.parquet, written by upload_chartqa.py: human rows, then augmented."""
    rows = [("human_test", r) for r in HUMAN] + [("augmented_test", r) for r in AUGMENTED]
    _parquet(tmp_path / "hub" / "data" / "test-00000-of-00001.parquet",
             {"type": [t for t, _ in rows], "question": [r["query"] for _, r in rows],
              "answer": [r["label"] for _, r in rows], "image": [_img_cell(i) for i in range(4)]})
    assert _oracle(tmp_path, "chartqa", tmp_path / "hub")["headline"] == 100.0
    hub = make_benchmark("chartqa", subset="augmented").load(tmp_path / "hub", "test")
    assert [(s.official_id, s.target) for s in hub] == [("0", "24.3"), ("1", "2020")]
    assert _same_either_way("chartqa", tmp_path / "hub", subset="augmented")["headline"] == 50.0


# -- MME -----------------------------------------------------------------------------------------
def _mme_release(root: Path) -> None:
    """MME_Benchmark_release_version: artwork/ (images/ + questions_answers_YN/), existence/ (flat),
    and the eval_tool/ whose Your_Results/<category>.txt are not questions."""
    rel = root / "MME_Benchmark_release_version"
    _img(rel / "artwork" / "images" / "10002.jpg")
    (rel / "artwork" / "questions_answers_YN").mkdir(parents=True)
    (rel / "artwork" / "questions_answers_YN" / "10002.txt").write_text(
        "Is this artwork created by donatello? Please answer yes or no.\tYes\n"
        "Is this artwork created by van gogh? Please answer yes or no.\tNo\n")
    for stem in ("000000006040", "000000018150"):
        _img(rel / "existence" / f"{stem}.jpg")
        (rel / "existence" / f"{stem}.txt").write_text(
            "Is there a train in this image? Please answer yes or no.\tYes\n"
            "Is there a bed in this image? Please answer yes or no.\tNo\n")
    (rel.parent / "eval_tool" / "Your_Results").mkdir(parents=True)
    (rel.parent / "eval_tool" / "Your_Results" / "existence.txt").write_text("x.jpg\tq\tYes\tYes\n")


def test_mme_release_folders_and_hub_snapshot(tmp_path):
    _mme_release(tmp_path / "orig" / "MME")
    s = _oracle(tmp_path, "mme", tmp_path / "orig")
    assert s["headline"] == 400.0 and s["n"] == 6  # artwork + existence, 200 each
    samples = make_benchmark("mme").load(tmp_path / "orig", "test")
    assert samples[0].official_id == "artwork/10002.jpg\tIs this artwork created by donatello? Please answer yes or no."
    out = _same_either_way("mme", tmp_path / "orig")
    assert out["metrics"]["category/existence/acc"] == 50.0

    rows = [(f"{s.meta['question_id']}", s.inputs["question"], s.target.capitalize(), s.meta["category"])
            for s in samples]
    _parquet(tmp_path / "hub" / "data" / "test-00000-of-00001.parquet",
             {"question_id": [r[0] for r in rows], "question": [r[1] for r in rows], "answer": [r[2] for r in rows],
              "category": [r[3] for r in rows], "image": [_img_cell(i) for i in range(len(rows))]})
    assert _oracle(tmp_path, "mme", tmp_path / "hub")["headline"] == 400.0
    hub = _same_either_way("mme", tmp_path / "hub")
    assert hub["headline"] == out["headline"]
    assert [x.official_id for x in make_benchmark("mme").load(tmp_path / "hub", "test")] == [
        x.official_id for x in samples]


@pytest.mark.parametrize("text,label", [
    ("Yes or no? I would say no.", "yes"),  # lmms-eval: the first four characters decide
    ("No, yes", "no"),
    ("Not sure, yes", "no"),
    ("Maybe yes", None),  # neither in the first four characters: no answer
    ("yes and no", "yes"),
])
def test_mme_replies_naming_both_options(text, label):
    assert make_benchmark("mme").parse(text) == label


# -- POPE ----------------------------------------------------------------------------------------
# RUCAIBox/POPE output/coco/coco_pope_<category>.json, lines 1, 2 and 4 (MIT licence).
POPE_COCO = {
    "random": [(1, "snowboard", "yes"), (2, "car", "no"), (4, "sandwich", "no")],
    "popular": [(1, "snowboard", "yes"), (2, "dining table", "no"), (4, "car", "no")],
    "adversarial": [(1, "snowboard", "yes"), (2, "backpack", "no"), (4, "car", "no")],
}
# RUCAIBox/POPE output/seem/gqa/gqa_pope_seem_<category>.json, records 1, 2 and 4 (JSON arrays).
POPE_GQA_SEEM = {
    "random": [(1, "bird", "yes"), (2, "wall", "yes"), (4, "laptop", "no")],
    "popular": [(1, "bird", "yes"), (2, "wall", "yes"), (4, "person", "no")],
    "adversarial": [(1, "bird", "yes"), (2, "person", "no"), (4, "floor", "no")],
}


def _pope_repo(root: Path) -> None:
    """A clone of RUCAIBox/POPE (output/coco/ JSON Lines and output/seem/{aokvqa,gqa}/ arrays)
    beside COCO's val2014/ and GQA's images/."""
    for cat, rows in POPE_COCO.items():
        _jsonl(root / "POPE" / "output" / "coco" / f"coco_pope_{cat}.json",
               [{"question_id": q, "image": "COCO_val2014_000000310196.jpg", "text": f"Is there a {o} in the image?",
                 "label": lab} for q, o, lab in rows])
    for src in ("gqa", "aokvqa"):
        for cat, rows in POPE_GQA_SEEM.items():
            _json(root / "POPE" / "output" / "seem" / src / f"{src}_pope_seem_{cat}.json",
                  [{"question_id": q, "image": "2405722.jpg", "text": f"Is there a {o} in the image?", "label": lab}
                   for q, o, lab in rows])
    _img(root / "coco" / "val2014" / "COCO_val2014_000000310196.jpg")
    _img(root / "gqa" / "images" / "2405722.jpg", 9)


def test_pope_repository_output_tree_keeps_the_sets_apart(tmp_path):
    data = tmp_path / "data"
    _pope_repo(data)
    s = _oracle(tmp_path, "pope", data)
    assert s["headline"] == 100.0 and s["n"] == 9  # COCO's three files only
    coco = make_benchmark("pope").load(data, "test")
    assert {x.meta["source"] for x in coco} == {"coco"} and coco[0].id == "random-1" and coco[0].official_id == "1"
    assert coco[0].inputs["image"].endswith("coco/val2014/COCO_val2014_000000310196.jpg")
    gqa = make_benchmark("pope", source="gqa_seem").load(data, "test")
    assert len(gqa) == 9 and gqa[0].id == "gqa_seem-random-1" and gqa[0].inputs["image"].endswith("images/2405722.jpg")
    assert _oracle(tmp_path, "pope", data, source="gqa_seem")["headline"] == 100.0
    with pytest.raises(UserError, match="found: aokvqa_seem, coco, gqa_seem"):
        make_benchmark("pope", source="nocaps").load(data, "test")
    # question_id restarts in each category's file: official ids need one category, as evaluate.py
    bench = make_benchmark("pope")
    with pytest.raises(UserError, match="names 3 samples.*--bench-arg"):
        score_predictions(bench, coco, {"1": "Yes", "2": "No", "4": "No"})
    for cat in ("random", "adversarial"):
        assert _same_either_way("pope", data, category=cat)["n"] == 3


def test_pope_without_coco_needs_a_source(tmp_path):
    for src in ("gqa", "aokvqa"):
        _json(tmp_path / "seem" / src / f"{src}_pope_seem_random.json",
              [{"question_id": 1, "image": "2405722.jpg", "text": "Is there a bird in the image?", "label": "yes"}])
    with pytest.raises(UserError, match="source=<name>"):
        make_benchmark("pope").load(tmp_path, "test")


def test_pope_hub_snapshot_and_cli_scoring_by_question_id(tmp_path):
    """lmms-lab/POPE data/test-0000N-of-00003.parquet (its Full/ config is not read); `magma-bench
    score` takes a file keyed by question_id, as lmms-eval logs it, once a category is chosen."""
    rows = [(cat, q, o, lab) for cat, rs in POPE_COCO.items() for q, o, lab in rs]
    cols = {"id": [str(i) for i in range(len(rows))], "question_id": [str(r[1]) for r in rows],
            "question": [f"Is there a {r[2]} in the image?" for r in rows], "answer": [r[3] for r in rows],
            "image_source": ["COCO_val2014_000000310196"] * len(rows),
            "image": [_img_cell()] * len(rows), "category": [r[0] for r in rows]}
    hub = tmp_path / "hub"
    for k in range(3):
        part = {c: v[3 * k:3 * k + 3] for c, v in cols.items()}
        _parquet(hub / "data" / f"test-0000{k}-of-00003.parquet", part)
    _parquet(hub / "Full" / "adversarial-00000-of-00001.parquet", {c: v[6:] for c, v in cols.items()})
    assert _oracle(tmp_path, "pope", hub)["n"] == 9
    assert _same_either_way("pope", hub, category="popular")["n"] == 3

    preds = tmp_path / "lmms_eval_pope.jsonl"
    preds.write_text("".join(json.dumps({"id": str(q), "prediction": "Yes" if lab == "yes" else "No"}) + "\n"
                             for q, _, lab in POPE_COCO["popular"]))
    res = CliRunner().invoke(score_cmd, ["-b", "pope", "--data-dir", str(hub), "--predictions", str(preds),
                                         "--bench-arg", "category=popular", "--json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["headline"] == 100.0


@pytest.mark.parametrize("text,label", [
    ("Yes, no", "no"),  # evaluate.py: any "no" word in the first sentence
    ("Yes or no", "no"),
    ("Yes. No", "yes"),  # only the first sentence counts
    ("No. Yes, there is.", "no"),
    ("Yes, there is one", "yes"),
])
def test_pope_replies_naming_both_options(text, label):
    assert make_benchmark("pope").parse(text) == label
