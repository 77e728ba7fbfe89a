"""What point-grounding benchmarks share (ScreenSpot v1/v2/Pro): request, parser, scorer, SoM.

A sample's target is the element box [x1, y1, x2, y2] in pixels; the model answers with a point
(normalised or pixels), a box, or, with `som=True`, a mark number on a screenshot where candidate
elements are drawn as numbered red boxes. The hit test is the official one: point inside the box.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Capability
from magma_bench.benchmark import Benchmark, image_request
from magma_bench.benchmarks.ui.som import draw_marks, load_candidates
from magma_bench.data.cache import data_cache
from magma_bench.errors import UserError
from magma_bench.geometry import iou, point_in_box
from magma_bench.parsers.grounding import parse_grounding, resolve_point
from magma_bench.types import AnswerSpace, Request, Sample

# SeeClick's ScreenSpot prompt (pretrain/screenspot_test.py), which Magma's evaluation follows.
PROMPT = 'In this UI screenshot, what is the position of the element corresponding to the command "{}" (with point)?'
SOM_PROMPT = ("\nCandidate elements are marked with numbered red boxes. "
              "Answer as Coordinate: (x, y). Mark: k")
CANDIDATES_FILE = "som_candidates.json"


def image_size(path: Path) -> tuple[int, int]:
    from PIL import Image

    try:
        with Image.open(path) as im:
            return im.size
    except OSError as e:
        raise UserError(f"{path}: cannot read image ({e})") from None


class PointGrounding(Benchmark):
    """Base class: subclasses implement `load` / `generate` and call `attach_marks` in `load`."""

    domain = "ui"
    requires: ClassVar[tuple[str, ...]] = ("playwright",)  # generating the offline suite
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT, Capability.GROUNDING})

    def __init__(self, som: bool = False, som_boxes: str | None = None, **args: Any) -> None:
        super().__init__(som=som, som_boxes=som_boxes, **args)
        self.som = bool(som)
        self.som_boxes = som_boxes

    # -- SoM ---------------------------------------------------------------------------------------
    def attach_marks(self, data_dir: Path, samples: list[Sample], key: str = "img_filename") -> None:
        """With som=True, give each sample its candidate boxes (the user's detector file, else the
        suite's own `som_candidates.json`) and the path its marked screenshot is cached at."""
        if not self.som:
            return
        path = Path(self.som_boxes) if self.som_boxes else Path(data_dir) / CANDIDATES_FILE
        if not path.exists():
            raise UserError(f"{self.name}: som=True needs candidate boxes: pass som_boxes=<file> "
                            f"({{image file: [[x1, y1, x2, y2], ...]}}), none found at {path}")
        cands = load_candidates(path)
        cache = data_cache(data_dir, "som")
        for s in samples:
            boxes = cands.get(s.meta[key])
            if boxes is None:
                raise UserError(f"{path}: no candidate boxes for image {s.meta[key]!r} (sample {s.id})")
            s.inputs["marks"] = boxes
            digest = hashlib.sha1(f"{path.resolve()}|{s.meta[key]}".encode()).hexdigest()[:16]
            s.inputs["marked_image"] = str(cache / f"{digest}.png")

    # -- model I/O ---------------------------------------------------------------------------------
    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        w, h = sample.inputs["size"]
        x1, y1, x2, y2 = sample.target
        cx, cy = (x1 + x2) / 2 / w, (y1 + y2) / 2 / h
        text = PROMPT.format(sample.inputs["instruction"])
        marks = sample.inputs.get("marks")
        reference = f"Coordinate: ({cx:.3f}, {cy:.3f})"
        heuristic = None  # no natural guess without candidates: the baseline's screen centre
        space = AnswerSpace("point")
        if marks:
            image = sample.inputs["marked_image"]
            if not Path(image).exists():
                draw_marks(Path(sample.inputs["image"]), marks, Path(image))
            text += SOM_PROMPT
            best = max(range(len(marks)), key=lambda i: iou(marks[i], sample.target))
            if iou(marks[best], sample.target) > 0.5:
                reference += f". Mark: {best + 1}"
            largest = max(range(len(marks)), key=lambda i: (marks[i][2] - marks[i][0]) * (marks[i][3] - marks[i][1]))
            heuristic = f"Mark: {largest + 1}"
            space = AnswerSpace("choice", [f"Mark: {k + 1}" for k in range(len(marks))])
        return image_request(
            sample.id, image, text, answer_space=space, max_new_tokens=32, reference=reference, heuristic=heuristic)

    def parse(self, text: str) -> dict[str, Any] | None:
        return parse_grounding(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        point = resolve_point(parsed, sample.inputs["size"], sample.inputs.get("marks"))
        return {"accuracy": float(point_in_box(point, sample.target)), "wrong_format": float(point is None)}
