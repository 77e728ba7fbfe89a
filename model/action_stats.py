"""Action statistics for upstream Magma-8B checkpoints: which q01/q99 turn action bins back into
robot units, chosen by `unnorm_key` as upstream's agents do.

Upstream checkpoints carry no q01/q99 in config.json. Upstream's SimplerEnv agent hard-codes the
Open-X statistics `bridge_orig` and `google_robot` (fractal); its LIBERO agent reads
`dataset_statistics.json["<suite>_no_noops"]["action"]` from the checkpoint directory. The numbers
below are those published statistics, so a checkpoint without the file still decodes:

- bridge_orig, google_robot (= fractal20220817_data): microsoft/Magma
  tools/simplerenv-magma/simpler_env/policies/magma/magma_model.py `action_norm_stats` (the
  OpenVLA Open-X statistics).
- libero_{spatial,object,goal,10}_no_noops: the `dataset_statistics.json` of OpenVLA's LIBERO
  fine-tunes (openvla/openvla-7b-finetuned-libero-*), the statistics of the no-op-filtered LIBERO
  RLDS datasets that upstream's LIBERO checkpoints were trained on.

Each set also says how the model's un-normalised output is to be read (its `ActionSpec`): Open-X
sets give metres and Euler radians, LIBERO sets the OSC_POSE controller's normalised deltas; the
gripper is an open-fraction (1 = open) in both, kept out of normalisation (mask False).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from magma_bench.action_spec import UPSTREAM_LIBERO, UPSTREAM_OXE, ActionSpec
from magma_bench.errors import UserError

_MASK = [True] * 6 + [False]
_BRIDGE = {"q01": [-0.02872725307941437, -0.04170349963009357, -0.026093858778476715, -0.08092105075716972,
                   -0.09288699507713317, -0.20718276381492615, 0.0],
           "q99": [0.028309678435325586, 0.040855254605412394, 0.040161586627364146, 0.08192047759890528,
                   0.07792850524187081, 0.20382574498653397, 1.0], "mask": _MASK}
_FRACTAL = {"q01": [-0.22453527510166169, -0.14820013284683228, -0.231589707583189, -0.3517994859814644,
                    -0.4193011274933815, -0.43643461108207704, 0.0],
            "q99": [0.17824687153100965, 0.14938379630446405, 0.21842354819178575, 0.5892666035890578,
                    0.35272657424211445, 0.44796681255102094, 1.0], "mask": _MASK}
PUBLISHED: dict[str, dict[str, Any]] = {
    "bridge_orig": _BRIDGE,
    "google_robot": _FRACTAL,
    "fractal20220817_data": _FRACTAL,
    "libero_spatial_no_noops": {
        "q01": [-0.7454732114076613, -0.6616071462631226, -0.9375, -0.1071428582072258, -0.20678570866584778,
                -0.1842857152223587, 0.0],
        "q99": [0.9375, 0.8758928775787354, 0.9321428537368774, 0.1039285734295845, 0.17678570747375488,
                0.14571428298950195, 1.0], "mask": _MASK},
    "libero_object_no_noops": {
        "q01": [-0.5383928418159485, -0.8758928775787354, -0.9375, -0.06964285671710968, -0.11678571254014969,
                -0.15964286029338837, 0.0],
        "q99": [0.8464285731315613, 0.84375, 0.9375, 0.08142857253551483, 0.14892856776714325,
                0.0867857113480568, 1.0], "mask": _MASK},
    "libero_goal_no_noops": {
        "q01": [-0.8785714507102966, -0.7553571462631226, -0.9375, -0.1510714292526245, -0.1639285683631897,
                -0.13777500048279764, 0.0],
        "q99": [0.9375, 0.9107142686843872, 0.9375, 0.20357142388820648, 0.26357144117355347, 0.375, 1.0],
        "mask": _MASK},
    "libero_10_no_noops": {
        "q01": [-0.6348214149475098, -0.7741071581840515, -0.7633928656578064, -0.09749999642372131,
                -0.14819999992847435, -0.2742857038974762, 0.0],
        "q99": [0.7714285850524902, 0.8464285731315613, 0.9375, 0.13928571343421936, 0.15964286029338837,
                0.3246428668498993, 1.0], "mask": _MASK},
}
STATS_FILE = "dataset_statistics.json"


def output_spec(key: str) -> ActionSpec:
    """How a model trained on dataset `key` writes its actions (LIBERO sets: controller units)."""
    return UPSTREAM_LIBERO if "libero" in key else UPSTREAM_OXE


def checkpoint_stats(path: Path) -> dict[str, dict[str, Any]]:
    """{key: {q01, q99, mask}} from a checkpoint's dataset_statistics.json (OpenVLA layout
    `{key: {"action": {...}, "proprio": {...}}}`); {} when the file is absent."""
    f = Path(path) / STATS_FILE
    if not f.is_file():
        return {}
    try:
        raw = json.loads(f.read_text())
    except json.JSONDecodeError as e:
        raise UserError(f"{f}: invalid JSON ({e})") from None
    out = {}
    for key, entry in raw.items() if isinstance(raw, dict) else ():
        act = entry.get("action", entry) if isinstance(entry, dict) else None
        if not isinstance(act, dict) or not {"q01", "q99"} <= set(act):
            raise UserError(f"{f}: entry {key!r} has no action q01/q99")
        if not len(act["q01"]) == len(act["q99"]) == 7:
            raise UserError(f"{f}: entry {key!r} needs 7 q01 and 7 q99 values")
        out[key] = {"q01": list(act["q01"]), "q99": list(act["q99"]), "mask": list(act.get("mask", [True] * 7))}
    if not out:
        raise UserError(f"{f}: no statistics in it")
    return out


def resolve(path: Path, unnorm_key: str | None, env_key: str | None) -> tuple[str, dict[str, Any]]:
    """(key, {q01, q99, mask}) for an upstream checkpoint. The key: the adapter's unnorm_key, else
    the environment's (ActionSpec.unnorm_key) when the checkpoint's dataset_statistics.json has it,
    else that file's only set, else the environment's among the published sets. A key is looked up
    in the checkpoint's file first, then in PUBLISHED. UserError when none apply."""
    own = checkpoint_stats(path)
    key = unnorm_key
    if key is None:
        key = env_key if env_key in own else next(iter(own)) if len(own) == 1 else \
            env_key if env_key in PUBLISHED else None
    known = sorted({*own, *PUBLISHED})
    if key is None:
        why = f"its {STATS_FILE} holds {len(own)} sets" if own else f"no {STATS_FILE}"
        raise UserError(f"magma: {path} has no action statistics that apply ({why}, and no unnorm_key); pass "
                        f"unnorm_key=<{'|'.join(known)}> (adapter arg)")
    if key in own:
        return key, own[key]
    if key in PUBLISHED:
        return key, PUBLISHED[key]
    raise UserError(f"magma: unknown unnorm_key {key!r}; known: {', '.join(known)}")
