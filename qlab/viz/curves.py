"""Learning curves from run folders: one curve per configuration, mean and spread over seeds.

    runs = find_runs(["runs/dqn_CartPole-v1_seed1", "runs/dqn_CartPole-v1_seed2", "runs/ddqn"])
    plot_learning_curves(runs, table="eval").savefig("curve.png")

A run folder is what ``python -m qlab train`` writes (``eval.csv``, ``episodes.csv``, ...).
Runs whose folder names differ only by ``seed<N>`` (and a ``-<k>`` repeat suffix) are seeds
of one configuration: they make one curve, their mean with a band from the lowest to the
highest seed.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from qlab.train.logging import read_csv

__all__ = ["TABLES", "find_runs", "group_by_configuration", "plot_learning_curves", "readable_runs"]

TABLES = {  # table -> (column plotted, axis label)
    "eval": ("mean_return", "greedy evaluation return"),
    "episodes": ("episode_return", "training episode return"),
}
MARKERS_UP_TO = 30  # curves of this many points or fewer show a marker at each point
_SEED = re.compile(r"_?seed\d+(-\d+)?$")


def find_runs(paths) -> list[Path]:
    """The run folders among ``paths``; a folder that is not a run itself stands for the runs
    directly inside it. Raises ``FileNotFoundError`` naming a path that holds no run."""
    runs = []
    for path in map(Path, paths):
        if _is_run(path):
            runs.append(path)
            continue
        inside = sorted(p for p in path.iterdir() if _is_run(p)) if path.is_dir() else []
        if not inside:
            raise FileNotFoundError(f"{path} is not a run folder (no eval.csv or episodes.csv in it or in "
                                    "its sub-folders): pass folders written by `python -m qlab train`")
        runs.extend(inside)
    return runs


def group_by_configuration(runs: list[Path]) -> dict[str, list[Path]]:
    """``{label: runs}``: the label is the folder name without its ``seed<N>`` part."""
    groups: dict[str, list[Path]] = {}
    for run in runs:
        groups.setdefault(_SEED.sub("", run.name) or run.name, []).append(run)
    return groups


def readable_runs(runs: list[Path], table: str = "eval") -> tuple[list[Path], dict[Path, str]]:
    """``(readable, skipped)``: the runs whose ``table`` can be plotted, and for each other run
    the reason it cannot (no such table, no rows yet, a damaged file)."""
    column = TABLES[table][0]
    readable, skipped = [], {}
    for run in runs:
        try:
            _read_curve(run, table, column)
        except (FileNotFoundError, ValueError) as error:
            skipped[run] = str(error)
        else:
            readable.append(run)
    return readable, skipped


def plot_learning_curves(runs: list[Path], table: str = "eval", ax=None):
    """Plot each configuration's mean curve over its seeds, with a min–max band; returns the figure.

    Curves of runs that logged at different steps (training episodes end at different steps)
    are compared on a common grid of steps, by linear interpolation. A run that stopped early
    (``--stop-at-return``) counts in the mean only up to its last step: from there on the curve
    is the mean of the runs still going, and the legend says how many stopped early.
    """
    import matplotlib.pyplot as plt

    if table not in TABLES:
        raise ValueError(f"table must be one of {sorted(TABLES)}; got {table!r}")
    column, label = TABLES[table]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name, group in group_by_configuration(runs).items():
        curves = [_read_curve(run, table, column) for run in group]
        steps, values = _on_common_steps(curves)
        mean = np.nanmean(values, axis=0)
        line, = ax.plot(steps, mean, marker="o" if len(steps) <= MARKERS_UP_TO else None, markersize=4,
                        label=_legend(name, curves, table))
        if len(group) > 1:
            ax.fill_between(steps, np.nanmin(values, axis=0), np.nanmax(values, axis=0), color=line.get_color(),
                            alpha=0.2)
    ax.set_xlabel("environment steps")
    ax.set_ylabel(label)
    ax.set_title("mean over the runs still going at each step; shaded: lowest to highest run")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def _on_common_steps(curves: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """``(steps, values)``: every step any run logged, and each run's curve interpolated on them
    (one row per run), NaN after the run's last step."""
    steps = np.unique(np.concatenate([s for s, _ in curves]))
    values = np.stack([np.where(steps <= s[-1], np.interp(steps, s, v), np.nan) for s, v in curves])
    return steps, values


def _legend(name: str, curves: list[tuple[np.ndarray, np.ndarray]], table: str) -> str:
    """``name (3 runs)``, and for evaluation curves how many of them stopped early (solved)."""
    text = f"{name} ({_count(len(curves), 'run')}"
    last = [s[-1] for s, _ in curves]
    early = sum(step < max(last) for step in last)
    if table == "eval" and early:
        text += f", {early} stopped early"
    return text + ")"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _is_run(path: Path) -> bool:
    return path.is_dir() and any((path / f"{table}.csv").is_file() for table in TABLES)


def _read_curve(run: Path, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    path = run / f"{table}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{run} has no {table}.csv (was it trained with evaluations off?): "
                                "try the other table with --table")
    try:
        rows = read_csv(path)
        steps, values = np.asarray(rows["step"]), np.asarray(rows[column])
    except (IndexError, KeyError, ValueError):
        raise ValueError(f"{path} cannot be read (a damaged or half-written file)") from None
    if not len(steps):
        raise ValueError(f"{path} has no rows yet")
    return steps, values
