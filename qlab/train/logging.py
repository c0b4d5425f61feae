"""Run logs: one CSV file per table (episodes, train, eval) and, optionally, TensorBoard.

Every row starts with the environment step. A resumed run first drops the rows written
after the checkpoint's step, so the files read exactly as if the run had never stopped.
Wall-clock quantities (steps per second) go to TensorBoard and the progress bar only, so
the CSV files of a run are reproducible.
"""

from __future__ import annotations

import csv
from pathlib import Path

__all__ = ["RunLogger", "read_csv"]


class RunLogger:
    """``log("eval", step, mean_return=...)`` appends a row to ``<out>/eval.csv``."""

    def __init__(self, out_dir: str | Path, tensorboard: bool = True, resume_step: int | None = None):
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        if resume_step is not None:
            for path in self.out_dir.glob("*.csv"):
                _drop_rows_after(path, resume_step)
        self._files: dict[str, tuple] = {}
        self.writer = None
        if tensorboard:
            from torch.utils.tensorboard import SummaryWriter

            self.writer = SummaryWriter(str(self.out_dir / "tb"), purge_step=resume_step)

    def log(self, table: str, step: int, **values: float) -> None:
        if table not in self._files:
            path = self.out_dir / f"{table}.csv"
            is_new = not path.exists() or path.stat().st_size == 0
            handle = open(path, "a", newline="")
            writer = csv.writer(handle)
            if is_new:
                writer.writerow(["step", *values])
            self._files[table] = (handle, writer)
        self._files[table][1].writerow([step, *values.values()])
        if self.writer is not None:
            for key, value in values.items():
                self.writer.add_scalar(f"{table}/{key}", value, step)

    def scalar(self, tag: str, value: float, step: int) -> None:
        """TensorBoard only (e.g. steps per second, which differ from run to run)."""
        if self.writer is not None:
            self.writer.add_scalar(tag, value, step)

    def flush(self) -> None:
        for handle, _ in self._files.values():
            handle.flush()
        if self.writer is not None:
            self.writer.flush()

    def close(self) -> None:
        for handle, _ in self._files.values():
            handle.close()
        self._files.clear()
        if self.writer is not None:
            self.writer.close()


def _drop_rows_after(path: Path, step: int) -> None:
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    kept = rows[:1] + [row for row in rows[1:] if int(row[0]) <= step]
    with open(path, "w", newline="") as handle:
        csv.writer(handle).writerows(kept)


def read_csv(path: str | Path) -> dict[str, list[float]]:
    """A log table as ``{column: [values...]}`` (for plots and tests)."""
    with open(path, newline="") as handle:
        rows = list(csv.reader(handle))
    header, body = rows[0], rows[1:]
    return {name: [float(row[i]) for row in body] for i, name in enumerate(header)}
