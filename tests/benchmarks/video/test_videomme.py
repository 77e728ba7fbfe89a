"""Video-MME: offline suite bounds, the hub parquet layout, lmms-eval answer extraction, durations."""

from __future__ import annotations

import pytest

from magma_bench.errors import UserError
from magma_bench.registry import make_benchmark
from magma_bench.run.evaluator import make_record

pytest.importorskip("cv2")
pd = pytest.importorskip("pandas")
pytest.importorskip("datasets")

ROWS = [  # lmms-lab/Video-MME columns
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
     "url": "https://www.youtube.com/watch?v=fFjv93ACGo8", "videoID": "fFjv93ACGo8", "question_id": "001-1",
     "task_type": "Counting Problem",
     "question": "When demonstrating the Germany modern Christmas tree is initially decorated with apples, "
                 "candles and berries, which kind of the decoration has the largest number?",
     "options": ["A. Apples.", "B. Candles.", "C. Berries.", "D. The three kinds are of the same number."],
     "answer": "C"},
    {"video_id": "001", "duration": "short", "domain": "Knowledge", "sub_category": "Humanity & History",
     "url": "https://www.youtube.com/watch?v=fFjv93ACGo8", "videoID": "fFjv93ACGo8", "question_id": "001-2",
     "task_type": "Information Synopsis", "question": "What is the genre of this video?",
     "options": ["A. It is a news report.", "B. It is a documentary.", "C. It is a film.", "D. It is a vlog."],
     "answer": "B"},
    {"video_id": "301", "duration": "long", "domain": "Sports Competition", "sub_category": "Football",
     "url": "https://www.youtube.com/watch?v=abcdefghijk", "videoID": "abcdefghijk", "question_id": "301-1",
     "task_type": "Temporal Reasoning", "question": "Which team scored first?",
     "options": ["A. Red.", "B. Blue.", "C. Neither.", "D. Both at once."], "answer": "A"},
]


@pytest.fixture
def official(tmp_path, write_video):
    (tmp_path / "videomme").mkdir()
    pd.DataFrame(ROWS).to_parquet(tmp_path / "videomme" / "test-00000-of-00001.parquet", index=False)
    write_video(tmp_path / "data" / "fFjv93ACGo8.mp4", 30)
    write_video(tmp_path / "data" / "abcdefghijk.MP4", 30)
    return tmp_path


def test_official_parquet(official):
    bench = make_benchmark("videomme")
    samples = bench.load(official, "test")
    assert [s.id for s in samples] == ["001-1", "001-2", "301-1"]
    assert [s.target for s in samples] == ["C", "B", "A"]
    assert samples[0].inputs["options"][3] == "The three kinds are of the same number."
    assert samples[2].inputs["video"].endswith("data/abcdefghijk.MP4")
    req = bench.request(samples[1])
    assert len(req.images) == 16 and req.answer_space.choices == ["A", "B", "C", "D"]
    assert req.prompt_text == (
        "Select the best answer to the following multiple-choice question based on the video. Respond with "
        "only the letter (A, B, C, or D) of the correct option.\nWhat is the genre of this video?\n"
        "A. It is a news report.\nB. It is a documentary.\nC. It is a film.\nD. It is a vlog.\nThe best answer is:")
    assert [s.id for s in make_benchmark("videomme", duration="long").load(official, "test")] == ["301-1"]


def test_lmms_eval_extraction_and_duration_breakdown(official):
    """eval_your_results.py extract_characters_regex worked examples (the first capital A-D, even
    inside a word: "Berries" reads as B), then accuracy per duration and overall."""
    bench = make_benchmark("videomme")
    s = bench.load(official, "test")[0]  # answer C
    for pred, ok in [("C", 1.0), ("C.", 1.0), ("(C) Berries.", 1.0), ("The best answer is C", 1.0),
                     ("The correct answer is: C. Berries", 1.0), ("A", 0.0), ("Berries", 0.0), ("", 0.0), ("Answer: C", 1.0), ("C or A", 1.0),
                     ("I am not sure which of these options would be right for this particular video clip", 0.0)]:
        assert bench.score(s, bench.parse(pred))["accuracy"] == ok, pred
    samples = bench.load(official, "test")
    recs = [make_record(bench, x, p, None) for x, p in zip(samples, ["C", "A", "A"], strict=True)]
    agg = bench.aggregate(recs)
    assert agg.headline == pytest.approx(200 / 3)
    assert agg.metrics["duration/short"] == 50.0 and agg.metrics["duration/long"] == 100.0
    assert agg.metrics["task_type/Counting Problem"] == 100.0


def test_malformed_options_name_row(official):
    rows = [dict(r) for r in ROWS]
    rows[1]["options"] = ["It is a news report.", "B. x", "C. y", "D. z"]
    pd.DataFrame(rows).to_parquet(official / "videomme" / "test-00000-of-00001.parquet", index=False)
    with pytest.raises(UserError, match=r"row 1 \(001-2\): option 0"):
        make_benchmark("videomme").load(official, "test")


def _blob(path, rgb):
    """(centre, shape) of the largest blob of a colour: a pixel-level object detector."""
    import cv2
    import numpy as np

    img = cv2.cvtColor(cv2.imread(path), cv2.COLOR_BGR2RGB).astype(float)
    mask = (np.linalg.norm(img - np.array(rgb, float), axis=2) < 40).astype(np.uint8)
    n, _, stats, centres = cv2.connectedComponentsWithStats(mask)
    if n < 2:
        return None, None
    big = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))  # the object, not stray edge pixels
    area = stats[big, cv2.CC_STAT_AREA]
    if area < 20:
        return None, None
    fill = area / (stats[big, cv2.CC_STAT_WIDTH] * stats[big, cv2.CC_STAT_HEIGHT])
    return centres[big], ("square" if fill > 0.9 else "circle" if fill > 0.65 else "triangle")


def test_carry_order_answerable_from_request_frames(offline_run):
    """A pixel solver that sees only the request's frames answers the 'carried first' and
    'colour of the last carried' questions: objects leave their places in the carrying order."""
    import numpy as np

    from magma_bench.benchmarks.video.offline.clips import COLORS

    s = offline_run("videomme", "oracle", 36)  # the suite of test_oracle_and_random
    bench = make_benchmark("videomme")
    asked = 0
    for x in bench.load(s["data_dir"], "test"):
        q = x.inputs["question"]
        if not (q.startswith("Which object did the robot carry first") or q.startswith("What color is the last")):
            continue
        req = bench.request(x)
        depart, shape = {}, {}
        for c, rgb in COLORS.items():
            track = [_blob(p, rgb)[0] for p in req.images]
            if track[0] is None:
                continue
            shape[c] = _blob(req.images[0], rgb)[1]
            moved = [j for j, p in enumerate(track) if p is None or np.linalg.norm(p - track[0]) > 5]
            if moved:
                depart[c] = moved[0]
        order = sorted(depart, key=depart.get)
        if q.startswith("Which"):
            guess = x.inputs["options"].index(f"The {order[0]} {shape[order[0]]}.")
        else:
            guess = x.inputs["options"].index(f"{order[-1][:1].upper()}{order[-1][1:]}.")
        assert bench.score(x, bench.parse("ABCD"[guess]))["accuracy"] == 1.0, (x.id, q, order, x.inputs["options"])
        asked += 1
    assert asked >= 4, asked
