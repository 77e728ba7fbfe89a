"""`magma_hf` running upstream's own remote code on the tiny upstream-layout checkpoint gives the
golden ids and actions (tests/model/golden/magma8b-tiny-upstream.json) — the same numbers the
`magma` re-implementation must give — on transformers 4.48 (what upstream targets) and on 5.x, where
upstream's own `generate` path fails and the adapter decodes from upstream's merged prompt instead.

Skipped unless MAGMA_UPSTREAM_CODE names a directory with upstream's magma/*.py (no upstream code
is in this repository) and its dependencies import. How it was run here (transformers 4.48.3,
torch 2.14.1 CPU, in a venv of its own with this package installed; in the copied upstream files
open_clip's hub-only tower builds timm's convnext_tiny for "convnexttiny" (output_channels
96..768) and the stray `from .transformer import LayerNormFp32` reads open_clip's; stub `wandb` /
`deepspeed` modules on PYTHONPATH):

    MAGMA_UPSTREAM_CODE=/tmp/upgold/remote PYTHONPATH=/tmp/upgold/up OMP_NUM_THREADS=1 \\
        /tmp/up/bin/python -m pytest -q -p no:cacheprovider tests/adapters/test_magma_hf_upstream.py

and the same over transformers 4.57.6 and 5.25.0 (a venv whose .pth adds /tmp/up's site-packages,
with that transformers and its tokenizers / huggingface_hub installed over them); all pass.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

CODE = os.environ.get("MAGMA_UPSTREAM_CODE")
pytestmark = pytest.mark.skipif(not CODE or not (Path(CODE) / "modeling_magma.py").is_file(),
                                reason="set MAGMA_UPSTREAM_CODE to a directory with upstream magma/*.py")
GOLDEN = json.loads((Path(__file__).parents[1] / "model" / "golden" / "magma8b-tiny-upstream.json").read_text())
TASK = "put the spoon on the towel"


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory):
    pytest.importorskip("open_clip")
    pytest.importorskip("timm")
    from mb_magma8b_tiny import write_checkpoint

    path = write_checkpoint(tmp_path_factory.mktemp("hf") / "magma8b-tiny")
    for f in Path(CODE).glob("*.py"):
        shutil.copy(f, path / f.name)
    cfg = json.loads((path / "config.json").read_text())
    cfg["auto_map"] = {"AutoConfig": "configuration_magma.MagmaConfig",
                       "AutoModelForCausalLM": "modeling_magma.MagmaForCausalLM"}
    (path / "config.json").write_text(json.dumps(cfg))
    pre = json.loads((path / "preprocessor_config.json").read_text())
    pre["auto_map"] = {"AutoProcessor": "processing_magma.MagmaProcessor",
                       "AutoImageProcessor": "image_processing_magma.MagmaImageProcessor"}
    pre["processor_class"] = "MagmaProcessor"
    (path / "preprocessor_config.json").write_text(json.dumps(pre))
    return path


@pytest.fixture(scope="module")
def adapter(ckpt):
    from magma_bench.registry import make_adapter

    return make_adapter("magma_hf", checkpoint=str(ckpt), trust_remote_code=True, dtype="float32",
                        max_action_tokens=12)


def _action_inputs(ad):
    """gen.py's action prompt: the SimplerEnv-sized frame resized to 256x256 as upstream's agent does."""
    from PIL import Image

    from magma_bench.model.formats import action_prompt

    frame = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    return ad._inputs(action_prompt(TASK), [Image.fromarray(frame).resize((256, 256))])


def test_magma_hf_greedy_gives_upstreams_token_ids(adapter):
    import torch

    from magma_bench.adapters.magma_hf import upstream_generate

    golden = next(c for c in GOLDEN["actions"] if c["mode"] == "upstream_greedy")
    inputs = _action_inputs(adapter)
    assert inputs["input_ids"][0].tolist() == GOLDEN["prompts"][0]["input_ids"]
    with torch.inference_mode():
        new = upstream_generate(adapter.model, inputs, do_sample=False, num_beams=1, max_new_tokens=12)
    assert new[0].tolist() == golden["generated"]



def test_magma_hf_generate_answers_with_upstreams_tokens(adapter):
    """The text path (`generate`) builds the same prompt from a chat request and decodes the same ids."""
    from PIL import Image

    from magma_bench.model.formats import action_prompt
    from magma_bench.types import AnswerSpace, Request

    golden = next(c for c in GOLDEN["actions"] if c["mode"] == "upstream_greedy")
    frame = Image.fromarray(np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)).resize((256, 256))
    req = Request(id="0", messages=[{"role": "user", "content": [{"type": "image", "image": frame},
                                                                 {"type": "text", "text": action_prompt(TASK)}]}],
                  answer_space=AnswerSpace("text"), max_new_tokens=12)
    want = adapter.processor.decode(golden["generated"], skip_special_tokens=True).strip()
    assert want and adapter.generate([req]) == [want]

def test_magma_hf_sampling_matches_upstreams_generate(adapter):
    """Where upstream's own `generate` still runs (transformers 4.48; on 4.57 it fails for want of
    `Cache.seen_tokens`, on 5.x on a dropped attention mask), sampling through the merged prompt
    draws the same tokens from the same seed: same logits, same processors (top-k, temperature)."""
    import torch
    import transformers

    from magma_bench.adapters.magma_hf import upstream_generate

    inputs = _action_inputs(adapter)
    kw = {"do_sample": True, "temperature": 0.7, "num_beams": 1, "max_new_tokens": 12}
    with torch.inference_mode():
        torch.manual_seed(3)
        try:
            theirs = adapter.model.generate(**inputs, **kw)[0, inputs["input_ids"].shape[1]:].tolist()
        except (AttributeError, TypeError) as e:
            if tuple(int(x) for x in transformers.__version__.split(".")[:2]) < (4, 50):
                raise
            pytest.skip(f"upstream's generate fails on transformers {transformers.__version__}: {e}")
        torch.manual_seed(3)
        ours = upstream_generate(adapter.model, inputs, **kw)[0].tolist()
    assert ours == theirs


@pytest.mark.parametrize("case", [c for c in GOLDEN["actions"] if c["mode"] == "upstream_greedy"],
                         ids=lambda c: c["unnorm_key"])
def test_magma_hf_act_gives_the_golden_actions(adapter, ckpt, case):
    import torch
    from safetensors.torch import load_file

    from magma_bench.action_spec import SIMPLER_BRIDGE, SIMPLER_GOOGLE

    spec = SIMPLER_BRIDGE if case["unnorm_key"] == "bridge_orig" else SIMPLER_GOOGLE
    frame = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    act = adapter.act([{"image": frame, "action_spec": spec}], [TASK])[0]
    np.testing.assert_allclose(act[:3], case["world_vector"], atol=1e-9)
    np.testing.assert_allclose(act[3:6], case["rot_axangle"], atol=1e-9)
    if spec is SIMPLER_BRIDGE:
        assert act[6] == -case["widowx_gripper"]
    # transformers 4.x renames `*gamma` keys on load; unrestored, the ConvNeXt LayerScales stay at 1e-6
    gammas = {k: t for k, t in load_file(str(ckpt / "model.safetensors")).items() if k.endswith(".gamma")}
    params = dict(adapter.model.named_parameters())
    assert len(gammas) == 18 and all(torch.equal(params[k].detach(), t) for k, t in gammas.items())
