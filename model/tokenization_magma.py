"""Magma tokenizers and the chat layout, with image placeholders expanded to their feature count.

`ByteTokenizer` is built in code (no download), so the tiny/small presets train and run offline:

    id 0 <pad> | 1 <bos> | 2 <eos> | 3 <image_start> | 4 <image> | 5 <image_end> | 6 <|user|>
    7 <|assistant|> | 8 <|system|> | 9..264 the 256 bytes of UTF-8 | ... | last 256 ids: action bins

`HFTokenizer` wraps a `tokenizer.json` found in a checkpoint dir (the upstream LLaMA-3 tokenizer for
the 8b preset) with the LLaMA-3 chat header layout.

Native chat layout (both): [bos] then per turn `role-marker content end-of-turn`, images inside a
turn as `<image_start> <image>*n <image_end>` where n is the image's feature count (the model writes
one feature vector over each `<image>`), then the assistant marker when a generation prompt is asked.

Upstream layout (`template="upstream"`, Magma-8B checkpoints): exactly what every upstream caller
(README, lmms-eval model, SimplerEnv and LIBERO agents) feeds `MagmaProcessor`: a system turn
"You are agent that can see, talk and act." first, each image written as `<image>\n` before the
user text, the checkpoint's own chat template (tokenizer_config.json; LLaMA-3's when absent)
rendered to text, `<image>` replaced by `<image_start><image><image_end>`, and the text tokenized
once with the tokenizer's special tokens on. LLaMA-3's template starts with `<|begin_of_text|>` and
its post-processor adds another, so upstream prompts start with BOS twice; we keep that (the golden
test in tests/model/test_upstream_golden.py pins the ids). The single `<image>` id is then
expanded to the image's feature count, where upstream's model expands it in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from magma_bench.errors import UserError

SPECIALS = ("<pad>", "<bos>", "<eos>", "<image_start>", "<image>", "<image_end>",
            "<|user|>", "<|assistant|>", "<|system|>")
BYTE_OFFSET = len(SPECIALS)


def message_parts(message: dict[str, Any]) -> list[dict[str, Any]]:
    """Content as a list of {"type": "text"|"image", ...} parts (a plain string is one text part)."""
    content = message.get("content", "")
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    return list(content)


class _ChatMixin:
    bos_id: int
    eos_id: int
    image_id: int
    image_start_id: int | None
    image_end_id: int | None

    def encode(self, text: str) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _role(self, role: str) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def _end_of_turn(self, role: str) -> list[int]:  # pragma: no cover - overridden
        raise NotImplementedError

    def encode_chat(self, messages: Sequence[dict[str, Any]], image_tokens: Sequence[int] = (),
                    add_generation_prompt: bool = True) -> list[int]:
        """Token ids for a conversation; `image_tokens[i]` = feature count of the i-th image."""
        ids = [self.bos_id]
        counts = list(image_tokens)
        used = 0
        for msg in messages:
            ids += self._role(msg.get("role", "user"))
            for part in message_parts(msg):
                if part.get("type") == "image":
                    if used >= len(counts):
                        raise ValueError("more images in the messages than image feature counts given")
                    ids += ([self.image_start_id] if self.image_start_id is not None else [])
                    ids += [self.image_id] * counts[used]
                    ids += ([self.image_end_id] if self.image_end_id is not None else [])
                    used += 1
                elif part.get("type") == "text":
                    ids += self.encode(part.get("text", ""))
            ids += self._end_of_turn(msg.get("role", "user"))
        if used != len(counts):
            raise ValueError(f"{len(counts)} images given but the messages hold {used}")
        if add_generation_prompt:
            ids += self._role("assistant")
        return ids


class ByteTokenizer(_ChatMixin):
    """UTF-8 bytes + specials + action bins; `vocab_size` must leave room for all three."""

    # Requests state their output budget in subword tokens of a typical BPE vocabulary (about four
    # bytes each); a byte-level model needs that many times more steps for the same text.
    bytes_per_budget_token = 4

    def __init__(self, vocab_size: int, n_action_bins: int = 256) -> None:
        if vocab_size < BYTE_OFFSET + 256 + n_action_bins:
            raise UserError(f"ByteTokenizer needs vocab_size >= {BYTE_OFFSET + 256 + n_action_bins}, got {vocab_size}")
        self.vocab_size = vocab_size
        self.action_begin = vocab_size - n_action_bins
        self.pad_id, self.bos_id, self.eos_id = 0, 1, 2
        self.image_start_id, self.image_id, self.image_end_id = 3, 4, 5
        self._roles = {"user": 6, "assistant": 7, "system": 8}

    def encode(self, text: str) -> list[int]:
        return [BYTE_OFFSET + b for b in text.encode("utf-8")]

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        out, buf = [], bytearray()
        for i in ids:
            i = int(i)
            if BYTE_OFFSET <= i < BYTE_OFFSET + 256:
                buf.append(i - BYTE_OFFSET)
                continue
            if i >= self.action_begin:
                tok = f"<action_{i - self.action_begin}>"
            elif i < BYTE_OFFSET:
                tok = SPECIALS[i]
            else:
                tok = f"<unused_{i}>"
            if not skip_special:
                out.append(buf.decode("utf-8", errors="replace") + tok)
                buf = bytearray()
        out.append(buf.decode("utf-8", errors="replace"))
        return "".join(out)

    def _role(self, role: str) -> list[int]:
        return [self._roles.get(role, self._roles["user"])]

    def _end_of_turn(self, role: str) -> list[int]:
        return [self.eos_id] if role == "assistant" else []


# LLaMA-3-Instruct's chat template (Magma-8B starts from it): used when tokenizer_config.json has none.
LLAMA3_CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = "
    "'<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}")


def _token_text(v: Any) -> str | None:
    return v.get("content") if isinstance(v, dict) else v


def render_chat_template(template: str, messages: list[dict[str, str]], add_generation_prompt: bool,
                         special: dict[str, str | None]) -> str:
    """A HF chat template rendered as transformers does (sandboxed jinja2, trim/lstrip blocks)."""
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    def raise_exception(msg: str) -> None:
        raise UserError(f"chat template: {msg}")

    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True)
    env.globals["raise_exception"] = raise_exception
    return env.from_string(template).render(messages=messages, add_generation_prompt=add_generation_prompt,
                                            **{k: v for k, v in special.items() if v is not None})


class HFTokenizer(_ChatMixin):
    """A `tokenizer.json` (e.g. LLaMA-3's) with the LLaMA-3 header chat layout, or upstream Magma's
    prompt (`template="upstream"`, see the module docstring)."""

    def __init__(self, path: Path, vocab_size: int, image_token_id: int, n_action_bins: int = 256,
                 action_end: int | None = None, template: str = "native", system_prompt: str = "",
                 image_start_end: bool = True) -> None:
        from tokenizers import Tokenizer

        try:
            self.tok = Tokenizer.from_file(str(path))
        except Exception as e:
            raise UserError(f"{path}: not a readable tokenizer.json ({e})") from None
        self.vocab_size = vocab_size
        self.action_begin = (action_end or vocab_size) - n_action_bins
        tid = self.tok.token_to_id
        self.bos_id = tid("<|begin_of_text|>") if tid("<|begin_of_text|>") is not None else (tid("<s>") or 0)
        self.eot_id = tid("<|eot_id|>")
        self.eos_id = self.eot_id if self.eot_id is not None else (tid("</s>") or 0)
        self.pad_id = self.eos_id
        self.image_id = image_token_id
        self.image_start_id = tid("<image_start>")
        self.image_end_id = tid("<image_end>")
        self.template, self.system_prompt, self.image_start_end = template, system_prompt, image_start_end
        if template == "upstream":
            self._load_chat_template(path.parent / "tokenizer_config.json")
            if tid("<image>") != image_token_id:
                raise UserError(f"{path}: `<image>` is token {tid('<image>')}, the config's image_token_index is "
                                f"{image_token_id}; upstream's processor would give the model no image")

    def _load_chat_template(self, cfg_path: Path) -> None:
        import json

        cfg: dict[str, Any] = {}
        if cfg_path.is_file():
            try:
                cfg = json.loads(cfg_path.read_text())
            except json.JSONDecodeError as e:
                raise UserError(f"{cfg_path}: invalid JSON ({e})") from None
        self.chat_template = cfg.get("chat_template") or LLAMA3_CHAT_TEMPLATE
        if isinstance(self.chat_template, list):  # [{"name": "default", "template": ...}, ...]
            named = {t.get("name"): t.get("template") for t in self.chat_template if isinstance(t, dict)}
            self.chat_template = named.get("default") or LLAMA3_CHAT_TEMPLATE
        self.special_text = {k: _token_text(cfg.get(k)) for k in ("bos_token", "eos_token", "pad_token", "unk_token")}
        if self.special_text["bos_token"] is None:
            self.special_text["bos_token"] = "<|begin_of_text|>" if self.tok.token_to_id("<|begin_of_text|>") is not None else ""

    def upstream_prompt(self, messages: Sequence[dict[str, Any]], add_generation_prompt: bool = True) -> str:
        """The prompt text upstream callers pass to MagmaProcessor (before tokenization)."""
        msgs = []
        for m in messages:
            parts = message_parts(m)
            text = "".join("<image>\n" if p.get("type") == "image" else p.get("text", "")
                           for p in parts if p.get("type") in ("image", "text"))
            msgs.append({"role": m.get("role", "user"), "content": text})
        if self.system_prompt and (not msgs or msgs[0]["role"] != "system"):
            msgs.insert(0, {"role": "system", "content": self.system_prompt})
        prompt = render_chat_template(self.chat_template, msgs, add_generation_prompt, self.special_text)
        return prompt.replace("<image>", "<image_start><image><image_end>") if self.image_start_end else prompt

    def encode_chat(self, messages: Sequence[dict[str, Any]], image_tokens: Sequence[int] = (),
                    add_generation_prompt: bool = True) -> list[int]:
        if self.template != "upstream":
            return super().encode_chat(messages, image_tokens, add_generation_prompt)
        ids = self.tok.encode(self.upstream_prompt(messages, add_generation_prompt), add_special_tokens=True).ids
        counts = list(image_tokens)
        if ids.count(self.image_id) != len(counts):
            raise ValueError(f"{len(counts)} images given but the prompt holds {ids.count(self.image_id)}")
        out: list[int] = []
        for i in ids:
            out += [i] * counts.pop(0) if i == self.image_id else [i]
        return out

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def decode(self, ids: Sequence[int], skip_special: bool = True) -> str:
        known = self.tok.get_vocab_size(with_added_tokens=True)  # the model's table may be larger
        return self.tok.decode([int(i) for i in ids if 0 <= int(i) < known], skip_special_tokens=skip_special)

    def _role(self, role: str) -> list[int]:
        return self.encode(f"<|start_header_id|>{role}<|end_header_id|>\n\n")

    def _end_of_turn(self, role: str) -> list[int]:
        return [self.eos_id]


def load_tokenizer(config: Any, checkpoint_dir: Path | None = None) -> ByteTokenizer | HFTokenizer:
    """The tokenizer a config names: built in code ("bytes") or the checkpoint's tokenizer.json."""
    if config.tokenizer == "bytes":
        if config.action_end != config.vocab_size:
            raise UserError("the bytes tokenizer keeps the action bins on the last ids (action_vocab_end = 0)")
        return ByteTokenizer(config.vocab_size, config.n_action_bins)
    path = Path(checkpoint_dir or ".") / "tokenizer.json"
    if not path.is_file():
        raise UserError(f"{path}: missing; preset {config.preset!r} uses the checkpoint's own tokenizer.json")
    return HFTokenizer(path, config.vocab_size, config.image_token_id, config.n_action_bins, config.action_end,
                       template=config.prompt_template, system_prompt=config.system_prompt,
                       image_start_end=config.image_start_end)
