"""The VL skills probe: exact match under teacher forcing per question type, real vs blank images,
and the variance share of a label in the image tokens."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from magma_bench.model.configuration_magma import MagmaConfig  # noqa: E402
from magma_bench.trainer import vl_probe  # noqa: E402


class NextTokenModel:
    """Predicts every next id exactly; with `needs_image`, only when the images are not blank."""

    def __init__(self, needs_image: bool) -> None:
        self.config = MagmaConfig.from_preset("tiny", image_size=32)
        self.needs_image = needs_image

    def eval(self) -> None:
        pass

    def __call__(self, ids, mask, images):
        logits = torch.zeros(*ids.shape, self.config.vocab_size)
        logits[:, :-1].scatter_(-1, ids[:, 1:, None], 1.0)
        if self.needs_image and all(float(v.crops.abs().sum()) == 0 for v in images):
            logits = -logits  # blank images: every answer wrong
        return logits, None


def test_a_model_that_predicts_every_answer_scores_100_on_each_type_and_blank_matters():
    res = vl_probe.skills(NextTokenModel(needs_image=True), n=14)
    # the shape slot asks for the colour instead when two objects share the colour
    assert {"caption", "presence", "colour", "count", "relation"} <= set(res["real"]) <= {
        "caption", "presence", "colour", "shape", "count", "relation"}
    assert all(v == 100.0 for v in res["real"].values())
    assert all(v == 0.0 for v in res["blank"].values())
    assert all(v == 100.0 for v in vl_probe.skills(NextTokenModel(needs_image=False), n=7)["blank"].values())


def test_an_attributes_line_is_scored_per_entry_colour_and_place():
    assert vl_probe.attribute_spans("star: red, top left; ball: blue, center.") == {
        "attributes colour": [(6, 9), (27, 31)], "attributes place": [(11, 19), (33, 39)]}
    res = vl_probe.skills(NextTokenModel(needs_image=True), n=4, questions=["attributes"])
    assert res["real"] == {"attributes colour": 100.0, "attributes place": 100.0}
    assert res["blank"] == {"attributes colour": 0.0, "attributes place": 0.0}


def test_a_checklist_is_scored_per_mark_with_present_and_absent_apart(monkeypatch):
    from magma_bench.trainer import sources

    monkeypatch.setattr(sources, "VL_QUESTIONS", ("checklist",))
    res = vl_probe.skills(NextTokenModel(needs_image=True), n=4)
    assert res["real"] == {"checklist": 100.0, "checklist+": 100.0, "checklist-": 100.0}
    assert res["blank"]["checklist"] == 0.0


def test_question_types_follow_the_vl_source_wording():
    assert vl_probe.question_type("Is there a star in the image? Please answer yes or no.") == "presence"
    assert vl_probe.question_type("Is the ball to the left or to the right of the box?") == "relation"
    assert vl_probe.question_type("What color is the ring?") == "colour"
    assert vl_probe.question_type("Something else") == "other"


def test_variance_share_is_one_for_label_codes_and_small_for_noise():
    y = torch.arange(400) % 4
    assert vl_probe.variance_share(torch.nn.functional.one_hot(y).float(), y) == pytest.approx(1.0)
    noise = torch.randn(400, 16, generator=torch.Generator().manual_seed(0))
    assert vl_probe.variance_share(noise, y) < 0.05


def test_readout_reads_a_separable_label_and_not_a_random_one():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(400, 16, generator=g)
    y = (x[:, 3] > 0).long() + 2 * (x[:, 7] > 0).long()  # four classes, linear in the features
    noise = torch.randint(0, 4, (400,), generator=g)
    assert vl_probe.readout_accuracy(x[:300], y[:300], x[300:], y[300:]) > 90
    assert vl_probe.readout_accuracy(x[:300], noise[:300], x[300:], noise[300:]) < 45


def test_readout_reports_colour_kind_and_place_for_tower_and_projector():
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    torch.manual_seed(0)
    res = vl_probe.readout(MagmaForCausalLM(MagmaConfig.from_preset("tiny", image_size=64)), n=8)
    assert set(res) == {"tower", "projector"} and all(set(v) == {"colour", "kind", "place"} for v in res.values())
    assert all(0 <= a <= 100 for v in res.values() for a in v.values())
