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

__all__ = ["TABLES", "find_runs", "group_by_configuration", "plot_learning_curves"]

TABLES = {  # table -> (column plotted, axis label)
    "eval": ("mean_return", "greedy evaluation return"),
    "episodes": ("episode_return", "training episode return"),
}
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


def plot_learning_curves(runs: list[Path], table: str = "eval", ax=None):
    """Plot each configuration's mean curve over its seeds, with a min–max band; returns the figure.

    Curves of runs that logged at different steps (training episodes end at different steps)
    are compared on a common grid of steps, by linear interpolation, up to the shortest run.
    """
    import matplotlib.pyplot as plt

    if table not in TABLES:
        raise ValueError(f"table must be one of {sorted(TABLES)}; got {table!r}")
    column, label = TABLES[table]
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4))
    for name, group in group_by_configuration(runs).items():
        curves = [_read_curve(run, table, column) for run in group]
        steps = np.unique(np.concatenate([s for s, _ in curves]))
        steps = steps[steps <= min(s[-1] for s, _ in curves)]
        values = np.stack([np.interp(steps, s, v) for s, v in curves])
        mean = values.mean(axis=0)
        line, = ax.plot(steps, mean, label=f"{name} ({len(group)} run{'s' if len(group) > 1 else ''})")
        if len(group) > 1:
            ax.fill_between(steps, values.min(axis=0), values.max(axis=0), color=line.get_color(), alpha=0.2)
    ax.set_xlabel("environment steps")
    ax.set_ylabel(label)
    ax.set_title("mean over runs; shaded: lowest to highest run")
    ax.legend()
    ax.figure.tight_layout()
    return ax.figure


def _is_run(path: Path) -> bool:
    return path.is_dir() and any((path / f"{table}.csv").is_file() for table in TABLES)


def _read_curve(run: Path, table: str, column: str) -> tuple[np.ndarray, np.ndarray]:
    path = run / f"{table}.csv"
    if not path.is_file():
        raise FileNotFoundError(f"{run} has no {table}.csv (was it trained with evaluations off?): "
                                "try the other table with --table")
    rows = read_csv(path)
    if not rows.get("step"):
        raise ValueError(f"{path} has no rows yet")
    return np.asarray(rows["step"]), np.asarray(rows[column])
