"""Offline suites written as the hub parquet snapshots lmms-eval reads (`generate --layout hf`).

Why: a generated suite in the official layout (POPE's JSON Lines, VQAv2's zips, ...) cannot be
fed to lmms-eval, whose task YAMLs read hub datasets (`dataset_path`, `dataset_name`,
`test_split`). This module generates the suite in the official layout into a scratch folder,
loads it with the benchmark's own loader (so what is written is exactly what we score), and
writes the hub schema: the hub's column names and types, images embedded as `{"bytes", "path"}`
with `datasets.Image()`, shards named as the hub names them (`data/test-00000-of-00001.parquet`,
per-config folders), and a README.md whose `configs:` block lets `datasets.load_dataset(<dir>,
<config>)` and so lmms-eval's YAML with `dataset_path: <dir>` find the splits. Our own loaders
read the same files back through their hub branch.

Benchmarks whose only release is a hub dataset (VisualWebBench, BLINK, SpatialEval, Video-MME,
MVBench) are generated in that layout already; here their embedded images are re-stamped with
the `datasets.Image()` feature so `datasets` decodes them to PIL images, as lmms-eval expects.

Columns the official-layout load does not carry (VQAv2 `answer_confidence`, GQA's semantic
programs, DocVQA's UCSF ids) are filled with neutral values of the hub's type; none of them is
read by our scorers or by lmms-eval's task utils.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency, UserError
from magma_bench.types import Sample

Writer = Callable[[list[Sample], Path], list[tuple[str, str, str]]]  # -> [(config, split, path glob)]


@dataclass(frozen=True)
class HubLayout:
    """Where a benchmark's hub snapshot comes from and how ours is written."""

    repo: str  # the hub dataset lmms-eval (or the authors) publish
    split: str  # the split our loader reads and the shard is named after
    write: Writer | None  # None: the generator already writes the hub layout


# -- writing helpers -----------------------------------------------------------------------------
def _datasets() -> Any:
    try:
        import datasets
    except ImportError:
        raise MissingDependency("--layout hf needs `datasets` (pip install 'magma-bench[data]')") from None
    return datasets


def _image(path: str | Path) -> dict[str, Any]:
    """An image cell as the hub stores it: the file's bytes and its base name."""
    p = Path(path)
    try:
        return {"bytes": p.read_bytes(), "path": p.name}
    except OSError as e:
        raise UserError(f"{p}: cannot read image for the hub layout ({e.strerror})") from None


def _shard(out: Path, rel: str, rows: list[dict[str, Any]], features: dict[str, Any]) -> None:
    """One parquet shard as `datasets` writes hub shards (features kept in the schema metadata)."""
    ds = _datasets()
    path = out / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.Dataset.from_list(rows, features=ds.Features(features)).to_parquet(str(path))


def _types() -> tuple[Any, Any, Any, Any]:
    ds = _datasets()
    return ds.Value("string"), ds.Value("int64"), ds.Image(), ds.Sequence


def _num(text: str, what: str) -> int:
    """The trailing digits of a file stem (COCO_val2014_000000262148 -> 262148)."""
    m = re.search(r"(\d+)$", text)
    if not m:
        raise UserError(f"hub layout: cannot read a numeric {what} from {text!r}")
    return int(m.group(1))


# -- VL ------------------------------------------------------------------------------------------
def _pope(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/POPE `data/test-*`: id, question_id, question, answer, image_source, image, category."""
    S, _, Img, _ = _types()
    rows = [{"id": str(i), "question_id": s.official_id, "question": s.inputs["question"], "answer": s.target,
             "image_source": Path(str(s.meta.get("image") or s.inputs["image"])).stem,
             "image": _image(s.inputs["image"]), "category": s.meta["category"]} for i, s in enumerate(samples)]
    feats = {"id": S, "question_id": S, "question": S, "answer": S, "image_source": S, "image": Img, "category": S}
    _shard(out, "data/test-00000-of-00001.parquet", rows, feats)
    return [("default", "test", "data/test-*")]


def _vqav2(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/VQAv2 `data/validation-*` (the annotation fields, question and image)."""
    S, Int, Img, _ = _types()
    rows = [{"question_type": s.meta.get("question_type") or "", "multiple_choice_answer": s.meta["majority"],
             "answers": [{"answer": a, "answer_confidence": "yes", "answer_id": j + 1} for j, a in enumerate(s.target)],
             "image_id": _num(Path(s.inputs["image"]).stem, "image_id"), "answer_type": s.meta.get("answer_type") or "",
             "question_id": int(s.official_id), "question": s.inputs["question"], "image": _image(s.inputs["image"])}
            for s in samples]
    feats = {"question_type": S, "multiple_choice_answer": S,
             "answers": [{"answer": S, "answer_confidence": S, "answer_id": Int}], "image_id": Int, "answer_type": S,
             "question_id": Int, "question": S, "image": Img}
    _shard(out, "data/validation-00000-of-00001.parquet", rows, feats)
    return [("default", "validation", "data/validation-*")]


def _textvqa(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/textvqa `data/validation-*`: the TextVQA 0.5.1 record plus OCR tokens and image."""
    from PIL import Image

    S, Int, Img, Seq = _types()
    rows = []
    for s in samples:
        with Image.open(s.inputs["image"]) as im:
            w, h = im.size
        rows.append({"image_id": Path(s.inputs["image"]).stem, "question_id": int(s.official_id),
                     "question": s.inputs["question"], "question_tokens": s.inputs["question"].rstrip("?").split(),
                     "image": _image(s.inputs["image"]), "image_width": w, "image_height": h,
                     "flickr_original_url": "", "flickr_300k_url": "", "answers": list(s.target),
                     "image_classes": [], "set_name": "val", "ocr_tokens": list(s.inputs.get("ocr_tokens") or [])})
    feats = {"image_id": S, "question_id": Int, "question": S, "question_tokens": Seq(S), "image": Img,
             "image_width": Int, "image_height": Int, "flickr_original_url": S, "flickr_300k_url": S,
             "answers": Seq(S), "image_classes": Seq(S), "set_name": S, "ocr_tokens": Seq(S)}
    _shard(out, "data/validation-00000-of-00001.parquet", rows, feats)
    return [("default", "validation", "data/validation-*")]


def _gqa(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/GQA: questions in `testdev_balanced_instructions/`, images by id in
    `testdev_balanced_images/` (lmms-eval's gqa.yaml reads the first and joins the second)."""
    S, _, Img, _ = _types()
    ds = _datasets()
    rows, images = [], {}
    for s in samples:
        image_id = Path(s.inputs["image"]).stem
        images.setdefault(image_id, s.inputs["image"])
        rows.append({"id": s.official_id, "imageId": image_id, "question": s.inputs["question"], "answer": s.target,
                     "fullAnswer": s.target, "isBalanced": True,
                     "types": {"structural": s.meta.get("structural") or "", "semantic": "", "detailed": ""},
                     "semanticStr": ""})
    feats = {"id": S, "imageId": S, "question": S, "answer": S, "fullAnswer": S, "isBalanced": ds.Value("bool"),
             "types": {"structural": S, "semantic": S, "detailed": S}, "semanticStr": S}
    _shard(out, "testdev_balanced_instructions/testdev-00000-of-00001.parquet", rows, feats)
    _shard(out, "testdev_balanced_images/testdev-00000-of-00001.parquet",
           [{"id": k, "image": _image(p)} for k, p in images.items()], {"id": S, "image": Img})
    return [("testdev_balanced_instructions", "testdev", "testdev_balanced_instructions/testdev-*"),
            ("testdev_balanced_images", "testdev", "testdev_balanced_images/testdev-*")]


def _docvqa(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/DocVQA's `DocVQA/validation-*` config (InfographicVQA's is not generated)."""
    S, Int, Img, Seq = _types()
    docs: dict[str, int] = {}
    rows = []
    for s in samples:
        stem = Path(s.inputs["image"]).stem
        doc, _, page = stem.rpartition("_")
        rows.append({"questionId": s.official_id, "question": s.inputs["question"],
                     "question_types": [s.meta.get("question_type") or "others"], "image": _image(s.inputs["image"]),
                     "docId": docs.setdefault(stem, len(docs) + 1), "ucsf_document_id": doc or stem,
                     "ucsf_document_page_no": page if doc else "1", "answers": list(s.target), "data_split": "val"})
    feats = {"questionId": S, "question": S, "question_types": Seq(S), "image": Img, "docId": Int,
             "ucsf_document_id": S, "ucsf_document_page_no": S, "answers": Seq(S), "data_split": S}
    _shard(out, "DocVQA/validation-00000-of-00001.parquet", rows, feats)
    return [("DocVQA", "validation", "DocVQA/validation-*")]


def _chartqa(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/ChartQA `data/test-*`: type, question, answer, image; human rows then augmented,
    as upload_chartqa.py wrote them (official ids are positions among rows of one type)."""
    S, _, Img, _ = _types()
    rows = [{"type": s.meta["type"], "question": s.inputs["question"], "answer": s.target,
             "image": _image(s.inputs["image"])} for s in samples]
    _shard(out, "data/test-00000-of-00001.parquet", rows, {"type": S, "question": S, "answer": S, "image": Img})
    return [("default", "test", "data/test-*")]


def _mme(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/MME `data/test-*`: question_id (`<category>/<image>`), image, question, answer Yes/No, category."""
    S, _, Img, _ = _types()
    rows = [{"question_id": s.meta["question_id"], "image": _image(s.inputs["image"]), "question": s.inputs["question"],
             "answer": s.target.capitalize(), "category": s.meta["category"]} for s in samples]
    _shard(out, "data/test-00000-of-00001.parquet", rows,
           {"question_id": S, "image": Img, "question": S, "answer": S, "category": S})
    return [("default", "test", "data/test-*")]


# -- UI, spatial, video ----------------------------------------------------------------------------
def _screenspot(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """rootsautomation/ScreenSpot `data/test-*` (lmms-eval's screenspot tasks): file_name, bbox
    normalised [x1, y1, x2, y2], instruction, data_type, data_source, image. Rows in platform
    order; the official id becomes the row position (lmms-eval's doc_id)."""
    ds = _datasets()
    S, _, Img, Seq = _types()
    rows = []
    for s in samples:
        w, h = s.inputs["size"]
        x1, y1, x2, y2 = s.target
        rows.append({"file_name": s.meta["img_filename"], "bbox": [x1 / w, y1 / h, x2 / w, y2 / h],
                     "instruction": s.inputs["instruction"], "data_type": s.meta["data_type"],
                     "data_source": s.meta.get("data_source") or s.meta["platform"], "image": _image(s.inputs["image"])})
    _shard(out, "data/test-00000-of-00001.parquet", rows,
           {"file_name": S, "bbox": Seq(ds.Value("float64")), "instruction": S, "data_type": S, "data_source": S,
            "image": Img})
    return [("default", "test", "data/test-*")]


def _vsr(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """cambridgeltl/vsr_zeroshot's parquet conversion `default/test/0000.parquet` (image file
    names, not pixels, as the hub has them) with the COCO images beside it in `images/`."""
    S, Int, _, _ = _types()
    rows = []
    for s in samples:
        src = Path(s.inputs["image"])
        (out / "images").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, out / "images" / src.name)
        rows.append({"image": src.name, "image_link": "", "caption": s.inputs["caption"],
                     "label": int(s.target == "true"), "relation": s.meta["relation"]})
    _shard(out, "default/test/0000.parquet", rows,
           {"image": S, "image_link": S, "caption": S, "label": Int, "relation": S})
    return [("default", "test", "default/test/*.parquet")]


def _nextqa(samples: list[Sample], out: Path) -> list[tuple[str, str, str]]:
    """lmms-lab/NExTQA `MC/test-*` (video, frame_count, width, height, question, answer, qid, type,
    a0..a4) with `videos/<video>.mp4` as its videos.zip unpacks. The loader folds TP into TN (as
    eval_mc.py counts them), so a generated TP question is written as TN."""
    from magma_bench.benchmarks.video.frames import video_info

    S, Int, _, _ = _types()
    rows = []
    for s in samples:
        vid = s.meta["video"]
        src = Path(s.inputs["video"])
        dst = out / "videos" / f"{vid}.mp4"
        if not dst.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
        info = video_info(src)
        rows.append({"video": int(vid), "frame_count": info.n_frames, "width": info.width, "height": info.height,
                     "question": s.inputs["question"], "answer": "ABCDE".index(s.target),
                     "qid": int(s.official_id.rsplit("_", 1)[1]), "type": s.meta["type"],
                     **{f"a{j}": o for j, o in enumerate(s.inputs["options"])}})
    feats = {"video": Int, "frame_count": Int, "width": Int, "height": Int, "question": S, "answer": Int, "qid": Int, "type": S,
             **{f"a{j}": S for j in range(5)}}
    _shard(out, "MC/test-00000-of-00001.parquet", rows, feats)
    return [("MC", "test", "MC/test-*")]


LAYOUTS: dict[str, HubLayout] = {
    "pope": HubLayout("lmms-lab/POPE", "test", _pope),
    "vqav2": HubLayout("lmms-lab/VQAv2", "validation", _vqav2),
    "textvqa": HubLayout("lmms-lab/textvqa", "validation", _textvqa),
    "gqa": HubLayout("lmms-lab/GQA", "testdev", _gqa),
    "docvqa": HubLayout("lmms-lab/DocVQA", "validation", _docvqa),
    "chartqa": HubLayout("lmms-lab/ChartQA", "test", _chartqa),
    "mme": HubLayout("lmms-lab/MME", "test", _mme),
    "screenspot": HubLayout("rootsautomation/ScreenSpot", "test", _screenspot),
    "visualwebbench": HubLayout("visualwebbench/VisualWebBench", "test", None),
    "vsr": HubLayout("cambridgeltl/vsr_zeroshot", "test", _vsr),
    "blink": HubLayout("BLINK-Benchmark/BLINK", "val", None),
    "spatialeval": HubLayout("MilaWang/SpatialEval", "test", None),
    "nextqa": HubLayout("lmms-lab/NExTQA", "test", _nextqa),
    "videomme": HubLayout("lmms-lab/Video-MME", "test", None),
    "mvbench": HubLayout("OpenGVLab/MVBench", "train", None),
}


def layout_for(name: str) -> HubLayout:
    """The hub layout of a registered benchmark name (variants like `visualwebbench_all` share
    their family's), or one UserError listing those that have one."""
    for key in sorted(LAYOUTS, key=len, reverse=True):
        if name == key or name.startswith(f"{key}_"):
            if key == "screenspot" and name != "screenspot":
                break  # ScreenSpot-v2 / -Pro are JSON releases with no hub parquet of this shape
            return LAYOUTS[key]
    raise UserError(f"{name}: no hub parquet layout (--layout hf exists for {', '.join(sorted(LAYOUTS))})")


def generate_hub_layout(name: str, bench: Any, out: Path, n: int, seed: int, make: Callable[[], Any]) -> list[str]:
    """Write `name`'s offline suite into `out` in its hub layout; returns the README configs.

    `make()` builds the benchmark that loads the scratch suite: with generation arguments only
    (no load-time filters such as POPE's category), so every generated row is written."""
    layout = layout_for(name)
    _datasets().disable_progress_bars()  # the CLI prints one line per suite, not a bar per shard
    if layout.write is None:
        bench.generate(out, n, seed)
        _restamp_images(out)
        configs = _configs_found(out)
    else:
        with tempfile.TemporaryDirectory(prefix="magma-hub-") as tmp:
            bench.generate(Path(tmp), n, seed)
            loader = make()
            samples = loader.load(Path(tmp), layout.split)
            configs = layout.write(samples, out)
            # SoM candidate boxes are keyed by screenshot file name, which the hub rows keep
            if (Path(tmp) / "som_candidates.json").exists():
                shutil.copyfile(Path(tmp) / "som_candidates.json", out / "som_candidates.json")
    _write_card(out, layout.repo, configs)
    bench.write_marker(out, benchmark=name, n=n, seed=seed, layout="hf", hub=layout.repo)
    return [c for c, _, _ in configs]


def _restamp_images(out: Path) -> None:
    """Re-write shards whose image columns are plain `{bytes, path}` structs with the
    `datasets.Image()` feature, so `datasets` decodes them (lmms-eval calls `.convert("RGB")`)."""
    import pyarrow.parquet as pq

    ds = _datasets()
    for path in sorted(out.rglob("*.parquet")):
        schema = pq.read_schema(path)
        cols = [f.name for f in schema
                if str(f.type) in ("struct<bytes: binary, path: string>", "struct<bytes: binary, path: null>")]
        if not cols or b"huggingface" in (schema.metadata or {}):
            continue
        d = ds.Dataset.from_parquet(str(path), keep_in_memory=True)
        for c in cols:
            d = d.cast_column(c, ds.Image())
        d.to_parquet(str(path))


def _configs_found(out: Path) -> list[tuple[str, str, str]]:
    """Configs of a layout the generator wrote: `<config>/<split>-NNNNN-of-NNNNN.parquet` shards."""
    found: dict[tuple[str, str], str] = {}
    for path in sorted(out.rglob("*.parquet")):
        m = re.match(r"(?P<split>[A-Za-z_]+)-\d{5}-of-\d{5}\.parquet$", path.name)
        if m:
            rel = path.parent.relative_to(out).as_posix()
            found[(rel, m["split"])] = f"{rel}/{m['split']}-*"
    return [(cfg, split, glob) for (cfg, split), glob in found.items()]


def _write_card(out: Path, repo: str, configs: list[tuple[str, str, str]]) -> None:
    """README.md with the hub's `configs:` block, which `datasets.load_dataset(<folder>, <config>)`
    reads to map shards to configs and splits, as on the hub."""
    if not configs:
        return
    lines = ["---", "configs:"]
    by_cfg: dict[str, list[tuple[str, str]]] = {}
    for cfg, split, glob in configs:
        by_cfg.setdefault(cfg.replace("/", "_") or "default", []).append((split, glob))
    for cfg, files in by_cfg.items():
        lines.append(f"- config_name: {cfg}")
        lines.append("  data_files:")
        for split, glob in files:
            lines += [f"  - split: {split}", f"    path: {glob}"]
    lines += ["---", "", f"Offline magma-bench suite in the layout of the hub dataset `{repo}`.",
              "Generated data, not the release: see MAGMA_BENCH_GENERATED.json.", ""]
    (out / "README.md").write_text("\n".join(lines))
