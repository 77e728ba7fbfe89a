"""ScreenSpot-Pro (Li et al., 2025): grounding on high-resolution professional-software screens.

Official files (likaixin/ScreenSpot-Pro, laid out as `run_ss_pro.sh` reads it): `ScreenSpot-Pro/
annotations/<app>_<platform>.json`, JSON arrays of {id, img_filename, bbox [x1, y1, x2, y2] px,
instruction, instruction_cn, application, platform, img_size [w, h], ui_type text|icon, group
Dev|Creative|CAD|Scientific|Office|OS}, images under `ScreenSpot-Pro/images/` (img_filename is
relative to it). The `annotations/` folder is found at any depth under --data-dir, the `images/`
folder beside it. Official id: the record's `id`, which `eval_screenspot_pro.py` copies into its
results. Scoring follows that script (positive ground truth): a hit is the click point inside
the box; the headline is the overall accuracy, with text/icon accuracy per group and application.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmarks.ui._files import lazy_image_root, one_dir
from magma_bench.benchmarks.ui.grounding import CANDIDATES_FILE, PointGrounding, image_size
from magma_bench.data.hf_files import read_json, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean, standard_metrics
from magma_bench.types import Sample

FIELDS = ("img_filename", "bbox", "instruction", "application", "platform", "ui_type", "group")
# Generated stand-ins: page theme -> (application, group), rendered at 2560x1440 with small fonts.
APPS = {"files": ("explorer", "OS"), "settings": ("control_panel", "OS"), "mail": ("outlook", "Office"),
        "news": ("word", "Office"), "music": ("audition", "Creative"), "shop": ("excel", "Office")}
PRO_SIZE = (2560, 1440)


class ScreenSpotPro(PointGrounding):
    name = "screenspot_pro"
    splits = ("test",)
    default_n = 40
    official_id = "id (each annotation record's own, as eval_screenspot_pro.py reports it)"
    # Accuracy overall (the headline), and the official leaderboard's breakdowns: text/icon
    # accuracy overall, per group and per application.
    metrics = (*standard_metrics("accuracy"),
               Mean("accuracy", by=("{ui_type}_acc", "group/{group}", "group/{group}/{ui_type}", "app/{application}")))

    def __init__(self, language: str = "en", **args: Any) -> None:
        if language not in ("en", "cn"):
            raise UserError(f"screenspot_pro: language must be en or cn, got {language!r}")
        super().__init__(language=language, **args)
        self.language = language

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        ann = one_dir(data_dir, "annotations", "*.json")
        if ann is not None:
            files = sorted(ann.glob("*.json"))
        else:  # --data-dir is the annotation folder itself, under another name
            files = sorted(p for p in data_dir.glob("*.json") if p.name not in (CANDIDATES_FILE, "MAGMA_BENCH_GENERATED.json"))
        if not files:
            raise UserError(f"{data_dir}: no ScreenSpot-Pro annotation files (annotations/<app>_<platform>.json) "
                            "found at any depth")
        first = read_json(files[0])
        probes = [r["img_filename"] for r in (first if isinstance(first, list) else [])[:5]
                  if isinstance(r, dict) and isinstance(r.get("img_filename"), str)]
        img_root = lazy_image_root(data_dir, files[0].parent / "_", ("images",), probes)
        samples = []
        for path in files:
            rows = read_json(path)
            if not isinstance(rows, list):
                raise UserError(f"{path}: expected a JSON array of ScreenSpot-Pro records")
            for i, row in enumerate(rows):
                with record_context(path, i):
                    require_fields(row, FIELDS, f"{path}: record {i}")
                    b = row["bbox"]
                    if not (isinstance(b, list) and len(b) == 4 and b[0] <= b[2] and b[1] <= b[3]):
                        raise UserError(f"{path}: record {i}: bbox must be [x1, y1, x2, y2], got {b!r}")
                    img = img_root() / row["img_filename"]
                    size = row.get("img_size") or (image_size(img) if img.exists() else [0, 0])
                    instruction = row.get("instruction_cn") if self.language == "cn" else row["instruction"]
                    if not instruction:
                        raise UserError(f"{path}: record {i}: no {self.language} instruction")
                    samples.append(Sample(
                        id=str(row.get("id", f"{path.stem}-{i}")), benchmark=self.name,
                        official_id=str(row["id"]) if "id" in row else None,
                        inputs={"image": str(img), "instruction": instruction, "size": [int(size[0]), int(size[1])]},
                        target=[float(v) for v in b],
                        meta={k: row[k] for k in ("application", "platform", "ui_type", "group", "img_filename")}))
        if not samples:
            raise UserError(f"{data_dir}: the ScreenSpot-Pro annotation files ({files[0].parent}) hold no records")
        self.attach_marks(data_dir, samples)
        return samples

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Desktop pages at 2560x1440 with 11-12 px text (small targets on a big screen, as in
        Pro), about half text and half icon targets, one annotation file per application."""
        from magma_bench.benchmarks.ui.offline.pages import make_page
        from magma_bench.benchmarks.ui.offline.render import ScreenRenderer

        rng = np.random.default_rng(seed)
        need = {"text": -(-n // 2), "icon": n // 2}
        files: dict[str, list[dict]] = {}
        candidates: dict[str, list[list[int]]] = {}
        (out_dir / "annotations").mkdir(parents=True, exist_ok=True)
        with ScreenRenderer(out_dir / "images") as r:
            k = 0
            while any(need.values()):
                if k > 20 * n + 20:
                    raise RuntimeError("screenspot_pro generator: pages yield too few targets")
                page = make_page(rng, "desktop", PRO_SIZE)
                app, group = APPS[page.theme]
                platform = page.source
                folder = f"{app}_{platform}"
                (out_dir / "images" / folder).mkdir(exist_ok=True)
                screen = r.render(page, f"{folder}/{seed}_{k:05d}.png")
                k += 1
                used = False
                for t in ("text", "icon"):
                    pool = [e for e in screen.targets() if e.kind == t]
                    for j in rng.permutation(len(pool))[: min(2, need[t])]:
                        e = pool[int(j)]
                        rows = files.setdefault(folder, [])
                        rows.append({"img_filename": screen.file, "bbox": screen.boxes[e.id],
                                     "instruction": e.instruction, "instruction_cn": e.instruction,
                                     "id": f"{folder}_{len(rows)}", "application": app, "platform": platform,
                                     "img_size": list(PRO_SIZE), "ui_type": t, "group": group})
                        need[t] -= 1
                        used = True
                if used:
                    candidates[screen.file] = list(screen.boxes.values())
                else:
                    (out_dir / "images" / screen.file).unlink()
        for folder, rows in sorted(files.items()):
            (out_dir / "annotations" / f"{folder}.json").write_text(json.dumps(rows, indent=1) + "\n")
        (out_dir / CANDIDATES_FILE).write_text(json.dumps(candidates, sort_keys=True) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed, blocked_requests=r.blocked)
        return out_dir
