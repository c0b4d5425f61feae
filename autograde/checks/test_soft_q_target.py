"""Checks for soft_q_target(rewards, next_q_target, terminated, gamma, alpha) -> y.

    y = r + γ (1 − terminated) α log Σ_a' exp(Q'(s', a')/α)

The soft Bellman backup: the hard max of the DQN target becomes the soft value of s'. rewards
and terminated (bool or 0/1 floats) have shape (B,), next_q_target (B, |A|); gamma is a float or
per-sample discounts (B,); alpha > 0 a float. Only ``terminated`` is passed: a truncated
transition is not terminal and bootstraps. y has shape (B,), lives where the inputs live, stays
finite for large Q/α and carries no gradient.
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, fail, \
    first_difference
from autograde.checks.torch_rules import carries_gradient, devices, inputs_unchanged, tensor_answer
from autograde.checks.helpers import GRADING
from qlab.soft import soft_q_target as reference


def _lse(x):
    m = x.amax(dim=-1, keepdim=True)
    return (m + (x - m).exp().sum(dim=-1, keepdim=True).log()).squeeze(-1)


def _target(next_value):
    def target(rewards, next_q_target, terminated, gamma, alpha):
        with torch.no_grad():
            done = torch.as_tensor(terminated).to(rewards.dtype)
            return next_value(rewards, next_q_target, done, gamma, alpha)
    return target


def _soft(q, a):
    return a * _lse(q / a)


MISTAKES = {
    "it bootstraps from terminal next states: multiply γ V(s') by (1 − terminated); a terminal s' has no future":
        _target(lambda r, q, d, g, a: r + g * _soft(q, a)),
    "the terminal mask is inverted: (1 − terminated) keeps the future of the NON-terminal transitions":
        _target(lambda r, q, d, g, a: r + g * d * _soft(q, a)),
    "it takes the hard max of Q'(s', ·) (the DQN target); the soft target bootstraps from the soft value "
    "α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * q.amax(-1)),
    "the α in front of the log is missing: V(s') = α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * _lse(q / a)),
    "Q' is not divided by α inside the exponential: V(s') = α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * a * _lse(q)),
    "the log of the mean instead of the sum over the next actions: α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * (_soft(q, a) - a * math.log(q.shape[-1]))),
    "it averages Q'(s', ·) over the next actions; the soft target bootstraps from α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * q.mean(-1)),
    "Σ_a' π(a'|s') Q'(s', a') is the expected Q' without the entropy bonus; bootstrap from the soft value "
    "α log Σ_a' exp(Q'(s', a')/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * (torch.softmax(q / a, -1) * q).sum(-1)),
    "it masks the reward too: only the future term is multiplied by (1 − terminated); r always counts":
        _target(lambda r, q, d, g, a: (1 - d) * (r + g * _soft(q, a))),
    "γ also discounts the reward: y = r + γ (1 − terminated) V(s'), not γ (r + …)":
        _target(lambda r, q, d, g, a: g * (r + (1 - d) * _soft(q, a))),
    "it forgets γ: the future term is γ (1 − terminated) V(s')":
        _target(lambda r, q, d, g, a: r + (1 - d) * _soft(q, a)),
    "no max shift: exp(Q'/α) overflows to inf for large Q'/α; subtract m = max_a' Q'(s', a') first: "
    "V = m + α log Σ_a' exp((Q' − m)/α)":
        _target(lambda r, q, d, g, a: r + g * (1 - d) * a * (q / a).exp().sum(-1).log()),
}

NAMES = ("rewards", "next_q_target", "terminated", "gamma", "alpha")
Q_NEXT = torch.tensor([[1.5, -2.0, 4.0], [-1.0, 3.0, 0.5], [2.0, 2.5, -3.0], [0.25, -0.5, 6.0]], dtype=torch.float64)


def probe(label, rewards, terminated, gamma, alpha, q=Q_NEXT):
    return Probe(label, (torch.tensor(rewards, dtype=torch.float64), q.clone(),
                         torch.tensor(terminated), gamma, alpha))


PROBES = [
    probe("a batch without terminations, α = 0.5", [1.0, -0.5, 2.0, 0.0], [False, False, False, False], 0.9, 0.5),
    probe("a batch with terminations, α = 2", [1.0, -0.5, 2.0, 0.75], [False, True, False, True], 0.5, 2.0),
    probe("huge Q'/α, one termination", [-2.0, 1.0, 0.5, 3.0], [True, False, False, False], 0.25, 1.0, Q_NEXT * 400),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_target(student, rewards, next_q_target, terminated, gamma, alpha):
    args = (rewards, next_q_target, terminated, gamma, alpha)
    example = call_text("soft_q_target", args)
    before = {n: a.detach().clone() for n, a in zip(NAMES, args) if isinstance(a, torch.Tensor)}
    expected = reference(*args)
    got = tensor_answer(student(*args), "soft_q_target", example, tuple(rewards.shape), rewards.device)
    inputs_unchanged(before, dict(zip(NAMES, args)), example)
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}", student, DIFFERENTIAL)
    return got


@pytest.mark.public
def test_one_batch(student):
    """a batch without terminations: y = r + γ α log Σ_a' exp(Q'(s', a')/α), shape (B,)"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_transitions_do_not_bootstrap(student):
    """where terminated the target is r alone; a truncated transition (terminated = False) bootstraps"""
    check_target(student, *PROBES[1].fresh())


@pytest.mark.public
def test_alpha_is_used(student):
    """the temperature matters: α = 0.5, 2 and 0.1 give different targets"""
    rewards, q, terminated, gamma, _ = PROBES[1].fresh()
    for alpha in (0.5, 2.0, 0.1):
        check_target(student, rewards, q, terminated, gamma, alpha)


@pytest.mark.public
def test_stable_for_huge_q_over_alpha(student):
    """finite for Q'/α in the thousands: the soft value subtracts the max first"""
    check_target(student, *PROBES[2].fresh())


@pytest.mark.public
def test_no_gradient_flows_through_the_target(student):
    """the target is a constant: no gradient flows back into Q' (or anything else)

    Only gradient flow is judged here (the values are the other checks' business). As in the
    agent, the network's values require grad and the rewards do not."""
    rewards, q, terminated, gamma, alpha = PROBES[1].fresh()
    q.requires_grad_(True)
    example = call_text("soft_q_target", (rewards, q.detach(), terminated, gamma, alpha))
    got = student(rewards, q, terminated, gamma, alpha)
    if carries_gradient(got):
        raise Mistake("the target carries a gradient: the target is a constant in the regression Q(s, a) ≈ y; "
                      "compute it under `with torch.no_grad():` or .detach() the network's values "
                      f"(its result requires grad, in {example} "
                      "with next_q_target requiring grad)")


@pytest.mark.public
def test_batch_of_one(student):
    """a batch of one transition gives shape (1,)"""
    check_target(student, torch.tensor([0.5]), torch.tensor([[1.0, -1.0]]), torch.tensor([False]), 0.9, 0.5)


def test_per_sample_discounts(student):
    """gamma may be a (B,) tensor of discounts, terminated 0/1 floats"""
    rewards, q, terminated, _, alpha = PROBES[1].fresh()
    check_target(student, rewards, q, terminated.to(torch.float64), torch.tensor([0.9, 0.5, 0.99, 1.0],
                                                                                 dtype=torch.float64), alpha)


def test_float32_on_each_device(student):
    """float32 inputs (the agent's) on CPU and, when present, CUDA; huge Q'/α stays finite in float32"""
    for device in devices():
        for args in (PROBES[1].fresh(), PROBES[2].fresh()):
            rewards, q, terminated, gamma, alpha = (a.to(device) if isinstance(a, torch.Tensor) else a for a in args)
            check_target(student, rewards.float(), q.float(), terminated, gamma, alpha)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), n_actions=st.integers(1, 5), seed=st.integers(0, 10_000),
       gamma=st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]), alpha=st.sampled_from([0.01, 0.2, 1.0, 5.0]),
       dtype=st.sampled_from([torch.float32, torch.float64]), flags=st.sampled_from(["bool", "float"]))
def test_random_batches(student, batch, n_actions, seed, gamma, alpha, dtype, flags):
    """matches the soft target on random batches (float32 and float64, γ from 0 to 1, Q'/α up to 2000)"""
    rng = np.random.default_rng(seed)
    rewards = torch.tensor(rng.uniform(-5, 5, batch).round(2), dtype=dtype)
    q = torch.tensor(rng.uniform(-20, 20, (batch, n_actions)).round(2), dtype=dtype)
    done = rng.random(batch) < 0.4
    terminated = torch.tensor(done) if flags == "bool" else torch.tensor(done, dtype=dtype)
    check_target(student, rewards, q, terminated, gamma, alpha)
