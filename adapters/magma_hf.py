"""`magma_hf`: the upstream microsoft/Magma-8B model through its own remote code (transformers
`trust_remote_code`), for comparing our re-implementation against the reference one.

Runs only with `--trust-remote-code` (sweep config: `trust_remote_code: true`): the checkpoint's
Python files are executed. Weights must already be on disk (no hub access). The `magma` adapter
loads the same safetensors through a key mapping without running any remote code.
Prompting follows the upstream model card: a system turn "You are agent that can see, talk and
act.", the image as `<image_start><image><image_end>` before the question, greedy decoding.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Adapter, Capability
from magma_bench.errors import UserError
from magma_bench.types import Request

SYSTEM = "You are agent that can see, talk and act."


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


class MagmaHFAdapter(Adapter):
    name = "magma_hf"
    capabilities: ClassVar = frozenset({Capability.TEXT, Capability.GROUNDING})
    requires = ("torch", "transformers")

    def __init__(self, seed: int = 0, checkpoint: str | Path = "checkpoints/Magma-8B", trust_remote_code: bool = False,
                 device: str = "cpu", dtype: str = "bfloat16", **args: Any) -> None:
        super().__init__(seed=seed, checkpoint=str(checkpoint), device=device, dtype=dtype, **args)
        self.path = Path(checkpoint)
        check_remote_code_dir(self.path, trust_remote_code, self.name)
        import torch
        from transformers import AutoModelForCausalLM, AutoProcessor

        self.processor = AutoProcessor.from_pretrained(self.path, trust_remote_code=True)
        self.model = AutoModelForCausalLM.from_pretrained(self.path, trust_remote_code=True, use_safetensors=True,
                                                          dtype=getattr(torch, dtype)).to(device).eval()
        self.device, self.dtype = device, getattr(torch, dtype)

    def generate(self, requests: list[Request]) -> list[str]:
        """One request at a time: the upstream processor takes a single prompt per call."""
        import torch

        from magma_bench.adapters.hf_vlm import to_hf_messages
        from magma_bench.model.processing_magma import load_image

        out = []
        for r in requests:
            msgs, srcs = to_hf_messages(r)
            text = "\n".join(p["text"] for p in msgs[-1]["content"] if p["type"] == "text")
            image_tag = "<image_start><image><image_end>\n" * len(srcs)
            convs = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": image_tag + text}]
            prompt = self.processor.tokenizer.apply_chat_template(convs, tokenize=False, add_generation_prompt=True)
            inputs = self.processor(images=[load_image(s) for s in srcs] or None, texts=prompt, return_tensors="pt")
            if srcs:
                inputs["pixel_values"] = inputs["pixel_values"].unsqueeze(0)
                inputs["image_sizes"] = inputs["image_sizes"].unsqueeze(0)
            inputs = inputs.to(self.device).to(self.dtype)
            with torch.inference_mode():
                ids = self.model.generate(**inputs, do_sample=False, num_beams=1, use_cache=True,
                                          max_new_tokens=r.max_new_tokens)
            new = ids[0, inputs["input_ids"].shape[-1]:]
            out.append(self.processor.decode(new, skip_special_tokens=True).strip())
        return out

    def describe(self) -> dict[str, Any]:
        from magma_bench.adapters.magma import checkpoint_hash

        return {**super().describe(), "checkpoint_hash": checkpoint_hash(self.path), "remote_code": True}
