"""POPE: official formats (original JSONL and hub parquet), the eval_pope.py rule, F1 headline."""

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from magma_bench.errors import UserError
from magma_bench.metrics.binary import binary_metrics
from magma_bench.parsers.yesno import first_sentence_negation
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import RunConfig
from magma_bench.run.runner import run


@pytest.mark.parametrize("text,expected", [
    ("Yes, there is a dog in the image.", "yes"),
    ("No, there is no dog.", "no"),
    ("There is not a dog in the image.", "no"),
    ("Yes. No dog here though.", "yes"),  # only the first sentence counts
    ("no", "no"),
    ("NO", "yes"),  # the official rule is case-sensitive on "No"/"no" only
    ("", "yes"),
])
def test_eval_pope_rule(text, expected):
    assert first_sentence_negation(text) == expected


def test_binary_metrics_worked_example():
    preds = ["yes", "yes", "no", "no", "yes"]
    golds = ["yes", "no", "no", "yes", "yes"]
    m = binary_metrics(preds, golds)
    assert m == pytest.approx({"accuracy": 0.6, "precision": 2 / 3, "recall": 2 / 3, "f1": 2 / 3, "yes_ratio": 0.6})


@given(st.text())
def test_parse_never_raises(text):
    # the official rule on any non-blank reply; a blank reply is no answer (counted wrong), not "yes"
    assert make_benchmark("pope").parse(text) == (first_sentence_negation(text) if text.strip() else None)


def test_oracle_random_heuristic_on_offline_suite(tmp_path):
    def go(adapter):
        return run(RunConfig(benchmark="pope", adapter=adapter, n=270, out=tmp_path / "runs"))

    assert go("oracle")["headline"] == 100.0
    rnd = go("random")
    assert 35 < rnd["headline"] < 65 and 40 < rnd["metrics"]["accuracy"] < 60
    always_yes = go("heuristic")
    assert always_yes["metrics"]["yes_ratio"] == 100.0 and always_yes["metrics"]["accuracy"] == pytest.approx(50.0)
    lo, hi = rnd["ci95"]
    assert lo < rnd["headline"] < hi


def test_negative_sampling_makes_adversarial_harder_for_cooccurrence(tmp_path):
    bench = make_benchmark("pope")
    bench.generate(tmp_path, 900, seed=0)
    rows = {c: [json.loads(line) for line in (tmp_path / f"coco_pope_{c}.json").read_text().splitlines()]
            for c in ("random", "popular", "adversarial")}
    negs = {c: {r["text"] for r in rs if r["label"] == "no"} for c, rs in rows.items()}
    assert negs["random"] != negs["adversarial"] != negs["popular"]
    for rs in rows.values():
        assert sum(r["label"] == "yes" for r in rs) == sum(r["label"] == "no" for r in rs)


def test_loads_original_release_layout(tmp_path):
    from PIL import Image

    (tmp_path / "val2014").mkdir()
    Image.new("RGB", (8, 8)).save(tmp_path / "val2014" / "COCO_val2014_000000310196.jpg")
    rows = [{"question_id": 1, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a snowboard in the image?",
             "label": "yes"},
            {"question_id": 2, "image": "COCO_val2014_000000310196.jpg", "text": "Is there a dog in the image?",
             "label": "no"}]
    (tmp_path / "coco_pope_adversarial.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    samples = make_benchmark("pope").load(tmp_path, "test")
    assert [s.id for s in samples] == ["adversarial-1", "adversarial-2"]
    assert samples[0].inputs["image"].endswith("val2014/COCO_val2014_000000310196.jpg")
    assert samples[1].target == "no" and samples[1].meta["category"] == "adversarial"
    s = run(RunConfig(benchmark="pope", adapter="oracle", data_dir=tmp_path, out=tmp_path / "runs"))
    assert s["headline"] == 100.0 and s["data"] == "official"


def test_bad_record_names_file_and_line(tmp_path):
    (tmp_path / "coco_pope_random.json").write_text(
        json.dumps({"question_id": 1, "image": "a.jpg", "text": "Is there a cat?", "label": "yes"}) + "\n"
        + json.dumps({"question_id": 2, "image": "a.jpg", "text": "Is there a cat?", "label": "maybe"}) + "\n")
    with pytest.raises(UserError, match=r"coco_pope_random.json:2: label must be yes/no"):
        make_benchmark("pope").load(tmp_path, "test")


def test_loads_hub_parquet_layout(tmp_path):
    datasets = pytest.importorskip("datasets")
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (255, 0, 0)).save(buf, format="PNG")
    ds = datasets.Dataset.from_dict({
        "id": ["0", "1"], "question_id": ["1", "2"],
        "question": ["Is there a snowboard in the image?", "Is there a car in the image?"],
        "answer": ["yes", "no"], "image_source": ["COCO_val2014_000000310196", "COCO_val2014_000000310196"],
        "image": [{"bytes": buf.getvalue(), "path": None}] * 2, "category": ["popular", "random"],
    }).cast_column("image", datasets.Image())
    (tmp_path / "data").mkdir()
    ds.to_parquet(str(tmp_path / "data" / "test-00000-of-00001.parquet"))
    samples = make_benchmark("pope").load(tmp_path, "test")
    assert [s.id for s in samples] == ["popular-1", "random-2"]
    assert samples[0].inputs["image"].endswith(".img")
    with open(samples[0].inputs["image"], "rb") as f:
        assert f.read(4) == b"\x89PNG"


def test_offline_cache_is_keyed_by_generation_args():
    from magma_bench.run.runner import offline_dir

    plain = offline_dir(make_benchmark("pope"), 90, 0)
    assert offline_dir(make_benchmark("pope", category="random"), 90, 0) == plain  # filter only
    other = make_benchmark("pope")
    other.args = {"difficulty": "hard"}  # any argument that changes generation gets its own cache
    assert offline_dir(other, 90, 0) != plain and offline_dir(other, 90, 0).parent == plain.parent
