"""Learning curves that redraw in place while runs train, with a progress bar, in a notebook.

    curves = LiveCurves("DQN on CartPole-v1", total_steps=15_000, runs=["seed 1", "seed 2"], goal=475)
    for label in curves.runs:
        ...
        curves.progress(label, step)                  # every few hundred steps: the bar
        curves.add_point(label, step, mean_return)    # at each evaluation: the plot
    curves.finish()                                   # mean and spread over the runs

``groups`` ({setting: [run labels]}) compares settings: each group has its colour, and the
final figure shows each group's mean and spread.

Both are display handles updated in place (one figure and one bar per call, whatever the
number of updates): a static PNG and plain HTML, so it works in JupyterLab, in VS Code and in
a notebook executed by nbconvert or nbgrader, and writes nothing to stderr. Outside IPython it
collects the curves silently.
"""

from __future__ import annotations

import time

import matplotlib.pyplot as plt
import numpy as np

__all__ = ["LiveCurves", "plot_runs"]


def plot_runs(ax, curves: dict[str, tuple[list, list]], color=None, label=None, goal=None, individual=True) -> None:
    """Each run's curve (thin), their mean (thick) and min–max band, on ``ax``.

    ``curves`` maps a run label to (steps, values). A run that stopped early (solved) counts in
    the mean up to its last evaluation only: from there on the mean is over the runs still going.
    """
    finished = {k: v for k, v in curves.items() if len(v[0])}
    if not finished:
        return
    steps = max((np.asarray(s) for s, _ in finished.values()), key=len)
    padded = []
    for run_label, (s, v) in finished.items():
        if individual:
            ax.plot(s, v, color=color, alpha=0.35, linewidth=1)
        padded.append(np.concatenate([v, np.full(len(steps) - len(v), np.nan)]))
    padded = np.array(padded)
    ax.plot(steps, np.nanmean(padded, axis=0), color=color, linewidth=2.5, marker="." if len(steps) < 3 else None,
            label=label)
    if len(padded) > 1:
        ax.fill_between(steps, np.nanmin(padded, axis=0), np.nanmax(padded, axis=0), color=color or "C0", alpha=0.15)
    if goal is not None:
        ax.axhline(goal, color="grey", linestyle="--", linewidth=1)


def _mean_label(runs: list[str]) -> str:
    """``mean of 3 runs``; a single run is named as it is."""
    return runs[0] if len(runs) == 1 else f"mean of {len(runs)} runs"


class _NoDisplay:
    """Outside IPython ``display`` returns no handle: updates then go nowhere."""

    def update(self, obj) -> None:
        pass


class LiveCurves:
    """A figure of learning curves and a progress bar, both updated in place in the notebook."""

    def __init__(self, title: str, total_steps: int, runs: list[str], goal: float | None = None,
                 ylabel: str = "mean greedy return (10 episodes)", groups: dict[str, list[str]] | None = None,
                 ylim: tuple[float, float] | None = None, figsize=(7, 4)):
        from IPython.display import HTML, display

        self.title, self.total_steps, self.runs, self.goal, self.ylabel = title, total_steps, list(runs), goal, ylabel
        self.groups = groups or {_mean_label(self.runs): self.runs}
        self.color = {run: f"C{i}" for i, members in enumerate(self.groups.values()) for run in members}
        self.ylim, self.figsize = ylim, figsize
        self.curves: dict[str, tuple[list, list]] = {label: ([], []) for label in self.runs}
        self.start = time.perf_counter()
        self._HTML = HTML
        self.bar = display(HTML(self._bar_html(self.runs[0], 0)), display_id=True) or _NoDisplay()
        self.figure = display(self._draw(), display_id=True) or _NoDisplay()

    def progress(self, label: str, step: int) -> None:
        """Move the progress bar: run ``label`` is at ``step``."""
        self.bar.update(self._HTML(self._bar_html(label, step)))

    def add_point(self, label: str, step: int, value: float) -> None:
        """Append an evaluation to run ``label`` and redraw the figure."""
        steps, values = self.curves[label]
        steps.append(step)
        values.append(float(value))
        self.progress(label, step)
        self.figure.update(self._draw())

    def finish(self, summary: str = "") -> None:
        """The final figure: every run, their mean and their min–max band."""
        self.bar.update(self._HTML(self._bar_html(None, self.total_steps, summary)))
        self.figure.update(self._draw(final=True))

    def _draw(self, final: bool = False):
        """The figure, closed (so the notebook shows it only where it is displayed)."""
        fig, ax = plt.subplots(figsize=self.figsize)
        if final:
            for i, (name, members) in enumerate(self.groups.items()):
                plot_runs(ax, {run: self.curves[run] for run in members}, color=f"C{i}", label=name, goal=self.goal)
        else:
            single = len(self.groups) == 1
            for i, (label, (steps, values)) in enumerate(self.curves.items()):
                ax.plot(steps, values, color=f"C{i}" if single else self.color[label], marker=".", label=label)
            if self.goal is not None:
                ax.axhline(self.goal, color="grey", linestyle="--", linewidth=1)
        ax.set(title=self.title, xlabel="environment steps", ylabel=self.ylabel, xlim=(0, self.total_steps))
        if self.ylim is not None:
            ax.set_ylim(*self.ylim)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(loc="upper left", fontsize=8)
        fig.tight_layout()
        plt.close(fig)
        return fig

    def _bar_html(self, label: str | None, step: int, summary: str = "") -> str:
        elapsed = time.perf_counter() - self.start
        if label is None:
            text = f"done: {len(self.runs)} run{'' if len(self.runs) == 1 else 's'} in {elapsed:.0f} s. {summary}"
            done, total = 1, 1
        else:
            run = self.runs.index(label)
            done, total = run * self.total_steps + step, len(self.runs) * self.total_steps
            text = f"{label} (run {run + 1} of {len(self.runs)}): step {step:,} of {self.total_steps:,} · {elapsed:.0f} s"
        return (f'<div style="font-family: monospace"><progress value="{done}" max="{total}" '
                f'style="width: 40%"></progress> {text}</div>')
