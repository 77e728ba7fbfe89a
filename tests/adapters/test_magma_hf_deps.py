"""`magma_hf` without upstream's vision dependencies: the checkpoint's code imports open_clip (as
Magma-8B's image_tower_magma.py does), and the adapter answers with one line naming the extra."""

from __future__ import annotations

import json
import subprocess

import pytest

from magma_bench.errors import MissingDependency
from magma_bench.registry import make_adapter, missing_modules
from mb_testutil import data_env, magma_bench_exe


@pytest.fixture
def ck(tmp_path):
    """Magma-8B's file layout, whose processor module imports open_clip at the top."""
    pytest.importorskip("transformers")
    if not missing_modules(["open_clip"]):
        pytest.skip("open_clip is installed here")
    d = tmp_path / "Magma-8B"
    d.mkdir()
    (d / "config.json").write_text(json.dumps({"model_type": "magma", "auto_map": {
        "AutoConfig": "configuration_magma.MagmaConfig", "AutoModelForCausalLM": "modeling_magma.MagmaForCausalLM"}}))
    (d / "preprocessor_config.json").write_text(json.dumps({"processor_class": "MagmaProcessor", "auto_map": {
        "AutoProcessor": "processing_magma.MagmaProcessor"}}))
    (d / "processing_magma.py").write_text("import open_clip\nfrom transformers import ProcessorMixin\n\n\n"
                                           "class MagmaProcessor(ProcessorMixin):\n    pass\n")
    (d / "model.safetensors").write_bytes(b"\0" * 8)
    return d


def test_missing_open_clip_names_the_extra(ck):
    with pytest.raises(MissingDependency, match=r"needs open_clip.*pip install 'magma-bench\[magma-hf\]'"):
        make_adapter("magma_hf", checkpoint=str(ck), trust_remote_code=True)


def test_cli_prints_one_line_without_traceback(ck, tmp_path):
    env = {**data_env(tmp_path), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    p = subprocess.run([magma_bench_exe(), "run", "-b", "pope", "-a", "magma_hf", "--n", "2", "--out",
                        str(tmp_path / "runs"), "--adapter-arg", f"checkpoint={ck}", "--trust-remote-code"],
                       env=env, capture_output=True, text=True, timeout=600)
    assert p.returncode != 0 and "Traceback" not in p.stderr, p.stderr[-2000:]
    assert "pip install 'magma-bench[magma-hf]'" in p.stderr
