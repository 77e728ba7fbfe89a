"""The procedural clips: deterministic, physically consistent with their event logs, and the
facts questions ask about can be read back from K=8 uniformly sampled decoded frames."""

from __future__ import annotations

import numpy as np
import pytest

from magma_bench.benchmarks.video.frames import read_frames, sample_indices
from magma_bench.benchmarks.video.offline import clips as C

pytest.importorskip("cv2")


def _centroid(frame_rgb: np.ndarray, color: str) -> np.ndarray | None:
    """Centre of the pixels close to a named object colour (a pixel-level 'detector')."""
    ref = np.array(C.COLORS[color], float)
    mask = np.linalg.norm(frame_rgb.astype(float) - ref, axis=2) < 40
    if mask.sum() < 15:
        return None
    ys, xs = np.nonzero(mask)
    return np.array([xs.mean(), ys.mean()])


def _frames(clip, tmp_path, k=8):
    path = C.write_mp4(clip, tmp_path / f"{clip.kind}.mp4")
    return read_frames(path, sample_indices(clip.n_frames, k))


def test_deterministic_per_seed(tmp_path):
    a = C.retry(C.fetch, np.random.default_rng(5), 48, 2)
    b = C.retry(C.fetch, np.random.default_rng(5), 48, 2)
    assert a.events == b.events and all(np.array_equal(x.xy, y.xy) for x, y in zip(a.things, b.things, strict=True))
    pa, pb = C.write_mp4(a, tmp_path / "a.mp4"), C.write_mp4(b, tmp_path / "b.mp4")
    assert pa.read_bytes() == pb.read_bytes()


@pytest.mark.parametrize("seed", range(8))
def test_collision_readable_from_frames(seed, tmp_path):
    clip = C.retry(C.collision, np.random.default_rng(seed), 48)
    f = clip.facts
    a, b = clip.thing(f["mover"]), clip.thing(f["struck"])
    tc = f["tc"]
    # log <-> tracks: the struck object rests until the hit; the mover then does what the log says
    assert np.allclose(b.xy[: tc + 1], b.xy[0])
    after = np.dot(a.xy[-1] - a.xy[tc], np.array(C.DIRS[f["dir"]]))
    assert {"stop": after == 0, "bounce": after < -5, "follow": after > 5}[f["after"]]
    assert any(e["kind"] == f["after"] and e["t"] == tc for e in clip.events)
    assert np.linalg.norm(a.xy[tc] - b.xy[tc]) == pytest.approx(2 * C.R, abs=0.5)
    for th in clip.things:
        assert (th.xy[:, 0] >= C.R).all() and (th.xy[:, 0] <= C.W - C.R).all()
        assert (th.xy[:, 1] >= C.R).all() and (th.xy[:, 1] <= C.H - C.R).all()
    frames = _frames(clip, tmp_path)
    p0, p1 = _centroid(frames[0], b.color), _centroid(frames[-1], b.color)
    move = p1 - p0
    assert np.dot(move, np.array(C.DIRS[f["dir"]])) > 20  # seen moving in the logged direction
    q0, q1 = _centroid(frames[0], a.color), _centroid(frames[-1], a.color)
    assert np.dot(q1 - q0, np.array(C.DIRS[f["dir"]])) > 10  # the mover came from behind
    # the mover's motion after the hit, read from the frames sampled after it
    k = next(j for j, t in enumerate(sample_indices(clip.n_frames, 8)) if t >= tc + 2)
    seen = np.dot(_centroid(frames[-1], a.color) - _centroid(frames[k], a.color), np.array(C.DIRS[f["dir"]]))
    assert {"stop": abs(seen) < 3, "bounce": seen < -3, "follow": seen > 3}[f["after"]], (f["after"], seen)


@pytest.mark.parametrize("seed,trips", [(0, 1), (1, 1), (2, 2), (3, 3)])
def test_fetch_readable_from_frames(seed, trips, tmp_path):
    clip = C.retry(C.fetch, np.random.default_rng(seed), 48 * trips, trips)
    frames = _frames(clip, tmp_path, k=8 * trips)
    for name, zone in zip(clip.facts["carried"], clip.facts["goals"], strict=True):
        x0, y0, x1, y1 = clip.zones[zone]
        end = _centroid(frames[-1], clip.thing(name).color)
        assert end is not None and x0 <= end[0] <= x1 and y0 <= end[1] <= y1, (name, zone, end)
    for name in clip.facts["untouched"]:
        th = clip.thing(name)
        assert np.allclose(th.xy, th.xy[0])
    picks = [e["t"] for e in clip.events if e["kind"] == "pick"]
    assert picks == sorted(picks)


def test_change_and_letters_readable(tmp_path):
    clip = C.retry(C.change, np.random.default_rng(3), 48)
    frames = _frames(clip, tmp_path)
    f = clip.facts
    assert _centroid(frames[0], f["to"]) is None and _centroid(frames[-1], f["to"]) is not None
    r1, r2 = f["rooms"]
    assert np.allclose(frames[0][2, 2], C.ROOMS[r1], atol=12) and np.allclose(frames[-1][2, 2], C.ROOMS[r2], atol=12)
    clip = C.retry(C.letters, np.random.default_rng(4), 48)
    frames = _frames(clip, tmp_path)
    ink = [int((f[62:110, 22:C.W - 22].max(axis=2) < 45).sum()) for f in frames]
    assert ink[0] == 0 and ink == sorted(ink) and ink[-1] > 0  # letters accumulate in order
