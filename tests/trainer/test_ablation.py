"""Table 3 ablation orchestration: every variant trained at one budget and evaluated the same way."""

from __future__ import annotations

import json
from pathlib import Path

from magma_bench.leaderboards import ablation as ablation_lb
from magma_bench.trainer import ablation, mixtures
from magma_bench.trainer.train import TrainConfig


def test_table_has_one_row_per_variant_in_the_papers_layout():
    rows = [{"variant": "ui_only", "som": True, "tom": True, "results": {"screenspot": {"headline": 12.5,
                                                                                       "ci95": [8.0, 17.25]}}},
            {"variant": "full_no_somtom", "som": False, "tom": False, "results": {
                "tabletop_bridge": {"headline": 0.0, "ci95": [0.0, 0.0], "metrics": {"progress_grasp": 25.0}}}}]
    md = ablation.table_markdown(rows, ("screenspot", "tabletop_bridge"))
    assert md.splitlines() == ["| variant | SoM+ToM | screenspot | tabletop_bridge |", "|---|---|---|---|",
                               "| ui_only | yes | 12.5 (8.0-17.2) | - |",
                               "| full_no_somtom | no | - | 0.0 (0.0-0.0); grasp 25.0 |"]


def test_variants_train_and_evaluate_through_the_evaluator(tmp_path):
    mixes = tmp_path / "mixtures"
    mixes.mkdir()
    for name, flag in (("a", "true"), ("b", "false")):
        (mixes / f"{name}.yaml").write_text(f"name: {name}\nsom: {flag}\ntom: {flag}\ntotal: 8\nseed: 0\n"
                                            "sources:\n  vl: {weight: 1.0, n: 4}\n")
    cfg = ablation.AblationConfig(out=str(tmp_path / "abl"), mixtures_dir=str(mixes), variants=("a", "b"),
                                  benchmarks=("pope",), n=12,
                                  train=TrainConfig(steps=2, batch_size=2, warmup=1, log_every=1, threads=1,
                                                    vision_pretrain_steps=0))
    rows = ablation.run_ablation(cfg)
    assert [r["variant"] for r in rows] == ["a", "b"] and rows[1]["som"] is False
    doc = json.loads((tmp_path / "abl" / "ablation.json").read_text())
    assert doc["schema"] == 1 and all(0 <= r["results"]["pope"]["headline"] <= 100 for r in doc["rows"])
    assert (tmp_path / "abl" / "a" / "model" / "model.safetensors").is_file()
    # each row says what it cost and whether the variant reads its images
    assert all(r["wall_s"]["train"] > 0 and r["wall_s"]["eval"] > 0 for r in doc["rows"])
    assert all(set(r["image_use_gap"]) == {"vl"} and r["tokens_per_s"] > 0 for r in doc["rows"])


def test_labels_follow_the_papers_rows():
    """UI, OXE and ACT are trained without SoM+ToM as in the paper; only Full is trained both ways."""
    mixes = {v: mixtures.load_mixture(Path("configs/mixtures") / f"{v}.yaml") for v in ablation.VARIANTS}
    labels = [ablation.table3_label(v, mixes[v]) for v in ablation.VARIANTS]
    assert labels == ["ui-nosomtom", "oxe-nosomtom", "act-nosomtom", "full-nosomtom", "full"]
    assert all(ablation_lb.LABEL.match(label) for label in labels)


def test_a_bad_budget_flag_is_one_line_naming_the_field(capsys, tmp_path):
    assert ablation.main(["--steps", "0", "--out", str(tmp_path)]) == 2
    out = capsys.readouterr().out.strip()
    assert len(out.splitlines()) == 1 and "ablation flags" in out and "steps" in out
    assert not any(tmp_path.iterdir())  # nothing trained
