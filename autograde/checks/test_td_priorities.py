"""Checks for td_priorities(td_errors, alpha, eps) -> priorities.

    p_i^α = (|δ_i| + ε)^α

td_errors δ is a torch tensor of shape (B,); the result has its shape, dtype and device and
carries no gradient (the sum tree stores these numbers). ε goes inside, before the power: a
transition whose TD error is 0 keeps the priority ε^α > 0 and can be replayed again; α = 0
gives every transition priority 1 (uniform replay).
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Probe, TORCH_PRECISION, call_text, close, expect, fail, \
    first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import carries_gradient, devices, inputs_unchanged, tensor_answer
from qlab.rainbow.prioritized import td_priorities as reference

MISTAKES = {
    "it uses the signed TD error δ; the priority is |δ| + ε (a large negative error is as surprising as a large "
    "positive one, and a negative number to a fractional power is nan)":
        lambda d, a, e: (d + e) ** a,
    "it keeps only the positive TD errors (clamp or relu); the priority is |δ| + ε, whatever the sign":
        lambda d, a, e: (d.clamp(min=0) + e) ** a,
    "it adds ε inside the absolute value, |δ + ε|; the priority is |δ| + ε":
        lambda d, a, e: (d + e).abs() ** a,
    "it adds ε after the power, |δ|^α + ε; ε goes inside, before the power: (|δ| + ε)^α":
        lambda d, a, e: d.abs() ** a + e,
    "it leaves out ε: a transition with δ = 0 gets priority 0 and is never replayed again; (|δ| + ε)^α":
        lambda d, a, e: d.abs() ** a,
    "it takes max(|δ|, ε); ε is added: (|δ| + ε)^α":
        lambda d, a, e: d.abs().clamp(min=e) ** a,
    "it leaves out the power α: the tree stores p^α = (|δ| + ε)^α":
        lambda d, a, e: d.abs() + e,
    "it multiplies by α instead of raising to the power α: (|δ| + ε)^α":
        lambda d, a, e: a * (d.abs() + e),
    "it raises to the power 1/α; the exponent is α (α = 0 is uniform, α = 1 fully proportional)":
        lambda d, a, e: (d.abs() + e) ** (1 / a),
    "it squares δ; the priority is |δ| + ε, the absolute TD error":
        lambda d, a, e: (d ** 2 + e) ** a,
    "it normalises the priorities into probabilities over the batch; return p_i^α itself (the sum tree adds "
    "them up over the whole buffer)":
        lambda d, a, e: (d.abs() + e) ** a / ((d.abs() + e) ** a).sum(),
}

NAMES = ("td_errors",)


def _td(values, dtype=torch.float64):
    return torch.tensor(values, dtype=dtype)


PROBES = [
    Probe("negative errors, α = 0.5", (_td([-2.0, 0.5, 0.0, 1.5]), 0.5, 0.25)),
    Probe("α = 1", (_td([-1.0, 3.0, -0.25, 0.0]), 1.0, 0.5)),
    Probe("α = 0.6, a small ε", (_td([0.75, -4.0, 2.0]), 0.6, 0.01)),
]
# (not a probe: an answer that divides by α cannot answer it, and would then be named on no probe)
UNIFORM = Probe("α = 0: uniform", (_td([-0.5, 0.0, 2.0]), 0.0, 0.125))
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_priorities(student, td_errors, alpha, eps):
    args = (td_errors, alpha, eps)
    example = call_text("td_priorities", args)
    before = {"td_errors": td_errors.detach().clone()}
    expected = reference(*args)
    got = tensor_answer(student(*args), "td_priorities", example, tuple(td_errors.shape), td_errors.device)
    inputs_unchanged(before, {"td_errors": td_errors}, example)
    expect(got.dtype == td_errors.dtype, f"td_priorities returned dtype {got.dtype}; expected td_errors' dtype "
                                         f"{td_errors.dtype} (no conversion needed) ({example})")
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}", student, DIFFERENTIAL)
    return got


@pytest.mark.public
def test_absolute_td_errors(student):
    """|δ|, not δ: a negative TD error gets the priority of the positive one"""
    td, alpha, eps = PROBES[1].fresh()
    check_priorities(student, td, alpha, eps)
    check_priorities(student, -td, alpha, eps)
    check_priorities(student, *PROBES[0].fresh())


@pytest.mark.public
def test_eps_inside_before_the_power(student):
    """(|δ| + ε)^α: δ = 0 gives ε^α > 0, and ε is raised to the power too"""
    check_priorities(student, *PROBES[2].fresh())
    check_priorities(student, _td([0.0, 1.0]), 0.5, 0.25)


@pytest.mark.public
def test_alpha_zero_is_uniform(student):
    """α = 0: every priority is 1"""
    check_priorities(student, *UNIFORM.fresh())


@pytest.mark.public
def test_no_gradient(student):
    """δ = Q(s, a) − y carries a gradient in the agent; the priorities do not, and δ is left unchanged"""
    td, alpha, eps = PROBES[0].fresh()
    q = td.clone().requires_grad_(True)
    td_errors = q * 1.0  # a non-leaf tensor that requires grad, as Q(s, a) − y is
    example = call_text("td_priorities", (td, alpha, eps)) + " with td_errors requiring grad"
    got = tensor_answer(student(td_errors, alpha, eps), "td_priorities", example, tuple(td.shape), td.device)
    inputs_unchanged({"td_errors": td}, {"td_errors": td_errors}, example)
    expect(not carries_gradient(got),
           "the priorities carry a gradient: they are numbers for the sum tree, not part of the loss; compute them "
           f"from td_errors.detach() or under torch.no_grad() (grad_fn = {type(got.grad_fn).__name__}, in {example})")


def test_batch_of_one(student):
    """a batch of one TD error"""
    check_priorities(student, _td([-3.0]), 0.6, 0.01)


def test_float32_on_each_device(student):
    """float32 TD errors (the agent's) on CPU and, when present, CUDA: float32 priorities there"""
    for device in devices():
        td, alpha, eps = PROBES[0].fresh()
        check_priorities(student, td.to(device, torch.float32), alpha, eps)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), seed=st.integers(0, 10_000), alpha=st.sampled_from([0.0, 0.4, 0.5, 0.6, 0.7, 1.0]),
       eps=st.sampled_from([1e-6, 0.01, 0.1, 0.5]), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, batch, seed, alpha, eps, dtype):
    """matches the priorities on random TD errors (float32 and float64, α from 0 to 1, zeros among the errors)"""
    rng = np.random.default_rng(seed)
    td = rng.uniform(-10, 10, batch).round(2) * (rng.random(batch) < 0.8)
    check_priorities(student, _td(td, dtype), alpha, eps)
