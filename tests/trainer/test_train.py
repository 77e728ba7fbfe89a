"""Training loop: schedule, one update step, checkpoint + resume reproducing the uninterrupted run."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from magma_bench.errors import UserError
from magma_bench.trainer import train as T
from mb_testutil import TINY_MIX, metrics_losses, tiny_train_config

MIX = TINY_MIX
_cfg, _losses = tiny_train_config, metrics_losses


def test_warmup_then_cosine_schedule():
    cfg = T.TrainConfig(steps=110, warmup=10, lr=1.0, min_lr=0.1)
    assert T.lr_at(0, cfg) == pytest.approx(0.1) and T.lr_at(9, cfg) == pytest.approx(1.0)
    assert T.lr_at(60, cfg) == pytest.approx(0.55) and T.lr_at(110, cfg) == pytest.approx(0.1)
    lrs = [T.lr_at(s, cfg) for s in range(10, 110)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:], strict=False))


def test_each_curriculum_phase_restarts_the_schedule():
    """Under lr_restarts the rate re-warms where a phase begins and decays again to the run's end;
    without phases, or with lr_restarts off, it is the one warmup + cosine above."""
    from magma_bench.trainer import mixtures

    mix = mixtures.parse_mixture(__import__("yaml").safe_load(
        MIX.replace("sources:", "phases:\n  - {until: 0.5, weights: {vl: 1.0}}\nsources:", 1)))
    cfg = T.TrainConfig(steps=110, warmup=10, lr=1.0, min_lr=0.1)
    starts = T.schedule_starts(cfg, mix)
    assert starts == [55]
    lrs = [T.lr_for(s, cfg, starts) for s in range(110)]
    assert lrs[:55] == [T.lr_at(s, cfg) for s in range(55)]  # phase 1: the plain schedule, cut at 55
    assert lrs[55] == pytest.approx(0.1) and lrs[64] == pytest.approx(1.0)  # re-warmed to the peak
    assert all(a >= b for a, b in zip(lrs[64:], lrs[65:], strict=False)) and lrs[-1] < 0.11
    off = T.TrainConfig(steps=110, warmup=10, lr=1.0, min_lr=0.1, lr_restarts=False)
    assert T.schedule_starts(off, mix) == [] and T.schedule_starts(cfg, dataclasses.replace(mix, phases=[])) == []


def test_interrupted_run_resumes_onto_the_uninterrupted_loss_curve(tmp_path):
    full = T.train(_cfg(tmp_path / "a"))
    assert full["final_loss"] < _losses(tmp_path / "a" / "run")[1]  # it learns
    prov = full["provenance"]  # what reproduces the run is written beside it
    assert prov["train_config"] == json.loads(json.dumps(dataclasses.asdict(_cfg(tmp_path / "a"))))
    assert set(prov) >= {"commit", "dirty", "command", "versions", "wall_s"} and prov["wall_s"]["steps"] > 0
    assert json.loads((tmp_path / "a" / "run" / "train_summary.json").read_text())["provenance"] == \
        json.loads(json.dumps(prov))
    assert (tmp_path / "a" / "run" / "model.safetensors").is_file()
    part = T.train(_cfg(tmp_path / "b", stop_at=3))
    assert part["stopped_at"] == 3 and not (tmp_path / "b" / "run" / "model.safetensors").exists()
    rest = T.train(_cfg(tmp_path / "b"))
    assert rest["resumed_from"] == 3
    a, b = _losses(tmp_path / "a" / "run"), _losses(tmp_path / "b" / "run")
    assert sorted(b) == list(range(1, 7))
    for s in range(1, 7):
        assert b[s] == pytest.approx(a[s], rel=1e-4, abs=1e-5), (s, a, b)


def test_a_resumed_run_continues_the_dense_label_loss_exactly(tmp_path):
    """The auxiliary loss's head, optimizer and scene stream go into the checkpoint: a resumed run
    draws the scenes the uninterrupted one drew next, from the same head."""
    kw = dict(steps=4, dense_label_weight=1.0)
    T.train(_cfg(tmp_path / "a", **kw))
    T.train(_cfg(tmp_path / "b", stop_at=2, **kw))
    assert (tmp_path / "b" / "run" / "checkpoint" / T.AUX_STATE).is_file()
    assert T.train(_cfg(tmp_path / "b", **kw))["resumed_from"] == 2
    for key in ("loss", "aux_loss"):
        a, b = _losses(tmp_path / "a" / "run", key), _losses(tmp_path / "b" / "run", key)
        assert sorted(b) == [1, 2, 3, 4]
        for s in range(1, 5):
            assert b[s] == pytest.approx(a[s], rel=1e-4, abs=1e-5), (key, s, a, b)


def test_examples_supervise_only_the_answer(tmp_path):
    from PIL import Image

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.tokenization_magma import load_tokenizer
    from magma_bench.trainer import data

    Image.new("RGB", (64, 48)).save(tmp_path / "i.png")
    cfg = MagmaConfig.from_preset("tiny")
    tok, act = load_tokenizer(cfg), ActionTokenizer(cfg.vocab_size)
    ids, labels, views = T.encode_example(data.vl_example("v", tmp_path / "i.png", "Q?", "yes"), tok, cfg, act, 512)
    answer = [t for t in labels if t != -100]
    assert answer == tok.encode("yes") + [tok.eos_id] and ids[-len(answer):] == answer and len(views) == 1
    r_ids, r_lab, _ = T.encode_example(data.robot_example("r", tmp_path / "i.png", "pick it", [0.0] * 7), tok, cfg,
                                       act, 512)
    sup = [t for t in r_lab if t != -100]
    assert len(sup) == 8 and all(act.is_action_id(t) for t in sup[:7]) and sup[-1] == tok.eos_id
    long = data.vl_example("l", tmp_path / "i.png", "x" * 600, "no")
    short = data.vl_example("s", tmp_path / "i.png", "Q?", "ok")
    kept, dropped, lengths = T.fit_pools({"vl": [long, short]}, tok, cfg, act, 512)
    assert [e.id for e in kept["vl"]] == ["s"] and dropped == {"vl": 1}
    assert lengths == {"s": len(T.encode_example(short, tok, cfg, act, 512)[0])}


@pytest.mark.slow
def test_sigkill_mid_training_then_restart_matches_an_uninterrupted_run(tmp_path):
    """The real thing: kill -9 the training process after a checkpoint, rerun the same command."""
    ref = T.train(_cfg(tmp_path / "ref", steps=8))
    assert ref["steps"] == 8
    cfg = _cfg(tmp_path / "k", steps=8)
    args = [sys.executable, "-m", "magma_bench.trainer.train"]
    for k, v in vars(cfg).items():
        args += [f"--{k.replace('_', '-')}", str(v)]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    state = Path(cfg.out) / "checkpoint" / "trainer_state.json"
    deadline = time.time() + 300
    while time.time() < deadline and proc.poll() is None:
        if state.is_file() and json.loads(state.read_text())["step"] >= 4:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "training finished before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert subprocess.run(args, env=env, capture_output=True).returncode == 0
    a, b = _losses(tmp_path / "ref" / "run"), _losses(Path(cfg.out))
    assert sorted(b) == list(range(1, 9))
    for s in range(1, 9):
        assert b[s] == pytest.approx(a[s], rel=1e-4, abs=1e-5), (s, a, b)


def test_pools_built_in_parallel_match_a_serial_build(tmp_path):
    from magma_bench.trainer import mixtures

    mix = mixtures.parse_mixture(__import__("yaml").safe_load(MIX + "  video: {weight: 1.0, n: 1}\n"))
    serial = T.load_pools(mix, tmp_path / "serial", workers=1)
    parallel = T.load_pools(mix, tmp_path / "parallel", workers=2)

    def content(pools):
        return {s: [(e.id, e.target, e.action, [Path(i).read_bytes() for i in e.images]) for e in p]
                for s, p in pools.items()}

    assert content(serial) == content(parallel) and len(parallel["vl"]) == 12


def test_pools_are_cached_per_source_and_only_changed_sources_rebuilt(tmp_path):
    from magma_bench.trainer import mixtures

    d = tmp_path / "data"
    two = MIX + "  video: {weight: 1.0, n: 1}\n"
    mix = mixtures.parse_mixture(__import__("yaml").safe_load(two))
    first = T.load_pools(mix, d)
    assert {s: len(p) for s, p in first.items()} == {"vl": 12, "video": 1}
    video = T.pool_dir(d, mix, "video") / "pool.jsonl"
    video_mtime = video.stat().st_mtime_ns
    mix.sources["vl"].n, mix.sources["video"].weight = 7, 3.0  # a weight is not part of what a pool holds
    second = T.load_pools(mix, d)
    assert len(second["vl"]) == 7 and [e.id for e in second["video"]] == [e.id for e in first["video"]]
    assert video.stat().st_mtime_ns == video_mtime
    assert json.loads((T.pool_dir(d, mix, "vl") / "source.json").read_text())["spec"]["n"] == 7
    mix.sources["vl"].n = 12  # back to the first description: its pool is still there, not rebuilt
    assert [e.id for e in T.load_pools(mix, d)["vl"]] == [e.id for e in first["vl"]]
    assert len(list(d.glob("vl-*/pool.jsonl"))) == 2


def test_image_use_check_tells_a_blind_model_from_one_that_sees(tmp_path):
    import torch

    from magma_bench.model.action_tokenizer import ActionTokenizer
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.modeling_magma import MagmaForCausalLM
    from magma_bench.model.tokenization_magma import load_tokenizer
    from magma_bench.trainer import sources
    from magma_bench.trainer.image_use import image_use

    torch.manual_seed(0)
    cfg = MagmaConfig.from_preset("tiny")
    model, tok, act = MagmaForCausalLM(cfg), load_tokenizer(cfg), ActionTokenizer(cfg.vocab_size)
    exs = sources.vl_source(tmp_path, 6, seed=1)
    seeing = image_use(model, exs, tok, act, 512)["vl"]
    assert seeing["n"] == 6 and abs(seeing["gap"]) > 1e-4
    with torch.no_grad():  # a projector that outputs a constant: every image looks the same
        for p in model.projector.proj.parameters():
            p.zero_()
    blind = image_use(model, exs, tok, act, 512)["vl"]
    assert blind["gap"] == pytest.approx(0.0, abs=1e-6) and blind["loss_real"] == pytest.approx(seeing["loss_real"], rel=0.5)


def test_vl_source_captions_every_object_in_reading_order(tmp_path):
    from magma_bench.benchmarks.vl.offline.scenes import Obj
    from magma_bench.trainer import sources

    objs = [Obj("star", "red", 200, 30, 10), Obj("ball", "blue", 20, 40, 10), Obj("ring", "green", 112, 112, 10)]
    assert sources.caption(objs, 224) == "blue ball top left; red star top right; green ring center."
    exs = sources.vl_source(tmp_path, 14, seed=2)
    kinds = [e.messages[0]["content"][1]["text"].split()[0] for e in exs]
    assert kinds.count("Describe") == 4 and len({e.target for e in exs}) > 5


def test_checklist_marks_every_kind_once_right_after_its_word(tmp_path, monkeypatch):
    import numpy as np

    from magma_bench.benchmarks.vl.offline.scenes import KINDS, Obj
    from magma_bench.trainer import sources

    objs = [Obj("star", "red", 200, 30, 10), Obj("ball", "blue", 20, 40, 10)]
    lines = [sources.checklist(objs, np.random.default_rng(s)).split() for s in range(2)]
    for line in lines:
        assert sorted(line) == sorted(f"{k}{'+' if k in ('star', 'ball') else '-'}" for k in KINDS)
    assert lines[0] != lines[1]  # the order is drawn per example: the word, not its place, says which kind
    monkeypatch.setattr(sources, "VL_QUESTIONS", ("checklist",))
    for e in sources.vl_source(tmp_path, 8, seed=4):
        assert e.messages[0]["content"][1]["text"] == sources.CHECKLIST_PROMPT
        assert sum(m.endswith("+") for m in e.target.split()) in range(2, 6)  # the scene's 2-5 distinct kinds


def test_attributes_name_each_object_then_its_colour_and_place(tmp_path):
    import numpy as np

    from magma_bench.benchmarks.vl.offline.scenes import Obj
    from magma_bench.trainer import sources

    objs = [Obj("star", "red", 200, 30, 10), Obj("ball", "blue", 20, 40, 10), Obj("ring", "green", 112, 112, 10)]
    lines = [sources.attributes(objs, 224, np.random.default_rng(s)) for s in range(4)]
    for line in lines:
        assert sorted(line.rstrip(".").split("; ")) == ["ball: blue, top left", "ring: green, center",
                                                        "star: red, top right"]
    assert len(set(lines)) > 1  # drawn per example: the kind word, not the reading order, says whose attributes
    exs = sources.vl_source(tmp_path, 6, seed=3, questions=["attributes"])
    assert {e.messages[0]["content"][1]["text"] for e in exs} == {sources.ATTRIBUTES_PROMPT}
    assert all(e.target.count(":") in range(2, 7) for e in exs)  # one entry per object of the scene


def test_vision_tower_and_projector_train_at_their_own_lr_scale():
    from magma_bench.model.configuration_magma import MagmaConfig
    from magma_bench.model.modeling_magma import MagmaForCausalLM

    model = MagmaForCausalLM(MagmaConfig.from_preset("tiny"))
    opt = T.make_optimizer(model, T.TrainConfig(vision_lr_scale=3.0, weight_decay=0.1))
    T.set_lr(opt, 1e-3)
    vision = {id(p) for n, p in model.named_parameters() if n.startswith(("vision_tower.", "projector."))}
    for g in opt.param_groups:
        assert g["lr"] == pytest.approx(3e-3 if id(g["params"][0]) in vision else 1e-3)
        assert all((id(p) in vision) == (id(g["params"][0]) in vision) for p in g["params"])
        assert g["weight_decay"] == (0.1 if g["params"][0].dim() >= 2 else 0.0)
    assert sum(len(g["params"]) for g in opt.param_groups) == len(list(model.parameters())) and len(opt.param_groups) == 4


def test_init_from_fine_tunes_a_checkpoint_and_a_new_switch_starts_from_it(tmp_path):
    """init_from: the first step starts from the source's weights (its loss well below a fresh
    model's first), also when a switch adds a parameter (image_pos_embed, kept fresh); weights of
    another shape are an error."""
    src = T.train(_cfg(tmp_path / "a"))
    fresh = _losses(tmp_path / "a" / "run")[1]
    tuned = T.train(_cfg(tmp_path / "b", init_from=str(tmp_path / "a" / "run"), steps=2,
                         model_args='{"image_pos_embed": true}'))
    first = _losses(tmp_path / "b" / "run")[1]
    assert first < fresh - 0.5, (first, fresh, src["final_loss"])
    assert tuned["provenance"]["train_config"]["init_from"] == str(tmp_path / "a" / "run")
    with pytest.raises(UserError, match="init_from weights do not fit this model"):
        T.train(_cfg(tmp_path / "c", init_from=str(tmp_path / "a" / "run"), model_args='{"hidden_size": 64}'))
