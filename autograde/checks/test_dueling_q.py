"""Checks for dueling_q(value, advantages) -> q_values.

    Q(s, a) = V(s) + A(s, a) − (1/|A|) Σ_a' A(s, a')

value (B, 1) and advantages (B, |A|) are torch tensors; Q has shape (B, |A|), lives where they
live, and the gradient flows to both streams through the mean. The inputs are not modified.
Subtracting the mean over each state's actions makes V and A identifiable: adding a constant
to every advantage of a state leaves its Q-values unchanged.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, fail, \
    first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import devices, inputs_unchanged, tensor_answer
from qlab.rainbow.dueling import dueling_q as reference

MISTAKES = {
    "it subtracts the max advantage max_a' A(s, a'); the dueling head subtracts the mean over the actions, "
    "advantages.mean(dim=1, keepdim=True)":
        lambda v, a: v + a - a.max(dim=1, keepdim=True).values,
    "it subtracts the min advantage; the dueling head subtracts the mean over the actions, "
    "advantages.mean(dim=1, keepdim=True)":
        lambda v, a: v + a - a.min(dim=1, keepdim=True).values,
    "it subtracts the sum of the advantages; the mean divides it by the number of actions |A|":
        lambda v, a: v + a - a.sum(dim=1, keepdim=True),
    "it averages the advantages over the batch (dim=0); the mean is over each state's actions, dim=1":
        lambda v, a: v + a - a.mean(dim=0, keepdim=True),
    "it averages the advantages over the whole batch and every action at once (advantages.mean()); the mean is "
    "over each state's actions, dim=1, one per state":
        lambda v, a: v + a - a.mean(),
    "it adds V and A without subtracting the mean advantage: Q = V + A − mean_a' A(s, a'), or V and A are not "
    "identifiable":
        lambda v, a: v + a,
    "its mean over the actions has shape (B,) and broadcasts along the actions (state i's mean is subtracted from "
    "column i): keep the axis, advantages.mean(dim=1, keepdim=True)":
        lambda v, a: v + a - a.mean(dim=1),
    "V has shape (B,) and broadcasts along the actions (state i's value is added to column i): keep value as the "
    "(B, 1) column it is":
        lambda v, a: v.squeeze(1) + a - a.mean(dim=1, keepdim=True),
    "V is lost: it subtracts the mean of V + A, which removes V along with the mean advantage; Q = V + (A − mean_a' A)":
        lambda v, a: (v + a) - (v + a).mean(dim=1, keepdim=True),
    "it subtracts the mean advantage from V as well as from A (Q = V + A − 2 mean_a' A): subtract it once":
        lambda v, a: (v - a.mean(dim=1, keepdim=True)) + (a - a.mean(dim=1, keepdim=True)),
}

NAMES = ("value", "advantages")


def _tensor(rows):
    return torch.tensor(rows, dtype=torch.float64)


# Square batches (B = |A|): a (B,) tensor then broadcasts along the actions instead of raising, so the
# probes can tell the shape mistakes apart; the states' advantages have different means.
PROBES = [
    Probe("three states, three actions", (_tensor([[1.0], [-2.0], [0.5]]),
                                          _tensor([[1.0, 2.0, 3.0], [0.0, -1.5, 4.5], [2.0, 2.0, -1.0]]))),
    Probe("two states, two actions", (_tensor([[3.0], [0.25]]), _tensor([[-1.0, 1.0], [2.5, 0.5]]))),
    Probe("four states, four actions", (_tensor([[0.0], [1.5], [-0.75], [2.0]]),
                                        _tensor([[4.0, -2.0, 0.5, 1.5], [1.0, 1.0, 1.0, 5.0],
                                                 [-3.0, 0.25, 2.0, -1.0], [0.5, -0.5, 6.0, 2.0]]))),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_dueling(student, value, advantages, gradient=False):
    """The values of Q, its shape, device and that the inputs are left as they were; with
    ``gradient``, both inputs require grad and the gradient of Σ_sa G(s, a) Q(s, a) must reach
    V and A as the reference's does: ∂/∂V = Σ_a G, ∂/∂A = G − mean_a G (the mean is part of the
    network)."""
    if gradient:
        value, advantages = (x.detach().clone().requires_grad_(True) for x in (value, advantages))
    args = (value, advantages)
    example = call_text("dueling_q", args) + (" with both inputs requiring grad" if gradient else "")
    before = {n: a.detach().clone() for n, a in zip(NAMES, args)}
    expected = reference(value.detach(), advantages.detach())
    got = _answer(student, student(*args), example, tuple(advantages.shape), advantages.device)
    inputs_unchanged(before, dict(zip(NAMES, args)), example)
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}", student, DIFFERENTIAL)
    if gradient:
        _check_gradient(got, value, advantages, example)
    return got


def _answer(student, got, example, shape, device):
    """The student's Q as a tensor of ``shape``; a wrong shape is a broadcasting slip, named when the
    (square) probes single out which one."""
    if isinstance(got, torch.Tensor) and tuple(got.shape) != shape:
        hint = (": a (B,) tensor met a (B, 1) or (B, |A|) one and broadcast; V is a (B, 1) column and the mean "
                "over the actions keeps its axis (keepdim=True)" if got.ndim == 2 else "")
        fail(f"{example} returned shape {tuple(got.shape)}; expected (B, |A|) = {shape}{hint}", student, DIFFERENTIAL)
    return tensor_answer(got, "dueling_q", example, shape, device)


def _check_gradient(got, value, advantages, example):
    expect(got.requires_grad, f"the Q-values carry no gradient: V and A are the outputs of the network's two "
                              f"streams and must be trained through Q (no torch.no_grad(), no .detach()) ({example})")
    weights = torch.arange(1.0, 1.0 + got.numel(), dtype=got.dtype, device=got.device).reshape(got.shape)
    (got * weights).sum().backward()
    expected_v = weights.sum(dim=1, keepdim=True).cpu().numpy()
    expected_a = (weights - weights.mean(dim=1, keepdim=True)).cpu().numpy()
    expect(value.grad is not None and bool(value.grad.abs().sum() > 0),
           f"no gradient reaches value: V is detached from Q (Q must be computed from value itself) ({example})")
    expect(advantages.grad is not None, f"no gradient reaches advantages: A is detached from Q ({example})")
    grad_v, grad_a = value.grad.cpu().numpy(), advantages.grad.cpu().numpy()
    if not close(grad_a, expected_a, TORCH_PRECISION):
        if close(grad_a, weights.cpu().numpy(), TORCH_PRECISION):
            raise Mistake("the mean advantage is detached (a constant to autograd): the gradient reaching A is the "
                          "upstream gradient itself, without the −(1/|A|) Σ_a' share each action gets back through the "
                          f"mean; compute the mean from advantages as they are, no .detach(), .item() or no_grad "
                          f"({example})")
        raise Mistake(f"the gradient reaching advantages differs from that of V + A − mean_a' A ({example}: with "
                      f"upstream gradient {weights.tolist()}, {first_difference(grad_a, expected_a, TORCH_PRECISION)})")
    if not close(grad_v, expected_v, TORCH_PRECISION):
        raise Mistake(f"the gradient reaching value differs from that of V + A − mean_a' A ({example}: with "
                      f"upstream gradient {weights.tolist()}, {first_difference(grad_v, expected_v, TORCH_PRECISION)})")


@pytest.mark.public
def test_subtracts_the_mean_over_actions(student):
    """Q = V + A − mean_a' A(s, a'), shape (B, |A|), inputs left unchanged"""
    check_dueling(student, *PROBES[0].fresh())


@pytest.mark.public
def test_one_mean_per_state(student):
    """the mean is over each state's own actions, not over the batch"""
    check_dueling(student, *PROBES[1].fresh())
    check_dueling(student, *PROBES[2].fresh())


@pytest.mark.public
def test_identifiable(student):
    """shifting every advantage of a state by one constant leaves its Q-values unchanged"""
    value, advantages = PROBES[0].fresh()
    shift = _tensor([[2.0], [-1.0], [0.5]])
    q = check_dueling(student, value, advantages).detach()
    shifted = advantages + shift
    q_shifted = _answer(student, student(value.clone(), shifted.clone()), call_text("dueling_q", (value, shifted)),
                        tuple(advantages.shape), advantages.device)
    if not close(q_shifted.detach().numpy(), q.numpy(), TORCH_PRECISION):
        fail("adding a constant c(s) to every advantage of state s changed its Q-values: the mean over the actions "
             f"must absorb it (dueling_q(value, advantages) gave {q.tolist()}, "
             f"dueling_q(value, advantages + {shift.squeeze(1).tolist()} per state) gave "
             f"{q_shifted.detach().tolist()})", student, DIFFERENTIAL)
    check_dueling(student, value, shifted)


@pytest.mark.public
def test_gradient_flows_to_both_streams(student):
    """the gradient reaches V and A, and reaches A through the mean too"""
    check_dueling(student, *PROBES[0].fresh(), gradient=True)


def test_batch_of_one(student):
    """one state (shape (1, |A|)), and one state with one action"""
    check_dueling(student, _tensor([[0.5]]), _tensor([[1.0, -1.0, 3.0]]))
    check_dueling(student, _tensor([[-2.0]]), _tensor([[4.0]]))


def test_more_actions_than_states(student):
    """B ≠ |A|: two states, five actions, and five states, two actions"""
    check_dueling(student, _tensor([[1.0], [-1.0]]), _tensor([[0.0, 1.0, 2.0, 3.0, 9.0], [1.5, -1.5, 0.5, 0.0, 2.0]]))
    check_dueling(student, _tensor([[1.0], [2.0], [3.0], [4.0], [5.0]]),
                  _tensor([[1.0, 0.0], [0.0, 2.0], [-1.0, 3.0], [2.5, 2.5], [0.5, -4.0]]))


def test_float32_on_each_device(student):
    """float32 inputs (the network's) on CPU and, when present, CUDA, with the gradient"""
    for device in devices():
        value, advantages = (x.to(device, torch.float32) for x in PROBES[2].fresh())
        check_dueling(student, value, advantages, gradient=True)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 8), n_actions=st.integers(1, 6), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, batch, n_actions, seed, dtype):
    """matches Q and its gradient on random batches (float32 and float64, batch and |A| from 1)"""
    rng = np.random.default_rng(seed)
    value = torch.tensor(rng.uniform(-10, 10, (batch, 1)).round(2), dtype=dtype)
    advantages = torch.tensor(rng.uniform(-5, 5, (batch, n_actions)).round(2), dtype=dtype)
    check_dueling(student, value, advantages, gradient=True)
