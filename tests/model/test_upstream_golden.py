"""Golden test against microsoft/Magma's own code: the prompt token ids, image grids, generated ids
and decoded SimplerEnv actions that upstream's processor and model produced on the tiny
upstream-layout checkpoint of `tests/mb_magma8b_tiny.py` must come out of our code unchanged.

The numbers in golden/magma8b-tiny-upstream.json were made in a throwaway venv (no upstream code
is in this repository), with the checkpoint written by `mb_magma8b_tiny.write_checkpoint`:

    python3 -m venv /tmp/up && /tmp/up/bin/pip install torch==2.14.1 torchvision==0.29.1 && \\
      /tmp/up/bin/pip install 'transformers==4.48.*' 'open_clip_torch==2.29.*' 'timm==1.0.*' transforms3d
    # upstream magma/*.py from github:microsoft/Magma (1b784e4) into /tmp/upgold/up/magma, its
    # projector regex set to the release's `^mlp(\\d+)x_gelu$`, a stub `wandb`, and the hub-only
    # open_clip tower replaced by timm's convnext_tiny under the same keys; then
    OMP_NUM_THREADS=1 /tmp/up/bin/python /tmp/upgold/gen.py > gold.json

gen.py builds upstream `MagmaProcessor(MagmaImageProcessor(crop, 256, 4), AutoTokenizer(ckpt))`
and `MagmaForCausalLM`, renders the prompt exactly as upstream's SimplerEnv agent does (system
turn, `<image>\\n` + question, chat template, `<image>` -> `<image_start><image><image_end>`),
resizes a 640x480 frame to 256x256 with PIL's default, generates greedily (free for 12 tokens, and
restricted to the action ids for 7) and decodes `output_ids[-8:-1]` with the agent's arithmetic
(bridge_orig / google_robot statistics, `euler2axangle`, WidowX gripper `2 * (open > 0.5) - 1`).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from mb_magma8b_tiny import IMG, tiny_state, write_checkpoint  # noqa: E402

from magma_bench.action_spec import SIMPLER_BRIDGE, SIMPLER_GOOGLE  # noqa: E402
from magma_bench.model.checkpoint import read_config  # noqa: E402
from magma_bench.model.processing_magma import feature_count, image_views  # noqa: E402
from magma_bench.model.tokenization_magma import load_tokenizer  # noqa: E402

GOLDEN = json.loads((Path(__file__).parent / "golden" / "magma8b-tiny-upstream.json").read_text())
TASK = "put the spoon on the towel"


def _frame() -> np.ndarray:
    return np.random.default_rng(0).integers(0, 255, (480, 640, 3), dtype=np.uint8)


def _vqa_image() -> np.ndarray:
    return np.random.default_rng(1).integers(0, 255, (200, 300, 3), dtype=np.uint8)


def _collapse(ids: list[int]) -> list[int]:
    """Runs of <image> ids as one, as upstream's processor writes them (its model expands in place)."""
    return [t for i, t in enumerate(ids) if t != IMG or i == 0 or ids[i - 1] != IMG]


@pytest.fixture(scope="module")
def ckpt(tmp_path_factory) -> Path:
    st = tiny_state()
    total = float(sum(v.double().sum() for v in st.values()))
    assert abs(total - 9411.333112318982) < 1e-6, "seeded weights drifted: the golden numbers no longer apply"
    return write_checkpoint(tmp_path_factory.mktemp("up") / "magma8b-tiny")


def test_upstream_files_set_the_config(ckpt):
    cfg, upstream = read_config(ckpt)
    assert upstream and cfg.prompt_template == "upstream" and cfg.image_resize == "tensor"
    assert (cfg.image_size, cfg.max_crops) == (256, 4)  # preprocessor_config.json, not vision_config
    assert cfg.action_end == GOLDEN["vocab_size"] == 400  # the tokenizer's base vocab, not the 408 rows
    assert cfg.system_prompt == "You are agent that can see, talk and act."


@pytest.mark.parametrize("case", GOLDEN["prompts"], ids=lambda c: c["name"])
def test_prompt_ids_match_upstream_processor(ckpt, case):
    from magma_bench.adapters.magma import model_frame

    cfg, _ = read_config(ckpt)
    tok = load_tokenizer(cfg, ckpt)
    if case["name"] == "action":
        from magma_bench.model.formats import action_prompt

        image, text = model_frame(_frame(), SIMPLER_BRIDGE), action_prompt(TASK)
        assert image.shape == (256, 256, 3)
    else:
        image, text = _vqa_image(), "What is in the image?"
    msgs = [{"role": "user", "content": [{"type": "image", "image": image}, {"type": "text", "text": text}]}]
    views = image_views(image, cfg)
    assert [list(views.grid)] == case["image_sizes"]
    assert tok.upstream_prompt(msgs) == case["text"]
    ids = tok.encode_chat(msgs, [feature_count(views, cfg)])
    assert _collapse(ids) == case["input_ids"]
    assert ids[:2] == [400, 400]  # BOS from the template and again from the post-processor, as upstream
    assert ids.count(IMG) == feature_count(views, cfg) == views.grid[0] * 8 * (views.grid[1] * 8 + 1)


@pytest.mark.parametrize("case", GOLDEN["actions"], ids=lambda c: f"{c['mode']}-{c['unnorm_key']}")
def test_actions_match_upstream_agent(ckpt, case):
    from magma_bench.registry import make_adapter

    upstream_mode = case["mode"] == "upstream_greedy"
    kw = {"decoding": "upstream", "temperature": 0.0, "max_action_tokens": 12} if upstream_mode else {}
    ad = make_adapter("magma", checkpoint=str(ckpt), **kw)
    spec = SIMPLER_BRIDGE if case["unnorm_key"] == "bridge_orig" else SIMPLER_GOOGLE
    if case["unnorm_key"] == "bridge_orig":  # generated ids do not depend on the statistics
        from magma_bench.adapters.magma import model_frame
        from magma_bench.model.formats import action_prompt

        conv = [[{"role": "user", "content": [{"type": "image", "image": None},
                                              {"type": "text", "text": action_prompt(TASK)}]}]]
        img = [[model_frame(_frame(), spec)]]
        lo, hi = ad.config.action_token_begin, ad.config.action_end
        got = ad.generate_ids(conv, img, [12], stop=True) if upstream_mode else \
            ad.generate_ids(conv, img, [7], allowed=(lo, hi))
        assert got[0] == case["generated"]
    act = ad.act([{"image": _frame(), "action_spec": spec, "episode_id": "e0", "step": 0}], [TASK])[0]
    np.testing.assert_allclose(act[:3], case["world_vector"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(act[3:6], case["rot_axangle"], rtol=0, atol=1e-9)
    if spec is SIMPLER_BRIDGE:  # harness sign: +1 closed; SimplerEnv's WidowX takes +1 = open
        assert act[6] == -case["widowx_gripper"]
    else:  # absolute closedness; the env sends its change (prev_open - open) as upstream's agent does
        assert act[6] == pytest.approx(1.0 - 2.0 * min(max(case["open_gripper"], 0.0), 1.0))
