"""The trainer never sees an evaluation scene: every procedural scene the VL pool and stage 0 draw
differs from every scene the scene-based offline suites evaluate on (at `make bench`'s seed and
sizes), checked on the scenes themselves (objects, colours, places), not on seed arithmetic."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from magma_bench.benchmarks.vl.offline import scenes
from magma_bench.execute.sweep_config import load_sweep
from magma_bench.registry import make_benchmark
from mb_testutil import REPO

BENCH = load_sweep(REPO / "configs" / "bench.yaml")
BENCH_SEED = BENCH.seed  # the runner generates each suite at it
# the suites drawn with sample_scene, at make bench's sizes
SCENE_SUITES = {b.name: b.n for b in BENCH.benchmarks if b.name in ("pope", "vqav2", "gqa", "mme")}


@pytest.fixture
def drawn(monkeypatch):
    """Every scene sample_scene returns while the fixture is active, as hashable tuples."""
    seen: list[tuple] = []
    original = scenes.sample_scene

    def recording(*a, **kw):
        objs = original(*a, **kw)
        seen.append(tuple(sorted((o.kind, o.color, o.cx, o.cy, o.r) for o in objs)))
        return objs

    for mod in list(sys.modules.values()):  # modules that imported the function by name too
        if getattr(mod, "sample_scene", None) is original:
            monkeypatch.setattr(mod, "sample_scene", recording)
    return seen


def test_vl_pool_and_stage0_scenes_never_match_an_evaluation_scene(tmp_path, drawn):
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.trainer import mixtures
    from magma_bench.trainer.vision_pretrain import PRETRAIN_SEED, scene_batch

    assert len(SCENE_SUITES) == 4  # each scene suite is in configs/bench.yaml under its name
    for name, n in SCENE_SUITES.items():
        make_benchmark(name).generate(tmp_path / name, n, BENCH_SEED)
    evaluated = set(drawn)
    assert len(evaluated) > 100  # the recorder saw the suites' scenes
    drawn.clear()
    mix = mixtures.parse_mixture({"name": "vl", "seed": 0, "total": 10, "sources": {"vl": {"weight": 1, "n": 400}}},
                                 "test")
    mixtures.build_pools(mix, tmp_path / "pool", only=["vl"])
    scene_batch(np.random.default_rng(PRETRAIN_SEED), 200, MagmaConfig.from_preset("tiny", image_size=32))
    trained = set(drawn)
    assert len(trained) >= 550
    assert not trained & evaluated
