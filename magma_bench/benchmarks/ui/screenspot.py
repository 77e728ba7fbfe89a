"""ScreenSpot (Cheng et al., SeeClick, ACL 2024) and ScreenSpot-v2 (OS-Atlas): GUI grounding.

Official files: `screenspot_{mobile,desktop,web}.json` (v2: `screenspot_{...}_v2.json`), JSON arrays
of {img_filename, bbox [x, y, w, h] px, instruction, data_type text|icon, data_source}, images in
`screenspot_imgs/` (v2: `screenspotv2_image/`, as `screenspotv2_image.zip` unpacks). SeeClick's
download puts the JSON files in a `ScreenSpot/` folder beside `screenspot_imgs/`; both are found
anywhere under --data-dir. v1 also loads from the hub parquet layout (rootsautomation/ScreenSpot,
`data/test-*.parquet`: file_name, bbox normalised [x1, y1, x2, y2], instruction, data_type,
data_source, image), the copy lmms-eval's `screenspot` task reads.

Official id: the release has none. For the JSON files it is the record's position in
`screenspot_<platform>[_v2].json`, 0-based, as SeeClick's `screenspot_test.py` walks each file;
positions restart per file, so predictions keyed by them are scored one platform at a time
(`--bench-arg platform=mobile`). For the hub parquet it is the row's position in the test split
(lmms-eval's `doc_id`), unique over all platforms.

Hit = predicted point inside the box (SeeClick `screenspot_test.py`); headline = mean of the six
platform x type cells (mobile/desktop/web x text/icon), as Magma's Table 2 averages them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from magma_bench.benchmarks.ui._files import lazy_image_root, one_file
from magma_bench.benchmarks.ui.grounding import CANDIDATES_FILE, PointGrounding, image_size
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import (
    find_files,
    load_hf_rows,
    materialize_image,
    read_json,
    record_context,
    require_fields,
)
from magma_bench.errors import UserError
from magma_bench.geometry import xywh_to_xyxy
from magma_bench.types import Sample

PLATFORMS = ("mobile", "desktop", "web")
TYPES = ("text", "icon")
_SOURCE_PLATFORM = {"ios": "mobile", "android": "mobile", "macos": "desktop", "windows": "desktop"}


class ScreenSpot(PointGrounding):
    name = "screenspot"
    splits = ("test",)
    default_n = 60
    group_key = "cell"
    official_id = ("position in screenspot_<platform>.json as SeeClick's screenspot_test.py walks it, 0-based "
                   "(one platform at a time); hub parquet: row position in the test split (lmms-eval doc_id)")
    versions: ClassVar[dict[str, tuple[str, str]]] = {  # version -> (file suffix, image folder)
        "v1": ("", "screenspot_imgs"), "v2": ("_v2", "screenspotv2_image")}

    def __init__(self, version: str = "v1", platform: str | None = None, **args: Any) -> None:
        if version not in self.versions:
            raise UserError(f"screenspot: unknown version {version!r}; choose v1 or v2")
        if platform is not None and platform not in PLATFORMS:
            raise UserError(f"screenspot: unknown platform {platform!r}; choose one of {', '.join(PLATFORMS)}")
        super().__init__(version=version, platform=platform, **args)
        self.version = version
        self.platforms = (platform,) if platform else PLATFORMS

    # -- loading -----------------------------------------------------------------------------------
    def _file(self, platform: str) -> str:
        return f"screenspot_{platform}{self.versions[self.version][0]}.json"

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        files = {p: one_file(data_dir, self._file(p)) for p in self.platforms}
        if any(files.values()):
            samples = self._load_json(data_dir, {p: f for p, f in files.items() if f})
        elif self.version == "v1" and (find_files(data_dir, ("*.parquet",)) or (data_dir / "dataset_info.json").exists()
                                       or (data_dir / "dataset_dict.json").exists()):
            samples = self._load_hub(data_dir, split)
        else:
            hub = " or hub parquet shards (rootsautomation/ScreenSpot data/test-*.parquet)" if self.version == "v1" else ""
            raise UserError(f"{data_dir}: no ScreenSpot{'-v2' if self.version == 'v2' else ''} files "
                            f"({', '.join(self._file(p) for p in self.platforms)}){hub} found at any depth")
        self.attach_marks(data_dir, samples)
        return samples

    def _load_json(self, data_dir: Path, files: dict[str, Path]) -> list[Sample]:
        samples = []
        folder = self.versions[self.version][1]
        for platform, path in files.items():
            rows = read_json(path)
            if not isinstance(rows, list):
                raise UserError(f"{path}: expected a JSON array of ScreenSpot records")
            probes = [r["img_filename"] for r in rows[:5] if isinstance(r, dict) and isinstance(r.get("img_filename"), str)]
            root = lazy_image_root(data_dir, path, (folder, "images"), probes)
            sizes: dict[str, tuple[int, int]] = {}
            for i, row in enumerate(rows):
                with record_context(path, i):
                    require_fields(row, {"img_filename": str, "bbox": list, "instruction": str, "data_type": str},
                                   f"{path}: record {i}")
                    b = row["bbox"]
                    if not (isinstance(b, list) and len(b) == 4 and all(isinstance(v, int | float) for v in b)):
                        raise UserError(f"{path}: record {i}: bbox must be [x, y, w, h], got {b!r}")
                    if row["data_type"] not in TYPES:
                        raise UserError(f"{path}: record {i}: data_type must be text or icon, got {row['data_type']!r}")
                    img = root() / row["img_filename"]
                    if row["img_filename"] not in sizes:
                        sizes[row["img_filename"]] = image_size(img) if img.exists() else (0, 0)
                    samples.append(self._sample(f"{platform}-{i}", str(i), str(img), sizes[row["img_filename"]],
                                                row, platform, xywh_to_xyxy(b)))
        return samples

    def _load_hub(self, data_dir: Path, split: str) -> list[Sample]:
        cache = data_cache(data_dir, "images")
        samples = []
        for i, row in enumerate(load_hf_rows(data_dir, split)):
            with record_context(data_dir, i):
                require_fields(row, {"bbox": list, "instruction": str, "data_type": str, "image": (dict, str)},
                               f"{data_dir}: row {i}")
                source = str(row.get("data_source", "web"))
                platform = _SOURCE_PLATFORM.get(source, "web")
                if platform not in self.platforms:
                    continue
                name = str(row.get("file_name") or f"row{i}.png")
                img = materialize_image(row["image"], cache, name)
                w, h = image_size(img)
                x1, y1, x2, y2 = row["bbox"]
                samples.append(self._sample(f"{platform}-{i}", str(i), str(img), (w, h), {**row, "img_filename": name},
                                            platform, [x1 * w, y1 * h, x2 * w, y2 * h]))
        if not samples:
            raise UserError(f"{data_dir}: the hub parquet rows hold no ScreenSpot samples for {', '.join(self.platforms)}")
        return samples

    def _sample(self, sid: str, official: str, img: str, size: tuple[int, int], row: dict, platform: str,
                box: list[float]) -> Sample:
        return Sample(id=sid, benchmark=self.name, official_id=official,
                      inputs={"image": img, "instruction": row["instruction"], "size": list(size)},
                      target=[float(v) for v in box],
                      meta={"platform": platform, "data_type": row["data_type"], "cell": f"{platform}/{row['data_type']}",
                            "data_source": row.get("data_source"), "img_filename": row["img_filename"]})

    # -- offline suite -----------------------------------------------------------------------------
    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Pages rendered in Chromium until every platform x type cell has ceil(n/6) targets; at
        most two targets of each type per page. Writes the official JSON files plus SoM candidates
        (every visible actionable element) for `som=True`."""
        from magma_bench.benchmarks.ui.offline.pages import make_page
        from magma_bench.benchmarks.ui.offline.render import ScreenRenderer

        rng = np.random.default_rng(seed)
        per_cell = max(1, -(-n // 6))
        folder = self.versions[self.version][1]
        candidates: dict[str, list[list[int]]] = {}
        with ScreenRenderer(out_dir / folder) as r:
            for platform in PLATFORMS:  # all of them: the cached suite is shared by platform variants
                rows: list[dict] = []
                need = dict.fromkeys(TYPES, per_cell)
                k = 0
                while any(need.values()):
                    if k > 40 * per_cell:
                        raise RuntimeError("screenspot generator: pages yield too few targets")
                    page = make_page(rng, platform)
                    screen = r.render(page, f"{platform}_{seed}_{k:05d}.png")
                    k += 1
                    targets = screen.targets()
                    used = False
                    for t in TYPES:
                        pool = [e for e in targets if e.kind == t]
                        for j in rng.permutation(len(pool))[: min(2, need[t])]:
                            e = pool[int(j)]
                            x1, y1, x2, y2 = screen.boxes[e.id]
                            rows.append({"img_filename": screen.file, "bbox": [x1, y1, x2 - x1, y2 - y1],
                                         "instruction": e.instruction, "data_type": t, "data_source": page.source})
                            need[t] -= 1
                            used = True
                    if used:
                        candidates[screen.file] = list(screen.boxes.values())
                    else:
                        (out_dir / folder / screen.file).unlink()
                (out_dir / self._file(platform)).write_text(json.dumps(rows, indent=1) + "\n")
        (out_dir / CANDIDATES_FILE).write_text(json.dumps(candidates, sort_keys=True) + "\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed, blocked_requests=r.blocked)
        return out_dir
