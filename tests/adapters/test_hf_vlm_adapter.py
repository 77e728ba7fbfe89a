"""HF VLM baselines: a tiny random LLaVA-1.5 checkpoint (tokenizer, processor, chat template and
weights built by tiny_llava.py, nothing downloaded) run through the adapter and the real runner."""

from __future__ import annotations

import json

import numpy as np
import pytest

pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from tiny_llava import build_tiny_llava  # noqa: E402  (tests/adapters is on sys.path under pytest)

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.run.evaluator import RunConfig  # noqa: E402
from magma_bench.run.runner import run  # noqa: E402
from magma_bench.types import AnswerSpace, Request  # noqa: E402


@pytest.fixture(scope="module")
def llava_dir(tmp_path_factory):
    return build_tiny_llava(tmp_path_factory.mktemp("hf") / "llava-tiny")


def _req(i, path, n=6):
    return Request(id=str(i), messages=[{"role": "user", "content": [{"type": "image", "path": path},
                                                                     {"type": "text", "text": "Is there a cat?"}]}],
                   answer_space=AnswerSpace("yesno", ["yes", "no"]), max_new_tokens=n)


@pytest.mark.parametrize("family", ["llava-1.5", "llava-next"])
def test_llava_batched_generation_matches_single(family, llava_dir, tmp_path):
    from PIL import Image

    paths = []
    for i in range(3):
        p = tmp_path / f"{i}.png"
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (30 + 20 * i, 40, 3), dtype=np.uint8)).save(p)
        paths.append(str(p))
    ck = llava_dir if family == "llava-1.5" else build_tiny_llava(tmp_path / "next", next_=True)
    ad = make_adapter(family, checkpoint=str(ck))
    reqs = [_req(i, p) for i, p in enumerate(paths)]
    out = ad.generate(reqs)
    assert len(out) == 3 and all(isinstance(t, str) for t in out)
    assert out == [ad.generate([r])[0] for r in reqs]
    d = ad.describe()
    assert d["model_type"] == family.replace("-1.5", "").replace("-", "_") and d["params"] > 0 and len(d["checkpoint_hash"]) == 16


def test_llava_runs_pope_without_errors(llava_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path / "data"))
    s = run(RunConfig(benchmark="pope", adapter="llava-1.5", out=tmp_path / "runs", n=18, batch_size=6,
                      adapter_args={"checkpoint": str(llava_dir)}))
    assert s["n"] == 18 and s["errors"] == 0


def test_wrong_family_missing_dir_and_pickle_are_clear(llava_dir, tmp_path):
    with pytest.raises(UserError, match="not a llava-next checkpoint"):
        make_adapter("llava-next", checkpoint=str(llava_dir))
    with pytest.raises(UserError, match="not found"):
        make_adapter("llava-next", checkpoint=str(tmp_path / "none"))
    pk = tmp_path / "pickled"
    pk.mkdir()
    (pk / "config.json").write_text(json.dumps({"model_type": "llava"}))
    (pk / "pytorch_model.bin").write_bytes(b"x")
    with pytest.raises(UserError, match="pickle"):
        make_adapter("llava-1.5", checkpoint=str(pk))


def test_qwen_families_declare_torchvision():
    import importlib.util

    from magma_bench.registry import adapter_class

    cls, kwargs = adapter_class("qwen2.5-vl")
    assert kwargs == {"family": "qwen2.5-vl"} and "torchvision" in cls.requires
    if importlib.util.find_spec("torchvision") is None:
        with pytest.raises(UserError, match="torchvision"):
            make_adapter("qwen2-vl", checkpoint="anything")
