"""The `magma` adapter end to end: a tiny random checkpoint through the real runner on POPE."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

torch = pytest.importorskip("torch")
os.environ.setdefault("MUJOCO_GL", "egl")  # before anything imports mujoco (as the robotics tests do)

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.run.evaluator import RunConfig  # noqa: E402
from magma_bench.run.runner import run  # noqa: E402
from magma_bench.types import AnswerSpace, Request  # noqa: E402


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    cfg = MagmaConfig.from_preset("tiny", action_q01=[-0.02] * 6 + [0.0], action_q99=[0.02] * 6 + [1.0])
    path = tmp_path_factory.mktemp("ck") / "magma-tiny"
    MagmaForCausalLM(cfg).save_pretrained(path)
    return path


def _req(i, image, text="Is there a cat in the image?", n=8):
    return Request(id=str(i), messages=[{"role": "user", "content": [{"type": "image", "path": image},
                                                                     {"type": "text", "text": text}]}],
                   answer_space=AnswerSpace("yesno", ["yes", "no"]), max_new_tokens=n, images=[image])


def test_pope_run_completes_without_errors(checkpoint, tmp_path, monkeypatch):
    monkeypatch.setenv("MAGMA_BENCH_DATA", str(tmp_path / "data"))
    s = run(RunConfig(benchmark="pope", adapter="magma", out=tmp_path / "runs", n=36, batch_size=8,
                      adapter_args={"checkpoint": str(checkpoint)}))
    assert s["n"] == 36 and s["errors"] == 0
    recs = [json.loads(line) for line in next((tmp_path / "runs").rglob("records.jsonl")).read_text().splitlines()]
    assert len(recs) == 36 and all(isinstance(r["prediction"], str) for r in recs)


def test_generate_is_batch_invariant_and_respects_max_new_tokens(checkpoint, tmp_path):
    from PIL import Image

    paths = []
    for i in range(3):
        p = tmp_path / f"im{i}.png"
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (40 + 20 * i, 60, 3), dtype=np.uint8)).save(p)
        paths.append(str(p))
    ad = make_adapter("magma", checkpoint=str(checkpoint))
    reqs = [_req(i, p, n=3 + i) for i, p in enumerate(paths)]
    generated: list[list[list[int]]] = []  # the new ids of each generate_ids call (re-encoding the text
    real = ad.generate_ids  # would not count them: an invalid byte run decodes to 3-byte U+FFFD)

    def spy(*args, **kw):
        generated.append(real(*args, **kw))
        return generated[-1]

    ad.generate_ids = spy
    batched = ad.generate(reqs)
    assert batched == [ad.generate([r])[0] for r in reqs]
    scale = ad.tokenizer.bytes_per_budget_token  # budgets are subword tokens; the byte tokenizer scales them
    assert all(len(ids) <= (3 + i) * scale for i, ids in enumerate(generated[0]))
    assert any(len(ids) > 0 for ids in generated[0])
    d = ad.describe()
    assert d["name"] == "magma" and len(d["checkpoint_hash"]) == 16 and d["preset"] == "tiny"


def test_bad_image_is_a_clear_per_request_error(checkpoint, tmp_path):
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8 truncated")
    ad = make_adapter("magma", checkpoint=str(checkpoint))
    with pytest.raises(UserError, match="cannot decode image .*bad.jpg"):
        ad.generate([_req(0, str(bad))])


def test_act_returns_seven_floats_within_the_checkpoint_statistics(checkpoint):
    ad = make_adapter("magma", checkpoint=str(checkpoint))
    obs = [{"image": np.random.default_rng(i).integers(0, 255, (64, 80, 3), dtype=np.uint8)} for i in range(2)]
    acts = ad.act(obs, ["pick up the can", "open the drawer"])
    assert len(acts) == 2
    for a in acts:
        assert len(a) == 7 and all(isinstance(v, float) for v in a)
        assert all(-0.02 <= v <= 0.02 for v in a[:6]) and -1 <= a[6] <= 1
    assert ad.act(obs[:1], ["pick up the can"])[0] == acts[0]


def test_missing_checkpoint_says_what_to_do(tmp_path):
    with pytest.raises(UserError, match="make train"):
        make_adapter("magma", checkpoint=str(tmp_path / "missing"))


def test_closed_loop_tabletop_episode_runs_through_act(checkpoint, tmp_path):
    pytest.importorskip("mujoco")
    s = run(RunConfig(benchmark="tabletop_bridge", adapter="magma", out=tmp_path / "runs", limit=1,
                      adapter_args={"checkpoint": str(checkpoint)}))
    assert s["n"] == 1 and s["errors"] == 0
    rec = json.loads(next((tmp_path / "runs").rglob("records.jsonl")).read_text().splitlines()[0])
    assert rec["scores"]["steps"] >= 1 and rec["error"] is None
