"""`make perf` figures for the UI generator (pages/s and the ratio to a bare screenshot loop) and
for the live `webnav` environment (steps/s).

Both loops run side by side in one browser over the same generated pages, alternating page by
page and swapping which goes first, so that load and warm caches affect them alike. The full
loop is what `generate()` does per page (load, screenshot, DOM boxes, PNG written); the bare loop
only loads and screenshots.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def figures(n_pages: int = 24, seed: int = 0) -> dict[str, float]:
    import numpy as np

    from magma_bench.benchmarks.ui.offline.pages import make_page
    from magma_bench.benchmarks.ui.offline.render import ScreenRenderer

    rng = np.random.default_rng(seed)
    pages = [make_page(rng, ("mobile", "desktop", "web")[i % 3]) for i in range(n_pages)]
    full = bare = 0.0
    with tempfile.TemporaryDirectory() as tmp, ScreenRenderer(Path(tmp)) as r:
        b = r._browser
        r.render(pages[0], "warmup.png")  # first navigation pays one-off costs
        for i, page in enumerate(pages):
            for which in (("bare", "full") if i % 2 == 0 else ("full", "bare")):  # alternate who goes first
                t0 = time.perf_counter()
                if which == "bare":
                    b.goto(page.html, page.viewport, path=f"bare{i}.html")
                    b.screenshot()
                    bare += time.perf_counter() - t0
                else:
                    r.render(page, f"p{i}.png")
                    full += time.perf_counter() - t0
    return {"ui_pages_per_s": n_pages / full, "ui_bare_screenshots_per_s": n_pages / bare,
            "ui_pages_vs_bare_ratio": bare / full, "webnav_steps_per_s": webnav_steps_per_s(seed=seed)}


def webnav_steps_per_s(n_episodes: int = 5, seed: int = 0) -> float:
    """Expert steps per second in the live environment (act -> page -> screenshot -> observation)."""
    from magma_bench.benchmarks.ui.webnav import WebNav

    env = WebNav()
    steps, elapsed = 0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        episodes = env.episodes(env.generate(Path(tmp), n_episodes, seed), "test")
        try:
            for ep in episodes:
                obs = env.reset(ep)
                t0 = time.perf_counter()
                for _ in range(ep.max_steps):
                    res = env.step(obs["expert_action"])
                    steps, obs = steps + 1, res.observation
                    if res.done:
                        break
                elapsed += time.perf_counter() - t0
        finally:
            env.close()
    return steps / elapsed


if __name__ == "__main__":
    for k, v in figures().items():
        print(f"{k}\t{v:.3f}")
