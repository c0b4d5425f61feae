"""Checks for dqn_target(rewards, next_q_target, terminated, gamma) -> y.

    y = r + γ (1 − terminated) max_a' Q_target(s', a')

rewards and terminated (0/1 floats) have shape (B,), next_q_target shape (B, |A|); gamma is a
float or per-sample discounts of shape (B,). y has shape (B,), lives where the inputs live and
carries no gradient: it is the constant the online network regresses on.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, fail, \
    first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import carries_gradient, devices, inputs_unchanged, tensor_answer
from qlab.rules import dqn_target as reference


def _target(bootstrap):
    def target(rewards, next_q_target, terminated, gamma):
        return bootstrap(rewards, next_q_target.detach(), terminated, gamma)
    return target


def _max(q):
    return q.max(dim=1).values


MISTAKES = {
    "it bootstraps from terminal next states: multiply the bootstrap term by (1 − terminated)":
        _target(lambda r, q, d, g: r + g * _max(q)),
    "the terminal mask is inverted: (1 − terminated) keeps the bootstrap term of the non-terminal steps, "
    "`terminated` alone keeps it only where the episode ended":
        _target(lambda r, q, d, g: r + g * d * _max(q)),
    "it takes the argmax (an action index) instead of the max (a value): use .max(dim=1).values":
        _target(lambda r, q, d, g: r + g * (1 - d) * q.argmax(dim=1).to(r.dtype)),
    "it averages Q_target(s', ·) over the actions; the DQN target takes the max":
        _target(lambda r, q, d, g: r + g * (1 - d) * q.mean(dim=1)),
    "it takes the min over the next actions; the DQN target takes the max":
        _target(lambda r, q, d, g: r + g * (1 - d) * q.min(dim=1).values),
    "it sums Q_target(s', ·) over the actions; the DQN target takes the max":
        _target(lambda r, q, d, g: r + g * (1 - d) * q.sum(dim=1)),
    "γ also discounts the reward: the target is r + γ max_a' Q_target(s', a'), not γ (r + …)":
        _target(lambda r, q, d, g: g * (r + (1 - d) * _max(q))),
    "the terminal mask also removes the reward: a terminal step's target is r, not 0; "
    "mask only the bootstrap term":
        _target(lambda r, q, d, g: (1 - d) * (r + g * _max(q))),
    "it forgets γ: the bootstrap term is γ (1 − terminated) max_a' Q_target(s', a')":
        _target(lambda r, q, d, g: r + (1 - d) * _max(q)),
    "it discounts with (1 − γ) instead of γ":
        _target(lambda r, q, d, g: r + (1 - g) * (1 - d) * _max(q)),
}

NAMES = ("rewards", "next_q_target", "terminated", "gamma")
Q_NEXT = torch.tensor([[1.5, -2.0, 4.0], [-1.0, 3.0, 0.5], [2.0, 2.5, -3.0], [0.25, -0.5, 6.0]], dtype=torch.float64)


def probe(label, rewards, terminated, gamma, q=Q_NEXT):
    return Probe(label, (torch.tensor(rewards, dtype=torch.float64), q.clone(),
                         torch.tensor(terminated, dtype=torch.float64), gamma))


PROBES = [
    probe("a batch without terminations", [1.0, -0.5, 2.0, 0.0], [0.0, 0.0, 0.0, 0.0], 0.9),
    probe("a batch with terminations", [1.0, -0.5, 2.0, 0.75], [0.0, 1.0, 0.0, 1.0], 0.5),
    probe("γ = 0.25, one termination", [-2.0, 1.0, 0.5, 3.0], [1.0, 0.0, 0.0, 0.0], 0.25),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_target(student, rewards, next_q_target, terminated, gamma):
    args = (rewards, next_q_target, terminated, gamma)
    example = call_text("dqn_target", args)
    before = {n: a.detach().clone() for n, a in zip(NAMES, args) if isinstance(a, torch.Tensor)}
    expected = reference(*args)
    got = tensor_answer(student(*args), "dqn_target", example, tuple(rewards.shape), rewards.device)
    inputs_unchanged(before, dict(zip(NAMES, args)), example)
    dtype = TORCH_PRECISION
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not close(got_np, expected_np, dtype):
        fail(f"{example}: {first_difference(got_np, expected_np, dtype)}", student, DIFFERENTIAL)
    return got


@pytest.mark.public
def test_one_batch(student):
    """a batch without terminations: y = r + γ max_a' Q_target(s', a'), shape (B,)"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_transitions_do_not_bootstrap(student):
    """where terminated = 1 the target is r alone"""
    check_target(student, *PROBES[1].fresh())
    check_target(student, *PROBES[2].fresh())


@pytest.mark.public
def test_no_gradient_flows_through_the_target(student):
    """the target is a constant: no gradient flows back into Q_target (or anything else)

    Only gradient flow is judged here (the values are the other checks' business). As in the
    agent, the network's values require grad and the rewards do not: a target that detaches
    the network's values alone is correct."""
    rewards, q, terminated, gamma = PROBES[1].fresh()
    q.requires_grad_(True)
    got = student(rewards, q, terminated, gamma)
    if carries_gradient(got):
        raise Mistake("the target carries a gradient: the target is a constant in the regression Q(s, a) ≈ y; "
                      "compute it under `with torch.no_grad():` or .detach() the network's values "
                      f"(its result requires grad, grad_fn = {type(got.grad_fn).__name__}, in "
                      f"{call_text('dqn_target', (rewards, q, terminated, gamma))} with next_q_target requiring grad)")


@pytest.mark.public
def test_batch_of_one(student):
    """a batch of one transition gives shape (1,)"""
    check_target(student, torch.tensor([0.5]), torch.tensor([[1.0, -1.0]]), torch.tensor([0.0]), 0.9)


def test_per_sample_discounts(student):
    """gamma may be a (B,) tensor of discounts (the agent passes the buffer's discounts)"""
    rewards, q, terminated, _ = PROBES[1].fresh()
    check_target(student, rewards, q, terminated, torch.tensor([0.9, 0.5, 0.99, 1.0], dtype=torch.float64))


def test_float32_on_each_device(student):
    """float32 inputs (the agent's) on CPU and, when present, CUDA: a float32 result there"""
    for device in devices():
        rewards, q, terminated, gamma = (a.to(device, torch.float32) if isinstance(a, torch.Tensor) else a
                                         for a in PROBES[1].fresh())
        check_target(student, rewards, q, terminated, gamma)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), n_actions=st.integers(1, 5), seed=st.integers(0, 10_000),
       gamma=st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, batch, n_actions, seed, gamma, dtype):
    """matches the target on random batches (float32 and float64, γ from 0 to 1)"""
    rng = np.random.default_rng(seed)
    rewards = torch.tensor(rng.uniform(-5, 5, batch).round(2), dtype=dtype)
    q = torch.tensor(rng.uniform(-20, 20, (batch, n_actions)).round(2), dtype=dtype)
    terminated = torch.tensor(rng.random(batch) < 0.4, dtype=dtype)
    check_target(student, rewards, q, terminated, gamma)
