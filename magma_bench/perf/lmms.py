"""`make perf`'s lmms_* figures: magma-bench and lmms-eval side by side on the same model and data.

Same model: the tiny Magma at checkpoints/magma-tiny when `make train` has written it, else a
seeded random tiny Magma saved once to a temporary folder (the figure `lmms_trained_checkpoint`
says which). Same data: magma-bench's generated POPE suite written once; magma-bench reads it
with its POPE loader, lmms-eval through a local task YAML over a JSON-lines copy of the same
samples that uses lmms-eval's own POPE prompt (`pope_doc_to_text`, the same text as ours) and
its own POPE scorer (`pope_process_results`: exact yes/no match). Same batch size, and both
decode the same budget (the bridge scales `max_new_tokens` as the magma adapter does).

Each pair runs magma-bench (`runner.run` with the `magma` adapter) then lmms-eval
(`simple_evaluate` with `--model magma_bench`, our bridge, by registry name) end to end in this
process: model load, data load, requests, generation, scoring, results; pairs alternate so drift
on a shared machine hits both sides alike, after one untimed pair that pays the imports. Figures are medians; `lmms_speedup_median` is the
median of the per-pair ratios lmms-eval seconds / magma-bench seconds (above 1: magma-bench is
faster). The answers of the last pair are compared sample by sample: raw text, then each
harness's own per-sample score (they differ where a reply is not exactly yes/no: POPE's official
rule, which magma-bench follows, reads "Yes, there is" as yes, lmms-eval's scorer does not).
The null-model overhead pairs magma-bench's `null` adapter with lmms-eval's `dummy` model.

lmms-eval lives in its own venv (`make test-lmms` builds .venv-lmms: it needs torchvision, which
does not import beside the main venv's torch). Where lmms_eval is not importable here but
.venv-lmms exists, the figures are measured there in a subprocess; where neither, `figures()`
raises MissingDependency and `make perf` prints one line saying so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

from magma_bench.errors import MissingDependency

REPO = Path(__file__).resolve().parents[2]
LMMS_PYTHON = REPO / ".venv-lmms" / "bin" / "python"
TRAINED = REPO / "checkpoints" / "magma-tiny"
TASK = "magma_bench_pope"
N, PAIRS, BATCH = 492, 3, 16  # POPE questions (164 per category), timed pairs, batch size
SUBPROCESS_TIMEOUT_S = 1800

UTILS = '''
"""POPE as lmms-eval scores it, over magma-bench's generated images (paths in the rows)."""
from PIL import Image

from lmms_eval.tasks.pope.utils import pope_aggregate_accuracy, pope_doc_to_text, pope_process_results


def doc_to_visual(doc):
    with Image.open(doc["image"]) as im:
        return [im.convert("RGB")]
'''

TASK_YAML = """
task: {task}
dataset_path: json
dataset_kwargs:
  data_files:
    test: {rows}
test_split: test
output_type: generate_until
doc_to_visual: !function magma_pope_utils.doc_to_visual
doc_to_text: !function magma_pope_utils.pope_doc_to_text
doc_to_target: answer
generation_kwargs:
  max_new_tokens: {max_new_tokens}
  until: []
  temperature: 0
  do_sample: false
process_results: !function magma_pope_utils.pope_process_results
metric_list:
  - metric: pope_accuracy
    aggregation: !function magma_pope_utils.pope_aggregate_accuracy
    higher_is_better: true
lmms_eval_specific_kwargs:
  default:
    pre_prompt: ""
    post_prompt: "\\nAnswer the question using a single word or phrase."
"""


def _checkpoint(tmp: Path) -> Path:
    if (TRAINED / "config.json").is_file():
        return TRAINED
    import torch

    from magma_bench.model import MagmaConfig, MagmaForCausalLM

    torch.manual_seed(0)
    path = tmp / "magma-tiny-random"
    MagmaForCausalLM(MagmaConfig.from_preset("tiny")).save_pretrained(path)
    return path


def _write_suite(tmp: Path, n: int) -> tuple[Path, Path, list[Any]]:
    """(magma-bench data dir, lmms-eval task dir, samples in row order)."""
    from magma_bench.registry import make_benchmark

    bench = make_benchmark("pope")
    data = tmp / "pope"
    data.mkdir()
    bench.generate(data, n, seed=0)
    samples = bench.load(data, "test")
    req = bench.request(samples[0])
    rows = tmp / "pope.jsonl"
    rows.write_text("".join(json.dumps({"question_id": s.id, "question": s.inputs["question"], "answer": s.target,
                                        "image": s.inputs["image"], "category": s.meta["category"]}) + "\n"
                            for s in samples))
    tasks = tmp / "tasks"
    tasks.mkdir()
    (tasks / "magma_pope_utils.py").write_text(UTILS)
    (tasks / f"{TASK}.yaml").write_text(TASK_YAML.format(task=TASK, rows=rows, max_new_tokens=req.max_new_tokens))
    return data, tasks, samples


def _magma_bench(data: Path, out: Path, adapter: str, adapter_args: dict[str, Any]) -> tuple[float, dict[str, Any]]:
    from magma_bench.run.evaluator import RunConfig
    from magma_bench.run.runner import run

    t0 = time.perf_counter()
    run(RunConfig(benchmark="pope", adapter=adapter, data_dir=data, out=out, batch_size=BATCH,
                  adapter_args=adapter_args))
    wall = time.perf_counter() - t0
    recs = [json.loads(x) for x in next(out.rglob("records.jsonl")).read_text().splitlines()]
    return wall, {r["id"]: r for r in recs}


def _lmms_eval(tasks: Path, model: str, model_args: str) -> tuple[float, list[dict[str, Any]]]:
    from lmms_eval.evaluator import simple_evaluate
    from lmms_eval.tasks import TaskManager

    t0 = time.perf_counter()
    res = simple_evaluate(model=model, model_args=model_args, batch_size=BATCH, tasks=[TASK],
                          task_manager=TaskManager(include_path=str(tasks), include_defaults=False),
                          bootstrap_iters=0, log_samples=True, verbosity="WARNING")
    wall = time.perf_counter() - t0
    return wall, sorted(res["samples"][TASK], key=lambda s: s["doc_id"])


def _compare(samples: list[Any], mb: dict[str, dict], le: list[dict[str, Any]]) -> dict[str, float]:
    """Raw answers and per-sample scores side by side. Equal answers can score differently: lmms-eval's
    POPE task is an exact match after lower/strip ("no." scores 0), magma-bench follows the official
    POPE script (the answer's first sentence, "no"/"not" in it means no). They agree on a model that
    answers a bare Yes/No (a trained checkpoint), not on a random-init one's free text."""
    if len(le) != len(samples) or set(mb) != {s.id for s in samples}:
        raise RuntimeError(f"lmms perf: {len(mb)} magma-bench records, {len(le)} lmms-eval samples, "
                           f"{len(samples)} questions")
    same_text = same_score = 0
    mb_acc = le_acc = 0.0
    for s, e in zip(samples, le, strict=True):
        r = mb[s.id]
        text = e["filtered_resps"][0]
        text = text[0] if isinstance(text, list) else text
        same_text += (r["prediction"] or "") == text
        a, b = float(r["scores"]["accuracy"]), float(e["pope_accuracy"]["score"])
        same_score += a == b
        mb_acc += a
        le_acc += b
    n = len(samples)
    return {"lmms_raw_answers_equal_frac": same_text / n, "lmms_scores_equal_frac": same_score / n,
            "lmms_accuracy_magma_bench": mb_acc / n, "lmms_accuracy_lmms_eval": le_acc / n}


def _pairs(pairs: int, mb: Any, le: Any) -> tuple[list[float], list[float], Any, Any]:
    """Interleaved timings (magma-bench first in each pair) and the last pair's outputs. One pair
    more runs first, untimed: it pays each side's one-off imports (lmms-eval's take seconds)."""
    t_mb, t_le, out_mb, out_le = [], [], None, None
    for k in range(-1, pairs):
        s, out_mb = mb(k)
        t_mb.append(s)
        s, out_le = le(k)
        t_le.append(s)
    return t_mb[1:], t_le[1:], out_mb, out_le


def measure(n: int = N, pairs: int = PAIRS) -> dict[str, float]:
    """The lmms_* figures, measured in this interpreter (lmms_eval must import here)."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
    with tempfile.TemporaryDirectory(prefix="perf-lmms-") as t:
        tmp = Path(t)
        os.environ["HF_DATASETS_CACHE"] = str(tmp / "hf-datasets")  # no json-dataset cache left behind
        ck = _checkpoint(tmp)
        data, tasks, samples = _write_suite(tmp, n)
        t_mb, t_le, mb, le = _pairs(
            pairs,
            lambda k: _magma_bench(data, tmp / f"mb{k}", "magma", {"checkpoint": str(ck)}),
            lambda k: _lmms_eval(tasks, "magma_bench", f"checkpoint={ck}"))
        figures = _compare(samples, mb, le)
        n_null, n_dummy, _, _ = _pairs(
            pairs,
            lambda k: _magma_bench(data, tmp / f"null{k}", "null", {}),
            lambda k: _lmms_eval(tasks, "dummy", "response=yes"))
    ratios = [b / a for a, b in zip(t_mb, t_le, strict=True)]
    null_ratios = [b / a for a, b in zip(n_null, n_dummy, strict=True)]
    med = statistics.median
    return {
        **figures,
        "lmms_samples": float(len(samples)), "lmms_pairs": float(pairs), "lmms_batch_size": float(BATCH),
        "lmms_trained_checkpoint": float(ck == TRAINED),
        "lmms_magma_bench_s": med(t_mb), "lmms_lmms_eval_s": med(t_le), "lmms_speedup_median": med(ratios),
        "lmms_null_magma_bench_s": med(n_null), "lmms_null_lmms_eval_s": med(n_dummy),
        "lmms_null_speedup_median": med(null_ratios),
        "lmms_null_overhead_ms_per_sample_magma_bench": 1000 * med(n_null) / len(samples),
        "lmms_null_overhead_ms_per_sample_lmms_eval": 1000 * med(n_dummy) / len(samples),
    }


def lmms_eval_here() -> bool:
    return importlib.util.find_spec("lmms_eval") is not None


def figures() -> dict[str, float]:
    """Entry point for magma_bench.perf.harness: in-process, or in .venv-lmms, or MissingDependency."""
    if lmms_eval_here():
        return measure()
    if not LMMS_PYTHON.exists():
        raise MissingDependency("lmms-eval is not installed here and .venv-lmms does not exist; "
                                "`make test-lmms` builds it, then `make perf` measures the lmms_* figures")
    with tempfile.TemporaryDirectory(prefix="perf-lmms-") as t:
        out = Path(t) / "figures.json"
        env = {**os.environ, "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1")}
        proc = subprocess.run([str(LMMS_PYTHON), "-m", "magma_bench.perf.lmms", "--json-out", str(out)],
                              cwd=REPO, env=env, capture_output=True, text=True, timeout=SUBPROCESS_TIMEOUT_S)
        if proc.returncode != 0 or not out.exists():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
            raise RuntimeError(f"lmms perf in .venv-lmms exited {proc.returncode}: {tail[0]}"[:300])
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=textwrap.dedent(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--json-out", type=Path, help="write the figures here (default: print them)")
    ap.add_argument("--n", type=int, default=N, help=f"POPE questions (default {N})")
    ap.add_argument("--pairs", type=int, default=PAIRS, help=f"interleaved pairs (default {PAIRS})")
    args = ap.parse_args(argv)
    if not lmms_eval_here():
        print("perf_lmms: lmms_eval is not importable in this interpreter; run it with .venv-lmms/bin/python",
              file=sys.stderr)
        return 2
    import torch

    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
    figs = measure(args.n, args.pairs)
    text = json.dumps(figs, indent=2, sort_keys=True) + "\n"
    if args.json_out:
        args.json_out.write_text(text)
    else:
        print(text, end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
