"""Shared by the BridgeGrid and DiscountGrid questions: what the optimal policy does."""

from __future__ import annotations

import numbers

import numpy as np

from autograde.checks.diagnosis import Mistake, expect
from qlab.envs import GridWorld
from qlab.tabular.planning import greedy_policy, intended_path, value_iteration


def as_parameters(answer, names: tuple[str, ...], what: str, label: str = "") -> tuple[float, ...]:
    """``answer`` as a tuple of floats named ``names`` (a tuple, list or 1-d array of numbers),
    or a Mistake saying what is wrong with it; ``what`` names the answer in messages and
    ``label`` (e.g. "(c) ") says which one in the evidence."""
    shape = f"({', '.join(names)})"
    if isinstance(answer, np.ndarray) and answer.ndim == 1:
        answer = answer.tolist()
    expect(isinstance(answer, (tuple, list)) and len(answer) == len(names),
           f"{what} must be {len(names)} numbers {shape} ({label}it is {answer!r:.80})")
    for name, value in zip(names, answer):
        if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
            raise Mistake(f"{what}: {name} must be a number ({label}it is {value!r:.40})")
    values = tuple(float(v) for v in answer)
    for name, value in zip(names, values):
        expect(np.isfinite(value), f"{what}: {name} must be a finite number ({label}it is {value:g})")
        if name == "discount":
            expect(0.0 <= value < 1.0, f"{what}: the discount must be in [0, 1) ({label}it is {value:g})")
        if name == "noise":
            expect(0.0 <= value <= 1.0, f"{what}: the noise is a probability, in [0, 1] ({label}it is {value:g})")
    return values


def optimal_path(layout: str, discount: float, noise: float, living_reward: float = 0.0):
    """The cells the optimal policy walks through (no noise deflecting it), and the env."""
    env = GridWorld(layout, noise=noise, living_reward=living_reward)
    Q, _ = value_iteration(env.P, env.R, env.terminal, discount, tol=1e-10)
    return intended_path(env, greedy_policy(Q)), env


def describe(path, env) -> str:
    """What the path does, in words: which exit after how many moves, or none."""
    exit_value = env.layout.exits[path[-1]]
    if np.isnan(exit_value):
        return "never reaches an exit"
    moves = len(path) - 1
    return f"takes the {exit_value:+g} exit after {moves} move{'' if moves == 1 else 's'}"
