"""What the four video-QA benchmarks share: frames sampled from a video into the request, an
option-letter parser that never raises, and accuracy scoring with option-text fallback.

A sample's inputs: video (path), question, options (list of option texts), frame_cache (where
sampled frames are cached), optional bound ([start, end] seconds) and fps (frame folders).
The target is the right option's letter. How a reply becomes a letter is each benchmark's own
official rule (`magma_bench.parsers.choice`): `read_letter`, plus `read_option_text` where the rule falls back
to option texts.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Capability
from magma_bench.benchmark import Benchmark
from magma_bench.benchmarks.video.frames import SampleMode, sample_frames
from magma_bench.data.cache import data_cache
from magma_bench.errors import UserError
from magma_bench.parsers.choice import letters
from magma_bench.types import AnswerSpace, Request, Sample

VIDEO_EXTS = (".mp4", ".MP4", ".mkv", ".webm", ".avi", ".mov")


def frame_cache_for(data_dir: Path) -> str:
    """Where frames sampled from this data directory's videos are cached: under the cache root
    (`magma_bench.data.cache`), never inside the data, which may be read-only or shared."""
    return str(data_cache(data_dir, "frames"))


def require_videos(samples: Sequence[Sample], where: Path, looked_for: str) -> None:
    """One clear line when not one sample's video (file or frame folder) exists: the videos were
    not unpacked where the loader looks, and every sample would error "video not found"."""
    if samples and not any(Path(s.inputs["video"]).exists() for s in samples):
        raise UserError(f"{where}: none of the {len(samples)} questions' videos found (looked for "
                        f"{looked_for}; e.g. {samples[0].inputs['video']})")


def hub_shards(data_dir: Path, config: str, split: str) -> list[Path]:
    """Parquet shards of a hub snapshot's `config` folder found anywhere under data_dir, in both
    layouts the hub serves: `<config>/<split>-00000-of-0000N.parquet` (main) and
    `<config>/<split>/0000.parquet` (refs/convert/parquet)."""
    from magma_bench.data.hf_files import find_files

    out = []
    for p in find_files(data_dir, ("*.parquet",)):
        rel = p.relative_to(data_dir).parts
        if config in rel[:-1] and (p.name.startswith(f"{split}-") or p.parent.name == split):
            out.append(p)
    return out


def video_index(root: Path) -> dict[str, Path]:
    """Video files (and frame folders are not indexed) under root, by file stem."""
    index: dict[str, Path] = {}
    for ext in VIDEO_EXTS:
        for p in sorted(Path(root).rglob(f"*{ext}")):
            if ".magma_cache" not in p.parts:
                index.setdefault(p.stem, p)
    return index


class VideoMC(Benchmark):
    """Multiple-choice video QA: subclasses implement load/generate and set the prompt."""

    domain = "video"
    needs: ClassVar[frozenset[Capability]] = frozenset({Capability.TEXT, Capability.VIDEO})
    max_options: ClassVar[int] = 5
    frame_mode: ClassVar[SampleMode] = "linspace"
    default_frames: ClassVar[int] = 8
    requires = ("cv2",)

    def __init__(self, num_frames: int | None = None, **args: Any) -> None:
        nf = int(num_frames or self.default_frames)
        if nf < 1:
            raise UserError(f"{self.name}: num_frames must be >= 1, got {num_frames!r}")
        super().__init__(num_frames=nf, **args)
        self.num_frames = nf

    # -- prompt ---------------------------------------------------------------------------------
    def prompt(self, sample: Sample) -> str:
        raise NotImplementedError

    def reference(self, sample: Sample) -> str:
        return sample.target

    def request(self, sample: Sample) -> Request:
        inp = sample.inputs
        frames = sample_frames(inp["video"], self.num_frames, inp.get("frame_cache"), self.frame_mode,
                               tuple(inp["bound"]) if inp.get("bound") else None, inp.get("fps"))
        content: list[dict[str, Any]] = [{"type": "image", "path": p} for p in frames]
        content.append({"type": "text", "text": self.prompt(sample)})
        n = len(inp["options"])
        return Request(id=sample.id, messages=[{"role": "user", "content": content}], images=frames,
                       answer_space=AnswerSpace("choice", letters(n)), max_new_tokens=16,
                       reference=self.reference(sample), heuristic="A")

    # -- parse and score ------------------------------------------------------------------------
    def read_letter(self, text: str) -> str | None:
        """The option letter the benchmark's official rule reads from a reply, or None."""
        raise NotImplementedError

    def read_option_text(self, text: str, options: Sequence[str]) -> str | None:
        """The official rule's option-text fallback (after `read_letter` found none), or None."""
        return None

    def parse(self, text: str) -> str | None:
        """The option letter (one capital), else the reply itself when the official rule goes on
        to match option texts (done when scoring, where the options are known), else None."""
        if not isinstance(text, str):
            return None
        letter = self.read_letter(text)
        if letter is not None:
            return letter
        s = text.strip()
        return s if s and self.wants_option_text(s) else None

    def wants_option_text(self, text: str) -> bool:
        return False

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        options = sample.inputs["options"]
        pred = None
        if isinstance(parsed, str) and len(parsed) == 1 and parsed.isupper():
            pred = parsed
        elif isinstance(parsed, str):
            pred = self.read_option_text(parsed, options)
        return {"accuracy": float(pred is not None and pred == sample.target)}

