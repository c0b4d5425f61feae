"""Tabular Q-learning: the update, ε-greedy exploration, schedules, and an agent to run them.

The agent takes the update and exploration rules as plain functions, so a notebook can
hand it the student's own.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from qlab.schedules import linear_schedule

__all__ = ["QLearningAgent", "epsilon_greedy", "linear_schedule", "q_learning_update"]


def q_learning_update(Q: np.ndarray, state: int, action: int, reward: float, next_state: int,
                      terminated: bool, truncated: bool, alpha: float, gamma: float) -> np.ndarray:
    """Q(s, a) ← Q(s, a) + α [ r + γ (1 − terminated) max_a' Q(s', a') − Q(s, a) ].

    A truncated step (time limit) still bootstraps: only ``terminated`` means no future.
    Updates ``Q`` in place and returns it.
    """
    target = reward if terminated else reward + gamma * np.max(Q[next_state])
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def epsilon_greedy(q_values: np.ndarray, epsilon: float, rng: np.random.Generator) -> int:
    """With probability ε a uniformly random action (any action, the greedy ones included),
    otherwise a greedy action, ties broken uniformly at random."""
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    best = np.flatnonzero(q_values == np.max(q_values))
    return int(rng.choice(best))


class QLearningAgent:
    """An ε-greedy tabular Q-learner.

    ``alpha`` is a constant step size or ``"visits"`` for α = 1 / N(s, a), a schedule that
    meets the Robbins–Monro conditions (Σ α = ∞, Σ α² < ∞). ``epsilon`` and ``alpha`` may
    be changed at any time (the widgets do).
    """

    def __init__(self, n_states: int, n_actions: int, alpha: float | str = 0.5, epsilon: float = 0.3,
                 gamma: float = 0.9, update: Callable = q_learning_update, explore: Callable = epsilon_greedy,
                 seed: int | None = None):
        self.Q = np.zeros((n_states, n_actions))
        self.visits = np.zeros((n_states, n_actions), dtype=np.int64)
        self.alpha, self.epsilon, self.gamma = alpha, epsilon, gamma
        self.update_rule, self.explore_rule = update, explore
        self.rng = np.random.default_rng(seed)

    def act(self, state: int) -> int:
        return int(self.explore_rule(self.Q[state], self.epsilon, self.rng))

    def step_size(self, state: int, action: int) -> float:
        return 1.0 / self.visits[state, action] if self.alpha == "visits" else float(self.alpha)

    def observe(self, state, action, reward, next_state, terminated, truncated) -> None:
        self.visits[state, action] += 1
        Q = self.update_rule(self.Q, state, action, reward, next_state, terminated, truncated,
                             self.step_size(state, action), self.gamma)
        if Q is not None:
            self.Q = Q

    def reset(self) -> None:
        self.Q[:] = 0.0
        self.visits[:] = 0
