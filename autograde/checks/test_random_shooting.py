"""Checks for random_shooting(critic, obs, low, high, n_samples, rng) -> actions (B, act_dim).

For each state, N actions drawn uniformly in the box [low, high] with ``rng``, and the one
with the largest Q(s, a) returned. The answer is random, so the checks test properties, each
with its false-fail probability bounded in its docstring (every bound ≤ 1e-6); a message
states what was observed and what the rule requires, and names no mistake.
"""

import numpy as np
import pytest
import torch

from autograde.checks.continuous import HIGH, LOW, Critic, actions_of, outside_box, quadratic, states
from autograde.checks.diagnosis import Mistake, expect, number_pair
from qlab.continuous import QuadraticCritic


def shoot(student, obs, n_samples, rng, critic=None):
    critic = critic if critic is not None else quadratic()
    return actions_of(student(Critic(critic), obs, LOW.copy(), HIGH.copy(), n_samples, rng), "random_shooting",
                      obs.shape[0], obs.dtype)


def gaps(critic, obs, actions):
    """Q(s, best action in the box) − Q(s, a), per state."""
    return (critic(obs, critic.best_action(obs)) - critic(obs, actions.to(obs.dtype))).detach()


@pytest.mark.public
def test_one_action_per_state_inside_the_box(student):
    """one action per state, shape (B, act_dim), inside the box [low, high]"""
    obs = states(5)
    actions = shoot(student, obs, 50, np.random.default_rng(0))
    problem = outside_box(actions)
    expect(problem is None, f"random_shooting(critic, obs, low={LOW.tolist()}, high={HIGH.tolist()}, n_samples=50, rng): "
                            f"{problem}; sample uniformly in the box, low + (high − low) · u with u ~ U[0, 1)")


@pytest.mark.public
def test_keeps_the_best_sample(student):
    """keeps the sample with the largest Q(s, a): with 2000 samples it lands near the best action.

    A gap Q(s, a*) − Q(s, a) above 0.1 needs all 2000 samples outside the disc of radius
    √0.1 around a* (at least a quarter of it lies in the box: area ≥ π·0.1/4 of the box's 8):
    probability ≤ 8 · (1 − 0.0098)^2000 < 1e-7 for the 8 states.
    """
    obs, critic = states(8, seed=1), quadratic()
    actions = shoot(student, obs, 2000, np.random.default_rng(1), critic)
    gap = gaps(critic, obs, actions)
    worst = int(gap.argmax())
    if gap[worst] > 0.1:
        uniform = -critic(obs, torch.as_tensor(np.random.default_rng(2).uniform(LOW, HIGH, (8, 2)))).mean()
        got = critic(obs, actions)[worst].item()
        best = critic(obs, critic.best_action(obs))[worst].item()
        a, b = number_pair(got, best)
        lower = " — lower on average than uniformly random actions'" if -critic(obs, actions).mean() > uniform else ""
        raise Mistake(f"with 2000 samples, your action for state {worst} has Q(s, a) = {a}; the best action "
                      f"{[round(x, 3) for x in critic.best_action(obs)[worst].tolist()]} has Q = {b}{lower} (a Q gap "
                      f"above 0.1, which the best of 2000 uniform samples of the box has with probability < 1e-7)")


@pytest.mark.public
def test_randomness_comes_from_rng(student):
    """all randomness comes from rng: the same generator state gives the same actions, and rng is used"""
    obs = states(4)
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    first = shoot(student, obs, 30, rng)
    expect(rng.bit_generator.state != before,
           "random_shooting did not draw from `rng` (its state did not change): take every random number from "
           "the generator you are given (rng.random, rng.uniform), not np.random or a new generator")
    again = shoot(student, obs, 30, np.random.default_rng(5))
    expect(torch.equal(first, again), "called twice with generators in the same state, random_shooting returned "
                                      "different actions: take every random number from `rng`")


def test_samples_cover_the_whole_box(student):
    """the samples cover the whole box: where the best action is a corner, the best sample is near it.

    Q(s, a) = −‖a − (s_0, s_1)‖² on four states whose peaks lie beyond the four corners. The
    best of 2000 uniform samples is farther than 0.3 from a corner only if none falls in the
    quarter disc of radius 0.3 there (π·0.09/4 of the box's area 8): ≤ 4 · (1 − 0.0088)^2000 < 1e-7.
    """
    critic = QuadraticCritic(np.eye(2, 3), LOW, HIGH)
    obs = torch.tensor([[5.0, 5.0, 0.0], [-5.0, -5.0, 0.0], [5.0, -5.0, 0.0], [-5.0, 5.0, 0.0]], dtype=torch.float64)
    actions = shoot(student, obs, 2000, np.random.default_rng(3), critic)
    corners = critic.best_action(obs)
    distance = (actions - corners).norm(dim=1)
    worst = int(distance.argmax())
    expect(distance[worst] <= 0.3,
           f"the best action of state {obs[worst].tolist()} is the corner {corners[worst].tolist()} of the box; with "
           f"2000 samples your action is {[round(x, 3) for x in actions[worst].tolist()]}: sample uniformly in the "
           f"whole box [{LOW.tolist()}, {HIGH.tolist()}], low + (high − low) · u")


def test_one_state_or_many(student):
    """works for a single state (batch 1) and in float32"""
    for obs in (states(1), states(6).to(torch.float32)):
        actions = shoot(student, obs, 500, np.random.default_rng(4))
        expect(outside_box(actions) is None, f"with obs of shape {tuple(obs.shape)}: {outside_box(actions)}")
        gap = gaps(quadratic(), obs, actions)
        expect(gap.max() < 0.5, f"with obs of shape {tuple(obs.shape)} and dtype {obs.dtype}, the action of some "
                                f"state is far from its best (Q gap {gap.max().item():.3g})")
