"""The remote-code gate: a checkpoint's own Python runs only with `--trust-remote-code` (or a sweep
config's `trust_remote_code: true`, a YAML bool). The checkpoint here is tiny and hostile in the
way that matters: its .py writes a marker file the moment it is imported, so every refusal can
check that nothing ran, whatever spelling of "false" the user tried."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from magma_bench.cli.main import main
from magma_bench.errors import UserError
from magma_bench.execute.sweep_config import load_sweep
from magma_bench.registry import make_adapter
from mb_testutil import data_env, magma_bench_exe

SPELLINGS = ["False", "false", "no", "0", "true", "True", "1"]  # none may open the gate as text


@pytest.fixture
def ck(tmp_path):
    """A checkpoint whose remote code (probe.py) writes `marker` when imported."""
    d = tmp_path / "ck"
    d.mkdir()
    marker = tmp_path / "MARKER"
    (d / "config.json").write_text(json.dumps({"model_type": "probe_remote", "auto_map": {
        "AutoConfig": "probe.ProbeConfig", "AutoProcessor": "probe.ProbeProcessor",
        "AutoModelForCausalLM": "probe.ProbeModel", "AutoModelForVision2Seq": "probe.ProbeModel"}}))
    (d / "probe.py").write_text(f"from pathlib import Path\nPath({str(marker)!r}).write_text('imported')\n")
    (d / "model.safetensors").write_bytes(b"\0" * 8)
    return d, marker


def _run(ck_dir, *extra, adapter="magma_hf"):
    bench = "tabletop_bridge" if adapter == "openvla" else "pope"  # a pair the adapter's capabilities can run
    return main(["run", "-b", bench, "-a", adapter, "--n", "6", "--adapter-arg", f"checkpoint={ck_dir}", *extra])


@pytest.mark.parametrize("adapter", ["magma_hf", "openvla"])
def test_no_flag_refuses_and_names_the_flag(ck, adapter, capsys):
    from magma_bench.registry import adapter_class

    if not adapter_class(adapter)[0].availability()[0]:
        pytest.skip(f"{adapter} cannot run here")
    d, marker = ck
    assert _run(d, adapter=adapter) == 2
    err = capsys.readouterr().err
    assert "--trust-remote-code" in err and "adapter arg" not in err and "Traceback" not in err
    assert not marker.exists()


@pytest.mark.parametrize("spelling", SPELLINGS)
@pytest.mark.parametrize("adapter", ["magma_hf", "openvla"])
def test_adapter_arg_never_opens_the_gate(ck, adapter, spelling, capsys):
    d, marker = ck
    assert _run(d, "--adapter-arg", f"trust_remote_code={spelling}", adapter=adapter) == 2
    err = capsys.readouterr().err
    assert "trust_remote_code" in err and "--trust-remote-code" in err and len(err.strip().splitlines()) == 1
    assert not marker.exists()


@pytest.mark.parametrize("value", ["False", "false", "no", "0", "", 0, None])
def test_python_api_string_or_non_bool_never_opens_the_gate(ck, value):
    from magma_bench.adapters.magma_hf import MagmaHFAdapter, check_remote_code_dir

    d, marker = ck
    with pytest.raises(UserError, match="trust_remote_code must be True or False"):
        make_adapter("magma_hf", checkpoint=str(d), trust_remote_code=value)
    for truthy in ("true", "yes", 1):  # the gate itself opens for the bool True only
        with pytest.raises(UserError, match="--trust-remote-code"):
            check_remote_code_dir(d, truthy, "magma_hf")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="--trust-remote-code"):
        MagmaHFAdapter(checkpoint=str(d), trust_remote_code=value)  # type: ignore[arg-type]
    assert not marker.exists()


def _sweep(tmp_path, adapter_yaml: str):
    cfg = tmp_path / "sweep.yaml"
    cfg.write_text(f"benchmarks: [{{name: pope, n: 6}}]\nadapters:\n  - {adapter_yaml}\nout: {tmp_path / 'runs'}\n")
    return cfg


@pytest.mark.parametrize("adapter_yaml, message", [
    ("{{name: magma_hf, args: {{checkpoint: {d}, trust_remote_code: 'false'}}}}", "--trust-remote-code"),
    ("{{name: magma_hf, args: {{checkpoint: {d}, trust_remote_code: false}}}}", "--trust-remote-code"),
    ("{{name: magma_hf, args: {{checkpoint: {d}, trust_remote_code: true}}}}", "--trust-remote-code"),
    ("{{name: magma_hf, args: {{checkpoint: {d}}}, trust_remote_code: 'false'}}", "YAML bool"),
    ("{{name: magma_hf, args: {{checkpoint: {d}}}, trust_remote_code: 'true'}}", "YAML bool"),
    ("{{name: random, trust_remote_code: true}}", "runs no checkpoint code"),
])
def test_sweep_yaml_strings_are_refused_at_load(ck, tmp_path, adapter_yaml, message):
    d, marker = ck
    with pytest.raises(UserError, match=message):
        load_sweep(_sweep(tmp_path, adapter_yaml.format(d=d)))
    assert not marker.exists()


def test_sweep_yaml_false_runs_nothing_and_true_or_flag_opt_in(ck, tmp_path, capsys):
    d, marker = ck
    off = _sweep(tmp_path, f"{{name: magma_hf, args: {{checkpoint: {d}}}, trust_remote_code: false}}")
    assert "trust_remote_code" not in load_sweep(off).adapters[0].args
    assert main(["sweep", "--config", str(off)]) != 0
    assert "--trust-remote-code" in capsys.readouterr().err
    assert not marker.exists()
    on = _sweep(tmp_path, f"{{name: magma_hf, args: {{checkpoint: {d}}}, trust_remote_code: true}}")
    assert load_sweep(on).adapters[0].args["trust_remote_code"] is True
    both = tmp_path / "both.yaml"
    both.write_text(f"benchmarks: [pope]\nadapters: [{{name: magma_hf, args: {{checkpoint: {d}}}}}, random]\n")
    a_hf, a_rand = load_sweep(both, trust_remote_code=True).adapters
    assert a_hf.args["trust_remote_code"] is True and "trust_remote_code" not in a_rand.args
    assert all("trust_remote_code" not in a.args for a in load_sweep(both).adapters)


def test_with_the_flag_the_checkpoint_code_runs(ck, tmp_path):
    """The positive control: the same checkpoint with --trust-remote-code does reach its code
    (transformers imports probe.py, which writes the marker; the probe has no real model, so the
    run then fails, which is fine here)."""
    pytest.importorskip("transformers")
    d, marker = ck
    env = {**data_env(tmp_path), "HF_HOME": str(tmp_path / "hf"), "HF_HUB_OFFLINE": "1", "OMP_NUM_THREADS": "1"}
    for k in ("HF_MODULES_CACHE", "TRANSFORMERS_CACHE"):
        env.pop(k, None)
    p = subprocess.run([magma_bench_exe(), "run", "-b", "pope", "-a", "magma_hf", "--n", "6", "--out",
                        str(tmp_path / "runs"), "--adapter-arg", f"checkpoint={d}", "--trust-remote-code"],
                       env=env, capture_output=True, text=True, timeout=600, cwd=os.getcwd())
    assert marker.exists(), p.stderr[-2000:]
