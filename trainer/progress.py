"""Training progress and metrics: one logger for the single-process and the DeepSpeed loops.

A training loop hands every metrics row to `TrainLogger.log` and every finished step to
`TrainLogger.advance`; the logger then
  - appends the row to `metrics.jsonl` (the file the tests, ablations and plots read; flushed per
    row so a SIGKILL loses at most the row being written),
  - shows a rich progress bar (step, loss, tok/s, ETA) when stdout is a terminal, and one plain
    line per row otherwise, so CI and Slurm logs stay greppable instead of filling with redraws,
  - optionally writes the numeric fields as TensorBoard scalars (`tensorboard_dir=`).

Resume: a run resumed at step S keeps the rows up to S and drops the ones after it (they came from
the interrupted tail and are about to be recomputed), so the file reads as one uninterrupted run.
A torn last line (a kill in the middle of a write) is dropped too.

Only rank 0 writes anything: in a data-parallel run the other ranks construct the same logger
(so every rank fails the same way on a missing package instead of rank 0 dying while the others
hang in a collective) and their calls are no-ops.

rich and tensorboard are imported only when used: `import magma_bench.trainer.progress` is cheap.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from magma_bench.errors import MissingDependency

ROW_KEYS = ("step", "loss", "lr", "grad_norm", "tokens", "tokens_per_s", "elapsed_s")  # what train.py writes


def _summary_writer() -> Any:
    """torch's SummaryWriter class, or a MissingDependency naming what to install."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except ImportError:  # torch raises ImportError itself when the tensorboard package is absent
        raise MissingDependency("tensorboard_dir is set but TensorBoard is not installed: pip install tensorboard"
                                ) from None
    return SummaryWriter


def kept_rows(metrics_path: Path, start_step: int) -> list[str]:
    """The JSONL lines of an earlier run to keep when resuming at `start_step` (none on a fresh
    start): rows with step <= start_step that parse; a torn line from a kill is dropped."""
    if not start_step or not metrics_path.is_file():
        return []
    keep = []
    for ln in metrics_path.read_text().splitlines():
        try:
            row = json.loads(ln)
        except json.JSONDecodeError:
            continue
        if isinstance(row, dict) and isinstance(row.get("step"), int) and row["step"] <= start_step:
            keep.append(ln)
    return keep


def _duration(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}h{s % 3600 // 60:02d}m" if s >= 3600 else f"{s // 60}m{s % 60:02d}s"


class TrainLogger:
    """Context manager: `with TrainLogger(out / "metrics.jsonl", cfg.steps, start) as log: ...`.

    `live=None` picks the rich bar when stdout is a terminal; pass True/False to force it.
    """

    def __init__(self, metrics_path: str | Path, total_steps: int, start_step: int = 0,
                 tensorboard_dir: str | Path | None = None, rank: int = 0, live: bool | None = None,
                 stream: TextIO | None = None) -> None:
        self.metrics_path, self.total, self.start = Path(metrics_path), total_steps, start_step
        self.rank, self.tensorboard_dir = rank, Path(tensorboard_dir) if tensorboard_dir else None
        self.stream = stream
        self.live = live
        self._writer_cls = _summary_writer() if self.tensorboard_dir else None  # fail before training starts
        self._file: TextIO | None = None
        self._tb: Any = None
        self._progress: Any = None
        self._task: Any = None
        self._t0 = 0.0
        self.step = start_step

    @property
    def active(self) -> bool:
        return self.rank == 0

    def __enter__(self) -> TrainLogger:
        if not self.active:
            return self
        out = self.stream or sys.stdout
        live = out.isatty() if self.live is None else self.live
        self.metrics_path.parent.mkdir(parents=True, exist_ok=True)
        kept = kept_rows(self.metrics_path, self.start)
        self.metrics_path.write_text("".join(ln + "\n" for ln in kept))
        self._file = self.metrics_path.open("a")
        if self._writer_cls is not None:
            # purge_step: TensorBoard hides the interrupted run's events after the resume step
            self._tb = self._writer_cls(log_dir=str(self.tensorboard_dir), purge_step=self.start or None)
        if live:
            self._start_bar(out)
        self._t0 = time.perf_counter()
        return self

    def _start_bar(self, out: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(TextColumn("[bold]train"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("loss {task.fields[loss]}"), TextColumn("{task.fields[rate]} tok/s"),
                                  TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
                                  console=Console(file=out))
        self._task = self._progress.add_task("train", total=self.total, completed=self.start, loss="-", rate="-")
        self._progress.start()

    def log(self, row: dict[str, Any]) -> None:
        """Append one metrics row (keys as in ROW_KEYS; extra keys are kept) and show it."""
        if not self.active:
            return
        if self._file is None:
            raise RuntimeError("TrainLogger.log outside its `with` block")
        self._file.write(json.dumps(row) + "\n")
        self._file.flush()
        step = int(row["step"])
        if self._tb is not None:
            for k, v in row.items():
                if k != "step" and isinstance(v, int | float) and not isinstance(v, bool):
                    self._tb.add_scalar(f"train/{k}", v, global_step=step)
            self._tb.flush()
        if self._progress is not None:
            self._progress.update(self._task, loss=f"{row.get('loss', float('nan')):.4f}",
                                  rate=f"{row.get('tokens_per_s', 0.0):.0f}")
        else:
            print(self._line(row, step), file=self.stream or sys.stdout, flush=True)

    def _line(self, row: dict[str, Any], step: int) -> str:
        parts = [f"step {step}/{self.total}"]
        if "loss" in row:
            parts.append(f"loss {row['loss']:.4f}")
        if "lr" in row:
            parts.append(f"lr {row['lr']:.2e}")
        if "tokens_per_s" in row:
            parts.append(f"{row['tokens_per_s']:.0f} tok/s")
        done = step - self.start
        if 0 < done and step < self.total:
            parts.append(f"eta {_duration((time.perf_counter() - self._t0) / done * (self.total - step))}")
        return " ".join(parts)

    def advance(self, step: int) -> None:
        """Mark optimizer step `step` (1-based: the number of steps done) finished."""
        self.step = step
        if self.active and self._progress is not None:
            self._progress.update(self._task, completed=step)

    def __exit__(self, *exc: Any) -> None:
        if not self.active:
            return
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
        if self._tb is not None:
            self._tb.close()
            self._tb = None
        if self._file is not None:
            self._file.close()
            self._file = None
