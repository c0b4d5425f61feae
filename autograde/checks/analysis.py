"""Shared by the BridgeGrid and DiscountGrid questions: what the optimal policy does."""

from __future__ import annotations

import numbers

import numpy as np

from autograde.checks.helpers import Mistake, expect
from qlab.envs import GridWorld
from qlab.tabular.planning import greedy_policy, intended_path, value_iteration


def as_parameters(answer, names: tuple[str, ...]) -> tuple[float, ...]:
    expect(isinstance(answer, (tuple, list)) and len(answer) == len(names),
           f"expected a tuple ({', '.join(names)}); got {answer!r}")
    for name, value in zip(names, answer):
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise Mistake(f"{name} must be a number; got {value!r}")
    values = tuple(float(v) for v in answer)
    for name, value in zip(names, values):
        if name == "discount":
            expect(0.0 <= value < 1.0, f"discount must be in [0, 1); got {value}")
        if name == "noise":
            expect(0.0 <= value <= 1.0, f"noise must be a probability in [0, 1]; got {value}")
    return values


def optimal_path(layout: str, discount: float, noise: float, living_reward: float = 0.0):
    """The cells the optimal policy walks through (no noise deflecting it), and the env."""
    env = GridWorld(layout, noise=noise, living_reward=living_reward)
    Q, _ = value_iteration(env.P, env.R, env.terminal, discount, tol=1e-10)
    return intended_path(env, greedy_policy(Q)), env


def describe(path, env) -> str:
    end = path[-1]
    exit_value = env.layout.exits[end]
    if np.isnan(exit_value):
        return "never reaches an exit"
    moves = len(path) - 1
    return f"takes the {exit_value:g} exit after {moves} move{'' if moves == 1 else 's'}"
