"""The `magma` adapter's blind controls: image=blank (same-sized blank images) and image=shuffled."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from magma_bench.errors import UserError  # noqa: E402
from magma_bench.model import MagmaConfig, MagmaForCausalLM  # noqa: E402
from magma_bench.registry import make_adapter  # noqa: E402
from magma_bench.report.run_labels import adapter_labels  # noqa: E402
from magma_bench.types import AnswerSpace, Request  # noqa: E402


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory):
    torch.manual_seed(0)
    cfg = MagmaConfig.from_preset("tiny", max_crops=4)  # multi-crop: the blank image must keep the grid
    path = tmp_path_factory.mktemp("ck") / "magma-tiny"
    MagmaForCausalLM(cfg).save_pretrained(path)
    return path


def _capture(ad) -> list:
    seen = []
    real = ad.model.generate

    def spy(ids, mask, images=None, **kw):
        seen.append(images)
        return real(ids, mask, images, **kw)

    ad.model.generate = spy
    return seen


def _req(image) -> Request:
    return Request(id="0", messages=[{"role": "user", "content": [{"type": "image", "image": image},
                                                                  {"type": "text", "text": "What color is it?"}]}],
                   answer_space=AnswerSpace("text"), max_new_tokens=2, images=[image])


def test_blank_images_keep_each_images_views_and_carry_no_pixels(checkpoint):
    rng = np.random.default_rng(0)
    imgs = [rng.integers(0, 255, (96, 300, 3), dtype=np.uint8), rng.integers(0, 255, (128, 128, 3), dtype=np.uint8)]
    real, blind = make_adapter("magma", checkpoint=str(checkpoint)), make_adapter(
        "magma", checkpoint=str(checkpoint), image="blank")
    seen_real, seen_blind = _capture(real), _capture(blind)
    real.generate([_req(im) for im in imgs])
    blind.generate([_req(im) for im in imgs])
    for r, b in zip(seen_real[0], seen_blind[0], strict=True):
        assert r.grid == b.grid and r.crops.shape == b.crops.shape
        assert float(r.crops.abs().max()) > 0.5  # the real path does carry pixels
        assert (r.global_view is None) == (b.global_view is None)
        assert float(b.crops.abs().max()) < 0.01
        assert b.global_view is None or float(b.global_view.abs().max()) < 0.01
    assert seen_real[0][0].grid != (1, 1)  # the wide image did take several crops
    blind.act([{"image": imgs[1]}], ["pick up the can"])
    assert float(seen_blind[-1][0].crops.abs().max()) < 0.01


def test_blank_control_is_labelled_apart_and_bad_values_refused(checkpoint):
    real, blind = make_adapter("magma", checkpoint=str(checkpoint)), make_adapter(
        "magma", checkpoint=str(checkpoint), image="blank")
    assert "image" not in real.describe()["args"] and blind.describe()["args"]["image"] == "blank"
    labels = adapter_labels([("magma", real.describe(), 0), ("magma", blind.describe(), 0)])
    assert labels[0] != labels[1] and "image=blank" in labels[1] and "image" not in labels[0]
    with pytest.raises(UserError, match="image must be real, blank or shuffled"):
        make_adapter("magma", checkpoint=str(checkpoint), image="none")


def test_shuffled_images_ask_each_question_with_another_requests_pictures(checkpoint):
    """image=shuffled: request i sees request i+1's pixels (the last sees the first's), a lone request
    the previous batch's last; closed-loop suites refuse it."""
    rng = np.random.default_rng(1)
    imgs = [rng.integers(0, 255, (128, 128, 3), dtype=np.uint8) for _ in range(4)]
    real, shuf = make_adapter("magma", checkpoint=str(checkpoint)), make_adapter(
        "magma", checkpoint=str(checkpoint), image="shuffled")
    seen_real, seen_shuf = _capture(real), _capture(shuf)
    real.generate([_req(im) for im in imgs])
    shuf.generate([_req(im) for im in imgs[:3]])
    shuf.generate([_req(imgs[3])])  # a batch of one: the previous batch's last request's images
    got = seen_shuf[0] + seen_shuf[1]
    for i, j in enumerate([1, 2, 0, 2]):
        assert torch.equal(got[i].crops, seen_real[0][j].crops), (i, j)
    assert shuf.describe() != real.describe()
    # several questions about one picture in a row (POPE, MME): the donor shows another picture
    shuf2 = make_adapter("magma", checkpoint=str(checkpoint), image="shuffled")
    seen = _capture(shuf2)
    shuf2.generate([_req(imgs[0]), _req(imgs[0].copy()), _req(imgs[1])])
    for i, j in enumerate([1, 1, 0]):
        assert torch.equal(seen[0][i].crops, seen_real[0][j].crops), (i, j)
    with pytest.raises(UserError, match="shuffled"):
        shuf.act([{"image": imgs[0]}], ["pick up the can"])
