"""Checks for soft_value(q_values, alpha) -> v.

    V(s) = α log Σ_a exp(Q(s, a)/α) = m + α log Σ_a exp((Q(s, a) − m)/α),  m = max_a Q(s, a)

q_values has shape (..., |A|), the actions on the last axis ((B, |A|) in DQN, (S, |A|) for a
tabular Q); alpha > 0 is a float. V has shape (...), stays finite for Q/α in the thousands
(the max shift), tends to max_a Q as α → 0 and to mean_a Q + α log |A| as α → ∞, and carries
the gradient of Q (a target wraps it in torch.no_grad, not the soft value itself).
"""

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import devices, inputs_unchanged, tensor_answer
from qlab.soft import soft_value as reference


def _lse(x, dim=-1):
    m = x.amax(dim=dim, keepdim=True)
    return (m + (x - m).exp().sum(dim=dim, keepdim=True).log()).squeeze(dim)


MISTAKES = {
    "no max shift: exp(Q/α) overflows to inf for large Q/α (and underflows to 0, log 0 = −inf, for very negative "
    "ones); subtract m = max_a Q first: V = m + α log Σ_a exp((Q − m)/α)":
        lambda q, a: a * (q / a).exp().sum(-1).log(),
    "the α in front of the log is missing: V = α log Σ_a exp(Q/α), not log Σ_a exp(Q/α)":
        lambda q, a: _lse(q / a),
    "Q is not divided by α inside the exponential: V = α log Σ_a exp(Q(s, a)/α)":
        lambda q, a: a * _lse(q),
    "α multiplies Q inside the exponential; it divides it: V = α log Σ_a exp(Q(s, a)/α)":
        lambda q, a: a * _lse(q * a),
    "α is inside the log: V = α log Σ_a exp(Q/α), not log Σ_a α exp(Q/α) = log α + log Σ_a exp(Q/α)":
        lambda q, a: _lse(q / a) + math.log(a),
    "it divides by α outside the log; the factor is α: V = α log Σ_a exp(Q/α)":
        lambda q, a: _lse(q / a) / a,
    "the log of the mean instead of the sum: α log mean_a exp(Q/α) = V − α log |A|; sum over the actions":
        lambda q, a: a * _lse(q / a) - a * math.log(q.shape[-1]),
    "it reduces over the first axis (the states of the batch); the actions are the LAST axis: one value per state":
        lambda q, a: a * _lse(q / a, dim=0),
    "the plain max is the α → 0 limit only; the soft value adds α log Σ_a exp((Q − max)/α) ≥ 0 to it":
        lambda q, a: q.amax(-1),
    "after the max shift it forgets to add m = max_a Q back: V = m + α log Σ_a exp((Q − m)/α)":
        lambda q, a: a * (((q - q.amax(-1, keepdim=True)) / a).exp().sum(-1).log()),
    "it adds back max_a Q/α, not max_a Q: with z = Q/α, V = α (max z + log Σ exp(z − max z))":
        lambda q, a: q.amax(-1) / a + a * (((q - q.amax(-1, keepdim=True)) / a).exp().sum(-1).log()),
    "it shifts by the max of the whole batch, not of each state: a state whose values all lie far below the batch's "
    "max underflows to −inf; subtract each state's own max_a Q(s, a)":
        lambda q, a: q.max() + a * (((q - q.max()) / a).exp().sum(-1).log()),
    "Σ_a π(a|s) Q(s, a) is the Boltzmann policy's expected Q without its entropy bonus; the soft value is "
    "α log Σ_a exp(Q/α)":
        lambda q, a: (torch.softmax(q / a, dim=-1) * q).sum(-1),
    "the mean of Q over the actions is the α → ∞ limit less α log |A|; the soft value is α log Σ_a exp(Q/α)":
        lambda q, a: q.mean(-1),
}

NAMES = ("q_values", "alpha")


def q(rows):
    return torch.tensor(rows, dtype=torch.float64)


PROBES = [
    Probe("a batch of three states, α = 0.5", (q([[1.0, 2.0], [-0.5, 0.25], [3.0, 3.0]]), 0.5)),
    Probe("huge Q/α", (q([[1000.0, 999.0, 0.0], [-1000.0, -999.5, -1001.0]]), 1.0)),
    Probe("a tabular Q (4 states, 3 actions), α = 2", (q([[0.5, -1.0, 2.0], [4.0, 0.0, 1.0], [-2.0, -3.0, -2.5],
                                                          [1.0, 1.0, 0.0]]), 2.0)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_value(student, q_values, alpha, expected=None):
    args = (q_values, alpha)
    example = call_text("soft_value", args)
    before = {"q_values": q_values.detach().clone()}
    expected = reference(q_values, alpha).detach() if expected is None else expected
    returned = student(q_values, alpha)
    if isinstance(returned, torch.Tensor) and q_values.ndim == 2 and tuple(returned.shape) == (q_values.shape[1],) \
            and q_values.shape[0] != q_values.shape[1]:
        fail(f"{example} returned shape {tuple(returned.shape)}: one value per action, not per state; expected "
             f"{tuple(expected.shape)}", student, DIFFERENTIAL)
    got = tensor_answer(returned, "soft_value", example, tuple(expected.shape), q_values.device)
    inputs_unchanged(before, {"q_values": q_values}, example)
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not np.isfinite(got_np).all() and np.isfinite(expected_np).all():
        fail(f"{example}: got {got_np.tolist()}, expected {expected_np.tolist()}: the result is not finite",
             student, DIFFERENTIAL)
    if not close(got_np, expected_np, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}", student, DIFFERENTIAL)
    return got


@pytest.mark.public
def test_one_batch(student):
    """V(s) = α log Σ_a exp(Q(s, a)/α) per state of a batch, shape (B,)"""
    check_value(student, *PROBES[0].fresh())


@pytest.mark.public
def test_stable_for_huge_q_over_alpha(student):
    """finite for Q/α ≈ 1000 (exp(1000) overflows even in float64): subtract the max first"""
    check_value(student, *PROBES[1].fresh())
    check_value(student, q([[1.0, 0.5], [-0.25, -1.0]]), 1e-3)


@pytest.mark.public
def test_alpha_to_zero_gives_the_max(student):
    """as α → 0 the soft value tends to the hard max, max_a Q(s, a)"""
    values = q([[1.0, 2.0, -1.0], [0.5, 0.25, 0.0]])
    got = check_value(student, values, 1e-4)
    expect(close(got.detach().numpy(), values.amax(-1).numpy(), TORCH_PRECISION),
           f"as α → 0 the soft value must tend to max_a Q(s, a) (in {call_text('soft_value', (values, 1e-4))})")


@pytest.mark.public
def test_large_alpha_gives_mean_plus_alpha_log_a(student):
    """as α → ∞, V ≈ mean_a Q(s, a) + α log |A|"""
    check_value(student, q([[1.0, 2.0, -1.0], [0.5, 0.25, 0.0]]), 1e4)


@pytest.mark.public
def test_alpha_is_outside_the_log(student):
    """α scales the log (V = α log Σ exp(Q/α)), α = 2 and α = 0.25"""
    check_value(student, *PROBES[2].fresh())
    check_value(student, q([[0.5, -1.0, 2.0], [4.0, 0.0, 1.0]]), 0.25)


@pytest.mark.public
def test_over_the_last_axis_per_state(student):
    """the actions are the last axis: a (S, |A|) table gives (S,), a (2, 2, 3) batch gives (2, 2), one action gives Q"""
    check_value(student, q([[0.5, -1.0, 2.0], [4.0, 0.0, 1.0]]), 1.0)
    check_value(student, q([[[0.5, -1.0, 2.0], [4.0, 0.0, 1.0]], [[-2.0, -3.0, -2.5], [1.0, 1.0, 0.0]]]), 0.5)
    check_value(student, q([[1.5], [-2.0]]), 0.5)


@pytest.mark.public
def test_gradient_flows(student):
    """the soft value is differentiable: ∂V/∂Q(s, a) = π(a|s) = softmax(Q(s, ·)/α) (no_grad belongs to the target)"""
    values, alpha = PROBES[0].fresh()
    values.requires_grad_(True)
    example = call_text("soft_value", (values.detach(), alpha))
    got = check_value(student, values, alpha)
    expect(got.requires_grad,
           f"the soft value carries no gradient: compute it with torch operations on q_values, without .detach(), "
           f"torch.no_grad() or numpy (a target adds no_grad; the soft value itself is differentiable) (in {example} "
           "with q_values requiring grad)")
    got.sum().backward()
    want = torch.softmax(values.detach() / alpha, dim=-1)
    expect(values.grad is not None and close(values.grad.numpy(), want.numpy(), TORCH_PRECISION),
           f"the gradient of the soft value is not softmax(Q/α) (in {example}: got "
           f"{None if values.grad is None else values.grad.tolist()}, expected {want.tolist()})")


def test_float32_on_each_device(student):
    """float32 inputs on CPU and, when present, CUDA; huge Q/α stays finite in float32 too"""
    for device in devices():
        for values, alpha in (PROBES[0].fresh(), PROBES[1].fresh()):
            check_value(student, values.to(device, torch.float32), alpha)


@pytest.mark.weight(2)
@GRADING
@given(shape=st.sampled_from([(1, 1), (1, 4), (5, 2), (3, 5), (4,), (2, 3, 4)]), seed=st.integers(0, 10_000),
       alpha=st.sampled_from([0.01, 0.1, 0.5, 1.0, 2.0, 10.0]), scale=st.sampled_from([1.0, 20.0, 500.0]),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_inputs(student, shape, seed, alpha, scale, dtype):
    """matches α logsumexp(Q/α) on random inputs (float32 and float64, batch 1, Q/α up to 50 000)"""
    rng = np.random.default_rng(seed)
    values = torch.tensor(rng.uniform(-scale, scale, shape).round(2), dtype=dtype)
    check_value(student, values, alpha)
