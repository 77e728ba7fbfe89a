"""`lmms`: any lmms-eval model used as a magma-bench adapter.

`model` is an lmms-eval registry name (e.g. "llava_hf", "qwen2_5_vl", "dummy") or a "module:Class"
path to an `lmms_eval.api.model.lmms` subclass; `model_args` is lmms-eval's own argument string
("pretrained=/path,dtype=float32"). Each magma-bench Request becomes a `generate_until` Instance
whose document lives in `lm.task_dict[task][split][doc_id]`, as lmms-eval tasks hand documents
to models. lmms-eval (0.7.x) has two model interfaces, and a registry name resolves to the chat
one where both exist (`force_simple=true` picks the simple one):
- simple (`is_simple = True`): args = (context, gen_kwargs, doc_to_visual, doc_id, task, split);
  the model builds its own prompt from the context and the visuals;
- chat (`is_simple = False`): args = (context, doc_to_messages, gen_kwargs, doc_id, task, split);
  doc_to_messages(doc) returns the conversation as `lmms_eval.protocol.ChatMessages` dicts
  ({"type": "image", "url": <PIL image>}, {"type": "text", "text": ...}), which keeps the
  request's turns and the position of each image.
Feeding one interface's tuple to the other fails on every sample inside the model, which then
logs the error and answers "" (a run that exits 0 with a headline of 0); so errors the model logs
through loguru while answering are raised here, and the evaluator records them per sample.

What lmms-eval's CLI would otherwise leave to the user, for a model built from magma-bench:
- device: `device=` (default "cuda" when torch sees one, else "cpu"), passed only to classes whose
  constructor names it (many assert that no unknown argument reaches them); a `device_map` left at
  "" (which transformers 5 refuses) or at a GPU placement ("cuda:0", "auto", ...) on a CPU device
  follows the device;
- batch size: `batch_size=` when given, else the class's own default (most HF back-ends, llava_hf
  included, assert a batch size of 1); a class that refuses a batch says so per sample;
- chat template: `chat_template=` (a Jinja string or a file holding one) goes to a simple class
  that takes it, or onto a chat model's processor; a chat model whose processor has none gets a
  LLaVA-style default (USER: <image>\\n text ASSISTANT:) built on the processor's image token.

lmms-eval is an optional extra with its own venv (`make test-lmms`): it pulls torchvision, timm,
wandb, openai, yt-dlp and a newer ruff, and needs `filelock<4` and `decord` beside it.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Adapter, Capability
from magma_bench.errors import UserError, did_you_mean
from magma_bench.types import Request

TASK, SPLIT = "magma_bench", "test"
PROCESSOR_ATTRS = ("processor", "_processor", "_image_processor")  # where lmms-eval chat models keep theirs
CUDA_PLACEMENTS = ("auto", "cuda", "balanced", "sequential")  # device_map defaults that assume a GPU


def default_chat_template(image_token: str = "<image>", video_token: str = "<video>") -> str:
    """LLaVA-1.5's conversation format over chat content lists: each image or video part becomes the
    processor's placeholder token on its own line, text parts follow in order."""
    return (
        "{% for m in messages %}"
        "{% if m['role'] != 'system' %}{{ m['role'].upper() + ': ' }}{% endif %}"
        "{% if m['content'] is string %}{{ m['content'] + ' ' }}{% else %}"
        "{% for c in m['content'] %}"
        f"{{% if c['type'] == 'image' %}}{{{{ '{image_token}\\n' }}}}"
        f"{{% elif c['type'] == 'video' %}}{{{{ '{video_token}\\n' }}}}"
        "{% elif c['type'] == 'text' %}{{ c['text'] + ' ' }}{% endif %}"
        "{% endfor %}{% endif %}{% endfor %}"
        "{% if add_generation_prompt %}{{ 'ASSISTANT:' }}{% endif %}"
    )


def _doc_to_visual(doc: dict[str, Any]) -> list[Any]:
    return doc["images"]


def _doc_to_messages(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["messages"]


def chat_messages(req: Request) -> list[dict[str, Any]]:
    """The request's turns as lmms-eval ChatMessages dicts, images decoded to PIL in place; images
    given only in `Request.images` (no placeholders in the turns) open the last user turn."""
    from magma_bench.model.processing_magma import load_image

    out, placed = [], False
    for m in req.messages:
        content = m.get("content")
        parts: list[dict[str, Any]] = []
        for p in [{"type": "text", "text": content}] if isinstance(content, str) else content or []:
            kind = p.get("type")
            if kind == "text":
                parts.append({"type": "text", "text": p["text"]})
            elif kind == "image":
                parts.append({"type": "image", "url": load_image(p.get("path", p.get("image")))})
                placed = True
            else:
                raise UserError(f"lmms: request {req.id}: message part type {kind!r} is not supported (text, image)")
        out.append({"role": m.get("role", "user"), "content": parts})
    if not placed and req.images:
        last = max((i for i, m in enumerate(out) if m["role"] == "user"), default=None)
        if last is None:
            raise UserError(f"lmms: request {req.id} has images but no user turn to put them in")
        out[last]["content"][:0] = [{"type": "image", "url": load_image(s)} for s in req.images]
    return out


def read_chat_template(value: str) -> str:
    """A Jinja template given inline or as the path of a file holding one."""
    if "{" not in value:
        path = Path(value)
        if not path.is_file():
            raise UserError(f"lmms: chat_template={value!r} is neither a Jinja template nor a file")
        return path.read_text()
    return value


def _model_class(model: str, force_simple: bool) -> type:
    if ":" in model:
        mod, _, attr = model.partition(":")
        try:
            return getattr(importlib.import_module(mod), attr)
        except (ImportError, AttributeError) as e:
            raise UserError(f"lmms: cannot import {model} ({e})") from None
    from lmms_eval.models import get_model, list_available_models

    names = list_available_models(include_aliases=True)
    if model not in names:
        raise UserError(f"lmms: unknown lmms-eval model {model!r}{did_you_mean(model, names)}")
    try:
        return get_model(model, force_simple=force_simple)
    except ImportError as e:  # a back-end whose own dependencies are missing
        raise UserError(f"lmms: lmms-eval model {model!r} cannot be imported here ({e})"[:400]) from None


def _cuda() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    import torch

    return bool(torch.cuda.is_available())


@contextmanager
def _logged_errors() -> Iterator[list[str]]:
    """ERROR lines lmms-eval models log through loguru while the block runs (they log a failed
    generation and answer "" instead of raising)."""
    from loguru import logger

    seen: list[str] = []
    sink = logger.add(lambda msg: seen.append(msg.record["message"]), level="ERROR", format="{message}")
    try:
        yield seen
    finally:
        logger.remove(sink)


class LmmsAdapter(Adapter):
    name = "lmms"
    capabilities: ClassVar = frozenset({Capability.TEXT, Capability.GROUNDING, Capability.VIDEO})
    requires = ("lmms_eval",)

    def __init__(self, seed: int = 0, model: str = "", model_args: str = "", batch_size: int | None = None,
                 device: str | None = None, chat_template: str | None = None, force_simple: bool = False,
                 **args: Any) -> None:
        super().__init__(seed=seed, model=model, model_args=model_args, batch_size=batch_size, device=device,
                         chat_template=chat_template, force_simple=force_simple, **args)
        if not model:
            raise UserError("lmms: pass model=<lmms-eval model name or module:Class> (and model_args=...)")
        template = read_chat_template(chat_template) if chat_template else None
        self.cls = _model_class(model, force_simple)
        kwargs = self._init_kwargs(model_args, batch_size, device, template)
        try:
            self.lm = self.cls(**kwargs)
        except UserError:
            raise
        except Exception as e:  # the foreign model's own check of its arguments or weights
            raise UserError(f"lmms: building {model} ({', '.join(f'{k}={v}' for k, v in kwargs.items())}) failed: "
                            f"{type(e).__name__}: {e}"[:500]) from None
        self.chat = not getattr(self.lm, "is_simple", True)
        if self.chat:
            self._set_chat_template(template)
        elif template and "chat_template" not in kwargs:
            raise UserError(f"lmms: {model} is a simple lmms-eval model that takes no chat_template")

    @classmethod
    def availability(cls) -> tuple[bool, str]:
        ok, why = super().availability()
        if not ok:
            why = "needs lmms_eval: `make test-lmms` builds .venv-lmms with it (or pip install -e '.[lmms]')"
        return ok, why

    def _init_kwargs(self, model_args: str, batch_size: int | None, device: str | None,
                     template: str | None) -> dict[str, Any]:
        """lmms-eval's `model_args` plus what magma-bench sets, each only where the class takes it."""
        from lmms_eval.utils import simple_parse_args_string

        try:
            kw = dict(simple_parse_args_string(model_args)) if model_args else {}
        except ValueError as e:
            raise UserError(f"lmms: model_args={model_args!r} is not key=value,...: {e}") from None
        params = inspect.signature(self.cls.__init__).parameters
        var_kw = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values())

        def put(key: str, value: Any, explicit: bool) -> None:
            if value is None:
                return
            if key in kw:
                if explicit and str(kw[key]) != str(value):
                    raise UserError(f"lmms: {key} given twice ({key}={kw[key]} in model_args, {key}={value} as an "
                                    "adapter arg); pass it once")
                return
            if key in params or (explicit and var_kw):
                kw[key] = value
            elif explicit and key != "chat_template":
                raise UserError(f"lmms: {self.cls.__name__} takes no {key} argument")

        dev = device or ("cuda" if _cuda() else "cpu")
        put("device", dev, device is not None)
        dm = params.get("device_map")
        if dm is not None and "device_map" not in kw and isinstance(dm.default, str):
            # "" (llava_hf, idefics2, ...) means "use `device`" to lmms-eval but is refused by
            # transformers 5's from_pretrained; a GPU placement cannot load on a CPU-only machine
            if dm.default == "" or (not dev.startswith("cuda") and dm.default.split(":")[0] in CUDA_PLACEMENTS):
                kw["device_map"] = dev
        put("batch_size", batch_size, True)
        put("chat_template", template, True)
        return kw

    def _processor(self) -> Any:
        for attr in PROCESSOR_ATTRS:
            proc = getattr(self.lm, attr, None)
            if proc is not None and hasattr(proc, "apply_chat_template"):
                return proc
        return None

    def _set_chat_template(self, template: str | None) -> None:
        proc = self._processor()
        if proc is None:
            if template:
                raise UserError(f"lmms: {self.args['model']} keeps no processor to put chat_template on")
            return
        if template:
            proc.chat_template = template
        elif getattr(proc, "chat_template", None) is None:
            proc.chat_template = default_chat_template(getattr(proc, "image_token", None) or "<image>",
                                                       getattr(proc, "video_token", None) or "<video>")

    def _doc(self, req: Request) -> dict[str, Any]:
        if self.chat:
            return {"messages": chat_messages(req)}
        from magma_bench.adapters.magma import request_images
        from magma_bench.model.processing_magma import load_image

        return {"images": [load_image(s) for s in request_images(req)]}

    def generate(self, requests: list[Request]) -> list[str]:
        from lmms_eval.api.instance import Instance, unwrap_generation_output

        self.lm.task_dict = {TASK: {SPLIT: {i: self._doc(r) for i, r in enumerate(requests)}}}
        instances = []
        for i, r in enumerate(requests):
            gen = {"max_new_tokens": r.max_new_tokens, "temperature": 0, "do_sample": False, "until": []}
            args = ((r.prompt_text, _doc_to_messages, gen, i, TASK, SPLIT) if self.chat
                    else (r.prompt_text, gen, _doc_to_visual, i, TASK, SPLIT))
            instances.append(Instance(request_type="generate_until", arguments=args, idx=0,
                                      metadata={"task": TASK, "doc_id": i, "repeats": 1}))
        with _logged_errors() as errors:
            try:
                outs = self.lm.generate_until(instances)
            except AssertionError as e:  # lmms-eval back-ends assert their limits (batch size 1, ...)
                raise RuntimeError(f"{self.args['model']} refused the request: {e or 'assertion failed'} "
                                   f"(batch_size={getattr(self.lm, 'batch_size', '?')})") from None
        if errors:
            raise RuntimeError(f"{self.args['model']} logged an error while answering: {errors[0]}"[:500])
        if len(outs) != len(requests):
            raise RuntimeError(f"{self.args['model']} returned {len(outs)} answers for {len(requests)} requests")
        return [str(unwrap_generation_output(o)[0]) for o in outs]

    def describe(self) -> dict[str, Any]:
        from importlib.metadata import PackageNotFoundError, version

        try:
            lmms_version = version("lmms_eval")
        except PackageNotFoundError:
            lmms_version = None
        return {**super().describe(), "lmms_eval": lmms_version, "interface": "chat" if self.chat else "simple",
                "class": f"{self.cls.__module__}.{self.cls.__qualname__}"}
