"""`openvla` (OpenVLA-style action decoding on a tiny LLaVA built in the test) and the
remote-code gates of `magma_hf` / `openvla`."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

pytest.importorskip("transformers")
torch = pytest.importorskip("torch")

from tiny_llava import build_tiny_llava  # noqa: E402  (same folder, on sys.path under pytest)

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402

Q01 = [-0.03, -0.04, -0.02, -0.08, -0.09, -0.2, 0.0]
Q99 = [0.03, 0.04, 0.04, 0.08, 0.08, 0.2, 1.0]


@pytest.fixture(scope="module")
def vla_dir(tmp_path_factory):
    path = build_tiny_llava(tmp_path_factory.mktemp("vla") / "tiny-vla")
    (path / "dataset_statistics.json").write_text(json.dumps(
        {"bridge_orig": {"action": {"q01": Q01, "q99": Q99, "mask": [True] * 6 + [False]}}}))
    return path


def test_openvla_act_decodes_seven_bins_with_dataset_statistics(vla_dir):
    ad = make_adapter("openvla", checkpoint=str(vla_dir))
    assert ad.unnorm_key == "bridge_orig"
    obs = [{"image": np.random.default_rng(i).integers(0, 255, (48, 64, 3), dtype=np.uint8)} for i in range(3)]
    acts = ad.act(obs, ["put the spoon on the towel", "put carrot on plate", "stack the block"])
    assert len(acts) == 3
    for a in acts:
        assert len(a) == 7
        assert all(lo <= v <= hi for v, lo, hi in zip(a[:6], Q01, Q99, strict=False))
        assert -1.0 <= a[6] <= 1.0
    assert ad.act(obs[1:2], ["put carrot on plate"])[0] == acts[1]  # batch-invariant
    assert ad.describe()["unnorm_key"] == "bridge_orig"


def test_openvla_several_datasets_need_a_key(vla_dir, tmp_path):
    d = tmp_path / "multi"
    shutil.copytree(vla_dir, d)
    stats = json.loads((d / "dataset_statistics.json").read_text())
    stats["fractal"] = stats["bridge_orig"]
    (d / "dataset_statistics.json").write_text(json.dumps(stats))
    with pytest.raises(UserError, match="unnorm_key"):
        make_adapter("openvla", checkpoint=str(d))
    assert make_adapter("openvla", checkpoint=str(d), unnorm_key="fractal").unnorm_key == "fractal"


def test_remote_code_needs_explicit_opt_in(tmp_path):
    d = tmp_path / "Magma-8B"
    d.mkdir()
    (d / "config.json").write_text(json.dumps({"model_type": "magma", "auto_map": {"AutoModelForCausalLM":
                                                                                  "modeling_magma.MagmaForCausalLM"}}))
    with pytest.raises(UserError, match="--trust-remote-code"):
        make_adapter("magma_hf", checkpoint=str(d))
    with pytest.raises(UserError, match="--trust-remote-code"):
        make_adapter("openvla", checkpoint=str(d))
    with pytest.raises(UserError, match="safetensors"):  # opted in, but pickle-only / no weights
        make_adapter("magma_hf", checkpoint=str(d), trust_remote_code=True)
    with pytest.raises(UserError, match="not found"):
        make_adapter("magma_hf", checkpoint=str(tmp_path / "absent"), trust_remote_code=True)
