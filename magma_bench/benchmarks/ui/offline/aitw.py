"""Write a generated AITW suite in SeeClick's layout (one browser for all subsets).

Mobile episodes from `episodes`: typing into fields (TYPE, like AITW's type steps), taps (DUAL_POINT
with touch == lift at the element centre) and a final STATUS_TASK_COMPLETE, as AITW episodes end.
`annot_position` holds every visible element of the screen as (y, x, h, w), normalised, the way
AITW's OCR/icon annotations are stored.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

from magma_bench.benchmarks.ui.offline.episodes import make_episodes
from magma_bench.benchmarks.ui.offline.render import Screen, ScreenRenderer


def _annotations(screen: Screen) -> list[float]:
    w, h = screen.size
    out: list[float] = []
    for x1, y1, x2, y2 in screen.boxes.values():
        out += [round(y1 / h, 4), round(x1 / w, 4), round((y2 - y1) / h, 4), round((x2 - x1) / w, 4)]
    return out


def write_aitw(out_dir: Path, n: int, seed: int, subsets: tuple[str, ...]) -> int:
    """About n steps over the subsets. Returns the number of blocked (non-local) requests."""
    raw = out_dir / ".magma_cache" / "raw"
    data: dict[str, list[list[dict]]] = {}
    per = max(1, -(-n // len(subsets)))
    with ScreenRenderer(raw) as r:
        for si, subset in enumerate(subsets):
            rng = np.random.default_rng([seed, si])
            (out_dir / "aitw_images" / subset).mkdir(parents=True, exist_ok=True)
            episodes = []
            for ei, ep in enumerate(make_episodes(r, rng, ("mobile", "mobile"), max(1, per - 1), f"{subset}-")):
                ep_id = f"{seed}{si}{ei:05d}"
                steps = []
                for j, st in enumerate([*ep.steps, None]):
                    screen = (st or ep.steps[-1]).screen
                    name = f"{subset}/{ep_id}_{j}"
                    shutil.copyfile(raw / screen.file, out_dir / "aitw_images" / f"{name}.png")
                    row = {"ep_id": ep_id, "step": j, "img_filename": name, "goal": ep.goal,
                           "annot_position": _annotations(screen), "touch": [-1.0, -1.0], "lift": [-1.0, -1.0],
                           "type_text": ""}
                    if st is None:
                        row.update(action_type_id=10, action_type_text="status task complete")
                    elif st.op == "TYPE":
                        row.update(action_type_id=3, action_type_text="type", type_text=st.value)
                    else:  # CLICK, and SELECT as the tap that opens the picker
                        w, h = screen.size
                        x1, y1, x2, y2 = screen.boxes[st.element]
                        c = [round((x1 + x2) / 2 / w, 4), round((y1 + y2) / 2 / h, 4)]
                        row.update(action_type_id=4, action_type_text="click", touch=c, lift=c)
                    steps.append(row)
                episodes.append(steps)
            data[subset] = episodes
    (out_dir / "aitw_data_test.json").write_text(json.dumps(data, indent=1) + "\n")
    return r.blocked
