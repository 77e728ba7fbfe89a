"""`magma_hf` running upstream's own remote code on the tiny upstream-layout checkpoint gives the
golden ids and actions (tests/model/golden/magma8b-tiny-upstream.json) — the same numbers the
`magma` re-implementation must give.

Skipped unless MAGMA_UPSTREAM_CODE names a directory with upstream's magma/*.py (no upstream code
is in this repository) and its dependencies import. How it was run here (transformers 4.48.3,
torch 2.14.1 CPU, in a venv of its own with this package installed; in the copied upstream files
open_clip's hub-only tower builds timm's convnext_tiny for "convnexttiny" (output_channels
96..768) and the stray `from .transformer import LayerNormFp32` reads open_clip's; stub `wandb` /
`deepspeed` modules on PYTHONPATH):

    MAGMA_UPSTREAM_CODE=/tmp/upgold/remote PYTHONPATH=/tmp/upgold/up OMP_NUM_THREADS=1 \\
        /tmp/up/bin/python -m pytest -q -p no:cacheprovider tests/adapters/test_magma_hf_upstream.py
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


@pytest.mark.parametrize("case", [c for c in GOLDEN["actions"] if c["mode"] == "upstream_greedy"],
                         ids=lambda c: c["unnorm_key"])
def test_magma_hf_act_gives_the_golden_actions(ckpt, case):
    from magma_bench.action_spec import SIMPLER_BRIDGE, SIMPLER_GOOGLE
    from magma_bench.registry import make_adapter

    ad = make_adapter("magma_hf", checkpoint=str(ckpt), trust_remote_code=True, dtype="float32",
                      max_action_tokens=12)
    spec = SIMPLER_BRIDGE if case["unnorm_key"] == "bridge_orig" else SIMPLER_GOOGLE
    frame = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
    act = ad.act([{"image": frame, "action_spec": spec}], [TASK])[0]
    np.testing.assert_allclose(act[:3], case["world_vector"], atol=1e-9)
    np.testing.assert_allclose(act[3:6], case["rot_axangle"], atol=1e-9)
    if spec is SIMPLER_BRIDGE:
        assert act[6] == -case["widowx_gripper"]
    # transformers renames `*gamma` keys on load; without restoring them the ConvNeXt LayerScales stay at 1e-6
    assert len(ad.restored) == 18 and all(k.endswith(".gamma") for k in ad.restored)
