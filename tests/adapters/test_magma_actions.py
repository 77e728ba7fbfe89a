"""The `magma` adapter's action contract on an upstream-layout checkpoint (tests/mb_magma8b_tiny.py):
which statistics apply, one clear line when none do, frames per ActionSpec, LIBERO conventions,
upstream sampling. The numbers themselves are pinned against upstream in
tests/model/test_upstream_golden.py."""

from __future__ import annotations

import json

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mb_magma8b_tiny import tiny_state, write_checkpoint  # noqa: E402

from magma_bench.action_spec import HARNESS, SIMPLER_BRIDGE, TABLETOP_BRIDGE, libero_spec  # noqa: E402
from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model.action_stats import PUBLISHED  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.types import AnswerSpace, Request  # noqa: E402

FRAME = np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)
LIBERO_FRAME = np.random.default_rng(2).integers(0, 255, (256, 256, 3), dtype=np.uint8)


@pytest.fixture(scope="module")
def state():
    return tiny_state()


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory, state):
    return write_checkpoint(tmp_path_factory.mktemp("up") / "no-stats")


@pytest.fixture(scope="module")
def adapter(ckpt):
    return make_adapter("magma", checkpoint=str(ckpt))


def test_text_generation_on_upstream_layout(adapter):
    req = Request(id="0", messages=[{"role": "user", "content": [{"type": "image", "image": FRAME},
                                                                 {"type": "text", "text": "What is this?"}]}],
                  answer_space=AnswerSpace("text"), max_new_tokens=4)
    assert isinstance(adapter.generate([req])[0], str)
    assert adapter.tokenizer.decode(adapter.tokenizer.encode("Mark 3: [(0.10,0.20)]")) == "Mark 3: [(0.10,0.20)]"


def test_no_statistics_and_no_key_is_refused_in_one_line(adapter, ckpt):
    with pytest.raises(UserError) as e:  # no dataset_statistics.json, no unnorm_key, no env spec
        adapter.act([{"image": FRAME}], ["pick up the can"])
    msg = str(e.value)
    assert "\n" not in msg and str(ckpt) in msg and "no action statistics" in msg and "unnorm_key=<" in msg
    assert "bridge_orig" in msg and "libero_goal_no_noops" in msg


def test_unknown_unnorm_key_lists_the_known_ones(ckpt):
    ad = make_adapter("magma", checkpoint=str(ckpt), unnorm_key="bridge")
    with pytest.raises(UserError, match=r"unknown unnorm_key 'bridge'; known: bridge_orig, fractal20220817_data"):
        ad.act([{"image": FRAME, "action_spec": SIMPLER_BRIDGE}], ["pick up the can"])


def test_env_key_and_explicit_key_pick_the_published_statistics(adapter, ckpt):
    ids = [[300, 200, 150, 399, 144, 250, 160]]  # fixed tokens: only the statistics and conventions vary
    adapter.generate_ids = lambda *a, **k: ids  # noqa: ARG005 - the model is exercised in the golden test
    bridge = adapter.act([{"image": FRAME, "action_spec": SIMPLER_BRIDGE}], ["x"])[0]
    tabletop = adapter.act([{"image": FRAME, "action_spec": TABLETOP_BRIDGE}], ["x"])[0]
    assert bridge[:6] == tabletop[:6] and bridge[6] in (-1.0, 1.0)  # same bridge_orig units; binary gripper
    assert all(abs(v) <= 0.05 for v in bridge[:3])  # metres per step, not [-1, 1]
    explicit = make_adapter("magma", checkpoint=str(ckpt), unnorm_key="google_robot")
    explicit.generate_ids = lambda *a, **k: ids  # noqa: ARG005
    google = explicit.act([{"image": FRAME}], ["x"])[0]  # no spec: harness convention, the key's statistics
    assert google[:3] != bridge[:3] and max(abs(v) for v in google[:3]) > 0.05


def test_checkpoint_statistics_win_and_libero_frames_are_checked(tmp_path):
    own = {"libero_goal_no_noops": {"action": {"q01": [-0.5] * 6 + [0.0], "q99": [0.5] * 6 + [1.0],
                                               "mask": [True] * 6 + [False]}}}
    ck = write_checkpoint(tmp_path / "libero-goal", stats=own)
    ad = make_adapter("magma", checkpoint=str(ck))
    ad.generate_ids = lambda *a, **k: [[399, 144, 272, 271, 270, 269, 160]]  # noqa: ARG005
    spec = libero_spec("openvla", "libero_goal")
    act = ad.act([{"image": LIBERO_FRAME, "action_spec": spec}], ["put the bowl on the stove"])[0]
    assert act[0] == pytest.approx(-0.5 + 0.5 / 255) and act[1] == pytest.approx(0.5 - 0.5 / 255)  # the end bins under the own q01/q99
    assert act[6] in (0.0, 1.0)  # LIBERO's "openvla" gripper mode takes the open-fraction, binarised
    with pytest.raises(UserError, match=r"observation image is 640x480; libero_goal frames must be 256x256"):
        ad.act([{"image": FRAME, "action_spec": spec}], ["put the bowl on the stove"])
    with pytest.raises(UserError, match=r"observation image has shape \(4, 4, 7\); expected HxWx3"):
        ad.act([{"image": np.zeros((4, 4, 7), np.uint8), "action_spec": spec}], ["x"])
    # LIBERO units cannot drive a metre-based env: refused, not rescaled
    with pytest.raises(UserError, match="cannot drive simplerenv_bridge"):
        ad.act([{"image": FRAME, "action_spec": SIMPLER_BRIDGE}], ["x"])


def test_bad_statistics_file_is_one_line(tmp_path):
    ck = write_checkpoint(tmp_path / "bad", stats={"bridge_orig": {"action": {"q01": [0.0] * 7}}})
    ad = make_adapter("magma", checkpoint=str(ck))
    with pytest.raises(UserError, match=r"dataset_statistics.json: entry 'bridge_orig' has no action q01/q99"):
        ad.act([{"image": FRAME, "action_spec": SIMPLER_BRIDGE}], ["x"])


def test_upstream_sampling_is_seeded_per_episode_step(ckpt):
    kw = {"checkpoint": str(ckpt), "decoding": "upstream", "max_action_tokens": 10}
    obs = [{"image": FRAME, "action_spec": SIMPLER_BRIDGE, "episode_id": "e1", "step": 3}]
    a = make_adapter("magma", **kw).act(obs, ["pick up the can"])[0]
    b = make_adapter("magma", **kw).act(obs, ["pick up the can"])[0]
    assert a == b and len(a) == 7 and all(np.isfinite(a))
    assert make_adapter("magma", **kw).describe()["args"]["temperature"] == 0.7


def test_bad_decoding_args_are_refused(ckpt):
    with pytest.raises(UserError, match="decoding must be greedy or upstream"):
        make_adapter("magma", checkpoint=str(ckpt), decoding="beam")


def test_our_layout_refuses_unnorm_key(tmp_path):
    from magma_bench.model import MagmaConfig, MagmaForCausalLM

    torch.manual_seed(0)
    path = MagmaForCausalLM(MagmaConfig.from_preset("tiny")).save_pretrained(tmp_path / "tiny")
    with pytest.raises(UserError, match="unnorm_key applies to upstream Magma checkpoints"):
        make_adapter("magma", checkpoint=str(path), unnorm_key="bridge_orig")
    ad = make_adapter("magma", checkpoint=str(path))
    act = ad.act([{"image": FRAME}], ["x"])[0]  # no spec: harness convention, its own statistics
    assert len(act) == 7 and HARNESS.name == "harness"


def test_published_statistics_are_well_formed():
    for key, st in PUBLISHED.items():
        assert len(st["q01"]) == len(st["q99"]) == len(st["mask"]) == 7, key
        assert all(lo < hi for lo, hi in zip(st["q01"], st["q99"], strict=True)), key
    assert json.dumps(PUBLISHED)  # plain data
