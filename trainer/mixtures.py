"""Training data mixtures: YAML weights parsed into typed dataclasses, then sampled into examples.

A mixture names, per source (ui, robot, video, vl, suites), a weight, how many items to generate or load,
and optionally a real dataset on disk; plus the SoM/ToM switches. The paper's Table 3 variants
are mixtures (configs/mixtures/*.yaml). Unknown and duplicate keys are errors (nanoGPT #64,
lm-eval #4077): a typo must never silently fall back to a default.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from magma_bench.errors import UserError, did_you_mean
from magma_bench.trainer.data import SOURCES, Example

FORMATS = {"ui": ("generated", "screenspot", "seeclick"), "robot": ("generated", "rlds_npz", "rlds"),
           "video": ("generated", "files", "ssv2"), "vl": ("generated",), "suites": ("generated",)}


@dataclass
class SourceSpec:
    weight: float = 1.0  # share of the sampled examples (normalised over sources)
    n: int = 100  # items to generate (robot: episodes) or, for a real dataset, the most to load
    # generated | screenspot | seeclick (ui) | rlds_npz | rlds (robot) | files | ssv2 (video)
    format: str = "generated"
    # real data: suite dir (screenspot), JSON file (seeclick), demos dir (rlds_npz), an Open-X TFDS
    # dataset dir (rlds), video dir (files), labels JSON (ssv2)
    path: str | None = None
    images: str | None = None  # seeclick: image folder; ssv2: the .webm folder
    # robot, generated: the tabletop suite(s) whose expert records; a list splits n evenly (Open-X
    # mixes Bridge and Google-robot data the same way)
    task_suite: str | list[str] = "tabletop_bridge"
    benchmarks: list[str] | None = None  # suites: offline suites whose generators supply n samples each


@dataclass
class Phase:
    """A curriculum phase: until this fraction of the run's steps, draw with these source weights."""

    until: float
    weights: dict[str, float]


@dataclass
class Mixture:
    name: str  # variant name, e.g. "full" or "ui_only"
    sources: dict[str, SourceSpec]  # source -> spec; a source left out has weight 0
    som: bool = True  # Set-of-Mark marks and `Mark: k` targets on UI data and robot frames
    tom: bool = True  # Trace-of-Mark targets on video and robot clips
    total: int = 1000  # examples drawn for one pass over the mixture
    seed: int = 0  # generation and sampling seed
    phases: list[Phase] = dataclasses.field(default_factory=list)  # curriculum; after the last: `sources` weights

    def weights(self) -> dict[str, float]:
        w = {s: max(0.0, spec.weight) for s, spec in self.sources.items()}
        z = sum(w.values())
        if z <= 0:
            raise UserError(f"mixture {self.name!r}: all source weights are zero")
        return {s: v / z for s, v in w.items()}


def _typed(cls: type, d: Any, where: str) -> Any:
    if not isinstance(d, dict):
        raise UserError(f"{where}: expected a mapping, got {type(d).__name__}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for k in d:
        if k not in fields:
            raise UserError(f"{where}: unknown key {k!r}{did_you_mean(str(k), fields)}")
    out = {}
    for k, v in d.items():
        want = {"float": float, "int": int, "bool": bool, "str": str}.get(str(fields[k].type).split(" |")[0])
        if want is float and isinstance(v, int) and not isinstance(v, bool):
            v = float(v)
        if isinstance(v, list) and "list[str]" in str(fields[k].type) and v and all(isinstance(x, str) for x in v):
            want = None
        if want is not None and not (v is None and "None" in str(fields[k].type)) and (
                not isinstance(v, want) or (want is int and isinstance(v, bool))):
            raise UserError(f"{where}: {k} must be {want.__name__}, got {v!r}")
        out[k] = v
    return out


def parse_mixture(d: Any, where: str = "mixture") -> Mixture:
    top = _typed(Mixture, d, where) if isinstance(d, dict) and "sources" in d else None
    if top is None:
        raise UserError(f"{where}: a mixture needs a 'name' and a 'sources' mapping")
    raw = top.pop("sources")
    if not isinstance(raw, dict) or not raw:
        raise UserError(f"{where}: 'sources' must map source names to specs")
    specs = {}
    for s, spec in raw.items():
        if s not in SOURCES:
            raise UserError(f"{where}: unknown source {s!r}{did_you_mean(str(s), SOURCES)}; choose from "
                            f"{', '.join(SOURCES)}")
        sp = SourceSpec(**_typed(SourceSpec, spec or {}, f"{where}: sources.{s}"))
        if sp.format not in FORMATS[s]:
            raise UserError(f"{where}: sources.{s}.format {sp.format!r} not one of {', '.join(FORMATS[s])}")
        if sp.format != "generated" and not sp.path:
            raise UserError(f"{where}: sources.{s} has format {sp.format!r} but no path")
        if s == "suites" and (not isinstance(sp.benchmarks, list) or not sp.benchmarks
                              or not all(isinstance(b, str) for b in sp.benchmarks)):
            raise UserError(f"{where}: sources.suites needs a non-empty 'benchmarks' list of suite names")
        if sp.weight < 0 or sp.n < 0:
            raise UserError(f"{where}: sources.{s}: weight and n must be >= 0")
        specs[s] = sp
    if "name" not in top:
        raise UserError(f"{where}: missing 'name'")
    phases = _phases(top.pop("phases", None) or [], specs, where)
    mix = Mixture(sources=specs, phases=phases, **top)
    if sum(max(0.0, sp.weight) for sp in specs.values()) <= 0:
        raise UserError(f"{where}: all source weights are zero")
    return mix


def _phases(raw: Any, specs: dict[str, SourceSpec], where: str) -> list[Phase]:
    if not isinstance(raw, list):
        raise UserError(f"{where}: phases must be a list of {{until, weights}}")
    out: list[Phase] = []
    for i, ph in enumerate(raw):
        at = f"{where}: phases[{i}]"
        if not isinstance(ph, dict) or set(ph) != {"until", "weights"}:
            raise UserError(f"{at}: needs exactly 'until' (fraction of the steps) and 'weights' (source -> weight)")
        until, w = ph["until"], ph["weights"]
        if not isinstance(until, int | float) or isinstance(until, bool) or not 0 < until <= 1 or (
                out and until <= out[-1].until):
            raise UserError(f"{at}: until must be in (0, 1] and increase from phase to phase, got {until!r}")
        if not isinstance(w, dict) or not w or not all(isinstance(v, int | float) and v >= 0 for v in w.values()):
            raise UserError(f"{at}: weights must map sources to non-negative numbers")
        for src in w:
            if src not in specs or specs[src].weight <= 0 or specs[src].n == 0:
                raise UserError(f"{at}: source {src!r} is not an active source of this mixture (a phase draws from "
                                "the pools the sources build)")
        if sum(w.values()) <= 0:
            raise UserError(f"{at}: all weights are zero")
        out.append(Phase(float(until), {k: float(v) for k, v in w.items()}))
    return out


def phase_mixture(mix: Mixture, i: int) -> Mixture:
    """Phase i as a plain mixture (its weights over the same pools); i == len(phases): the main one."""
    if i >= len(mix.phases):
        return mix
    w = mix.phases[i].weights
    return dataclasses.replace(mix, phases=[], sources={
        s: dataclasses.replace(sp, weight=w.get(s, 0.0)) for s, sp in mix.sources.items()})


def load_mixture(path: str | Path) -> Mixture:
    from magma_bench.yaml_strict import load_yaml_strict

    path = Path(path)
    try:
        text = path.read_text()
    except OSError as e:
        raise UserError(f"{path}: cannot read mixture ({e})") from None
    return parse_mixture(load_yaml_strict(text, path), str(path))


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


def source_key(mix: Mixture, s: str) -> dict[str, Any]:
    """What one source's pool depends on: equal keys -> the cached pool can be reused (the Table 3
    variants share most sources). POOL_VERSION changes whenever a generator's output changes."""
    from magma_bench.trainer.sources import POOL_VERSION

    spec = {k: v for k, v in dataclasses.asdict(mix.sources[s]).items() if k != "weight"}
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
                                                mix.som, mix.seed, sp.n)
            else:
                suite = Path(sp.path) if sp.format == "screenspot" else src.generate_ui_suite(
                    out_dir / "ui_suite", sp.n, mix.seed + 7919)
                pools[s] = src.ui_from_screenspot(suite, out_dir, mix.som, mix.seed, sp.n)
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
            pools[s] = src.vl_source(out_dir, sp.n, mix.seed + 104729)
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
            "sources": {s: dataclasses.asdict(sp) for s, sp in mix.sources.items()}, "counts": counts(mix),
            "phases": [dataclasses.asdict(ph) for ph in mix.phases]}


__all__ = ["Mixture", "Phase", "SourceSpec", "phase_mixture", "active_sources", "build_pools", "counts", "describe", "load_mixture", "parse_mixture", "sample", "source_key"]
