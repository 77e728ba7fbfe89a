"""`magma_hf`: the upstream microsoft/Magma-8B model through its own remote code (transformers
`trust_remote_code`), for comparing our re-implementation against the reference one.

Runs only with `--trust-remote-code` (sweep config: `trust_remote_code: true`): the checkpoint's
Python files are executed. Weights must already be on disk (no hub access). The `magma` adapter
loads the same safetensors through a key mapping without running any remote code.
Prompting follows the upstream model card: a system turn "You are agent that can see, talk and
act.", the image as `<image_start><image><image_end>` before the question, greedy decoding.

`act` is upstream's SimplerEnv/LIBERO agent: the frame at the env's ActionSpec size, the robot
question, `generate` (greedy, or sampling at `temperature` as upstream's 0.7, seeded per episode
step), the action from `output_ids[-8:-1]` against the tokenizer's base vocabulary, statistics
chosen as the `magma` adapter chooses them (unnorm_key, dataset_statistics.json, published sets),
then mapped into the env's ActionSpec.

Transformers: upstream's remote code targets 4.44-4.48. Its `prepare_inputs_for_generation` and
image merge do not fit later `generate`s (4.57: no `Cache.seen_tokens`; 5.x names the KV cache
`cache`, drops an all-ones attention mask that the merge then indexes as None, and counts positions
over the unmerged ids), so `model.generate` is never called: upstream's own forward runs up to its
LLaMA decoder (image features merged by its own code), and the decoder's own `generate` continues
from those embeddings, the computation upstream's `generate` does on 4.48. Loading on newer releases
needs shims (`_supports_sdpa`, `tie_weights(**kw)`, GenerationMixin, without which 5.x gives the
model no generation config), and the ConvNeXt LayerScale `gamma`s, which transformers 4.x's loader
renames away, are restored (`restore_gamma_beta`). Checked against the golden ids and actions
upstream's code produced (tests/adapters/test_magma_hf_upstream.py) on transformers 4.48.3, 4.57.6
and 5.25.0. The vision tower needs `open_clip_torch` and `timm` (extra `magma-hf`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Adapter, Capability
from magma_bench.errors import UserError
from magma_bench.types import Request

SYSTEM = "You are agent that can see, talk and act."
DEFAULT_CHECKPOINT = "checkpoints/Magma-8B"


def check_remote_code_dir(path: Path, trust_remote_code: bool, name: str) -> dict[str, Any]:
    """The checkpoint's config.json, after the safety gates: opt-in flag, files on disk, safetensors.
    Only the bool True opens the gate: a string ("False", "no", even "true") never does."""
    if trust_remote_code is not True:
        raise UserError(f"{name}: {path} runs its own Python code; pass --trust-remote-code (magma-bench run/sweep; "
                        "in a sweep config: `trust_remote_code: true` on the adapter) only if you trust it. "
                        "The `magma` adapter loads Magma-8B weights without remote code.")
    cfg_file = path / "config.json"
    if not cfg_file.is_file():
        raise UserError(f"{name}: {cfg_file} not found; download the checkpoint (config, *.py, *.safetensors) "
                        f"to {path} or pass checkpoint=<dir>")
    cfg = json.loads(cfg_file.read_text())
    if not list(path.glob("*.safetensors")):
        raise UserError(f"{path}: no *.safetensors weights (pickle checkpoints are refused)")
    if "auto_map" not in cfg:
        raise UserError(f"{cfg_file}: no auto_map entry, so there is no remote code to run here")
    return cfg


def _transformers_version() -> tuple[int, int]:
    import transformers

    major, minor = transformers.__version__.split(".")[:2]
    return int(major), int("".join(c for c in minor if c.isdigit()) or 0)


def restore_gamma_beta(model: Any, path: Path) -> list[str]:
    """Load the checkpoint's `*gamma` / `*beta` tensors into the model. transformers' loader (4.x)
    renames such keys to `weight` / `bias` (a TF-era rule), so the ConvNeXt LayerScale `gamma`s of
    upstream's vision tower are silently left at their 1e-6 init; returns the names restored."""
    import torch
    from safetensors import safe_open

    params = dict(model.named_parameters())
    done = []
    for f in sorted(path.glob("*.safetensors")):
        with safe_open(str(f), framework="pt") as sf:
            for k in sf.keys():  # noqa: SIM118 - safe_open is not a dict
                if k.rsplit(".", 1)[-1] in ("gamma", "beta") and k in params:
                    t = sf.get_tensor(k)
                    if not torch.equal(params[k].detach().cpu().to(t.dtype), t):
                        with torch.no_grad():
                            params[k].copy_(t.to(params[k].dtype))
                        done.append(k)
    return done


def remote_model_class(path: Path) -> Any:
    """The checkpoint's own model class (auto_map AutoModelForCausalLM), made loadable on newer
    transformers: its `_supports_sdpa` property reads the language model before `__init__` builds
    it (transformers >= 4.50 asks during `__init__`), so the class answers True (a LLaMA decoder);
    its `tie_weights` takes no keyword arguments; and since 4.50 it needs GenerationMixin as a base."""
    import inspect

    from transformers import AutoConfig
    from transformers.dynamic_module_utils import get_class_from_dynamic_module

    cfg = AutoConfig.from_pretrained(path, trust_remote_code=True)
    ref = (getattr(cfg, "auto_map", None) or {}).get("AutoModelForCausalLM")
    if not ref:
        raise UserError(f"{path / 'config.json'}: auto_map has no AutoModelForCausalLM entry")
    cls = get_class_from_dynamic_module(ref, str(path))
    if _transformers_version() >= (4, 50) and isinstance(inspect.getattr_static(cls, "_supports_sdpa", None), property):
        cls._supports_sdpa = True  # LLaMA decoders support SDPA
    tie = cls.tie_weights
    if not any(p.kind == p.VAR_KEYWORD for p in inspect.signature(tie).parameters.values()):
        cls.tie_weights = lambda self, *a, **kw: tie(self)  # newer transformers pass keyword arguments
    from transformers import GenerationMixin

    if not issubclass(cls, GenerationMixin):  # before __init__, which sets generation_config only then
        cls = type(cls.__name__, (cls, GenerationMixin), {"__module__": cls.__module__})
    return cls


class _AtDecoder(Exception):  # noqa: N818 - a stop signal, not an error
    """Raised by the hook that stops upstream's forward where its decoder would start."""


def merged_prompt(model: Any, inputs: Any) -> dict[str, Any]:
    """The prompt as upstream's decoder receives it: upstream's own forward (vision tower, projector,
    `_merge_input_ids_with_image_features`) runs and is stopped at the decoder's input, whose
    `inputs_embeds` and `attention_mask` are returned."""
    got: dict[str, Any] = {}

    def grab(_module: Any, _args: Any, kwargs: dict[str, Any]) -> None:
        got.update(kwargs)
        raise _AtDecoder

    handle = model.language_model.model.register_forward_pre_hook(grab, with_kwargs=True)
    try:
        model(**inputs, use_cache=False, return_dict=True)
    except _AtDecoder:
        pass
    finally:
        handle.remove()
    if got.get("inputs_embeds") is None:
        raise UserError(f"magma_hf: {type(model).__name__}.forward never reached language_model.model with "
                        "inputs_embeds; this remote code is not the Magma-8B layout")
    return {"inputs_embeds": got["inputs_embeds"], "attention_mask": got["attention_mask"]}


def upstream_generate(model: Any, inputs: Any, **kwargs: Any) -> Any:
    """The new token ids (no prompt) that upstream's `model.generate(**inputs, **kwargs)` gives on
    transformers 4.48, on any release: its decoder's own `generate` from the merged prompt, under the
    Magma model's generation config (its eos / pad ids)."""
    merged = merged_prompt(model, inputs)
    return model.language_model.generate(**merged, generation_config=model.generation_config, **kwargs)


@contextmanager
def vision_deps_named() -> Iterator[None]:
    """Loading upstream's code imports open_clip, timm and torchvision (its vision tower and image
    processor); when one is missing, say which and the pip command in one line, where transformers
    would name the import (`pip install open_clip`, not a package) or raise mid-import."""
    from magma_bench.errors import MissingDependency
    from magma_bench.registry import missing_modules

    try:
        yield
    except ImportError:
        if not (missing := missing_modules(["open_clip", "timm", "torchvision"])):
            raise
        raise MissingDependency(f"magma_hf: upstream's remote code needs {', '.join(missing)}: pip install "
                                "'magma-bench[magma-hf]' (torchvision built for your torch)") from None


class MagmaHFAdapter(Adapter):
    name = "magma_hf"
    capabilities: ClassVar = frozenset({Capability.TEXT, Capability.GROUNDING, Capability.ACTION})
    requires = ("torch", "transformers")

    def __init__(self, seed: int = 0, checkpoint: str | Path = DEFAULT_CHECKPOINT, trust_remote_code: bool = False,
                 device: str = "cpu", dtype: str = "bfloat16", unnorm_key: str | None = None,
                 temperature: float = 0.0, max_action_tokens: int = 32, **args: Any) -> None:
        if float(temperature) < 0 or int(max_action_tokens) < 8:
            raise UserError("magma_hf: temperature must be >= 0 and max_action_tokens >= 8 (7 actions + end of turn)")
        extra = {"unnorm_key": unnorm_key} if unnorm_key is not None else {}
        if float(temperature) or int(max_action_tokens) != 32:
            extra |= {"temperature": float(temperature), "max_action_tokens": int(max_action_tokens)}
        super().__init__(seed=seed, checkpoint=str(checkpoint), device=device, dtype=dtype, **extra, **args)
        self.unnorm_key, self.temperature, self.max_action_tokens = unnorm_key, float(temperature), int(max_action_tokens)
        self.path = Path(checkpoint)
        check_remote_code_dir(self.path, trust_remote_code, self.name)
        import torch
        from transformers import AutoProcessor

        dtype_kw = "dtype" if _transformers_version() >= (4, 56) else "torch_dtype"  # renamed in 4.56
        with vision_deps_named():
            self.processor = AutoProcessor.from_pretrained(self.path, trust_remote_code=True)
            self.model = remote_model_class(self.path).from_pretrained(
                self.path, trust_remote_code=True, use_safetensors=True, **{dtype_kw: getattr(torch, dtype)})
        self.model = self.model.to(device).eval()
        self.restored = restore_gamma_beta(self.model, self.path)
        self.device, self.dtype = device, getattr(torch, dtype)
        self._steps = 0

    def _inputs(self, text: str, images: list[Any]) -> Any:
        """Upstream's prompt (system turn, one `<image_start><image><image_end>` + newline per image
        before the text, the checkpoint's chat template) through upstream's processor."""
        image_tag = "<image_start><image><image_end>\n" * len(images)
        convs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": image_tag + text}]
        prompt = self.processor.tokenizer.apply_chat_template(convs, tokenize=False, add_generation_prompt=True)
        inputs = self.processor(images=images or None, texts=prompt, return_tensors="pt")
        if images:
            inputs["pixel_values"] = inputs["pixel_values"].unsqueeze(0)
            inputs["image_sizes"] = inputs["image_sizes"].unsqueeze(0)
        return inputs.to(self.device).to(self.dtype)

    @classmethod
    def output_action_spec(cls, args: dict[str, Any], env: Any) -> Any:
        """The units `act` would emit for the env spec `env`: the statistics set chosen as `act` chooses
        it, from the checkpoint's JSON only (magma.checkpoint_output_spec; no remote code runs)."""
        from magma_bench.adapters.magma import checkpoint_output_spec

        path = Path(str(args.get("checkpoint") or DEFAULT_CHECKPOINT))
        return checkpoint_output_spec(path, args.get("unnorm_key"), env, upstream=True)

    def generate(self, requests: list[Request]) -> list[str]:
        """One request at a time: the upstream processor takes a single prompt per call."""
        import torch

        from magma_bench.adapters.hf_vlm import to_hf_messages
        from magma_bench.model.processing_magma import load_image

        out = []
        for r in requests:
            msgs, srcs = to_hf_messages(r)
            text = "\n".join(p["text"] for p in msgs[-1]["content"] if p["type"] == "text")
            inputs = self._inputs(text, [load_image(s) for s in srcs])
            with torch.inference_mode():
                new = upstream_generate(self.model, inputs, do_sample=False, num_beams=1, use_cache=True,
                                        max_new_tokens=r.max_new_tokens)[0]
            out.append(self.processor.decode(new, skip_special_tokens=True).strip())
        return out

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        """One observation at a time, as upstream's agents; see the module docstring."""
        import hashlib

        import torch
        from PIL import Image

        from magma_bench.action_spec import convert, spec_of
        from magma_bench.adapters.magma import model_frame, observation_image
        from magma_bench.model.action_stats import output_spec, resolve
        from magma_bench.model.action_tokenizer import ActionTokenizer
        from magma_bench.model.formats import action_prompt

        out = []
        for obs, ins in zip(observations, instructions, strict=True):
            spec = spec_of(obs)
            key, stats = resolve(self.path, self.unnorm_key, spec.unnorm_key)
            frame = Image.fromarray(model_frame(observation_image(obs), spec)).convert("RGB")
            inputs = self._inputs(action_prompt(ins), [frame])
            sample = self.temperature > 0
            if sample:  # HF sampling draws from the global RNG: seed it per (seed, episode, step)
                torch.manual_seed(int(hashlib.sha256(f"{self.seed}\x1f{obs.get('episode_id', ins)}\x1f"
                                                     f"{obs.get('step', self._steps)}".encode()).hexdigest()[:15], 16))
            with torch.inference_mode():
                new = upstream_generate(self.model, inputs, do_sample=sample, num_beams=1, use_cache=True,
                                        max_new_tokens=self.max_action_tokens,
                                        **({"temperature": self.temperature} if sample else {}))
            ids = torch.cat([inputs["input_ids"], new], dim=-1)  # upstream's generate returns prompt + new ids
            tok = ActionTokenizer.from_stats(self.processor.tokenizer.vocab_size, stats)
            raw = tok.decode(ids[0, -8:-1].tolist(), clip_ids=True)  # upstream: the 7 ids before the last
            out.append(convert(raw, output_spec(key), spec))
        self._steps += 1
        return out

    def describe(self) -> dict[str, Any]:
        from magma_bench.adapters.magma import checkpoint_hash

        return {**super().describe(), "checkpoint_hash": checkpoint_hash(self.path), "remote_code": True}
