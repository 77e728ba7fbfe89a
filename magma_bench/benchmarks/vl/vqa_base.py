"""What the short-answer VL benchmarks share (VQAv2, TextVQA, GQA, ChartQA, DocVQA): one image,
a question plus the lmms-eval post-prompt, free-text answer, a per-sample metric (VQA accuracy
by default; subclasses override `score`), per-type sub-metrics.

The answer space for the `random` baseline is the set of majority answers of the loaded split,
per answer type when the data has types, so random sits at chance for each question type.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, ClassVar

from magma_bench.benchmark import Benchmark, image_request
from magma_bench.metrics.declare import Mean, Metric, per_class, standard_metrics
from magma_bench.metrics.vqa import NORMALIZERS, vqa_accuracy
from magma_bench.parsers.text import nonblank
from magma_bench.types import AnswerSpace, Request, Sample

POST_PROMPT = "\nAnswer the question using a single word or phrase."


def majority(answers: Sequence[str], style: str) -> str:
    """The most frequent answer after normalisation (first seen on ties), in its first raw form."""
    norm = NORMALIZERS[style]
    keys = [norm(a) for a in answers]
    best = Counter(keys).most_common(1)[0][0]
    return answers[keys.index(best)]


class VQABase(Benchmark):
    domain = "vl"
    style: ClassVar[str] = "vqav2"
    type_key: ClassVar[str] = "answer_type"
    post_prompt: ClassVar[str] = POST_PROMPT
    max_new_tokens: ClassVar[int] = 16

    @per_class
    def metrics(cls) -> tuple[Metric, ...]:
        """The standard declaration, plus the mean per question type (`<type_key>/<type>`) for the
        records whose data set one."""
        return (*standard_metrics(cls.headline_key, cls.group_key),
                Mean(cls.headline_key, by=f"{cls.type_key}/{{{cls.type_key}}}", skip_unset=True))

    def __init__(self, **args: Any) -> None:
        super().__init__(**args)
        self._vocab: dict[str, list[str]] = {}

    def remember_vocab(self, samples: list[Sample]) -> list[Sample]:
        by: dict[str, set[str]] = {}
        for s in samples:
            by.setdefault(str(s.meta.get(self.type_key)), set()).add(s.meta["majority"])
        self._vocab = {k: sorted(v) for k, v in by.items()}
        return samples

    def question_text(self, sample: Sample) -> str:
        return sample.inputs["question"]

    def request(self, sample: Sample) -> Request:
        image = sample.inputs["image"]
        text = self.question_text(sample) + self.post_prompt
        vocab = self._vocab.get(str(sample.meta.get(self.type_key)), [])
        return image_request(
            sample.id, image, text, answer_space=AnswerSpace("text", vocab), max_new_tokens=self.max_new_tokens,
            reference=sample.meta["majority"], heuristic=sample.inputs.get("heuristic"))

    def parse(self, text: str) -> str | None:
        return nonblank(text)

    def score(self, sample: Sample, parsed: Any) -> dict[str, float]:
        if not isinstance(parsed, str):
            return {"accuracy": 0.0}
        return {"accuracy": vqa_accuracy(parsed, sample.target, self.style)}
