"""Finding a VL release's files wherever a user unpacked them under `--data-dir`.

Official zips nest differently (VQAv2's `Questions/` and `Annotations/`, COCO's `val2014/`, the
VQA API's `Images/mscoco/val2014/`, DocVQA's `spdocvqa_images/documents/`, the POPE repository's
`output/coco/`), and users add a folder of their own on top. Annotation files are found by their
official names (`hf_files.find_files`, recursive); image folders by where the first records'
images actually are, so a wrong guess never turns into every sample erroring "image not found".
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from magma_bench.data.hf_files import find_files, load_hf_rows
from magma_bench.errors import UserError

PROBE = 8  # how many records' images are looked for when choosing an image folder


def media_root(data_dir: Path, rels: Sequence[str], near: Sequence[Path], hints: Sequence[str], what: str) -> Path:
    """The folder `root` such that `root / rel` exists for one of the first records' media paths
    `rels` (as the release writes them, e.g. "COCO_val2014_000000310196.jpg" or
    "documents/pybv0228_81.png"). Tried in order: each folder of `near` (then `data_dir`) joined
    with each of the official folder names `hints`, the folder itself, then one walk of `data_dir`.
    Nothing found is one UserError naming what was looked for and where."""
    data_dir = Path(data_dir)
    probe = [r for r in rels[:PROBE] if r]
    bases = list(dict.fromkeys([*map(Path, near), data_dir]))
    for base in bases:
        for cand in [*(base / h for h in hints), base]:
            if any((cand / r).is_file() for r in probe):
                return cand
    wanted = {Path(r).name: Path(r) for r in probe}
    for dirpath, dirnames, filenames in os.walk(data_dir):
        dirnames.sort()
        for name in sorted(set(filenames) & set(wanted)):
            rel = wanted[name]
            root = Path(dirpath).parents[len(rel.parts) - 2] if len(rel.parts) > 1 else Path(dirpath)
            if (root / rel).is_file():
                return root
    looked = ", ".join(f"{h}/" for h in hints)
    raise UserError(f"{data_dir}: no {what} found: looked for {probe[0] if probe else '(no image names)'} "
                    f"in {looked or 'the data folder'} and anywhere below it")


def find_one(data_dir: Path, names: Sequence[str], what: str) -> Path | None:
    """The first file (sorted by path) matching one of the official `names` anywhere under
    `data_dir`, or None. Two copies of the same official file are refused: reading either one
    silently would hide which the results came from."""
    files = find_files(Path(data_dir), tuple(names))
    if not files:
        return None
    by_name: dict[str, list[Path]] = {}
    for f in files:
        by_name.setdefault(f.name, []).append(f)
    for name, paths in by_name.items():
        if len(paths) > 1:
            raise UserError(f"{data_dir}: {len(paths)} copies of {what} {name} ({paths[0]}, {paths[1]}); "
                            "point --data-dir at the one to use")
    return files[0]


def find_dir(data_dir: Path, name: str) -> Path | None:
    """The first folder called `name` below `data_dir` (sorted by path), else `data_dir` itself
    when it is called that. Below first: a snapshot folder a user named after the dataset
    (`DocVQA/`) holds the config folder of the same name (`DocVQA/DocVQA/`) beside others."""
    data_dir = Path(data_dir)
    hits = sorted(p for p in data_dir.rglob(name) if p.is_dir() and ".magma_cache" not in p.parts)
    if hits:
        return hits[0]
    return data_dir if data_dir.name == name and data_dir.is_dir() else None


def hub_rows(data_dir: Path, split: str | None, original: str, hub: str) -> list[dict[str, Any]]:
    """Rows of a hub snapshot (`load_hf_rows`) once no original file was found; when there is no
    snapshot either, one UserError listing both: the official file names and the hub shards."""
    data_dir = Path(data_dir)
    saved = (data_dir / "dataset_info.json").exists() or (data_dir / "dataset_dict.json").exists()
    if not saved and not find_files(data_dir, ("*.parquet",)):
        raise UserError(f"{data_dir}: nothing to load: looked for {original} and for the {hub} parquet shards")
    return load_hf_rows(data_dir, split)
