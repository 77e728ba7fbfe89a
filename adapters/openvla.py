"""`openvla`: an OpenVLA-style vision-language-action baseline through transformers.

The policy is a VLM whose last 256 tokenizer ids are action bins (OpenVLA's scheme, shared with
`model.action_tokenizer`): prompt `In: What action should the robot take to {instruction}?\\nOut:`
with the camera image, greedy-decode 7 tokens restricted to the bins, and un-normalise with the
checkpoint's `dataset_statistics.json` ({unnorm_key: {"action": {"q01", "q99", "mask"}}}, OpenVLA's
file). Two kinds of checkpoint load from a local directory:
- transformers-native VLMs (any AutoModelForImageTextToText, e.g. a LLaVA fine-tuned this way);
- the released openvla/openvla-7b, whose model class is remote code: only with
  `--trust-remote-code` (a real bool True; see `magma_hf.check_remote_code_dir`), and then its own
  `predict_action` is used.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Capability
from magma_bench.adapters.hf_vlm import HFVisionLanguageAdapter
from magma_bench.errors import UserError

PROMPT = "In: What action should the robot take to {instruction}?\nOut:"


def load_norm_stats(path: Path, unnorm_key: str | None) -> tuple[str | None, dict[str, Any] | None]:
    f = path / "dataset_statistics.json"
    if not f.is_file():
        return None, None
    stats = json.loads(f.read_text())
    if unnorm_key is None:
        if len(stats) != 1:
            raise UserError(f"{f}: several datasets ({', '.join(sorted(stats))}); pass unnorm_key=<name>")
        unnorm_key = next(iter(stats))
    if unnorm_key not in stats or "action" not in stats[unnorm_key]:
        raise UserError(f"{f}: no action statistics for {unnorm_key!r} (have {', '.join(sorted(stats))})")
    return unnorm_key, stats[unnorm_key]["action"]


class OpenVLAAdapter(HFVisionLanguageAdapter):
    name = "openvla"
    capabilities: ClassVar = frozenset({Capability.ACTION})

    def __init__(self, seed: int = 0, checkpoint: str | Path = "checkpoints/openvla-7b", unnorm_key: str | None = None,
                 trust_remote_code: bool = False, device: str = "cpu", dtype: str | None = None, **args: Any) -> None:
        path = Path(checkpoint)
        self.remote = False
        cfg_file = path / "config.json"
        if cfg_file.is_file() and "auto_map" in json.loads(cfg_file.read_text()):
            from magma_bench.adapters.magma_hf import check_remote_code_dir

            check_remote_code_dir(path, trust_remote_code, self.name)
            self.remote = True
        self.unnorm_key, stats = load_norm_stats(path, unnorm_key)
        self.trust_remote_code = trust_remote_code is True
        super().__init__(seed=seed, checkpoint=path, device=device, dtype=dtype, unnorm_key=unnorm_key, **args)
        from magma_bench.model.action_tokenizer import ActionTokenizer

        stats = stats or {}
        self.vocab_size = self.processor.tokenizer.vocab_size  # OpenVLA bins count back from here
        self.actions = ActionTokenizer(self.vocab_size, 256, stats.get("q01"), stats.get("q99"), stats.get("mask"))

    def _load(self, dtype: str | None) -> None:
        if not self.remote:
            return super()._load(dtype)
        import torch
        from transformers import AutoModelForVision2Seq, AutoProcessor

        self.processor = AutoProcessor.from_pretrained(self.path, trust_remote_code=True)
        kw = {"dtype": getattr(torch, dtype)} if dtype else {}
        self.model = AutoModelForVision2Seq.from_pretrained(self.path, trust_remote_code=True, use_safetensors=True,
                                                            **kw).to(self.device).eval()
        self.model_type = "openvla"
        return None

    def generate(self, requests: list[Any]) -> list[str]:
        raise NotImplementedError("openvla produces robot actions only (use act)")

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        import torch
        from transformers import LogitsProcessor, LogitsProcessorList

        from magma_bench.adapters.magma import observation_image
        from magma_bench.model.processing_magma import load_image

        images = [load_image(observation_image(o)) for o in observations]
        prompts = [PROMPT.format(instruction=i.strip().rstrip(".?!").lower()) for i in instructions]
        if self.remote:  # the released model's own decoding and un-normalisation
            return [[float(v) for v in self.model.predict_action(
                **self.processor(p, img).to(self.device), unnorm_key=self.unnorm_key, do_sample=False)]
                for p, img in zip(prompts, images, strict=True)]
        lo, hi = self.vocab_size - 256, self.vocab_size

        class _OnlyActionBins(LogitsProcessor):
            def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
                scores[:, :lo] = float("-inf")
                scores[:, hi:] = float("-inf")
                return scores

        texts = [self.processor.apply_chat_template(
            [{"role": "user", "content": [{"type": "image"}, {"type": "text", "text": p}]}],
            add_generation_prompt=True, tokenize=False) for p in prompts]
        inputs = self.processor(text=texts, images=images, padding=True, return_tensors="pt").to(self.device)
        tok = self.processor.tokenizer
        with torch.no_grad():
            out = self.model.generate(**inputs, max_new_tokens=7, min_new_tokens=7, do_sample=False,
                                      logits_processor=LogitsProcessorList([_OnlyActionBins()]),
                                      pad_token_id=tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id)
        new = out[:, inputs["input_ids"].shape[1]:].tolist()
        return [self.actions.decode(row) for row in new]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "unnorm_key": self.unnorm_key, "remote_code": self.remote}
