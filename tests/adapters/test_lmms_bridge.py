"""lmms-eval both ways: any lmms-eval model as the `lmms` adapter, and Magma as an lmms-eval model
run by lmms-eval's own `simple_evaluate` on a local task YAML. Skipped without lmms-eval (an
optional extra; see adapters/lmms.py)."""

from __future__ import annotations

import json
import textwrap

import numpy as np
import pytest

pytest.importorskip("lmms_eval", reason="lmms-eval is not installed here; `make test-lmms` runs this in .venv-lmms")
torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM  # noqa: E402
from magma_bench.run.evaluator import RunConfig  # noqa: E402
from magma_bench.run.runner import run  # noqa: E402

BRIDGE = "magma_bench.adapters.lmms_bridge:MagmaLMMS"


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("ck") / "magma-tiny"
    MagmaForCausalLM(MagmaConfig.from_preset("tiny")).save_pretrained(path)
    return path


def _records(out):
    return [json.loads(x) for x in next(out.rglob("records.jsonl")).read_text().splitlines()]


def test_lmms_dummy_model_as_adapter(tmp_path):
    s = run(RunConfig(benchmark="pope", adapter="lmms", out=tmp_path / "r", n=18,
                      adapter_args={"model": "dummy", "model_args": "response=Yes"}))
    assert s["errors"] == 0 and s["n"] == 18
    assert all(r["parsed"] == "yes" for r in _records(tmp_path / "r"))


def test_magma_through_lmms_eval_matches_the_direct_adapter(checkpoint, tmp_path):
    direct = run(RunConfig(benchmark="pope", adapter="magma", out=tmp_path / "a", n=18,
                           adapter_args={"checkpoint": str(checkpoint)}))
    bridged = run(RunConfig(benchmark="pope", adapter="lmms", out=tmp_path / "b", n=18,
                            adapter_args={"model": BRIDGE, "model_args": f"pretrained={checkpoint}"}))
    assert direct["errors"] == bridged["errors"] == 0
    assert [r["prediction"] for r in _records(tmp_path / "a")] == [r["prediction"] for r in _records(tmp_path / "b")]


def test_simple_evaluate_runs_magma_on_a_local_task(checkpoint, tmp_path):
    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.tasks import TaskManager
    from PIL import Image

    from magma_bench.adapters.lmms_bridge import manifest

    rows = []
    for i in range(4):
        p = tmp_path / f"{i}.png"
        Image.fromarray(np.random.default_rng(i).integers(0, 255, (32, 48, 3), dtype=np.uint8)).save(p)
        rows.append({"image": str(p), "question": f"Is picture {i} red?", "answer": "yes" if i % 2 else "no"})
    (tmp_path / "data.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    (tasks / "magma_local_utils.py").write_text(textwrap.dedent("""
        from PIL import Image
        def doc_to_visual(doc):
            return [Image.open(doc["image"]).convert("RGB")]
        def doc_to_choice(doc):
            return ["yes", "no"]
    """))
    common = f"""
        dataset_path: json
        dataset_kwargs:
          data_files:
            test: {tmp_path / 'data.jsonl'}
        test_split: test
        doc_to_visual: !function magma_local_utils.doc_to_visual
        doc_to_text: "{{{{question}}}}"
        doc_to_target: "answer"
    """
    (tasks / "gen.yaml").write_text(textwrap.dedent("""
        task: magma_local_gen
        output_type: generate_until
        generation_kwargs:
          max_new_tokens: 4
          until: ["\\n"]
        metric_list:
          - metric: exact_match
            aggregation: mean
            higher_is_better: true
    """) + textwrap.dedent(common))
    (tasks / "mc.yaml").write_text(textwrap.dedent("""
        task: magma_local_mc
        output_type: multiple_choice
        doc_to_choice: !function magma_local_utils.doc_to_choice
        metric_list:
          - metric: acc
            aggregation: mean
            higher_is_better: true
    """) + textwrap.dedent(common))
    # by registry name (our entry point) with lmms-eval's own arg parsing, as `lmms-eval --model` does
    res = simple_evaluate(model="magma_bench", model_args=f"checkpoint={checkpoint}", batch_size=2,
                          tasks=["magma_local_gen", "magma_local_mc"],
                          task_manager=TaskManager(include_path=str(tasks), include_defaults=False),
                          bootstrap_iters=0, log_samples=True)
    gen, mc = res["results"]["magma_local_gen"], res["results"]["magma_local_mc"]
    assert 0.0 <= gen["exact_match,none"] <= 1.0 and 0.0 <= mc["acc,none"] <= 1.0
    assert len(res["samples"]["magma_local_gen"]) == 4
    m = manifest()
    assert m.model_id == "magma_bench" and m.simple_class_path.endswith("lmms_bridge.MagmaLMMS")


def test_the_bridge_reads_checkpoint_or_pretrained_and_refuses_other_args(checkpoint, tmp_path):
    from lmms_eval.models import get_model

    cls = get_model("magma_bench")  # through the lmms_eval.models entry point
    lm = cls.create_from_arg_string(f"checkpoint={checkpoint}", {"batch_size": 2, "max_batch_size": None,
                                                                 "device": "cpu"})
    assert lm.adapter.path == checkpoint and lm.batch_size == 2
    assert lm.budget_scale == lm.adapter.tokenizer.bytes_per_budget_token > 1
    assert cls.create_from_arg_string(f"pretrained={checkpoint}").adapter.path == checkpoint
    with pytest.raises(UserError, match=r"unknown model arg\(s\) chekpoint; accepted: checkpoint, pretrained, "):
        cls.create_from_arg_string(f"chekpoint={checkpoint}")
    with pytest.raises(UserError, match="disagree"):
        cls(checkpoint=str(checkpoint), pretrained=str(tmp_path))


def test_multi_round_and_loglikelihood_requests(checkpoint):
    from lmms_eval.api.instance import Instance, unwrap_generation_output

    from magma_bench.adapters.lmms_bridge import MagmaLMMS

    lm = MagmaLMMS(pretrained=str(checkpoint))
    img = np.random.default_rng(0).integers(0, 255, (32, 32, 3), dtype=np.uint8)
    lm.task_dict = {"t": {"test": {0: {"img": img, "target": "yes"}}}}
    seen = []

    def doc_to_text(doc, previous_output, round_idx, previous_round_info):
        seen.append((round_idx, list(previous_output)))
        return [doc["img"]], f"round {round_idx}", round_idx >= 3, previous_output, None

    meta = {"task": "t", "doc_id": 0, "repeats": 1}
    inst = Instance("generate_until_multi_round", (
        "round 0", {"max_new_tokens": 3}, lambda d: [d["img"]], doc_to_text, 0, "t", "test"), 0, meta)
    rounds = lm.generate_until_multi_round([inst])[0]
    assert len(rounds) == 3 and [r for r, _ in seen] == [1, 2, 3] and seen[-1][1] == rounds
    ll = Instance("loglikelihood", ("Is it red?", lambda d: d["target"], lambda d: [d["img"]], 0, "t", "test"), 0, meta)
    logprob, greedy = unwrap_generation_output(lm.loglikelihood([ll])[0])[0]
    assert logprob < 0 and isinstance(greedy, bool)
