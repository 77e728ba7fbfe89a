"""Write a generated Mind2Web suite in SeeClick's release layout (one browser for all splits).

Each split gets its own page seed; ids are deterministic (derived from seed, split and index),
screenshots are JPEG like the release's, and the DOM boxes of every visible element of a step's
screen are kept as `pos_candidates`-style rows for SoM use.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from magma_bench.benchmarks.ui.offline.episodes import make_episodes
from magma_bench.benchmarks.ui.offline.render import ScreenRenderer

DOMAINS = {"shop": ("Shopping", "Department"), "mail": ("Service", "Email"), "settings": ("Service", "Account"),
           "news": ("Info", "News"), "files": ("Service", "Storage"), "music": ("Entertainment", "Music")}


def _uid(*parts: object) -> str:
    h = hashlib.sha1("|".join(map(str, parts)).encode()).hexdigest()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def write_mind2web(out_dir: Path, n: int, seed: int, splits: tuple[str, ...]) -> int:
    """n steps (at least) per split. Returns the number of blocked (non-local) requests."""
    from PIL import Image

    img_dir = out_dir / "mind2web_images"
    img_dir.mkdir(parents=True, exist_ok=True)
    raw = out_dir / ".magma_cache" / "raw"
    with ScreenRenderer(raw) as r:
        for si, split in enumerate(splits):
            rng = np.random.default_rng([seed, si])
            episodes = []
            for ei, ep in enumerate(make_episodes(r, rng, ("desktop", "web"), n, f"{split}-")):
                ann = _uid(seed, split, ei)
                domain, sub = DOMAINS[ep.theme]
                actions = []
                for j, st in enumerate(ep.steps):
                    uid = _uid(seed, split, ei, j)
                    buf = io.BytesIO()
                    Image.open(raw / st.screen.file).convert("RGB").save(buf, format="JPEG", quality=90)
                    (img_dir / f"{ann}-{uid}.jpg").write_bytes(buf.getvalue())
                    x1, y1, x2, y2 = st.screen.boxes[st.element]
                    actions.append({"action_uid": uid,
                                    "operation": {"original_op": st.op, "value": st.value, "op": st.op},
                                    "pos_candidates": [], "bbox": {"x": x1, "y": y1, "width": x2 - x1, "height": y2 - y1}})
                episodes.append({"website": f"{ep.theme}{ei % 3}", "domain": domain, "subdomain": sub,
                                 "annotation_id": ann, "confirmed_task": ep.goal,
                                 "action_reprs": [s.desc for s in ep.steps], "actions": actions})
            (out_dir / f"mind2web_data_{split}.json").write_text(json.dumps(episodes, indent=1) + "\n")
    return r.blocked
