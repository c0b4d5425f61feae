"""The soft-optimal policy of a GridWorld under a temperature slider: move α and watch the
Boltzmann policy π(a|s) ∝ exp(Q(s, a)/α) of soft Q-iteration spread over the routes.

    from qlab.envs import GridWorld
    from qlab.widgets import SoftPolicyWidget
    SoftPolicyWidget(GridWorld("BookGrid", noise=0.0), gamma=0.9, soft_value=my_soft_value)
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from qlab.envs.gridworld import GridWorld
from qlab.tabular.soft import boltzmann_policy, exit_probabilities, soft_q_iteration, soft_state_values
from qlab.viz.gridworld import render_policy_probabilities
from qlab.widgets.base import SLIDER_LAYOUT, png


class SoftPolicyWidget:
    """Soft Q-iteration on ``env`` for the temperature the slider shows, redrawn as it moves.

    Args:
        env: a ``GridWorld`` (or a wrapper around one).
        gamma: the discount.
        soft_value: ``soft_value(q_values, alpha) -> v`` (torch, last axis the actions); default
            :func:`qlab.soft.soft_value`.
        alpha: the first temperature; the slider spans ``alpha_range`` on a log scale.

    ``set_alpha(alpha)`` and ``set_noise(noise)`` are what the sliders call; ``Q``, ``policy`` and
    ``exits`` (the probability of ending at each exit from the start) hold the current solution.
    """

    def __init__(self, env=None, gamma: float = 0.9, soft_value=None, alpha: float = 0.01,
                 alpha_range: tuple[float, float] = (1e-3, 1.0), cell: int = 80):
        env = GridWorld("BookGrid", noise=0.0) if env is None else env
        self.grid: GridWorld = getattr(env, "unwrapped", env)
        if not isinstance(self.grid, GridWorld):
            raise TypeError(f"env must be a qlab GridWorld (or a wrapper around one); got {type(self.grid).__name__}")
        low, high = alpha_range
        if not 0 < low <= alpha <= high:
            raise ValueError(f"need 0 < alpha_range[0] <= alpha <= alpha_range[1], got {alpha} and {alpha_range}")
        self.gamma, self.soft_value, self.cell = gamma, soft_value, cell
        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self.alpha = widgets.FloatLogSlider(value=alpha, base=10, min=np.log10(low), max=np.log10(high), step=0.05,
                                            description="temperature α", readout_format=".3f", layout=SLIDER_LAYOUT,
                                            style={"description_width": "initial"}, continuous_update=False)
        self.alpha.observe(lambda change: self.set_alpha(change["new"]), names="value")
        self.noise = widgets.FloatSlider(value=self.grid.noise, min=0.0, max=0.5, step=0.05, description="noise",
                                         layout=SLIDER_LAYOUT, continuous_update=False)
        self.noise.observe(lambda change: self.set_noise(change["new"]), names="value")
        self.widget = widgets.VBox([self.image, widgets.HBox([self.alpha, self.noise]), self.status])
        self.widget.add_class("qlab-soft-policy")
        self.refresh()

    def set_alpha(self, alpha: float) -> None:
        if self.alpha.value != alpha:
            self.alpha.value = alpha      # the slider's observer calls back here
            return
        self.refresh()

    def set_noise(self, noise: float) -> None:
        self.grid.noise = noise
        if self.noise.value != noise:
            self.noise.value = noise
            return
        self.refresh()

    def refresh(self) -> None:
        alpha = float(self.alpha.value)
        self.Q, deltas = soft_q_iteration(self.grid.P, self.grid.R, self.grid.terminal, self.gamma, alpha,
                                          self.soft_value)
        self.policy = boltzmann_policy(self.Q, alpha, self.soft_value)
        values = soft_state_values(self.Q, alpha, self.soft_value)
        self.exits = exit_probabilities(self.grid, self.policy)
        self.image.value = png(render_policy_probabilities(self.grid, self.policy, values, cell=self.cell))
        start = self.policy[self.grid.start_state]
        entropy = -np.sum(start[start > 0] * np.log(start[start > 0]))
        ends = ", ".join(f"{self.grid.layout.exits[cell]:g} at {cell}: {p:.0%}" for cell, p in self.exits.items())
        wandering = 1.0 - sum(self.exits.values())
        self.status.value = (f"α = {alpha:.3f}: soft Q-iteration converged in {len(deltas)} backups; "
                             f"entropy of π at the start {entropy:.2f} nats (uniform: {np.log(4):.2f}).<br>"
                             f"Episodes from the start end at {ends}"
                             + (f"; still wandering after 1000 moves: {wandering:.0%}" if wandering > 0.005 else ""))

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
