"""MVBench: offline suite bounds, json/<task>.json layout, get_index frames, mean over tasks."""

from __future__ import annotations

import json

import pytest

from magma_bench.benchmarks.video.offline.qa import MVBENCH_TASKS
from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import make_record

pytest.importorskip("cv2")


@pytest.fixture
def official(tmp_path, write_video):
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "moving_direction.json").write_text(json.dumps([
        {"video": "video_10000.mp4", "question": "What direction is the cyan sphere moving within the video?",
         "candidates": ["The object is stationary.", "Up and to the left.", "Down and to the right."],
         "answer": "Up and to the left."},
        {"video": "video_10001.mp4", "question": "What direction is the red cube moving?",
         "candidates": ["Left.", "Right."], "answer": "Right."}]))
    (tmp_path / "json" / "action_sequence.json").write_text(json.dumps([
        {"video": "ZS9XR.mp4", "question": "What happened after the person took the food?",
         "candidates": ["Ate the medicine.", "Tidied up the blanket.", "Put down the cup/glass/bottle.",
                        "Took the box."], "answer": "Ate the medicine.", "start": 1.0, "end": 3.0}]))
    write_video(tmp_path / "video" / "clevrer" / "video_validation" / "video_10000.mp4", 40)
    write_video(tmp_path / "video" / "clevrer" / "video_validation" / "video_10001.mp4", 40)
    write_video(tmp_path / "video" / "star" / "Charades_segment" / "ZS9XR.mp4", 40)
    return tmp_path


def test_oracle_and_random(offline_run, near_chance):
    n = 3 * len(MVBENCH_TASKS)
    s = offline_run("mvbench", "oracle", n, benchmark_args={"num_frames": 8})
    assert s["headline"] == 100.0 and s["errors"] == 0 and s["n"] == n
    assert {f"task/{t}" for t in MVBENCH_TASKS} <= set(s["metrics"])
    r = offline_run("mvbench", "random", n, benchmark_args={"num_frames": 8})
    samples = make_benchmark("mvbench").load(s["data_dir"], "test")
    chance = sum(1 / len(x.inputs["options"]) for x in samples) / len(samples)  # 1/3 or 1/4 per task
    assert 0.25 < chance < 0.27
    near_chance(r, chance)


def test_official_layout(official):
    bench = make_benchmark("mvbench")
    samples = bench.load(official, "test")
    by = {s.id: s for s in samples}
    assert set(by) == {"action_sequence/0", "moving_direction/0", "moving_direction/1"}
    s = by["moving_direction/0"]
    assert s.target == "B" and s.inputs["video"].endswith("clevrer/video_validation/video_10000.mp4")
    assert by["action_sequence/0"].inputs["bound"] == [1.0, 3.0]
    req = bench.request(s)
    assert len(req.images) == 16 and req.reference == "(B) Up and to the left."
    assert req.prompt_text == ("Question:What direction is the cyan sphere moving within the video?\nOption:\n"
                               "(A) The object is stationary.\n(B) Up and to the left.\n(C) Down and to the right.\n"
                               "Only give the best option.\n")
    # mean over tasks: moving_direction 1/2 right, action_sequence 1/1 right -> (50 + 100) / 2
    preds = {"moving_direction/0": "(B) Up and to the left.", "moving_direction/1": "Left.",
             "action_sequence/0": "A. Ate the medicine."}
    recs = [make_record(bench, x, preds[x.id], None) for x in samples]
    agg = bench.aggregate(recs)
    assert agg.headline == pytest.approx(75.0)
    assert agg.metrics["task/moving_direction"] == 50.0 and agg.metrics["task/action_sequence"] == 100.0
    assert len(make_benchmark("mvbench", task="action_sequence").load(official, "test")) == 1


def test_lmms_eval_mcq_acc_examples(official):
    """Worked examples of lmms-eval's mvbench mcq_acc: a letter, '(B) text', 'B. text'; bare option
    text never counts there (it reduces to text, compared with the letter)."""
    bench = make_benchmark("mvbench")
    s = {x.id: x for x in bench.load(official, "test")}["moving_direction/0"]
    for pred, ok in [("B", 1.0), ("(B) Up and to the left.", 1.0), ("B. Up and to the left", 1.0),
                     ("Best option:(B)", 1.0), ("(C)", 0.0), ("Up and to the left.", 0.0), ("", 0.0),
                     ("(B) or (C)", 1.0), ("b", 1.0)]:
        assert bench.score(s, bench.parse(pred))["accuracy"] == ok, pred


def test_bad_answer_names_record(official):
    p = official / "json" / "moving_direction.json"
    rows = json.loads(p.read_text())
    rows[1]["answer"] = "Sideways."
    p.write_text(json.dumps(rows))
    with pytest.raises(UserError, match=r"moving_direction\.json: record 1: answer"):
        make_benchmark("mvbench").load(official, "test")
    with pytest.raises(UserError, match="unknown task"):
        make_benchmark("mvbench", task="nope")


def _centroid(path: str, rgb: tuple[int, int, int]):
    import cv2
    import numpy as np

    img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB).astype(float)
    mask = np.linalg.norm(img - np.array(rgb, float), axis=2) < 40
    if mask.sum() < 15:
        return None
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


@pytest.mark.parametrize("task", ["moving_direction", "state_change"])
def test_answerable_from_request_frames(offline_run, task):
    """A pixel-level solver that sees only the request (frames + question + options) gets every
    question right: the answers are in the frames, not only in the event log."""
    import re

    import numpy as np

    from magma_bench.benchmarks.video.offline.clips import COLORS, DIRS

    n = 3 * len(MVBENCH_TASKS)  # the suite of test_oracle_and_random, filtered to one task
    s = offline_run("mvbench", "oracle", n, benchmark_args={"task": task, "num_frames": 8})
    assert s["headline"] == 100.0 and s["n"] == 3
    bench = make_benchmark("mvbench", task=task, num_frames=8)
    samples = bench.load(s["data_dir"], "test")
    for x in samples:
        req = bench.request(x)
        opts = x.inputs["options"]
        color = re.search(r"the (\w+) (circle|square|triangle)", x.inputs["question"]).group(1)
        if task == "moving_direction":
            move = _centroid(req.images[-1], COLORS[color]) - _centroid(req.images[0], COLORS[color])
            guess = max(DIRS, key=lambda d: float(np.dot(move, DIRS[d])))
        else:  # the colour that is on screen at the end but not at the start
            new = [c for c in COLORS if _centroid(req.images[0], COLORS[c]) is None
                   and _centroid(req.images[-1], COLORS[c]) is not None]
            guess = f"It turned {new[0]}." if len(new) == 1 else ""
        answer = f"({'ABCDE'[opts.index(guess)]})" if guess in opts else "none"
        assert bench.score(x, bench.parse(answer))["accuracy"] == 1.0, (x.id, guess, opts)


def test_frame_folder_task_with_bound(tmp_path):
    """episodic_reasoning gives TVQA frame folders at 3 fps with a [start, end] bound in seconds."""
    import cv2
    import numpy as np

    folder = tmp_path / "video" / "tvqa" / "video_fps3_hq_segment" / "castle_s01e01_seg01_clip_00"
    folder.mkdir(parents=True)
    for i in range(1, 61):  # 20 s at 3 fps, TVQA names frames 00001.jpg ...
        cv2.imwrite(str(folder / f"{i:05d}.jpg"), np.full((8, 8, 3), i, np.uint8))
    (tmp_path / "json").mkdir()
    (tmp_path / "json" / "episodic_reasoning.json").write_text(json.dumps([
        {"video": "castle_s01e01_seg01_clip_00", "question": "Why did Castle call Beckett?",
         "candidates": ["To apologise.", "To ask for help.", "To invite her.", "To complain.", "To joke."],
         "answer": "To ask for help.", "start": 2.0, "end": 10.0}]))
    bench = make_benchmark("mvbench", num_frames=4)
    (s,) = bench.load(tmp_path, "test")
    req = bench.request(s)
    # get_index at 3 fps inside [2 s, 10 s]: frames 6..30, seg 6 -> 9, 15, 21, 27 (0-based)
    assert [p.rsplit("/", 1)[1] for p in req.images] == ["00010.jpg", "00016.jpg", "00022.jpg", "00028.jpg"]
    assert req.answer_space.choices == ["A", "B", "C", "D", "E"] and req.reference == "(B) To ask for help."
