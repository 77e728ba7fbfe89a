"""Open-X-Embodiment RLDS datasets, as TFDS prepares them on disk, read as robot demonstrations.

A dataset version directory (e.g. `bridge_dataset/1.0.0/`) holds `dataset_info.json`,
`features.json` and shards `<name>-<split>.tfrecord-NNNNN-of-MMMMM`; each record is one episode as
a `tf.train.Example` whose keys flatten the nested features with `/` (`steps/observation/image`,
`steps/action/world_vector`, `episode_metadata/file_path`), per-step values concatenated: a (7,)
tensor is a float list of T*7, bools and ints are int64 lists, an image is one encoded JPEG/PNG per
step, text one bytes item per step (TFDS example_serializer). `trainer.tfrecord` reads them
without TensorFlow.

Each dataset stores its action and instruction differently; the known ones are mapped to the
harness convention (7 floats: xyz delta, rotation delta, gripper absolute -1 open .. +1 closed)
as OpenVLA's OXE standardisation transforms do, without its Bridge state-delta relabelling:
  bridge_dataset / bridge_orig  image_0; action (7, gripper 1 open .. 0 closed); language_instruction
  bridge (OXE copy)             image; world_vector + rotation_delta + open_gripper;
                                observation/natural_language_instruction
  fractal20220817_data (RT-1)   image; world_vector + rotation_delta + gripper_closedness_action
                                (relative: +1 close, -1 open, held until the next command);
                                observation/natural_language_instruction
Any other dataset with a 7-wide `steps/action`, a `steps/language_instruction` and an
`steps/observation/image` (or image_0) is read as is, its gripper taken to be in the harness
convention. Frames are shrunk so the long side is at most `max_side` px.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from magma_bench.errors import UserError
from magma_bench.trainer import tfrecord

Feats = dict[str, "list | np.ndarray"]


def _cols(f: Feats, key: str, t: int, where: str) -> np.ndarray:
    if key not in f:
        raise UserError(f"{where}: no feature {key!r} (has: {', '.join(sorted(k for k in f if k.startswith('steps/')))})")
    a = np.asarray(f[key], dtype=np.float32)
    if t == 0 or a.size % t:
        raise UserError(f"{where}: {key} has {a.size} values, not a multiple of the {t} steps")
    return a.reshape(t, -1)


def _text(f: Feats, key: str, where: str) -> str:
    v = f.get(key)
    if not isinstance(v, list) or not v:
        raise UserError(f"{where}: no text feature {key!r}")
    return v[0].decode("utf-8", "replace")


def rel_to_abs_gripper(rel: np.ndarray) -> np.ndarray:
    """RT-1's relative gripper commands (+1 close, -1 open, ~0 keep) -> absolute state, +1 closed
    / -1 open; before the first command the gripper is in the opposite state (OpenVLA rel2abs)."""
    cmd = np.where(rel > 0.1, 1.0, np.where(rel < -0.1, -1.0, 0.0))
    nz = cmd[cmd != 0]
    state = -nz[0] if len(nz) else -1.0
    out = np.empty_like(cmd)
    for i, c in enumerate(cmd):
        state = c if c != 0 else state
        out[i] = state
    return out


def _bridge_orig(f: Feats, t: int, where: str) -> tuple[str, np.ndarray, str]:
    a = _cols(f, "steps/action", t, where)
    g = 1.0 - 2.0 * np.clip(a[:, 6:7], 0.0, 1.0)  # 1 open .. 0 closed -> -1 open .. +1 closed
    return "steps/observation/image_0", np.concatenate([a[:, :6], g], 1), _text(f, "steps/language_instruction", where)


def _bridge_oxe(f: Feats, t: int, where: str) -> tuple[str, np.ndarray, str]:
    wv, rd = _cols(f, "steps/action/world_vector", t, where), _cols(f, "steps/action/rotation_delta", t, where)
    g = np.where(_cols(f, "steps/action/open_gripper", t, where) > 0.5, -1.0, 1.0)
    return ("steps/observation/image", np.concatenate([wv, rd, g], 1),
            _text(f, "steps/observation/natural_language_instruction", where))


def _fractal(f: Feats, t: int, where: str) -> tuple[str, np.ndarray, str]:
    wv, rd = _cols(f, "steps/action/world_vector", t, where), _cols(f, "steps/action/rotation_delta", t, where)
    g = rel_to_abs_gripper(_cols(f, "steps/action/gripper_closedness_action", t, where)[:, 0])[:, None]
    return ("steps/observation/image", np.concatenate([wv, rd, g], 1),
            _text(f, "steps/observation/natural_language_instruction", where))


def _generic(f: Feats, t: int, where: str) -> tuple[str, np.ndarray, str]:
    a = _cols(f, "steps/action", t, where)
    if a.shape[1] != 7:
        raise UserError(f"{where}: steps/action is {a.shape[1]} wide; only 7-D end-effector actions are read "
                        f"(known datasets: {', '.join(DATASETS)})")
    image = "steps/observation/image" if "steps/observation/image" in f else "steps/observation/image_0"
    return image, a, _text(f, "steps/language_instruction", where)


DATASETS: dict[str, Callable[[Feats, int, str], tuple[str, np.ndarray, str]]] = {
    "bridge_dataset": _bridge_orig, "bridge_orig": _bridge_orig, "bridge": _bridge_oxe,
    "fractal20220817_data": _fractal}


def find_shards(root: Path, split: str = "train") -> tuple[str, list[Path]]:
    """(dataset name, shard files of `split`) for a TFDS dataset dir or one of its version dirs."""
    root = Path(root)
    if not root.is_dir():
        raise UserError(f"{root}: not a TFDS dataset directory")
    if not any(root.glob("*.tfrecord-*")):
        versions = sorted((d for d in root.iterdir() if d.is_dir() and re.fullmatch(r"\d+\.\d+\.\d+", d.name)),
                          key=lambda d: tuple(int(x) for x in d.name.split(".")))
        if versions:
            root = versions[-1]
    info = root / "dataset_info.json"
    name = root.parent.name
    if info.is_file():
        try:
            name = json.loads(info.read_text()).get("name") or name
        except json.JSONDecodeError as e:
            raise UserError(f"{info}:{e.lineno}: not valid JSON ({e.msg})") from None
    shards = sorted(root.glob(f"*-{split}.tfrecord-*"))
    if not shards:
        raise UserError(f"{root}: no {split!r} shards (<name>-{split}.tfrecord-NNNNN-of-MMMMM)")
    return name, shards


def _frames(items: list, where: str, max_side: int) -> np.ndarray:
    from PIL import Image

    out = []
    for i, b in enumerate(items):
        try:
            im = Image.open(io.BytesIO(b)).convert("RGB")
        except Exception as e:  # noqa: BLE001 - PIL raises several kinds for bad bytes
            raise UserError(f"{where}: step {i}: image does not decode ({e})") from None
        if max(im.size) > max_side:
            s = max_side / max(im.size)
            im = im.resize((max(1, round(im.width * s)), max(1, round(im.height * s))), Image.BILINEAR)
        out.append(np.asarray(im))
    return np.stack(out)


def read_episodes(root: Path, split: str = "train", limit: int | None = None, dataset: str | None = None,
                  max_side: int = 256) -> Iterator[dict]:
    """Episodes {"id", "language_instruction", "steps": {"observation/image", "action"}} in shard
    order, the same shape `benchmarks.robotics.demos.read_demonstrations` yields."""
    name, shards = find_shards(root, split)
    convert = DATASETS.get(dataset or name, _generic)
    n = 0
    for shard in shards:
        for j, raw in enumerate(tfrecord.records(shard)):
            where = f"{shard}: episode {j}"
            f = tfrecord.parse_example(raw, where)
            if "steps/is_first" not in f:
                raise UserError(f"{where}: no steps/is_first; not an RLDS episode")
            t = len(f["steps/is_first"])
            image_key, action, instruction = convert(f, t, where)
            if not isinstance(f.get(image_key), list) or len(f[image_key]) != t:
                raise UserError(f"{where}: {image_key} does not hold one encoded image per step")
            m = re.search(r"tfrecord-(\d+)", shard.name)
            yield {"id": f"{name}/{m.group(1) if m else shard.name}/{j}", "language_instruction": instruction,
                   "steps": {"observation/image": _frames(f[image_key], where, max_side),
                             "action": action.astype(np.float32)}}
            n += 1
            if limit and n >= limit:
                return
