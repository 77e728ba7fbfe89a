"""magma-bench -> lmms-eval models: lmms-eval's own `llava_hf` back-end (chat and simple interfaces)
driven by the `lmms` adapter on a tiny random LLaVA built here (no hub), each answer checked
against greedy decoding done directly with transformers on the same prompt. Skipped without
lmms-eval (`make test-lmms` runs these in .venv-lmms)."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("lmms_eval", reason="lmms-eval is not installed here; `make test-lmms` runs this in .venv-lmms")
torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.evaluator import RunConfig  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.runner import run  # noqa: E402

WORDS = ("Is there a cat dog car person cup chair bottle in the image ? Answer question using single word "
         "or phrase . yes no Yes No USER : ASSISTANT A chat between curious user and an artificial "
         "intelligence assistant gives helpful detailed polite answers to 's questions")


@pytest.fixture(scope="module")
def llava(tmp_path_factory):
    """A ~60k-parameter LlavaForConditionalGeneration with a byte-level BPE tokenizer and a CLIP
    image processor (16x16 images, 8x8 patches: 4 image tokens), saved as a HF checkpoint."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlamaConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        PreTrainedTokenizerFast,
    )

    specials = ["<unk>", "<s>", "</s>", "<pad>", "<image>"]
    bpe = Tokenizer(models.BPE(unk_token="<unk>"))
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator([WORDS] * 4, trainers.BpeTrainer(
        vocab_size=320, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, unk_token="<unk>", bos_token="<s>", eos_token="</s>",
                                  pad_token="<pad>")
    tok.add_special_tokens({"additional_special_tokens": ["<image>"]})
    image_id = tok.convert_tokens_to_ids("<image>")
    proc = LlavaProcessor(
        image_processor=CLIPImageProcessor(size={"shortest_edge": 16}, crop_size={"height": 16, "width": 16}),
        tokenizer=tok, patch_size=8, vision_feature_select_strategy="default", image_token="<image>",
        num_additional_image_tokens=1)
    cfg = LlavaConfig(
        vision_config=CLIPVisionConfig(hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2,
                                       image_size=16, patch_size=8, projection_dim=16),
        text_config=LlamaConfig(vocab_size=len(tok), hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=512,
                                pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
                                eos_token_id=tok.eos_token_id, initializer_range=0.5),
        image_token_index=image_id, vision_feature_layer=-1, vision_feature_select_strategy="default")
    torch.manual_seed(0)
    model = LlavaForConditionalGeneration(cfg).eval()
    path = tmp_path_factory.mktemp("llava") / "tiny-llava"
    model.save_pretrained(path)
    proc.save_pretrained(path)
    return path


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
