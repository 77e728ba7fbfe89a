"""The page generator in real Chromium: offline routing, DOM boxes, determinism per seed."""

from __future__ import annotations

import numpy as np
import pytest
from ui_testutil import needs_browser

from magma_bench.benchmarks.ui.offline.pages import VIEWPORTS, make_page
from magma_bench.benchmarks.ui.offline.render import ScreenRenderer

pytestmark = [pytest.mark.browser, needs_browser]


@pytest.fixture(scope="module")
def renderer(tmp_path_factory):
    with ScreenRenderer(tmp_path_factory.mktemp("screens")) as r:
        yield r


def test_external_requests_are_aborted_and_counted(renderer):
    b = renderer._browser
    before = len(b.blocked)
    html = ('<html><body><img src="http://example.com/logo.png"><button data-mb="x">Go</button>'
            '<script>fetch("https://api.example.org/track").catch(() => {})</script>'
            '<link rel="stylesheet" href="http://cdn.example.net/a.css"></body></html>')
    r = b.render(html, (390, 844), path="probe.html")
    b.page.wait_for_timeout(100)
    blocked = b.blocked[before:]
    assert {"http://example.com/logo.png", "https://api.example.org/track", "http://cdn.example.net/a.css"} <= set(blocked)
    assert r.boxes and r.boxes[0]["id"] == "x" and r.boxes[0]["visible"]


def test_same_seed_same_page_and_pixels(renderer):
    pages = [make_page(np.random.default_rng(7), "mobile") for _ in range(2)]
    assert pages[0].html == pages[1].html
    a = renderer.render(pages[0], "a.png")
    b = renderer.render(pages[1], "b.png")
    assert (renderer.img_dir / "a.png").read_bytes() == (renderer.img_dir / "b.png").read_bytes()
    assert a.boxes == b.boxes
    assert make_page(np.random.default_rng(8), "mobile").html != pages[0].html


@pytest.mark.parametrize("platform", ["mobile", "desktop", "web"])
def test_pages_have_text_and_icon_targets_inside_the_viewport(renderer, platform):
    rng = np.random.default_rng(1)
    kinds = set()
    for k in range(4):
        screen = renderer.render(make_page(rng, platform), f"{platform}{k}.png")
        assert screen.size == VIEWPORTS[platform]
        w, h = screen.size
        for box in screen.boxes.values():
            assert 0 <= box[0] < box[2] <= w and 0 <= box[1] < box[3] <= h
        targets = screen.targets()
        assert len({t.instruction.lower() for t in targets}) == len(targets)
        kinds |= {t.kind for t in targets}
    assert kinds == {"text", "icon"}


def test_occluded_elements_are_not_targets(renderer):
    html = ('<html><body style="margin:0"><button data-mb="under" style="margin:40px">Hidden</button>'
            '<div style="position:fixed;inset:0;background:rgba(0,0,0,.5)"><button data-mb="top" '
            'style="margin:200px">Shown</button></div></body></html>')
    vis = {b["id"]: b["visible"] for b in renderer._browser.render(html, (390, 844), path="occ.html").boxes}
    assert vis == {"under": False, "top": True}

