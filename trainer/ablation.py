"""Magma Table 3 ablation: train each data-mixture variant at one budget, evaluate each the same way.

Variants are mixture YAMLs (configs/mixtures: ui_only, robot_only, act, full_no_somtom, full);
each is trained with the same TrainConfig (steps, batch) into <out>/<variant>/model and run
through the evaluator on the given benchmarks with the `magma` adapter. UI grounding suites are
asked with SoM marks exactly when the variant was trained with SoM (as the paper evaluates its
w/o-SoM rows without marks). As in the paper, UI, OXE and ACT are trained without SoM+ToM and
Full both with and without, so the with/without contrast is the Full pair. Results:
<out>/ablation.json (one row per variant, schema 1) and a markdown table in the paper's layout
(variants as rows, benchmarks as columns).
`python -m magma_bench.trainer.ablation --steps 300 --benchmarks screenspot,tabletop_bridge`
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from magma_bench.config import validate
from magma_bench.errors import UserError
from magma_bench.trainer import mixtures
from magma_bench.trainer.train import TrainConfig, train

VARIANTS = ("ui_only", "robot_only", "act", "full_no_somtom", "full")
# The leaderboard's Table 3 mixtures (leaderboards/ablation.py); the label is <mixture>[-nosomtom].
SOM_BENCHMARKS = ("screenspot", "screenspot_pro")
# The paper's Table 3 columns, in its order: SS-Overall, VWB-Ele-G + Act-G, SE-Bridge, SE-Google.
TABLE3_BENCHMARKS = ("screenspot", "visualwebbench", "tabletop_bridge", "tabletop_google")
TABLE3_MIXTURE = {"ui_only": "ui", "robot_only": "oxe", "act": "act", "full_no_somtom": "full", "full": "full"}


def table3_label(variant: str, mix: mixtures.Mixture) -> str:
    """`magma@<label>` for the leaderboard: the paper's UI, OXE and ACT rows are trained without
    SoM+ToM, Full both ways; the suffix follows the mixture's own switches."""
    return TABLE3_MIXTURE.get(variant, variant) + ("" if mix.som and mix.tom else "-nosomtom")


@dataclass
class AblationConfig:
    out: str = "runs/ablation"  # variants' checkpoints, data and evaluation runs
    mixtures_dir: str = "configs/mixtures"  # where <variant>.yaml live
    variants: tuple[str, ...] = VARIANTS  # Table 3 rows, in order
    benchmarks: tuple[str, ...] = TABLE3_BENCHMARKS  # Table 3 columns
    n: int = 60  # offline suite size per benchmark
    train: TrainConfig = field(default_factory=TrainConfig)  # shared budget (out/mixture are set per variant)


def run_variant(cfg: AblationConfig, variant: str) -> dict[str, Any]:
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import run

    mix_path = Path(cfg.mixtures_dir) / f"{variant}.yaml"
    mix = mixtures.load_mixture(mix_path)
    root = Path(cfg.out) / variant
    # one data dir for all variants: a source with the same description (trainer.train.pool_dir) is built once
    tcfg = dataclasses.replace(cfg.train, out=str(root / "model"), mixture=str(mix_path),
                               data_dir=str(Path(cfg.out) / "data"))
    summary = train(tcfg)
    # what the variant cost and whether it reads its images, beside its scores (train_summary.json has the rest)
    row: dict[str, Any] = {"variant": variant, "som": mix.som, "tom": mix.tom, "sources": sorted(mix.sources),
                           "final_loss": summary["final_loss"], "steps": tcfg.steps,
                           "tokens_per_s": summary["tokens_per_s"],
                           "image_use_gap": {s: g["gap"] for s, g in summary["image_use"].items()},
                           "wall_s": {"train": summary["provenance"]["wall_s"]["total"]},
                           "results": {}}
    started = time.perf_counter()
    for bench in cfg.benchmarks:
        bargs = {"som": mix.som} if bench in SOM_BENCHMARKS else {}
        s = run(RunConfig(benchmark=bench, adapter="magma", out=root / "runs", n=cfg.n, benchmark_args=bargs,
                          adapter_args={"checkpoint": tcfg.out, "variant": table3_label(variant, mix)}))
        row["results"][bench] = {"headline": s.get("headline"), "ci95": s.get("ci95"), "n": s.get("n"),
                                 "metrics": s.get("metrics", {}), "benchmark_args": bargs}
    row["wall_s"]["eval"] = round(time.perf_counter() - started, 1)
    return row


def table_markdown(rows: list[dict[str, Any]], benchmarks: tuple[str, ...]) -> str:
    """Variants x benchmarks, headline (95% CI), like the paper's Table 3; robot cells add the
    grasp rate (SimplerEnv's partial success), which moves before full success does."""
    head = "| variant | SoM+ToM | " + " | ".join(benchmarks) + " |"
    lines = [head, "|" + "---|" * (len(benchmarks) + 2)]
    for r in rows:
        cells = []
        for b in benchmarks:
            res = r["results"].get(b) or {}
            h, ci = res.get("headline"), res.get("ci95")
            cell = "-" if h is None else f"{h:.1f}" + (f" ({ci[0]:.1f}-{ci[1]:.1f})" if ci else "")
            grasp = (res.get("metrics") or {}).get("progress_grasp")
            cells.append(cell + (f"; grasp {grasp:.1f}" if grasp is not None else ""))
        mark = "yes" if r["som"] and r["tom"] else "no"
        lines.append(f"| {r['variant']} | {mark} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def run_ablation(cfg: AblationConfig) -> list[dict[str, Any]]:
    out = Path(cfg.out)
    out.mkdir(parents=True, exist_ok=True)
    rows = [run_variant(cfg, v) for v in cfg.variants]
    doc = {"schema": 1, "benchmarks": list(cfg.benchmarks), "n": cfg.n,
           "train": dataclasses.asdict(cfg.train), "rows": rows}
    (out / "ablation.json").write_text(json.dumps(doc, indent=1) + "\n")
    (out / "ablation.md").write_text(table_markdown(rows, cfg.benchmarks))
    return rows


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m magma_bench.trainer.ablation")
    p.add_argument("--out", default=AblationConfig.out)
    p.add_argument("--variants", default=",".join(VARIANTS))
    p.add_argument("--benchmarks", default=",".join(TABLE3_BENCHMARKS))
    p.add_argument("--n", type=int, default=60)
    p.add_argument("--steps", type=int, default=TrainConfig.steps)
    p.add_argument("--batch-size", type=int, default=TrainConfig.batch_size)
    p.add_argument("--threads", type=int, default=0)
    a = p.parse_args(argv)
    try:  # a bad budget is one line naming the field, as for `magma-bench ablation`
        budget = validate(TrainConfig, {"steps": a.steps, "batch_size": a.batch_size, "threads": a.threads},
                          "ablation flags")
    except UserError as e:
        print(f"error: {e}")
        return 2
    cfg = AblationConfig(out=a.out, variants=tuple(a.variants.split(",")), benchmarks=tuple(a.benchmarks.split(",")),
                         n=a.n, train=budget)
    rows = run_ablation(cfg)
    print(table_markdown(rows, cfg.benchmarks))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
