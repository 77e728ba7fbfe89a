"""The typed config layer (magma_bench/config.py): a sweep or mixture file's bad value or unknown
key is one line naming the file and the field path, and the file shapes have a JSON schema."""

from __future__ import annotations

import pytest

from magma_bench.config import json_schema
from magma_bench.errors import UserError
from magma_bench.execute.sweep_config import SweepFile, load_sweep
from magma_bench.trainer.mixtures import Mixture, file_schema, load_mixture
from magma_bench.yaml_strict import load_yaml_strict
from mb_testutil import REPO


@pytest.mark.parametrize("load, text, line", [
    (load_sweep, "benchmarks: [pope, {name: pope, n: many}]\nadapters: [random]\n",
     "benchmarks[1].n: 'many' is not valid; expected an integer"),
    (load_sweep, "benchmarks: [pope]\nadapters: [{name: random, num_gpu: 1}]\n",
     "adapters[0]: unknown key 'num_gpu' (did you mean: num_gpus, num_cpus?); accepted: args, name, num_cpus, num_gpus, "
     "trust_remote_code, workers"),
    (load_mixture, "name: x\nsources: {ui: {weight: 1}, vl: {n: 2.5}}\n",
     "sources.vl.n: 2.5 is not valid; expected an integer"),
    (load_mixture, "name: x\nsources: {ui: {weight: 1}}\nphases: [{until: 0.5, weights: {ui: 1}, steps: 3}]\n",
     "phases[0]: unknown key 'steps'; accepted: questions, until, weights"),
], ids=["sweep-type", "sweep-key", "mixture-type", "mixture-key"])
def test_config_errors_are_one_line_naming_file_and_field(tmp_path, load, text, line):
    p = tmp_path / "config.yaml"
    p.write_text(text)
    with pytest.raises(UserError) as e:
        load(p)
    assert str(e.value) == f"{p}: {line}"


def test_shipped_configs_validate_against_the_json_schemas():
    jsonschema = pytest.importorskip("jsonschema")
    mixture_schema = file_schema()  # a whole mixture, or a variant that extends one
    assert all(s["additionalProperties"] is False for s in mixture_schema["anyOf"])
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"extends": "full.yaml", "som": False, "soom": True}, mixture_schema)
    sweep_schema = json_schema(SweepFile)
    assert sweep_schema["additionalProperties"] is False
    for cls, schema, pattern in ((SweepFile, sweep_schema, "*.yaml"), (Mixture, mixture_schema, "mixtures/*.yaml")):
        for p in sorted((REPO / "configs").glob(pattern)):
            raw = load_yaml_strict(p.read_text(), p)
            if cls is SweepFile:  # bare names are the schema's objects with just a name
                raw = {**raw, **{k: [{"name": x} if isinstance(x, str) else x for x in raw[k]]
                                 for k in ("benchmarks", "adapters")}}
            jsonschema.validate(raw, schema)
