"""`make perf` figures for the video-QA domain, measured side by side in one run:

    figures() -> {
      "video/decode_frames_per_s":         frames/s decoding a whole 160-frame 192x144 mp4 (OpenCV),
      "video/sample8_cold_ms_per_video":   ms to sample 8 frames of it and write them as PNGs,
      "video/sample8_warm_ms_per_video":   ms when those 8 frames are already cached,
      "video/<name>_samples_per_s":        load + request (frames sampled, cold cache) + null adapter
                                           + parse + score + aggregate, per benchmark's offline suite,
      "video/<name>_warm_samples_per_s":   the same again with the frame cache warm,
      "video_samples_per_s":               all four benchmarks together (cold cache),
    }
Suite generation is not timed. Run: `python -m magma_bench.benchmarks.video.perf`.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path


def _decode_figures(tmp: Path, reps: int = 5) -> dict[str, float]:
    import numpy as np

    from magma_bench.benchmarks.video.frames import read_frames, sample_frames
    from magma_bench.benchmarks.video.offline import clips

    clip = clips.retry(clips.fetch, np.random.default_rng(0), 160, 3)
    path = clips.write_mp4(clip, tmp / "clip.mp4")
    read_frames(path, [0])  # warm-up: codec initialisation is not per-frame cost
    t0 = time.perf_counter()
    for _ in range(reps):
        read_frames(path, list(range(clip.n_frames)))
    decode = reps * clip.n_frames / (time.perf_counter() - t0)
    cold = []
    for r in range(reps):
        t0 = time.perf_counter()
        sample_frames(path, 8, tmp / f"cache{r}")
        cold.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(reps):
        sample_frames(path, 8, tmp / "cache0")
    warm = (time.perf_counter() - t0) / reps
    return {"video/decode_frames_per_s": decode, "video/sample8_cold_ms_per_video": 1000 * float(np.median(cold)),
            "video/sample8_warm_ms_per_video": 1000 * warm}


def _throughput(name: str, data: Path) -> tuple[int, float]:
    from magma_bench.perf.harness import null_pass
    from magma_bench.registry import make_benchmark

    return null_pass(make_benchmark(name, num_frames=8), data)


def figures(n: int = 60) -> dict[str, float]:
    import importlib.util

    from magma_bench.benchmarks.video import BENCHMARKS
    from magma_bench.registry import make_benchmark

    if importlib.util.find_spec("datasets"):  # one-off import cost is not per-sample cost
        import datasets  # noqa: F401
    out: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="magma-video-perf-") as t:
        tmp = Path(t)
        out.update(_decode_figures(tmp))
        total_n, total_s = 0, 0.0
        for name in BENCHMARKS:
            data = tmp / name
            data.mkdir()
            make_benchmark(name).generate(data, n, 0)
            k, cold = _throughput(name, data)
            _, warm = _throughput(name, data)
            out[f"video/{name}_samples_per_s"] = k / cold
            out[f"video/{name}_warm_samples_per_s"] = k / warm
            total_n, total_s = total_n + k, total_s + cold
        out["video_samples_per_s"] = total_n / total_s if total_s else 0.0
    return out


if __name__ == "__main__":
    for key, value in figures().items():
        print(f"{key:40s} {value:12.1f}")
