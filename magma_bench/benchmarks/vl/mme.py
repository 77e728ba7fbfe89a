"""MME (Fu et al., 2023): yes/no questions in pairs (one "Yes", one "No" per image), 10
perception and 4 cognition categories.

Official files: the original release folders, found anywhere under `--data-dir`
(`MME_Benchmark_release_version/<category>/` holding `<name>.txt` files of "question<TAB>answer"
lines beside the images, or `images/` + `questions_answers_YN/`; its `eval_tool/` is skipped), or
the lmms-lab/MME hub snapshot (`data/test-*.parquet`: question_id = `<category>/<image file>`,
question, answer Yes/No, category, image). The release has no per-question id: question_id names
an image's pair, so the official id is question_id, a TAB, and the question.

Parsing follows lmms-eval's `parse_pred_ans` (`parsers.yesno.opening_yes_no`; from Otter; the official eval_tool's rule plus
lower-casing, dropping "." and reading a lone "y"/"n"), which is what the Magma paper ran: an
exact "yes"/"no", else whichever of "yes" / "no" appears in the first four characters, "yes"
first. So a reply that names both options counts by its opening: "Yes or no?" is yes, "No, yes"
is no, "Not sure" is no ("no" in "not "), "Maybe yes" is no answer. Scoring follows lmms-eval
(pairs grouped by question_id): per category score = acc + acc+ (both questions of an image
right), each in percent; perception = sum over its categories (max 2000, the headline, as Magma
Table 7 reports), cognition likewise (max 800).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.benchmark import Benchmark, image_request
from magma_bench.benchmarks.vl._files import hub_rows
from magma_bench.data.cache import data_cache
from magma_bench.data.hf_files import materialize_image, read_text, record_context, require_fields
from magma_bench.errors import UserError
from magma_bench.metrics.declare import Mean
from magma_bench.metrics.declare_counts import AccPlusSum
from magma_bench.parsers.yesno import opening_yes_no
from magma_bench.types import AnswerSpace, Request, Sample

PERCEPTION = ("existence", "count", "position", "color", "posters", "celebrity", "scene", "landmark", "artwork",
              "OCR")
COGNITION = ("commonsense_reasoning", "numerical_calculation", "text_translation", "code_reasoning")
CATEGORIES = PERCEPTION + COGNITION
POST_PROMPT = "\nAnswer the question using a single word or phrase."
REPLACE = " Please answer yes or no."
IMAGE_EXTS = (".jpg", ".png", ".jpeg")
SKIP = {"eval_tool", "Your_Results", ".magma_cache"}  # the release's scorer and its example results


def category_dirs(data_dir: Path) -> dict[str, Path]:
    """The release's category folders anywhere under `data_dir` (MME_Benchmark_release_version/
    <category>/, holding `<name>.txt` + images or `questions_answers_YN/` + `images/`). Two
    folders for one category are refused: their questions would be read twice."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, _ in os.walk(data_dir):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIP)
        for d in dirnames:
            path = Path(dirpath) / d
            if d in CATEGORIES and (any(path.glob("*.txt")) or (path / "questions_answers_YN").is_dir()):
                if d in found:
                    raise UserError(f"{data_dir}: two MME folders for {d} ({found[d]}, {path}); point --data-dir "
                                    "at one release")
                found[d] = path
    return found


class MME(Benchmark):
    name = "mme"
    domain = "vl"
    default_n = 240
    headline_max = 2000.0  # perception: 10 categories x (acc + acc+), 100 each at most; the plot axis top
    # Per category acc + acc+ (pairs keyed by category and question_id, as lmms-eval groups them),
    # summed: perception (the headline) and cognition; plus plain accuracy over every question.
    metrics = (AccPlusSum("accuracy", category="category", image="question_id",
                          families=(("perception", PERCEPTION), ("cognition", COGNITION))),
               Mean("accuracy"))
    requires = ("datasets",)
    official_id = ("question_id + TAB + question: lmms-lab/MME's question_id (<category>/<image file>, the pair "
                   "key lmms-eval and LLaVA's MME scripts use) and the question as the release writes it, which "
                   "picks one of the pair (as the official eval_tool's image<TAB>question lines do)")

    def load(self, data_dir: Path, split: str) -> list[Sample]:
        data_dir = Path(data_dir)
        folders = category_dirs(data_dir)
        if folders:
            rows, where = self._original(folders), data_dir
        else:
            cache = data_cache(data_dir, "images")
            rows, where = [], data_dir
            found = hub_rows(data_dir, split, "the MME_Benchmark_release_version category folders "
                             f"({', '.join(CATEGORIES[:3])}, ...)", "lmms-lab/MME (data/test-*)")
            for i, r in enumerate(found, 1):
                with record_context(data_dir, i):
                    require_fields(r, ("question_id", "question", "answer", "category", "image"), f"{data_dir}: row {i}")
                    rows.append({**r, "image": str(materialize_image(r["image"], cache, f"mme{i}"))})
        samples, seen = [], {}
        for i, r in enumerate(rows, 1):
            with record_context(r.get("file", where), r.get("line", i)):
                ans = str(r["answer"]).lower().strip().replace(".", "")
                if ans not in ("yes", "no") or r["category"] not in CATEGORIES:
                    raise UserError(f"{r.get('file', where)}: {'line' if 'line' in r else 'row'} {r.get('line', i)}: "
                                    f"answer must be Yes/No and category one of the 14, got {r['answer']!r}, "
                                    f"{r['category']!r}")
                qid, question = str(r["question_id"]), str(r["question"]).strip()
                seen[qid] = seen.get(qid, 0) + 1
                samples.append(Sample(id=f"{qid}#{seen[qid]}", official_id=f"{qid}\t{question}", benchmark=self.name,
                                      inputs={"question": question, "image": str(r["image"])},
                                      target=ans, meta={"category": r["category"], "question_id": qid}))
        return samples

    @staticmethod
    def _original(folders: dict[str, Path]) -> list[dict[str, Any]]:
        rows = []
        for cat, d in folders.items():
            qa_dir, img_dir = (d / "questions_answers_YN", d / "images") if (d / "questions_answers_YN").is_dir() else (d, d)
            for txt in sorted(qa_dir.glob("*.txt")):
                pairs = []
                for j, line in enumerate(read_text(txt).splitlines(), 1):
                    if not line.strip():
                        continue
                    parts = line.rsplit("\t", 1)
                    if len(parts) != 2:
                        raise UserError(f"{txt}:{j}: expected 'question<TAB>answer'")
                    pairs.append((j, parts))
                image = next((img_dir / (txt.stem + e) for e in IMAGE_EXTS if (img_dir / (txt.stem + e)).exists()), None)
                if image is None:  # the release pairs every .txt with an image: the unpack is broken
                    raise UserError(f"{txt}: no image for it in {img_dir} (looked for {txt.stem}"
                                    f"{{{','.join(IMAGE_EXTS)}}})")
                rows.extend({"question_id": f"{cat}/{image.name}", "question": q, "answer": a, "category": cat,
                             "image": str(image), "file": txt, "line": j} for j, (q, a) in pairs)
        return rows

    def generate(self, out_dir: Path, n: int, seed: int) -> Path:
        """Original folder layout, one Yes and one No question per image, for the categories a
        generated scene supports: existence, count, position, color (perception), OCR and
        numerical_calculation (rendered text)."""
        from .offline.mme import GENERATORS

        rng = np.random.default_rng(seed)
        cats = list(GENERATORS)
        for i in range(max(1, n // 2)):
            cat = cats[i % len(cats)]
            (out_dir / cat).mkdir(parents=True, exist_ok=True)
            stem = f"{i:05d}"
            (yes_q, no_q) = GENERATORS[cat](rng, out_dir / cat / f"{stem}.png")
            (out_dir / cat / f"{stem}.txt").write_text(f"{yes_q}{REPLACE}\tYes\n{no_q}{REPLACE}\tNo\n")
        self.write_marker(out_dir, benchmark=self.name, n=n, seed=seed)
        return out_dir

    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        text = sample.inputs["question"].replace(REPLACE, "") + POST_PROMPT
        return image_request(
            sample.id, image, text, answer_space=AnswerSpace("yesno", ["yes", "no"]), max_new_tokens=16,
            reference=sample.target.capitalize(), heuristic="yes")

    def parse(self, text: str) -> str | None:
        return opening_yes_no(text) if isinstance(text, str) else None

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        return {"accuracy": float(parsed == sample.target)}
