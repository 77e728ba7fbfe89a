"""Magma as an lmms-eval model, so lmms-eval's own tasks and metrics can run our checkpoints.

Registered through lmms-eval's entry-point group in pyproject.toml:

    [project.entry-points."lmms_eval.models"]
    magma_bench = "magma_bench.adapters.lmms_bridge:manifest"

then `lmms-eval --model magma_bench --model_args checkpoint=checkpoints/magma-tiny --tasks pope`
(`pretrained=` is lmms-eval's usual name and means the same). Any other model arg is refused in one
line that lists the accepted ones, so a misspelt argument never falls back to a default checkpoint.
`max_new_tokens` is scaled exactly as the direct `magma` adapter scales it (budgets are counted in
subword tokens; the byte tokenizer spends `bytes_per_budget_token` per budget token), so a task run
here and the same questions run by magma-bench decode the same number of tokens.
Implements the three request types of `lmms_eval.api.model.lmms`:
- generate_until(Instance.args = context, gen_kwargs, doc_to_visual, doc_id, task, split):
  greedy batched generation, cut at the first `until` string;
- loglikelihood(args = context, doc_to_target, doc_to_visual, doc_id, task, split): the summed
  log-probability of the continuation after the assistant marker, and whether it is greedy;
- generate_until_multi_round(args = context, gen_kwargs, doc_to_visual, doc_to_text, doc_id,
  task, split): rounds driven by the task's doc_to_text until it signals the end.
This module imports lmms_eval at the top: it is only loaded by lmms-eval (or the `lmms` adapter).
"""

from __future__ import annotations

from typing import Any

from lmms_eval.api.instance import Instance
from lmms_eval.api.model import lmms

from magma_bench.errors import UserError

MAX_ROUNDS = 16
# What `--model_args` may name; `max_batch_size` is what lmms-eval's CLI hands every model (ignored:
# batches are `batch_size`).
ACCEPTED_ARGS = ("checkpoint", "pretrained", "device", "batch_size", "dtype", "threads", "max_batch_size")


def _visuals(doc_to_visual: Any, doc: Any) -> list[Any]:
    if doc_to_visual is None:
        return []
    vis = doc_to_visual(doc)
    return [v for v in (vis if isinstance(vis, list | tuple) else [vis]) if v is not None]


def _conversation(context: str, visuals: list[Any]) -> list[dict[str, Any]]:
    parts = [{"type": "image", "image": v} for v in visuals] + [{"type": "text", "text": context}]
    return [{"role": "user", "content": parts}]


def _cut(text: str, until: Any) -> str:
    stops = [until] if isinstance(until, str) else list(until or [])
    for s in stops:
        if s and s in text:
            text = text[: text.index(s)]
    return text


def _ll_result(logprob: float, greedy: bool) -> Any:
    """lmms-eval 0.7.x's `unwrap_generation_output` turns a bare (float, bool) into its str(), which
    breaks multiple_choice tasks; a GenerationResult hands its payload through unchanged."""
    try:
        from lmms_eval.api.instance import GenerationResult
    except ImportError:  # older lmms-eval: tuples pass as they are
        return (logprob, greedy)
    return GenerationResult(text=(logprob, greedy))  # type: ignore[arg-type]


def _checkpoint(checkpoint: Any, pretrained: Any) -> str:
    """`checkpoint=` or `pretrained=` (lmms-eval's name); both given must agree. lmms-eval's arg parser
    turns numeric-looking values into numbers, so paths are read back as strings."""
    from magma_bench.adapters.magma import DEFAULT_CHECKPOINT

    if checkpoint is not None and pretrained is not None and str(checkpoint) != str(pretrained):
        raise UserError(f"magma_bench (lmms-eval model): checkpoint={checkpoint} and pretrained={pretrained} "
                        "disagree; pass one of them")
    chosen = checkpoint if checkpoint is not None else pretrained
    return DEFAULT_CHECKPOINT if chosen is None else str(chosen)


class MagmaLMMS(lmms):
    def __init__(self, checkpoint: str | None = None, pretrained: str | None = None, device: str = "cpu",
                 batch_size: int | str = 8, dtype: str | None = None, threads: int | None = None,
                 max_batch_size: Any = None, **kwargs: Any) -> None:
        if kwargs:
            raise UserError(f"magma_bench (lmms-eval model): unknown model arg(s) {', '.join(sorted(kwargs))}; "
                            f"accepted: {', '.join(ACCEPTED_ARGS)}")
        super().__init__()
        from magma_bench.adapters.magma import MagmaAdapter

        self.adapter = MagmaAdapter(checkpoint=_checkpoint(checkpoint, pretrained), device=device, dtype=dtype,
                                    threads=threads)
        # budgets are subword tokens; the byte tokenizer decodes this many tokens per budget token
        self.budget_scale = int(getattr(self.adapter.tokenizer, "bytes_per_budget_token", 1))
        self.batch_size = int(batch_size)
        if self.batch_size < 1:
            raise UserError(f"magma_bench (lmms-eval model): batch_size must be >= 1, got {batch_size}")
        self.task_dict: dict = {}

    def _budget(self, gen_kwargs: dict[str, Any] | None) -> int:
        """Tokens to decode for a task's `max_new_tokens` (default 32), scaled like MagmaAdapter.generate."""
        return max(1, int((gen_kwargs or {}).get("max_new_tokens", 32))) * self.budget_scale

    def _doc(self, task: str, split: str, doc_id: Any) -> Any:
        return self.task_dict[task][split][doc_id]

    def _generate(self, convs: list[list[dict[str, Any]]], max_new: list[int]) -> list[str]:
        out: list[str] = []
        for i in range(0, len(convs), self.batch_size):
            chunk = convs[i:i + self.batch_size]
            images = [[p["image"] for p in c[-1]["content"] if p["type"] == "image"] for c in chunk]
            ids = self.adapter.generate_ids(chunk, images, max_new[i:i + self.batch_size])
            out += [self.adapter.tokenizer.decode(row) for row in ids]
        return out

    def generate_until(self, requests: list[Instance]) -> list[str]:
        convs, max_new, untils = [], [], []
        for context, gen_kwargs, doc_to_visual, doc_id, task, split in [r.args for r in requests]:
            convs.append(_conversation(context, _visuals(doc_to_visual, self._doc(task, split, doc_id))))
            max_new.append(self._budget(gen_kwargs))
            untils.append((gen_kwargs or {}).get("until"))
        texts = self._generate(convs, max_new)
        return [_cut(t, u).strip() for t, u in zip(texts, untils, strict=True)]

    def loglikelihood(self, requests: list[Instance]) -> list[Any]:
        import torch

        from magma_bench.model.processing_magma import encode_conversations

        ad, out = self.adapter, []
        for context, doc_to_target, doc_to_visual, doc_id, task, split in [r.args for r in requests]:
            doc = self._doc(task, split, doc_id)
            cont = doc_to_target(doc) if callable(doc_to_target) else doc_to_target
            cont = cont[0] if isinstance(cont, list) else str(cont)
            vis = _visuals(doc_to_visual, doc)
            batch = encode_conversations([_conversation(context, vis)], ad.tokenizer, ad.config, images=[vis])
            target = torch.tensor([ad.tokenizer.encode(cont)], dtype=torch.long)
            ids = torch.cat([batch.input_ids, target], 1)
            with torch.no_grad():
                logits, _ = ad.model(ids, torch.ones_like(ids), batch.images)
            n = target.shape[1]
            logp = torch.log_softmax(logits[0, -n - 1:-1], -1)
            out.append(_ll_result(float(logp.gather(1, target[0][:, None]).sum()),
                                  bool((logp.argmax(-1) == target[0]).all())))
        return out

    def generate_until_multi_round(self, requests: list[Instance]) -> list[list[str]]:
        results = []
        for context, gen_kwargs, doc_to_visual, doc_to_text, doc_id, task, split in [r.args for r in requests]:
            doc = self._doc(task, split, doc_id)
            visuals, rounds, info = _visuals(doc_to_visual, doc), [], None
            max_new = self._budget(gen_kwargs)
            for round_idx in range(MAX_ROUNDS):
                if round_idx > 0:
                    visuals, context, done, rounds, info = doc_to_text(
                        doc, previous_output=rounds, round_idx=round_idx, previous_round_info=info)
                    rounds = list(rounds)
                    if done:
                        break
                text = self._generate([_conversation(context, list(visuals or []))], [max_new])[0]
                rounds.append(_cut(text, (gen_kwargs or {}).get("until")).strip())
            results.append(rounds)
        return results


def manifest() -> Any:
    """Entry point for lmms-eval's `lmms_eval.models` group."""
    from lmms_eval.models.registry_v2 import ModelManifest

    return ModelManifest(model_id="magma_bench", simple_class_path="magma_bench.adapters.lmms_bridge.MagmaLMMS")
