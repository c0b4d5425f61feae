"""Checks for ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target) -> y.

    y = r + γ (1 − terminated) Q_φ'(s', μ_θ'(s'))

DQN's max over actions is replaced by the target actor's action; the target is a constant
(no gradient). ``terminated`` is bool or 0/1 float, shape (B,); ``gamma`` a float or
per-sample discounts of shape (B,) (n-step transitions, and what qlab's replay buffer
hands the agent).
"""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.continuous import actor_and_critic
from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, as_array, call_text, close, \
    expect, fail, first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import carries_gradient, column_mistake
from qlab.rules import ddpg_critic_target as reference


def _target(next_value_of):
    def target(rewards, next_obs, terminated, gamma, actor_target, critic_target):
        with torch.no_grad():
            done = torch.as_tensor(terminated, dtype=rewards.dtype)
            return next_value_of(rewards, done, gamma, critic_target(next_obs, actor_target(next_obs)),
                                 lambda: critic_target(next_obs, torch.zeros_like(actor_target(next_obs))))
    return target


MISTAKES = {
    "it bootstraps from terminal next states: multiply γ Q'(s', μ'(s')) by (1 − terminated)":
        _target(lambda r, d, g, q, q0: r + g * q),
    "it masks the reward too: only the future term is multiplied by (1 − terminated); r always counts":
        _target(lambda r, d, g, q, q0: (1 - d) * (r + g * q)),
    "γ also discounts the reward: y = r + γ (1 − terminated) Q'(s', μ'(s')), not γ (r + …)":
        _target(lambda r, d, g, q, q0: g * (r + (1 - d) * q)),
    "the reward is missing: y = r + γ (1 − terminated) Q'(s', μ'(s'))":
        _target(lambda r, d, g, q, q0: g * (1 - d) * q),
    "it takes the max of Q' over the whole batch; each transition bootstraps from its own s' and μ'(s')":
        _target(lambda r, d, g, q, q0: r + g * (1 - d) * q.max()),
    "it averages Q' over the batch; each transition bootstraps from its own s' and μ'(s')":
        _target(lambda r, d, g, q, q0: r + g * (1 - d) * q.mean()),
    "the target actor is not used: the next action is μ'(s') = actor_target(next_obs)":
        _target(lambda r, d, g, q, q0: r + g * (1 - d) * q0()),
    "the future term has the wrong sign: y = r + γ (1 − terminated) Q'(s', μ'(s'))":
        _target(lambda r, d, g, q, q0: r - g * (1 - d) * q),
    "the terminal mask is inverted: (1 − terminated) keeps the future of NON-terminal transitions":
        _target(lambda r, d, g, q, q0: r + g * d * q),
}

NEXT_OBS = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 3.0, 1.0]], dtype=torch.float64)


def probe(label, rewards, terminated, gamma, seed):
    actor, critic = actor_and_critic(seed)
    return Probe(label, (torch.tensor(rewards, dtype=torch.float64), NEXT_OBS.clone(), terminated, gamma, actor, critic))


PROBES = [
    probe("a batch with one terminated transition", [1.0, -0.5, 2.0], torch.tensor([False, True, False]), 0.9, 0),
    probe("per-sample discounts (n-step)", [0.25, 1.5, -1.0], torch.tensor([False, False, False]),
          torch.tensor([0.9, 0.81, 0.729], dtype=torch.float64), 1),
    probe("0/1 float flags", [-1.0, 0.5, 0.75], torch.tensor([1.0, 0.0, 0.0], dtype=torch.float64), 0.5, 2),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)
NAMES = ("rewards", "next_obs", "terminated", "gamma", "actor_target", "critic_target")


def check_target(student, rewards, next_obs, terminated, gamma, actor, critic):
    args = (rewards, next_obs, terminated, gamma, actor, critic)
    saved = copy.deepcopy(args)
    expected = reference(*copy.deepcopy(args))
    example = call_text("ddpg_critic_target", args[:4] + ("actor_target", "critic_target"), NAMES).replace(
        "'actor_target'", "actor_target").replace("'critic_target'", "critic_target")
    returned = student(*args)
    # (a target that requires grad fails test_no_gradient_through_the_target alone: here only its values count)
    got = as_array(returned, "ddpg_critic_target")
    observed = f"{example} returned shape {got.shape}; expected (batch,) = {tuple(expected.shape)}"
    column = column_mistake(got.shape, len(rewards))
    if column:
        raise Mistake(f"{column}: the critic returns a (B, 1) column, squeeze it ({observed})")
    expect(got.shape == tuple(expected.shape), observed)
    for name, before, after in zip(NAMES, saved, args):
        if isinstance(before, torch.nn.Module):
            changed = any(not torch.equal(p, q) for p, q in zip(before.state_dict().values(), after.state_dict().values()))
        else:
            changed = isinstance(before, torch.Tensor) and not torch.equal(before, after)
        expect(not changed, f"{example} changed its input `{name}`; the target only reads its inputs")
    if not close(got, expected.numpy(), TORCH_PRECISION):
        fail(f"{example}: {first_difference(got, expected.numpy(), TORCH_PRECISION)}", student, DIFFERENTIAL)


@pytest.mark.public
def test_terminal_transitions_do_not_bootstrap(student):
    """y = r + γ Q'(s', μ'(s')) for ongoing transitions, y = r for terminated ones"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_per_sample_discounts(student):
    """gamma may be a tensor of per-sample discounts (B,), as the replay buffer hands the agent"""
    check_target(student, *PROBES[1].fresh())


@pytest.mark.public
def test_float_terminal_flags(student):
    """terminated may be bool or 0/1 floats"""
    check_target(student, *PROBES[2].fresh())


@pytest.mark.public
def test_no_gradient_through_the_target(student):
    """the target is a constant: no gradient flows through it, even from networks that require grad

    Only gradient flow is judged here (the values are the other checks' business); the rewards,
    as in the agent, do not require grad."""
    rewards, next_obs, terminated, gamma, actor, critic = PROBES[0].fresh()
    assert all(p.requires_grad for p in actor.parameters()) and not rewards.requires_grad
    returned = student(rewards, next_obs, terminated, gamma, actor, critic)
    if carries_gradient(returned):
        example = call_text("ddpg_critic_target", (rewards, next_obs, terminated, gamma), NAMES)
        raise Mistake(f"the target requires grad: compute it under torch.no_grad() (or .detach() it) — the critic "
                      f"regresses Q(s, a) on y, and no gradient may flow through y (in {example[:-1]}, actor_target, "
                      "critic_target) whose networks require grad)")


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 6), seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]),
       per_sample=st.booleans(), flags=st.sampled_from(["bool", "float"]))
def test_random_batches(student, batch, seed, dtype, per_sample, flags):
    """matches y = r + γ(1 − terminated) Q'(s', μ'(s')) on random batches (float32 and float64, batch 1)"""
    rng = np.random.default_rng(seed)
    actor, critic = actor_and_critic(seed, dtype=dtype)
    rewards = torch.as_tensor(rng.uniform(-5, 5, batch).round(2), dtype=dtype)
    next_obs = torch.as_tensor(rng.uniform(-3, 3, (batch, 3)).round(2), dtype=dtype)
    done = rng.random(batch) < 0.4
    terminated = torch.as_tensor(done) if flags == "bool" else torch.as_tensor(done, dtype=dtype)
    gamma = torch.as_tensor(0.99 ** rng.integers(1, 4, batch), dtype=dtype) if per_sample else float(rng.choice([0.0, 0.9, 0.99, 1.0]))
    check_target(student, rewards, next_obs, terminated, gamma, actor, critic)
