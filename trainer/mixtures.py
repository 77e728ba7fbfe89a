"""Training data mixtures: YAML weights parsed into typed (pydantic) dataclasses, then sampled into examples.

A mixture names, per source (ui, robot, video, vl, suites), a weight, how many items to generate or load,
and optionally a real dataset on disk; plus the SoM/ToM switches. The paper's Table 3 variants
are mixtures (configs/mixtures/*.yaml). Unknown and duplicate keys are errors (nanoGPT #64,
lm-eval #4077): a typo must never silently fall back to a default. Values are strict (`n: "5"`
and `som: 1` are errors, an int weight is a float), and an error is one line naming the file and
the field (`magma_bench.config`).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import ConfigDict, Field, Strict, StrictBool, StrictInt, StrictStr
from pydantic.dataclasses import dataclass

from magma_bench.config import KnownKeys, NoneIsEmptyDict, NoneIsEmptyList, expect, validate
from magma_bench.errors import UserError, did_you_mean
from magma_bench.trainer.data import SOURCES, Example

FORMATS = {"ui": ("generated", "screenspot", "seeclick"), "robot": ("generated", "rlds_npz", "rlds"),
           "video": ("generated", "files", "ssv2"), "vl": ("generated",), "suites": ("generated",)}
STRICT = ConfigDict(extra="forbid", allow_inf_nan=False)  # and each field a Strict type: no "5" for 5
Fraction = Annotated[float, Strict()]  # an int or a float, finite; not a bool, not text
Weight = Annotated[Fraction, Field(ge=0)]
Names = Annotated[list[StrictStr], Field(min_length=1)]


@dataclass(config=STRICT)
class SourceSpec(KnownKeys):
    weight: Weight = 1.0  # share of the sampled examples (normalised over sources)
    n: Annotated[StrictInt, Field(ge=0)] = 100  # items to generate (robot: episodes) or, for a real dataset, the most to load
    # generated | screenspot | seeclick (ui) | rlds_npz | rlds (robot) | files | ssv2 (video)
    format: StrictStr = "generated"
    # real data: suite dir (screenspot), JSON file (seeclick), demos dir (rlds_npz), an Open-X TFDS
    # dataset dir (rlds), video dir (files), labels JSON (ssv2)
    path: StrictStr | None = None
    images: StrictStr | None = None  # seeclick: image folder; ssv2: the .webm folder
    # robot, generated: the tabletop suite(s) whose expert records; a list splits n evenly (Open-X
    # mixes Bridge and Google-robot data the same way)
    task_suite: Annotated[StrictStr | Names, expect("a suite name or a non-empty list of names")] = "tabletop_bridge"
    benchmarks: Names | None = None  # suites: offline suites whose generators supply n samples each
    # vl: the question forms, cycled over the n examples (repeat a form to weight it); default
    # trainer/sources.py VL_QUESTIONS
    questions: Names | None = None
    # ui, in a SoM mixture: this share of the records is asked as without SoM (the plain screenshot,
    # a coordinate target), so the model also grounds where no marks are drawn (ScreenSpot's own form)
    plain_share: Annotated[Fraction, Field(ge=0, le=1)] = 0.0


@dataclass(config=STRICT)
class Phase(KnownKeys):
    """A curriculum phase: until this fraction of the run's steps, draw with these source weights."""

    until: Annotated[Fraction, Field(gt=0, le=1)]
    weights: Annotated[dict[StrictStr, Weight], Field(min_length=1)]
    # vl draws only these question forms in this phase (a subset of the vl source's `questions`):
    # the forms a small model must learn first (docs/training.md: checklists and presence)
    questions: Names | None = None

    def __post_init__(self) -> None:
        if sum(self.weights.values()) <= 0:
            raise ValueError("all weights are zero")


@dataclass(config=STRICT)
class Mixture(KnownKeys):
    name: StrictStr  # variant name, e.g. "full" or "ui_only"
    # source -> spec; a source left out has weight 0 (`ui:` with no value: the defaults)
    sources: Annotated[dict[StrictStr, Annotated[SourceSpec, NoneIsEmptyDict]], Field(min_length=1)]
    som: StrictBool = True  # Set-of-Mark marks and `Mark: k` targets on UI data and robot frames
    tom: StrictBool = True  # Trace-of-Mark targets on video and robot clips
    total: StrictInt = 1000  # examples drawn for one pass over the mixture
    seed: StrictInt = 0  # generation and sampling seed
    # curriculum; after the last: `sources` weights
    phases: Annotated[list[Phase], NoneIsEmptyList] = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        """What one field cannot say alone: each source's formats, and phases over active sources."""
        from magma_bench.trainer.sources import VL_FORMS, VL_QUESTIONS

        for s, sp in self.sources.items():
            if s not in SOURCES:
                raise ValueError(f"sources: unknown source {s!r}{did_you_mean(str(s), SOURCES)}; choose from "
                                 f"{', '.join(SOURCES)}")
            if sp.format not in FORMATS[s]:
                raise ValueError(f"sources.{s}.format {sp.format!r} not one of {', '.join(FORMATS[s])}")
            if sp.format != "generated" and not sp.path:
                raise ValueError(f"sources.{s} has format {sp.format!r} but no path")
            if s == "suites" and not sp.benchmarks:
                raise ValueError("sources.suites needs a non-empty 'benchmarks' list of suite names")
            if sp.plain_share and s != "ui":
                raise ValueError(f"sources.{s}: 'plain_share' is a ui source field")
            if sp.questions is not None:
                if s != "vl":
                    raise ValueError(f"sources.{s}: 'questions' is a vl source field")
                if bad := [q for q in sp.questions if q not in VL_FORMS]:
                    raise ValueError(f"sources.vl.questions: unknown form {bad[0]!r}; choose from {', '.join(VL_FORMS)}")
        if sum(sp.weight for sp in self.sources.values()) <= 0:
            raise ValueError("all source weights are zero")
        for i, ph in enumerate(self.phases):
            if i and ph.until <= self.phases[i - 1].until:
                raise ValueError(f"phases[{i}]: until must increase from phase to phase, got {ph.until!r}")
            for src in ph.weights:
                if src not in self.sources or self.sources[src].weight <= 0 or self.sources[src].n == 0:
                    raise ValueError(f"phases[{i}]: source {src!r} is not an active source of this mixture (a "
                                     "phase draws from the pools the sources build)")
            if ph.questions is not None:
                if "vl" not in ph.weights:
                    raise ValueError(f"phases[{i}]: 'questions' needs the vl source in the phase's weights")
                cycle = self.sources["vl"].questions or VL_QUESTIONS
                if missing := [q for q in ph.questions if q not in cycle]:
                    raise ValueError(f"phases[{i}].questions: {missing[0]!r} is not in the vl source's question "
                                     f"cycle ({', '.join(cycle)})")

    def weights(self) -> dict[str, float]:
        w = {s: max(0.0, spec.weight) for s, spec in self.sources.items()}
        z = sum(w.values())
        if z <= 0:
            raise UserError(f"mixture {self.name!r}: all source weights are zero")
        return {s: v / z for s, v in w.items()}


def parse_mixture(d: Any, where: str = "mixture") -> Mixture:
    """A mixture from parsed YAML/JSON; an invalid one is a UserError naming `where` and the field."""
    return validate(Mixture, d, where)


def phase_mixture(mix: Mixture, i: int) -> Mixture:
    """Phase i as a plain mixture (its weights over the same pools); i == len(phases): the main one."""
    if i >= len(mix.phases):
        return mix
    w = mix.phases[i].weights
    return dataclasses.replace(mix, phases=[], sources={
        s: dataclasses.replace(sp, weight=w.get(s, 0.0)) for s, sp in mix.sources.items()})


def phase_starts(mix: Mixture, steps: int) -> list[int]:
    """The optimizer step at which each phase after the first begins (phase i ends where entry i
    stands): the stream's phase boundaries and the learning-rate restarts both read these."""
    return [round(ph.until * steps) for ph in mix.phases]


def phase_pools(mix: Mixture, i: int, pools: dict[str, list[Example]]) -> dict[str, list[Example]]:
    """The pools phase i draws from: all of them, except that a phase naming `questions` keeps only
    the vl examples of those forms."""
    qs = mix.phases[i].questions if i < len(mix.phases) else None
    if not qs or "vl" not in pools:
        return pools
    return {**pools, "vl": [e for e in pools["vl"] if e.meta.get("question") in qs]}


def load_mixture(path: str | Path) -> Mixture:
    return parse_mixture(_mixture_mapping(Path(path), ()), str(path))


def _mixture_mapping(path: Path, seen: tuple[Path, ...]) -> Any:
    """The file's mapping with `extends: <file>` (a path relative to it) resolved: a variant states
    only what differs from its base, so the two cannot drift apart (Table 3's "w/o SoM+ToM" is the
    full mixture with two switches off). The variant's top-level keys replace the base's, except
    `sources`, where each named source's fields replace that source's fields in the base."""
    from magma_bench.yaml_strict import load_yaml_strict

    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read mixture ({e})") from None
    d = load_yaml_strict(text, path)
    if not isinstance(d, dict) or "extends" not in d:
        return d
    base_name = d.pop("extends")
    if not isinstance(base_name, str):
        raise UserError(f"{path}: extends: {base_name!r} is not valid; expected a mixture file name")
    base_path, chain = path.parent / base_name, (*seen, path.resolve())
    if base_path.resolve() in chain:
        raise UserError(f"{path}: extends {base_name!r} makes a cycle")
    base = _mixture_mapping(base_path, chain)
    if not isinstance(base, dict):
        raise UserError(f"{base_path}: the mixture that {path} extends is not a mapping")
    merged = {**base, **d}
    if isinstance(base.get("sources"), dict) and isinstance(d.get("sources"), dict):
        merged["sources"] = {**base["sources"]}
        for s, spec in d["sources"].items():
            old, new = base["sources"].get(s), spec
            both = isinstance(old, dict) and isinstance(new, dict)
            merged["sources"][s] = {**old, **new} if both else new
    return merged


def file_schema() -> dict[str, Any]:
    """The JSON schema of a mixture file, for editors: a whole mixture, or a variant that
    `extends:` another and gives any of its fields (what the base lacks is checked once merged)."""
    from magma_bench.config import json_schema

    whole = json_schema(Mixture)
    defs = whole.pop("$defs", {})
    variant = {"type": "object", "required": ["extends"], "additionalProperties": False,
               "properties": {"extends": {"type": "string", "description": "the base mixture file, relative to this one"},
                              **whole["properties"]}}
    return {"$defs": defs, "anyOf": [whole, variant]}


def counts(mix: Mixture) -> dict[str, int]:
    """Examples per source for one pass: weights x total, largest remainder, summing to total."""
    w = mix.weights()
    raw = {s: w[s] * mix.total for s in w}
    out = {s: int(np.floor(v)) for s, v in raw.items()}
    for s in sorted(raw, key=lambda s: (out[s] - raw[s], s))[: mix.total - sum(out.values())]:
        out[s] += 1
    return out


def sample(mix: Mixture, pools: dict[str, list[Example]], seed: int | None = None) -> list[Example]:
    """One shuffled pass: each source's count drawn from its pool (without replacement while the
    pool lasts, then cycling through fresh permutations)."""
    rng = np.random.default_rng(mix.seed if seed is None else seed)
    out: list[Example] = []
    for s, k in sorted(counts(mix).items()):
        pool = pools.get(s, [])
        if k and not pool:
            raise UserError(f"mixture {mix.name!r}: source {s!r} has weight but no examples")
        idx: list[int] = []
        while len(idx) < k:
            idx += rng.permutation(len(pool)).tolist()
        out += [pool[i] for i in idx[:k]]
    return [out[i] for i in rng.permutation(len(out))]


def active_sources(mix: Mixture) -> list[str]:
    return [s for s, sp in mix.sources.items() if sp.weight > 0 and sp.n > 0]


LATER_FIELDS = {"plain_share": 0.0}  # source fields added after pools and checkpoints were recorded


def spec_fields(sp: SourceSpec) -> dict[str, Any]:
    """A source's fields as recorded (pool keys, train_summary.json): one added later is left out at
    its default, so pools cached and checkpoints shipped before it existed still match."""
    return {k: v for k, v in dataclasses.asdict(sp).items() if not (k in LATER_FIELDS and v == LATER_FIELDS[k])}


def source_key(mix: Mixture, s: str) -> dict[str, Any]:
    """What one source's pool depends on: equal keys -> the cached pool can be reused (the Table 3
    variants share most sources). POOL_VERSION changes whenever a generator's output changes."""
    from magma_bench.trainer.sources import POOL_VERSION

    spec = {k: v for k, v in spec_fields(mix.sources[s]).items() if k != "weight"}
    return {"version": POOL_VERSION, "spec": spec, "seed": mix.seed,
            "som": mix.som if s in ("ui", "suites", "robot") else None, "tom": mix.tom if s in ("robot", "video") else None}


def build_pools(mix: Mixture, out_dir: Path, only: list[str] | None = None) -> dict[str, list[Example]]:
    """Examples per source with positive weight (or just the sources in `only`): loaded from real
    data or generated. Not cached here: trainer.train.load_pools caches them per source."""
    from magma_bench.trainer import sources as src

    out_dir = Path(out_dir)
    pools: dict[str, list[Example]] = {}
    for s, sp in mix.sources.items():
        if s not in active_sources(mix) or (only is not None and s not in only):
            continue
        if s == "ui":
            if sp.format == "seeclick":
                pools[s] = src.ui_from_seeclick(Path(sp.path), Path(sp.images or Path(sp.path).parent), out_dir,
                                                mix.som, mix.seed, sp.n, sp.plain_share)
            else:
                suite = Path(sp.path) if sp.format == "screenspot" else src.generate_ui_suite(
                    out_dir / "ui_suite", sp.n, mix.seed + 7919)
                pools[s] = src.ui_from_screenspot(suite, out_dir, mix.som, mix.seed, sp.n, sp.plain_share)
        elif s == "robot" and sp.format == "rlds":
            from magma_bench.trainer.open_x import read_episodes

            pools[s] = src.robot_from_episodes(read_episodes(Path(sp.path), limit=sp.n), out_dir, mix.tom, mix.seed,
                                               use_som=mix.som)
        elif s == "robot":
            demos = [Path(sp.path)] if sp.format == "rlds_npz" else _generate_demos(sp, out_dir / "demos", mix.seed)
            pools[s] = [e for d in demos for e in src.robot_from_demos(d, out_dir, mix.tom, mix.seed, use_som=mix.som)]
        elif s == "suites":
            pools[s] = src.suites_source(list(sp.benchmarks or []), out_dir, sp.n, mix.seed, mix.som)
        elif s == "video" and sp.format != "generated":
            from magma_bench.trainer import video_files as vf

            items = vf.list_files(Path(sp.path)) if sp.format == "files" else vf.list_ssv2(
                Path(sp.path), Path(sp.images) if sp.images else None)
            pools[s] = vf.video_from_files(items, out_dir, sp.n, mix.seed, mix.tom, where=f"sources.video ({sp.path})")
        elif s == "video":
            pools[s] = src.video_source(out_dir, sp.n, mix.seed, mix.tom)
        else:
            pools[s] = src.vl_source(out_dir, sp.n, mix.seed + 104729, questions=sp.questions)
    return pools


def _generate_demos(sp: SourceSpec, out: Path, seed: int) -> list[Path]:
    """Expert demonstrations per task suite: one suite writes into `out`, several into out/<suite>,
    n split evenly (the first suites take the remainder)."""
    from magma_bench.benchmarks.robotics.demos import write_demonstrations
    from magma_bench.registry import make_benchmark

    if isinstance(sp.task_suite, str):
        return [write_demonstrations(make_benchmark(sp.task_suite), out, sp.n, seed + 15485863)]
    k = len(sp.task_suite)
    return [write_demonstrations(make_benchmark(name), out / name, sp.n // k + (i < sp.n % k), seed + 15485863)
            for i, name in enumerate(sp.task_suite)]


def describe(mix: Mixture) -> dict[str, Any]:
    return {"name": mix.name, "som": mix.som, "tom": mix.tom, "total": mix.total, "seed": mix.seed,
            "sources": {s: spec_fields(sp) for s, sp in mix.sources.items()}, "counts": counts(mix),
            "phases": [dataclasses.asdict(ph) for ph in mix.phases]}


__all__ = ["Mixture", "Phase", "SourceSpec", "phase_mixture", "active_sources", "build_pools", "counts", "describe", "file_schema", "load_mixture", "parse_mixture", "phase_pools", "sample", "source_key"]
