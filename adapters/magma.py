"""`magma`: the re-implemented Magma model from a local checkpoint directory, behind the Adapter.

The checkpoint is what `make train` writes (default `checkpoints/magma-tiny`) or any directory
`MagmaForCausalLM.from_pretrained` reads (our layout or the upstream Magma-8B layout with its
tokenizer.json). Text requests are answered by batched greedy decoding with a KV cache.

`act` asks the OpenVLA-style question with the current camera image, decodes 7 action tokens into
the model's own units and maps them into the environment's `ActionSpec` (observation
["action_spec"], see magma_bench/action_spec.py; the harness default when absent):

- statistics: our-layout checkpoints carry q01/q99 in config.json (harness convention out). For
  upstream Magma-8B checkpoints they come from `unnorm_key` (adapter arg) or the env's key, looked
  up in the checkpoint's dataset_statistics.json, then in the published sets (model/action_stats.py);
  with none, `act` refuses with one line. Their output (Euler, gripper open-fraction) is converted
  to the env's rotation and gripper convention (SimplerEnv: axis-angle, -1 open/+1 closed). Units
  are not converted: the sweep planner asks `output_action_spec` (these JSON files only) and skips
  a pair whose units the env cannot take (the tiny checkpoint's metres on LIBERO's OSC_POSE).
- frames: resized to the spec's image_size (SimplerEnv: 256x256, as upstream's agent); envs that
  fix their size (LIBERO) refuse other sizes.
- decoding="greedy" (default): 7 argmax tokens restricted to the action bins, deterministic.
  decoding="upstream": upstream's agents' decoding — free generation until the end of turn (at most
  `max_action_tokens`, default 32), sampling at `temperature` (default 0.7, top-k 50; 0 = argmax),
  the action read from the 7 tokens before the end, any id clipped into the bins. Sampling is seeded
  per (seed, episode, step).

image="blank" is the blind control: every image (text requests and camera frames) is replaced by
one of the same size filled with the model's normalisation mean (to 8 bits: ~0 after
normalisation, what the trainer's image-use check feeds), so a score that stays above chance comes from text priors,
not from the pixels.
image="shuffled" is the in-distribution control for question suites: each request is asked with
another request's images (the next one in its batch that shows other pictures; a batch of one
takes the previous batch's last), so the pictures look like the suite's own and only their information about the question
is gone. A mean-grey frame is unlike any training image and a small model may stop answering
at all; a shuffled one keeps the answers well formed, so a score at chance means the model used
the image (the mismatched-image control of VQA studies). Closed-loop suites refuse it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, ClassVar

from magma_bench.adapter import Adapter, Capability
from magma_bench.errors import UserError
from magma_bench.types import Request

DEFAULT_CHECKPOINT = "checkpoints/magma-tiny"
_HASH_BYTES = 64 << 20  # weight files above this are hashed by size + first 64 MiB (8B shards are GBs)
HASHED = ("config.json", "tokenizer.json", "model.safetensors.index.json", "dataset_statistics.json")


def checkpoint_hash(path: Path) -> str:
    """sha256 over the files that define the model: config, tokenizer, weights (large files: size +
    first 64 MiB); logs and summaries a trainer writes beside them do not count."""
    h = hashlib.sha256()
    files = [path / n for n in HASHED if (path / n).is_file()] + sorted(path.glob("model*.safetensors"))
    for f in files:
        h.update(f.name.encode())
        size = f.stat().st_size
        h.update(str(size).encode())
        with f.open("rb") as fh:
            h.update(fh.read(min(size, _HASH_BYTES)))
    return h.hexdigest()[:16]


def checkpoint_output_spec(path: Path, unnorm_key: str | None, env: Any, upstream: bool | None = None) -> Any:
    """The ActionSpec a Magma checkpoint's actions come out in for the env spec `env`, as `act`
    would decode them, from its config.json and dataset_statistics.json only (no weights, no torch):
    our layout's own statistics give the harness convention (metres/radians); an upstream
    checkpoint's set is chosen as `act` chooses it (model/action_stats.resolve: unnorm_key, the
    env's key, the file's only set, the published sets). `upstream`: the layout when the caller
    knows it (magma_hf). None when the files do not tell: the run then reports what is wrong."""
    import dataclasses
    import json

    from magma_bench.action_spec import HARNESS
    from magma_bench.model.action_stats import output_spec, resolve

    if not path.is_dir():
        return None
    if upstream is None:
        try:
            raw = json.loads((path / "config.json").read_text())
        except (OSError, ValueError):
            return None
        kind = raw.get("model_type") if isinstance(raw, dict) else None
        if kind not in ("magma", "magma-bench"):
            return None
        upstream = kind == "magma" or raw.get("prompt_template") == "upstream"
    if not upstream:  # unnorm_key does not apply to it: building the adapter refuses that, one line
        return dataclasses.replace(HARNESS, name=f"{path}, its own statistics") if unnorm_key is None else None
    try:
        key, _ = resolve(path, unnorm_key, getattr(env, "unnorm_key", None))
    except UserError:
        return None
    return dataclasses.replace(output_spec(key), name=f"{path}, statistics {key}")


def request_images(req: Request) -> list[Any]:
    """Image sources in message order: message parts carry "path" (or "image"); else Request.images."""
    found = [p.get("path", p.get("image")) for m in req.messages
             for p in (m.get("content") if isinstance(m.get("content"), list) else [])
             if isinstance(p, dict) and p.get("type") == "image"]
    return found if found else list(req.images)


def model_frame(image: Any, spec: Any) -> Any:
    """The camera frame as the model should see it under `spec`: an HxWx3 uint8 array, resized to
    spec.image_size (bicubic, PIL's default, as upstream's SimplerEnv agent) or refused when the env
    fixes its frame size. Paths and PIL images are read first."""
    import numpy as np
    from PIL import Image

    from magma_bench.model.processing_magma import load_image

    arr = np.asarray(image if isinstance(image, np.ndarray) else load_image(image))
    if arr.ndim == 2:
        arr = np.repeat(arr[..., None], 3, axis=2)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or min(arr.shape[:2]) < 1:
        raise UserError(f"observation image has shape {tuple(arr.shape)}; expected HxWx3")
    if spec.image_size is None or (arr.shape[1], arr.shape[0]) == tuple(spec.image_size):
        return arr
    w, h = spec.image_size
    if not spec.image_resize:
        raise UserError(f"observation image is {arr.shape[1]}x{arr.shape[0]}; {spec.name} frames must be {w}x{h} "
                        "(the size its checkpoints were trained on)")
    pil = load_image(arr)
    return np.asarray(pil.resize((w, h), Image.BICUBIC))


def blank_like(image: Any, mean: Any) -> Any:
    """A PIL image of `image`'s size, every pixel `mean` (0..1 RGB) in 0..255: the blind control's input."""
    from PIL import Image

    from magma_bench.model.processing_magma import load_image

    return Image.new("RGB", load_image(image).size, tuple(round(255 * float(c)) for c in mean))


SHUFFLED_IN_ENV = "image=shuffled is a control for question suites; a closed-loop suite's blind control is image=blank"


def _image_key(image: Any) -> str:
    """Identity of an image for image=shuffled: its path, or a digest of its pixels."""
    if isinstance(image, str | Path):
        return str(image)
    import numpy as np

    return hashlib.sha1(image.tobytes() if hasattr(image, "tobytes") else np.asarray(image).tobytes()).hexdigest()


def observation_image(obs: dict[str, Any]) -> Any:
    for key in ("image", "rgb", "pixels"):
        if obs.get(key) is not None:
            return obs[key]
    if obs.get("images"):
        return obs["images"][0]
    raise UserError(f"observation has no camera image (keys: {', '.join(sorted(obs))})")


class MagmaAdapter(Adapter):
    name = "magma"
    capabilities: ClassVar = frozenset({Capability.TEXT, Capability.GROUNDING, Capability.ACTION, Capability.VIDEO})
    requires = ("torch", "transformers", "safetensors")

    def __init__(self, seed: int = 0, checkpoint: str | Path = DEFAULT_CHECKPOINT, device: str = "cpu",
                 dtype: str | None = None, threads: int | None = None, unnorm_key: str | None = None,
                 decoding: str = "greedy", temperature: float = 0.7, max_action_tokens: int = 32,
                 image: str = "real", **args: Any) -> None:
        if decoding not in ("greedy", "upstream"):
            raise UserError(f"magma: decoding must be greedy or upstream, got {decoding!r}")
        if image not in ("real", "blank", "shuffled"):
            raise UserError(f"magma: image must be real, blank or shuffled (the blind controls), got {image!r}")
        if float(temperature) < 0 or int(max_action_tokens) < 8:
            raise UserError("magma: temperature must be >= 0 and max_action_tokens >= 8 (7 actions + end of turn)")
        extra = {k: v for k, v in (("unnorm_key", unnorm_key), ("decoding", decoding if decoding != "greedy" else None))
                 if v is not None}
        if decoding == "upstream":
            extra |= {"temperature": float(temperature), "max_action_tokens": int(max_action_tokens)}
        if image != "real":  # only then, so the default run's label and describe() stay as they were
            extra["image"] = image
        super().__init__(seed=seed, checkpoint=str(checkpoint), device=device, dtype=dtype, **extra, **args)
        self.unnorm_key, self.decoding = unnorm_key, decoding
        self.temperature, self.max_action_tokens = float(temperature), int(max_action_tokens)
        self.blank_images, self.shuffled_images = image == "blank", image == "shuffled"
        self._donor: list[Any] = []  # the last request's images (image="shuffled")
        import torch

        from magma_bench.model.action_tokenizer import ActionTokenizer
        from magma_bench.model.modeling_magma import MagmaForCausalLM
        from magma_bench.model.tokenization_magma import load_tokenizer

        self.path = Path(checkpoint)
        if not self.path.is_dir():
            raise UserError(f"magma: checkpoint directory {self.path} not found; train one with `make train` "
                            "or pass checkpoint=<dir> (adapter arg)")
        if threads:
            torch.set_num_threads(int(threads))
        torch_dtype = getattr(torch, dtype) if dtype else None
        self.model = MagmaForCausalLM.from_pretrained(self.path, dtype=torch_dtype, device=device)
        self.config = self.model.config
        self.tokenizer = load_tokenizer(self.config, self.path)
        self.actions = ActionTokenizer.from_config(self.config)
        self.upstream = self.config.prompt_template == "upstream"
        if unnorm_key is not None and not self.upstream:
            raise UserError(f"magma: {self.path} is a magma-bench checkpoint with its own action statistics "
                            "(config.json action_q01/q99); unnorm_key applies to upstream Magma checkpoints")
        self._hash = checkpoint_hash(self.path)
        self._steps = 0

    @classmethod
    def output_action_spec(cls, args: dict[str, Any], env: Any) -> Any:
        """The units `act` would emit for the env spec `env`, read from the checkpoint's JSON files
        (`checkpoint_output_spec`): the sweep planner skips a pair that cannot run before loading it."""
        path = Path(str(args.get("checkpoint") or DEFAULT_CHECKPOINT))
        return checkpoint_output_spec(path, args.get("unnorm_key"), env)

    @classmethod
    def env_gap(cls, args: dict[str, Any]) -> str:
        return SHUFFLED_IN_ENV if args.get("image") == "shuffled" else ""

    # -- text ----------------------------------------------------------------------------------------
    def generate_ids(self, convs: list[list[dict[str, Any]]], images: list[list[Any]], max_new: list[int],
             allowed: tuple[int, int] | None = None, stop: bool | None = None, temperature: float = 0.0,
             generator: Any = None) -> list[list[int]]:
        """New token ids per conversation (batched, left-padded; images decoded with PIL), up to the
        end of turn when `stop` (default: unless generation is restricted to `allowed` ids)."""
        from magma_bench.model.processing_magma import encode_conversations

        if self.blank_images:
            images = [[blank_like(im, self.config.image_mean) for im in row] for row in images]
        batch = encode_conversations(convs, self.tokenizer, self.config, images=images)
        stop = allowed is None if stop is None else stop
        out = self.model.generate(batch.input_ids, batch.attention_mask, batch.images, max_new_tokens=max(max_new),
                                  eos_id=self.tokenizer.eos_id if stop else None, allowed_ids=allowed,
                                  temperature=temperature, generator=generator)
        return [row[:n] for row, n in zip(out, max_new, strict=True)]

    def generate(self, requests: list[Request]) -> list[str]:
        if not requests:
            return []
        convs = [r.messages for r in requests]
        imgs = [request_images(r) for r in requests]
        if self.shuffled_images:
            imgs = self._shuffled(imgs)
        scale = getattr(self.tokenizer, "bytes_per_budget_token", 1)
        ids = self.generate_ids(convs, imgs, [max(1, r.max_new_tokens) * scale for r in requests])
        return [self.tokenizer.decode(row).strip() for row in ids]

    def _shuffled(self, imgs: list[list[Any]]) -> list[list[Any]]:
        """Each row takes the images of the next row in the batch that shows other pictures (POPE,
        MME and GQA ask several questions about one image in a row), cycled to its own count; with
        none in the batch, the previous call's last row's; with none at all, blank ones."""
        keys = [tuple(_image_key(im) for im in row) for row in imgs]
        out = []
        for i, row in enumerate(imgs):
            order = [(i + k) % len(imgs) for k in range(1, len(imgs))]
            d = next((imgs[j] for j in order if keys[j] != keys[i] and imgs[j]), None)
            if d is None and self._donor and tuple(_image_key(im) for im in self._donor) != keys[i]:
                d = self._donor
            out.append([d[j % len(d)] for j in range(len(row))] if d else
                       [blank_like(im, self.config.image_mean) for im in row])
        self._donor = imgs[-1] if imgs else self._donor
        return out

    # -- actions -------------------------------------------------------------------------------------
    def action_decoder(self, spec: Any) -> tuple[Any, Any, str | None]:
        """(ActionTokenizer with the statistics that apply, the model's output ActionSpec, stats key)."""
        from magma_bench.action_spec import HARNESS
        from magma_bench.model.action_stats import output_spec, resolve
        from magma_bench.model.action_tokenizer import ActionTokenizer

        if not self.upstream:
            return self.actions, HARNESS, None
        key, stats = resolve(self.path, self.unnorm_key, spec.unnorm_key)
        return ActionTokenizer.from_stats(self.config.action_end, stats), output_spec(key), key

    def act(self, observations: list[dict[str, Any]], instructions: list[str]) -> list[list[float]]:
        import torch

        from magma_bench.action_spec import convert, spec_of
        from magma_bench.model.formats import action_prompt

        if self.shuffled_images:
            raise UserError(f"magma: {SHUFFLED_IN_ENV}")
        specs = [spec_of(o) for o in observations]
        decoders = [self.action_decoder(sp) for sp in specs]  # refuses before any compute
        imgs = [[model_frame(observation_image(o), sp)] for o, sp in zip(observations, specs, strict=True)]
        convs = [[{"role": "user", "content": [{"type": "image", "image": None},
                                               {"type": "text", "text": action_prompt(ins)}]}]
                 for ins in instructions]
        dim = self.config.action_dim
        if self.decoding == "greedy":
            rows = self.generate_ids(convs, imgs, [dim] * len(convs),
                                     allowed=(self.config.action_token_begin, self.config.action_end))
        else:
            o = observations[0] if observations else {}
            gen = torch.Generator().manual_seed(int(hashlib.sha256(
                f"{self.seed}\x1f{o.get('episode_id', instructions[0] if instructions else '')}\x1f"
                f"{o.get('step', self._steps)}".encode()).hexdigest()[:15], 16))
            full = self.generate_ids(convs, imgs, [self.max_action_tokens] * len(convs), stop=True,
                                     temperature=self.temperature, generator=gen)
            # upstream reads output_ids[-8:-1]: the 7 ids before the end of turn (or before the last id)
            rows = [r[-dim:] if len(r) < self.max_action_tokens else r[-dim - 1:-1] for r in full]
        self._steps += 1
        clip = self.decoding == "upstream"
        return [convert(tok.decode(row, clip_ids=clip), src, sp)
                for row, (tok, src, _), sp in zip(rows, decoders, specs, strict=True)]

    def describe(self) -> dict[str, Any]:
        return {**super().describe(), "checkpoint_hash": self._hash, "preset": self.config.preset,
                "params": self.model.num_parameters()}
