"""Unified training examples and the per-source builders, on hand-written fixtures in the real formats."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from magma_bench.errors import UserError
from magma_bench.model.formats import parse_coordinate, parse_trace
from magma_bench.trainer import data, sources


def test_example_round_trips_through_jsonl_and_rejects_unknown_keys(tmp_path):
    ex = data.vl_example("vl/0", tmp_path / "x.png", "How many?", "3")
    path = data.write_jsonl([ex], tmp_path / "ex.jsonl")
    assert data.read_jsonl(path) == [ex] and ex.images == [str(tmp_path / "x.png")] and ex.target == "3"
    bad = json.loads(ex.to_json()) | {"labels": [1]}
    path.write_text(json.dumps(bad) + "\n")
    with pytest.raises(UserError, match=r"ex.jsonl: line 1.*unknown \['labels'\]"):
        data.read_jsonl(path)


def test_screenspot_suite_gives_som_and_plain_grounding_examples(screenspot_suite, tmp_path):
    with_som = sources.ui_from_screenspot(screenspot_suite, tmp_path / "out", use_som=True, seed=1)
    plain = sources.ui_from_screenspot(screenspot_suite, tmp_path / "out2", use_som=False, seed=1)
    assert len(with_som) == len(plain) == 2
    x, y, mark = parse_coordinate(with_som[0].target)
    assert mark == with_som[0].meta["mark"] and (x, y) == (0.73, 0.17)  # centre of (140,20)-(240,50) in 260x200
    assert with_som[0].meta["n_marks"] == 3  # the target matched a DOM candidate
    assert with_som[1].meta["n_marks"] == 4  # "go back" is not among the candidates: added
    assert "Mark" not in plain[0].target and parse_coordinate(plain[0].target)[:2] == (0.73, 0.17)
    assert plain[0].images[0].endswith("screenspot_imgs/a.png")  # SoM off: the original screenshot
    marked = np.asarray(Image.open(with_som[0].images[0]))
    assert (marked == (255, 0, 0)).all(-1).sum() > 100  # red boxes drawn
    again = sources.ui_from_screenspot(screenspot_suite, tmp_path / "out3", use_som=True, seed=1)
    assert [e.target for e in again] == [e.target for e in with_som]


def test_a_plain_share_of_som_ui_records_is_asked_without_marks(screenspot_suite, seeclick_json, tmp_path):
    """plain_share 1 gives exactly the no-SoM examples; 0 exactly the SoM ones; the draw is seeded."""
    som = sources.ui_from_screenspot(screenspot_suite, tmp_path / "a", use_som=True, seed=1)
    plain = sources.ui_from_screenspot(screenspot_suite, tmp_path / "b", use_som=False, seed=1)
    all_plain = sources.ui_from_screenspot(screenspot_suite, tmp_path / "c", use_som=True, seed=1, plain_share=1.0)
    none_plain = sources.ui_from_screenspot(screenspot_suite, tmp_path / "d", use_som=True, seed=1, plain_share=0.0)
    assert [e.target for e in all_plain] == [e.target for e in plain] and all("Mark" not in e.target for e in all_plain)
    assert [e.target for e in none_plain] == [e.target for e in som]
    path, img_dir = seeclick_json
    draws = [["Mark" in e.target for e in sources.ui_from_seeclick(path, img_dir, tmp_path / f"s{k}", use_som=True,
                                                                     seed=k, plain_share=0.5)] for k in range(8)]
    assert {x for d in draws for x in d} == {True, False}  # both forms occur at a half share
    again = sources.ui_from_seeclick(path, img_dir, tmp_path / "t", use_som=True, seed=3, plain_share=0.5)
    assert ["Mark" in e.target for e in again] == draws[3]


def test_seeclick_web_and_mobile_records_load_and_bad_boxes_are_skipped(seeclick_json, tmp_path):
    path, img_dir = seeclick_json
    exs = sources.ui_from_seeclick(path, img_dir, tmp_path / "o", use_som=True)
    assert [e.id for e in exs] == ["seeclick/0/0", "seeclick/0/1", "seeclick/1/0"]
    assert exs[0].meta["n_marks"] == 3 and "Sign in" in exs[0].messages[0]["content"][1]["text"]
    assert parse_coordinate(exs[2].target)[:2] == (0.5, 0.47)
    path.write_text(json.dumps([{"img_filename": "w.png"}]))
    with pytest.raises(UserError, match="seeclick_web.json: record 0"):
        sources.ui_from_seeclick(path, img_dir, tmp_path / "o", use_som=True)


def test_robot_demonstrations_give_action_and_trace_examples(demos_dir, tmp_path):
    exs = sources.robot_from_demos(demos_dir, tmp_path / "o", use_tom=True, every=5, tom_every=10)
    acts = [e for e in exs if e.action is not None]
    traces = [e for e in exs if e.action is None]
    assert len(acts) == 4 and acts[0].action == pytest.approx(np.linspace(-0.5, 0.5, 7).tolist())
    assert acts[0].messages[0]["content"][1]["text"] == "What action should the robot take to Put the block left?"
    assert traces and all(parse_trace(e.target) for e in traces) and {e.source for e in exs} == {"robot"}
    no_tom = sources.robot_from_demos(demos_dir, tmp_path / "p", use_tom=False, every=5)
    assert all(e.action is not None for e in no_tom)


def test_robot_som_examples_ask_for_the_mark_the_gripper_reaches_next(demos_dir, tmp_path):
    exs = sources.robot_from_demos(demos_dir, tmp_path / "o", use_tom=False, every=5, use_som=True, som_every=5)
    som_exs = [e for e in exs if e.id.startswith("robot_som/")]
    assert [e.id.rsplit("/", 1)[1] for e in som_exs] == ["0", "5", "10", "15"]
    for e in som_exs:
        x, y, mark = parse_coordinate(e.target)
        want = (60, 60) if int(e.id.rsplit("/", 1)[1]) < 10 else (100, 100)
        assert (round(x * 128), round(y * 128)) == want and mark == e.meta["mark"] and e.meta["n_marks"] == 3
        with Image.open(e.images[0]) as im:
            patch = np.asarray(im.convert("RGB"))[want[1] - 4:want[1] + 5, want[0] - 4:want[0] + 5].astype(int)
        assert ((patch[..., 0] > 200) & (patch[..., 1] < 80)).mean() > 0.3  # a red mark sits on the answer
    assert not any(e.id.startswith("robot_som/") for e in sources.robot_from_demos(demos_dir, tmp_path / "p", False))


def test_robot_som_goal_held_by_the_gripper_or_off_image(tmp_path):
    frame = np.zeros((64, 64, 3), np.uint8)
    held = data.robot_som_example("r/0", frame, "pick it", [(20, 20), (22, 21), (50, 50)], 1, tmp_path, 0)
    assert held.meta["n_marks"] == 2 and parse_coordinate(held.target)[:2] == pytest.approx((20 / 64, 20 / 64), abs=0.01)
    assert data.robot_som_example("r/1", frame, "pick it", [(20, 20), (90, 10)], 1, tmp_path, 0) is None


def test_video_stand_in_with_and_without_tom(tmp_path):
    on = sources.video_source(tmp_path / "a", 2, seed=0, use_tom=True, size=160)
    off = sources.video_source(tmp_path / "b", 2, seed=0, use_tom=False, size=160)
    assert len(on) == len(off) == 2
    tr = parse_trace(on[0].target)
    assert tr and sorted(tr) == on[0].meta["fg_marks"] and all(len(v) == 16 for v in tr.values())
    assert data.Example.from_dict(json.loads(on[0].to_json())) == on[0]  # meta is plain JSON
    assert off[0].target.startswith("Someone moves the ") and "move the" in on[0].messages[0]["content"][1]["text"]


def test_vl_stand_in_answers_match_their_questions(tmp_path):
    exs = sources.vl_source(tmp_path, 30, seed=3)
    yes_no = [e.target for e in exs if e.messages[0]["content"][1]["text"].startswith("Is there")]
    assert set(yes_no) == {"Yes", "No"}  # POPE's reference casing
    from magma_bench.benchmarks.vl.pope import PROMPT
    pope = next(e.messages[0]["content"][1]["text"] for e in exs if e.target in ("Yes", "No"))
    assert pope == PROMPT.format(question=pope.split("\n")[0])
    counts = [int(e.target) for e in exs if e.messages[0]["content"][1]["text"].startswith("How many")]
    assert all(2 <= c <= 5 for c in counts)
    assert [e.target for e in sources.vl_source(tmp_path / "b", 30, seed=3)] == [e.target for e in exs]


def test_suites_source_turns_offline_suites_into_instruction_data_at_a_training_seed(tmp_path):
    from magma_bench.registry import make_benchmark

    exs = sources.suites_source(["pope", "nextqa"], tmp_path, 6, seed=0, use_som=True)
    pope = [e for e in exs if e.meta["benchmark"] == "pope"]
    video = [e for e in exs if e.meta["benchmark"] == "nextqa"]
    assert pope and video and {e.source for e in exs} == {"suites"}
    assert all(e.target in ("Yes", "No") for e in pope)
    assert len(video[0].images) > 1 and all(Path(p).is_file() for p in video[0].images)
    # the training suite is generated at SUITE_SEED, never the evaluation seed: no shared images
    bench = make_benchmark("pope")
    bench.generate(tmp_path / "eval", 6, 0)
    ev = {Image.open(p).tobytes() for p in (tmp_path / "eval").rglob("*.png")}
    assert not ev & {Image.open(e.images[0]).tobytes() for e in pope}
    assert data.Example.from_dict(json.loads(exs[0].to_json())) == exs[0]


def test_vl_presence_questions_are_kind_balanced_so_the_word_alone_says_nothing(tmp_path):
    """The answer is right for the rendered scene, and the most frequent kinds (the Zipf head the
    old wording asked about when present, ~75% "Yes") are present about half the time."""
    from magma_bench.benchmarks.vl.offline.scenes import KINDS, sample_scene

    rng = np.random.default_rng(0)
    for present in (True, False):
        for _ in range(50):
            objs = sample_scene(rng)
            kind = KINDS[int(rng.integers(len(KINDS)))]
            out = sources._with_or_without(objs, kind, present, rng)
            assert (kind in [o.kind for o in out]) == present and len({o.kind for o in out}) == len(out)
            assert [(o.color, o.cx, o.cy, o.r) for o in out] == [(o.color, o.cx, o.cy, o.r) for o in objs]
    exs = sources.vl_source(tmp_path, 1400, seed=5, size=64)
    asked = [(e.messages[0]["content"][1]["text"].split(" in the image")[0].split()[-1], e.target)
             for e in exs if e.messages[0]["content"][1]["text"].startswith("Is there")]
    head = [ans for kind, ans in asked if kind in KINDS[:3]]
    assert len(asked) == 200 and len(head) >= 30
    assert 0.3 <= head.count("Yes") / len(head) <= 0.7
