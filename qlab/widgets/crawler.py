"""The crawler robot learning to walk, animated: the CS188 crawler demo in JupyterLab.

    from qlab.widgets import CrawlerWidget
    CrawlerWidget()                      # qlab's Q-learner, α 0.8, ε 0.5, γ 0.8
    CrawlerWidget(agent=QLearningAgent(117, 4, update=my_update, alpha=0.8, epsilon=0.5, gamma=0.8))
"""

from __future__ import annotations

from collections import deque

import ipywidgets as widgets
import numpy as np

from qlab.envs.crawler import Crawler, average_speed, render_rgb
from qlab.tabular.planning import value_iteration
from qlab.tabular.qlearning import QLearningAgent
from qlab.widgets.base import LearnerWidget, agent_summary, check_agent, png


class CrawlerWidget(LearnerWidget):
    """Q-learning on the crawler, live: the robot, the step count, the distance travelled, the
    100-step average velocity, and the speed of the current greedy gait against the best gait
    for the agent's γ (found by value iteration on the exact model).

    Args:
        env: a ``Crawler`` or a gymnasium wrapper around one (default: ``Crawler()``, no time limit).
        agent: anything with ``act``, ``observe``, ``Q`` (117, 4), ``alpha``, ``epsilon``, ``gamma``
            (default: ``QLearningAgent`` with the CS188 crawler's α 0.8, ε 0.5, γ 0.8).
        steps_per_tick: environment steps per Play tick (the speed).
    """

    def __init__(self, env=None, agent=None, *, seed: int | None = None, steps_per_tick: int = 1,
                 interval_ms: int = 100):
        env = Crawler() if env is None else env
        self.robot: Crawler = env.unwrapped
        if not isinstance(self.robot, Crawler):
            raise TypeError(f"env must be a qlab Crawler (or a wrapper around one); got {type(self.robot).__name__}")
        n_states, n_actions = self.robot.n_states, self.robot.n_actions
        if agent is None:
            agent = QLearningAgent(n_states, n_actions, alpha=0.8, epsilon=0.5, gamma=0.8, seed=seed)
        check_agent(agent, n_states, n_actions)
        super().__init__(env, agent, seed, steps_per_tick, interval_ms, max_steps_per_tick=1000)
        self.rewards: deque[float] = deque(maxlen=100)
        self._optimal_speeds: dict[float, float] = {}
        self.widget = widgets.VBox([self.image, self.status, self.controls()],
                                   layout=widgets.Layout(align_items="flex-start"))
        self.widget.add_class("qlab-crawler")
        self.refresh()

    def on_transition(self, state, action, reward, next_state, terminated, truncated, info) -> None:
        self.rewards.append(reward)

    def on_reset(self) -> None:
        self.rewards.clear()

    @property
    def velocity(self) -> float:
        """Average reward (forward motion) per step over the last 100 steps."""
        return float(np.mean(self.rewards)) if self.rewards else 0.0

    def greedy_speed(self) -> float:
        """Long-run speed of the greedy gait π(s) = argmax_a Q(s, a), from the start state."""
        return average_speed(self.robot, np.asarray(self.agent.Q).argmax(axis=1))

    def optimal_speed(self, gamma: float) -> float:
        """Speed of the gait that is optimal for discount γ (value iteration; cached per γ)."""
        gamma = round(float(gamma), 4)
        if gamma not in self._optimal_speeds:
            Q, _ = value_iteration(self.robot.P, self.robot.R, self.robot.terminal, gamma)
            self._optimal_speeds[gamma] = average_speed(self.robot, Q.argmax(axis=1))
        return self._optimal_speeds[gamma]

    def refresh(self) -> None:
        self.image.value = png(render_rgb(self.robot.state, self.robot.position))
        self.status.value = (
            f"step {self.t} · position {self.robot.position:.1f} · 100-step avg velocity {self.velocity:.2f} · "
            f"greedy gait {self.greedy_speed():.2f} (best for γ: {self.optimal_speed(self.agent.gamma):.2f}) · "
            f"{agent_summary(self.agent)}"
        )
