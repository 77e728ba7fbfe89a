"""Set-of-Mark candidates, rendering and targets on synthetic images."""

from __future__ import annotations

import itertools

import numpy as np
from PIL import Image

from magma_bench.geometry import intersection_area
from magma_bench.marks import scaled_font_px, text_size
from magma_bench.model.formats import parse_coordinate
from magma_bench.trainer import som


def _dense_boxes() -> list[som.Box]:
    # a 6x5 grid of small buttons 6 px apart: labels cannot all sit at the same anchor
    return [(10 + 40 * c, 12 + 30 * r, 40 + 40 * c, 34 + 30 * r) for r in range(5) for c in range(6)]


def test_ui_candidates_drop_tiny_offscreen_and_duplicate_boxes():
    boxes = [(0, 0, 50, 20), (1, 0, 50, 20), (10, 10, 12, 12), (300, 300, 400, 400), (-10, 40, 30, 60)]
    assert som.ui_candidates(boxes, 200, 100) == [0, 4]


def test_marks_are_a_seeded_permutation_and_deterministic():
    boxes = _dense_boxes()
    a, b, c = som.assign_marks(boxes, 3), som.assign_marks(boxes, 3), som.assign_marks(boxes, 4)
    assert a == b and a != c
    assert sorted(m.id for m in a) == list(range(1, len(boxes) + 1))
    assert som.mark_by_source(a, 7).box == tuple(float(v) for v in boxes[7])


def test_box_labels_never_overlap_and_stay_in_image():
    img = Image.new("RGB", (260, 170), (240, 240, 240))
    marks = som.assign_marks(_dense_boxes(), 0)
    out, labels = som.render_box_marks(img, marks)
    assert out.size == img.size and img.getpixel((0, 0)) == (240, 240, 240)  # input untouched
    for a, b in itertools.combinations(labels, 2):
        assert intersection_area(a, b) == 0, (a, b)
    assert all(0 <= x1 and 0 <= y1 and x2 <= 260 and y2 <= 170 for x1, y1, x2, y2 in labels)
    arr = np.asarray(out)
    x1, y1, x2, y2 = (int(v) for v in marks[0].box)
    assert tuple(arr[(y1 + y2) // 2, x2 - 1]) == som.RED  # box outline drawn in red
    lab = labels[0]
    patch = arr[int(lab[1]):int(lab[3]), int(lab[0]):int(lab[2])]
    assert (patch[..., 1] > 180).any()  # white digits on the red label
    again, _ = som.render_box_marks(img, som.assign_marks(_dense_boxes(), 0))
    assert np.array_equal(np.asarray(again), arr)


def test_point_marks_are_spread_so_circles_do_not_overlap():
    w = 256
    r = som.circle_radius(w)
    pts = som.robot_candidates((100, 100), [(103, 101), (160, 90), (300, 10), (40, 200)], w, 256, 2 * r + 1)
    assert pts[0] == (100.0, 100.0) and (103.0, 101.0) not in pts and len(pts) == 3
    marks = som.assign_marks(pts, 1)
    out = np.asarray(som.render_point_marks(Image.new("RGB", (w, 256)), marks)).astype(int)
    for m in marks:
        ring = out[int(m.y) - r + 2, int(m.x)]
        assert tuple(ring) == som.RED
    assert (out[..., 1] > 180).sum() > 0  # white-ish digits


def test_fixed_label_font_matches_the_ui_benchmarks_and_still_avoids_overlaps():
    marks = som.assign_marks(_dense_boxes(), 2)
    _, labels = som.render_box_marks(Image.new("RGB", (260, 170)), marks, font_px=14)
    assert all(8 <= y2 - y1 <= 20 for _, y1, _, y2 in labels)
    for a, b in itertools.combinations(labels, 2):
        assert intersection_area(a, b) == 0


def test_font_grows_with_image_width_like_upstream():
    from magma_bench.marks import font

    small, big = font(scaled_font_px(256)), font(scaled_font_px(1024))
    assert min(text_size(big, "55")) >= 0.03 * 1024 > min(text_size(small, "55"))


def test_target_text_is_the_shared_coordinate_format():
    m = som.Mark(12, 20.0, 60.0)
    text = som.som_target(m, 500, 500)
    assert text == "Coordinate: (0.04, 0.12). Mark: 12"
    assert parse_coordinate(text) == (0.04, 0.12, 12)


def test_training_marks_are_the_evaluation_marks_pixel_for_pixel(tmp_path):
    """One renderer: the trainer's UI SoM image equals the ScreenSpot/VWB evaluation image drawn by
    `benchmarks/ui/som.draw_marks` for the same boxes and numbers (no train/eval skew)."""
    from magma_bench.benchmarks.ui.som import draw_marks
    from magma_bench.marks import UI_FONT_PX

    rng = np.random.default_rng(5)
    img = Image.fromarray(rng.integers(0, 255, (170, 260, 3), dtype=np.uint8))
    marks = som.assign_marks(_dense_boxes(), 1)
    trained, rects = som.render_box_marks(img, marks, font_px=UI_FONT_PX)
    img.save(tmp_path / "screen.png")
    eval_rects = draw_marks(tmp_path / "screen.png", [m.box for m in marks], tmp_path / "som.png",
                            labels=[str(m.id) for m in marks])
    assert np.array_equal(np.asarray(trained), np.asarray(Image.open(tmp_path / "som.png")))
    assert [list(r) for r in rects] == [[float(v) for v in r] for r in eval_rects]
