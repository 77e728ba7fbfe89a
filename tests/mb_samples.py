"""Tiny hand-made samples for every registered static benchmark, shaped as each loader builds them.

Scoring and aggregation tests use these instead of offline suites: UI suites need Chromium and
video suites need clips, while parse/score/aggregate only read `inputs`, `target` and `meta`.
`samples_for(bench)` covers each benchmark's target kinds and groups (tasks, categories, cells),
so an aggregate that special-cases a group is exercised too. Image paths do not exist: nothing
here calls `request`.
"""

from __future__ import annotations

from typing import Any

from magma_bench.types import Sample


def _s(bench: Any, sid: str, inputs: dict, target: Any, meta: dict) -> Sample:
    return Sample(id=sid, benchmark=bench.name, inputs=inputs, target=target, meta=meta)


def _screenspot(b: Any) -> list[Sample]:
    out = []
    for i, (platform, kind) in enumerate([("mobile", "text"), ("mobile", "icon"), ("web", "text"), ("desktop", "icon")]):
        inputs = {"image": f"s{i}.png", "instruction": "open settings", "size": [1000, 800]}
        if i == 1:  # a SoM sample: a mark answer must resolve through the candidate boxes
            inputs["marks"] = [[100, 100, 200, 150], [300, 300, 400, 400]]
        out.append(_s(b, f"ss{i}", inputs, [100.0, 100.0, 200.0, 150.0],
                      {"platform": platform, "data_type": kind, "cell": f"{platform}/{kind}",
                       "data_source": "web", "img_filename": f"s{i}.png"}))
    return out


def _screenspot_pro(b: Any) -> list[Sample]:
    return [_s(b, f"pro{i}", {"image": "p.png", "instruction": "save", "size": [3840, 2160]},
               [10.0, 10.0, 60.0, 40.0],
               {"application": app, "platform": "windows", "ui_type": kind, "group": group, "img_filename": "p.png"})
            for i, (app, kind, group) in enumerate([("vscode", "text", "Dev"), ("excel", "icon", "Office")])]


def _vwb(b: Any) -> list[Sample]:
    box_opts = [[0.1, 0.1, 0.2, 0.2], [0.3, 0.3, 0.6, 0.5], [0.7, 0.1, 0.9, 0.2]]
    per_task: dict[str, tuple[dict, Any]] = {
        "web_caption": ({}, "A shop selling handmade lamps."),
        "heading_ocr": ({}, "Welcome to Lampworks"),
        "webqa": ({"question": "What is sold?"}, ["lamps", "handmade lamps"]),
        "element_ocr": ({"bbox": [0.1, 0.1, 0.3, 0.2]}, "Add to cart"),
        "action_prediction": ({"bbox": [0.1, 0.1, 0.3, 0.2], "options": "A. Cart\nB. Home\nC. Help",
                               "n_options": 3}, 1),
        "element_ground": ({"elem_desc": "the cart button", "options": box_opts, "n_options": 3}, 2),
        "action_ground": ({"instruction": "go to cart", "options": box_opts, "n_options": 3}, 0),
    }
    return [_s(b, f"{t}-0", {"image": "w.png", **inp}, target, {"task_type": t, "website": "lampworks"})
            for t, (inp, target) in per_task.items() if t in b.tasks]


def _mind2web(b: Any) -> list[Sample]:
    targets = [{"op": 4, "value": "", "box": [100.0, 100.0, 200.0, 140.0]},
               {"op": 3, "value": "new york", "box": [50.0, 300.0, 400.0, 340.0]},
               {"op": 2, "value": "Economy", "box": [10.0, 10.0, 90.0, 30.0]}]
    return [_s(b, f"m2w{i}", {"image": "m.jpg", "task": "book a flight", "previous": "", "size": [1280, 720]}, t,
               {"episode": f"ep{i // 2}", "step": i % 2, "split": "test_task", "website": "air", "domain": "travel"})
            for i, t in enumerate(targets)]


def _aitw(b: Any) -> list[Sample]:
    def step(t: int, text: str = "", touch: Any = None, lift: Any = None, typed: str = "") -> dict[str, Any]:
        return {"action_type_id": t, "action_type_text": text, "touch": touch, "lift": lift, "type_text": typed,
                "annot": [[0.4, 0.4, 0.1, 0.2], [0.8, 0.1, 0.05, 0.3]]}

    targets = [step(4, "click", [0.5, 0.45], [0.5, 0.45]), step(4, "scroll down"), step(3, typed="hello"),
               step(5), step(10)]
    subsets = list(b.subsets)
    return [_s(b, f"aitw{i}", {"image": "a.png", "goal": "open mail", "previous": "", "size": [1080, 2400]}, t,
               {"subset": subsets[i % len(subsets)], "episode": f"e{i}", "step": 0})
            for i, t in enumerate(targets)]


def _spatialeval(b: Any) -> list[Sample]:
    opts = ["1", "2", "3", "4"]
    out = []
    for i, task in enumerate(b.tasks):
        for qid in (0, 1):
            out.append(_s(b, f"{task}.{b.mode}.{i}.{qid}", {"text": "How many?", "options": opts},
                          {"answer": "2", "option": "B"}, {"task": task, "qid": qid, "mode": b.mode}))
    return out


def _vsr(b: Any) -> list[Sample]:
    return [_s(b, f"vsr{i}", {"caption": "The cat is on the bed.", "image": "v.jpg"}, t,
               {"relation": rel, "category": cat})
            for i, (t, rel, cat) in enumerate([("true", "on", "Topological"), ("false", "left of", "Directional")])]


def _blink(b: Any) -> list[Sample]:
    return [_s(b, f"blink{i}", {"prompt": "Which?", "choices": ["(A) x", "(B) y"], "images": ["b.jpg"]}, t,
               {"sub_task": st}) for i, (t, st) in enumerate([("A", "Counting"), ("B", "Spatial_Relation")])]


def _video(b: Any) -> list[Sample]:
    opts = ["a dog runs", "a cat sleeps", "a man jumps", "a car stops", "a bird sings"]
    metas = [{"type": "CW", "group": "causal", "task": "action_sequence", "duration": "short",
              "task_type": "Counting Problem", "video": "v0"},
             {"type": "TN", "group": "temporal", "task": "object_existence", "duration": "long",
              "task_type": "Action Recognition", "video": "v1"}]
    return [_s(b, f"vid{i}", {"video": "v.mp4", "question": "What happens?", "options": opts[: 4 + i]}, t, m)
            for i, (t, m) in enumerate(zip(("B", "D"), metas, strict=True))]


def _pope(b: Any) -> list[Sample]:
    return [_s(b, f"{cat}-{i}", {"question": "Is there a dog in the image?", "image": "p.jpg"}, label,
               {"category": cat, "image": "p.jpg"})
            for cat in b.categories for i, label in enumerate(("yes", "no", "yes", "no"))]


def _vqa(b: Any) -> list[Sample]:
    key = b.type_key
    return [_s(b, f"q{i}", {"question": "What color?", "image": "q.jpg"}, answers,
               {key: kind, "question_type": "what color", "majority": answers[0]})
            for i, (answers, kind) in enumerate([(["red"] * 10, "other"), (["2"] * 7 + ["3"] * 3, "number")])]


def _gqa(b: Any) -> list[Sample]:
    return [_s(b, f"g{i}", {"question": "What is it?", "image": "g.jpg"}, a, {"structural": st, "majority": a})
            for i, (a, st) in enumerate([("table", "query"), ("yes", "verify")])]


def _chartqa(b: Any) -> list[Sample]:
    return [_s(b, f"c{i}", {"question": "Value?", "image": "c.png"}, a, {"type": t, "majority": a})
            for i, (a, t) in enumerate([("12", "augmented"), ("Spain", "human"), ("0", "human")])]


def _docvqa(b: Any) -> list[Sample]:
    return [_s(b, f"d{i}", {"question": "Total?", "image": "d.png"}, a, {"question_type": t, "majority": a[0]})
            for i, (a, t) in enumerate([(["$1,250.00", "1,250.00"], "table/list"), (["ACME Inc."], "form")])]


def _mme(b: Any) -> list[Sample]:
    out = []
    for cat in ("existence", "OCR", "commonsense_reasoning"):
        for k, ans in enumerate(("yes", "no")):
            out.append(_s(b, f"{cat}/1.jpg#{k}", {"question": "Is there a cat?", "image": "m.jpg"}, ans,
                          {"category": cat, "question_id": f"{cat}/1.jpg"}))
    return out


FACTORIES = {
    "ScreenSpot": _screenspot, "ScreenSpotPro": _screenspot_pro, "VisualWebBench": _vwb, "Mind2Web": _mind2web,
    "AITW": _aitw, "SpatialEval": _spatialeval, "VSR": _vsr, "Blink": _blink, "NextQA": _video,
    "IntentQA": _video, "MVBench": _video, "VideoMME": _video, "Pope": _pope, "VQAv2": _vqa, "TextVQA": _vqa,
    "GQA": _gqa, "ChartQA": _chartqa, "DocVQA": _docvqa, "MME": _mme,
}


def samples_for(bench: Any) -> list[Sample]:
    """Hand-made samples for `bench`; a KeyError names a static benchmark that has no factory yet
    (add one: every registered benchmark must be covered)."""
    return FACTORIES[type(bench).__name__](bench)
