"""magma-bench -> lmms-eval models: lmms-eval's own `llava_hf` back-end (chat and simple interfaces)
driven by the `lmms` adapter on a tiny random LLaVA (tiny_llava.py, no hub), each answer checked
against greedy decoding done directly with transformers on the same prompt. Skipped without
lmms-eval (`make test-lmms` runs these in .venv-lmms)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("lmms_eval", reason="lmms-eval is not installed here; `make test-lmms` runs this in .venv-lmms")
torch = pytest.importorskip("torch")

from tiny_llava import build_tiny_llava  # noqa: E402  (tests/adapters is on sys.path under pytest)

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.run.evaluator import RunConfig  # noqa: E402
from magma_bench.run.runner import run  # noqa: E402


@pytest.fixture(scope="module")
def llava(tmp_path_factory):
    """The tiny random LLaVA of tiny_llava.py without a chat template of its own (lmms-eval's llava_hf
    brings one) and with sharp random logits, so the greedy answers compared below differ."""
    return build_tiny_llava(tmp_path_factory.mktemp("llava") / "tiny-llava", chat_template=None,
                            initializer_range=0.5)


def _reference(path, text: str, image, max_new_tokens: int) -> str:
    """Greedy decoding with transformers alone on an already templated prompt."""
    from transformers import AutoProcessor, LlavaForConditionalGeneration

    proc = AutoProcessor.from_pretrained(path)
    model = LlavaForConditionalGeneration.from_pretrained(path, dtype=torch.float32).eval()
    inputs = proc(images=[image], text=text, return_tensors="pt")
    eos = proc.tokenizer.eos_token_id
    out = model.generate(**inputs, do_sample=False, num_beams=1, max_new_tokens=max_new_tokens, pad_token_id=eos,
                         eos_token_id=eos)
    return proc.tokenizer.batch_decode(out[:, inputs["input_ids"].shape[-1]:], skip_special_tokens=True)[0]


def _records(out):
    return [json.loads(x) for x in next(out.rglob("records.jsonl")).read_text().splitlines()]


def test_chat_llava_hf_by_registry_name_answers_like_transformers(llava, tmp_path):
    from magma_bench.adapters.lmms import chat_messages, default_chat_template
    from magma_bench.model.processing_magma import load_image
    from magma_bench.registry import make_benchmark

    s = run(RunConfig(benchmark="pope", adapter="lmms", out=tmp_path / "r", n=6, batch_size=4,
                      adapter_args={"model": "llava_hf", "model_args": f"pretrained={llava},dtype=float32"}))
    assert s["errors"] == 0 and s["n"] == 6
    recs = _records(tmp_path / "r")
    bench = make_benchmark("pope")
    samples = {x.id: x for x in bench.load(next((tmp_path / "data").rglob("coco_pope_random.json")).parent, "test")}
    template = default_chat_template("<image>")
    from transformers import AutoProcessor

    proc = AutoProcessor.from_pretrained(llava)
    for r in recs:
        req = bench.request(samples[r["id"]])
        msgs = chat_messages(req)
        text = proc.apply_chat_template(msgs, chat_template=template, tokenize=False, add_generation_prompt=True)
        assert text.startswith("USER: <image>\nIs there a ") and text.endswith("ASSISTANT:")
        assert r["prediction"] == _reference(llava, text, load_image(req.images[0]), req.max_new_tokens)


def test_simple_llava_hf_gets_batch_size_one_and_a_template(llava, tmp_path):
    from lmms_eval.models.simple.llava_hf import VICUNA_CHAT_TEMPLATE
    from transformers import AutoProcessor

    from magma_bench.model.processing_magma import load_image
    from magma_bench.registry import make_benchmark

    ad = make_adapter("lmms", model="llava_hf", model_args=f"pretrained={llava},dtype=float32", force_simple=True)
    assert ad.describe()["interface"] == "simple" and ad.lm.batch_size == 1 and str(ad.lm.device) == "cpu"
    bench = make_benchmark("pope")
    d = tmp_path / "pope"
    d.mkdir()
    bench.generate(d, 3, seed=0)
    reqs = [bench.request(x) for x in bench.load(d, "test")]
    preds = ad.generate(reqs)  # three requests, one per lmms-eval batch
    tok = AutoProcessor.from_pretrained(llava).tokenizer
    for req, pred in zip(reqs, preds, strict=True):
        text = tok.apply_chat_template([{"role": "user", "content": f"<image>\n{req.prompt_text}"}],
                                       chat_template=VICUNA_CHAT_TEMPLATE, tokenize=False, add_generation_prompt=True)
        assert pred == _reference(llava, text, load_image(req.images[0]), req.max_new_tokens)


def test_a_batch_the_model_refuses_is_each_samples_error(llava, tmp_path):
    s = run(RunConfig(benchmark="pope", adapter="lmms", out=tmp_path / "r", n=3,
                      adapter_args={"model": "llava_hf", "force_simple": "true", "batch_size": "2",
                                    "model_args": f"pretrained={llava},dtype=float32"}))
    assert s["errors"] == 3
    assert all("batch_size=2" in r["error"] for r in _records(tmp_path / "r"))


def test_a_failure_inside_the_chat_model_is_raised_not_answered_blank(llava, tmp_path):
    from magma_bench.registry import make_benchmark

    ad = make_adapter("lmms", model="llava_hf", model_args=f"pretrained={llava},dtype=float32")
    assert ad.describe()["interface"] == "chat"

    def broken(**kw):
        raise RuntimeError("out of memory (simulated)")

    ad.lm._model.generate = broken
    bench = make_benchmark("pope")
    d = tmp_path / "pope"
    d.mkdir()
    bench.generate(d, 3, seed=0)
    with pytest.raises(RuntimeError, match="logged an error while answering: .*out of memory"):
        ad.generate([bench.request(bench.load(d, "test")[0])])


def test_a_gpu_device_map_default_follows_a_cpu_device():
    from lmms_eval.api.model import lmms

    from magma_bench.adapters.lmms import LmmsAdapter

    class OnCuda(lmms):
        def __init__(self, pretrained: str = "", device: str = "cuda", device_map: str = "cuda:0",
                     batch_size: int = 1) -> None:
            super().__init__()

    ad = object.__new__(LmmsAdapter)
    ad.cls = OnCuda
    assert ad._init_kwargs("pretrained=x", 2, "cpu", None) == {
        "pretrained": "x", "device": "cpu", "device_map": "cpu", "batch_size": 2}
    with pytest.raises(UserError, match="batch_size given twice"):
        ad._init_kwargs("batch_size=1", 2, None, None)
    with pytest.raises(UserError, match="cannot import magma_bench.nowhere:Model"):
        LmmsAdapter(model="magma_bench.nowhere:Model")
    with pytest.raises(UserError, match="did you mean: llava_hf"):
        make_adapter("lmms", model="llava_hff")


def test_a_chat_template_reaches_simple_and_chat_models(llava, tmp_path):
    template = "{% for m in messages %}Q: {{ m['content'] }} {% endfor %}A:"
    (tmp_path / "t.jinja").write_text(template)
    args = f"pretrained={llava},dtype=float32"
    simple = make_adapter("lmms", model="llava_hf", model_args=args, force_simple=True,
                          chat_template=str(tmp_path / "t.jinja"))
    assert simple.lm.chat_template == template
    chat = make_adapter("lmms", model="llava_hf", model_args=args, chat_template=template)
    assert chat.lm._image_processor.chat_template == template
    with pytest.raises(UserError, match="neither a Jinja template nor a file"):
        make_adapter("lmms", model="llava_hf", model_args=args, chat_template=str(tmp_path / "missing.jinja"))
