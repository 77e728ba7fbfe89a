"""Finding UI benchmark files where users unpack them: record files by their official names and the
image folder the records' file names are relative to, anywhere under `--data-dir`.

Releases name their image folders differently from what their READMEs print (SeeClick's README
says `mind2web_imgs` / `aitw_imgs`, other tools unpack them as `mind2web_images` / `aitw_images`),
and users nest the whole release a level or two down. A wrong guess here used to fall back to the
top folder, so every sample errored "image not found"; now the folder is found by name, else by
where the first records' images actually are, else loading stops with one line saying what was
looked for.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

from magma_bench.data.hf_files import find_files
from magma_bench.errors import UserError


def one_file(data_dir: Path, name: str) -> Path | None:
    """The one file called `name` under data_dir (searched recursively); None when there is none.
    Two copies would be read twice (every official id doubled), so they are refused by name."""
    found = find_files(Path(data_dir), (name,))
    found = [p for p in found if p.is_file()]
    if len(found) > 1:
        listed = ", ".join(str(p) for p in found[:4])
        raise UserError(f"{data_dir}: {len(found)} copies of {name} ({listed}); point --data-dir at the folder of one")
    return found[0] if found else None


def one_dir(data_dir: Path, name: str, holds: str) -> Path | None:
    """The one folder called `name` (data_dir itself, or below it) that holds a file matching
    `holds` at any depth; None when there is none, a UserError naming them when there are several."""
    data_dir = Path(data_dir)
    dirs = [data_dir] if data_dir.name == name else []
    dirs += [p for p in find_files(data_dir, (name,)) if p.is_dir()]
    dirs = [d for d in dict.fromkeys(dirs) if next(iter(find_files(d, (holds,))), None) is not None]
    if len(dirs) > 1:
        listed = ", ".join(str(p) for p in dirs[:4])
        raise UserError(f"{data_dir}: {len(dirs)} folders named {name}/ ({listed}); point --data-dir at the folder of one")
    return dirs[0] if dirs else None


def image_root(data_dir: Path, anchor: Path, names: Sequence[str], probes: Sequence[str]) -> Path:
    """The folder that the image names in `probes` (relative paths, as the records give them) are
    relative to. In order: a folder with one of `names` beside `anchor` (the record file) or beside
    one of its parents up to data_dir; such a folder anywhere under data_dir; data_dir or the record
    file's folder when they hold the images themselves; the folder a probe image is found in by
    its file name. Among several folders of those names, one holding a probe image wins."""
    data_dir, anchor = Path(data_dir), Path(anchor)
    near = [anchor.parent, *[p for p in anchor.parent.parents if p == data_dir or p.is_relative_to(data_dir)]]
    named = [d / n for d in near for n in names if (d / n).is_dir()]
    if not any(_holds(d, probes) for d in named):
        named += [p for p in find_files(data_dir, tuple(names)) if p.is_dir()]
    named = list(dict.fromkeys(named))
    for d in [*named, data_dir, anchor.parent]:
        if _holds(d, probes):
            return d
    if named:  # the folder is there, the first images are not: those samples error, the rest run
        return named[0]
    for probe in probes[:1]:
        rel = Path(probe)
        for hit in find_files(data_dir, (rel.name,)):
            if hit.parts[-len(rel.parts):] == rel.parts:
                return hit.parents[len(rel.parts) - 1]
    shown = f"{probes[0]!r}" if probes else "(no records)"
    raise UserError(f"{anchor}: its images are not under {data_dir}: no folder named {' or '.join(names)} "
                    f"there, and the first record's image {shown} is nowhere below it")


def lazy_image_root(data_dir: Path, anchor: Path, names: Sequence[str], probes: Sequence[str]) -> Callable[[], Path]:
    """`image_root`, looked up on the first call: a loader checks a record before it needs the image
    folder, so a broken first record is reported as such, not as missing images."""
    return cache(lambda: image_root(data_dir, anchor, names, probes))


def _holds(folder: Path, probes: Sequence[str]) -> bool:
    return any((folder / p).is_file() for p in probes)
