"""Checks for sac_temperature_loss(log_alpha, log_probs, target_entropy) -> scalar loss.

    L(log α) = −log α · mean_i(log π(a_i|s_i) + H̄)        (CleanRL, Stable-Baselines3)
    J(α)     = −α · mean_i(log π(a_i|s_i) + H̄),  α = exp(log α)   (the paper's form, accepted too)

log_alpha is a scalar tensor (0-dim or one element) that requires grad; log_probs (B,) may
carry a gradient, which the loss must not use (they are detached); target_entropy H̄ is a
float (−dim A). Minimising the loss raises α when the entropy −mean(log π) is below H̄ and
lowers it when above: ∂L/∂log α = −mean(log π + H̄) = H − H̄ (times α in the paper's form).
"""


import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, close, expect, fail, \
    number_pair
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import devices
from qlab.soft import sac_temperature_loss as reference


def _gap(log_probs, target_entropy):
    return (log_probs.detach() + target_entropy).mean()


def _paper(log_alpha, log_probs, target_entropy):
    return -(log_alpha.exp() * _gap(log_probs, target_entropy)).reshape(())


MISTAKES = {
    "the sign is flipped: minimising +log α · mean(log π + H̄) lowers α when the entropy is too LOW; the loss is "
    "−log α · mean(log π + H̄)":
        lambda la, lp, h: la * _gap(lp, h),
    "the sign is flipped (α = exp(log α) form): the paper's loss is J(α) = −α · mean(log π + H̄)":
        lambda la, lp, h: la.exp() * _gap(lp, h),
    "the target entropy has the wrong sign: the gap is log π + H̄ (H̄ = −dim A is negative), i.e. the entropy "
    "−log π against its target":
        lambda la, lp, h: -la * (lp.detach() - h).mean(),
    "the target entropy is missing: the loss is −log α · mean(log π + H̄); without H̄, α only ever moves one way":
        lambda la, lp, h: -la * lp.detach().mean(),
    "it sums over the batch; the loss is the mean (a sum makes α's step grow with B)":
        lambda la, lp, h: -la * (lp.detach() + h).sum(),
    "the entropy −log π in place of log π: the loss is −log α · mean(log π + H̄) (= log α · mean(H − H̄))":
        lambda la, lp, h: -la * (-lp.detach() + h).mean(),
    "α = exp(log α) is detached: no gradient reaches log_alpha; multiply log_alpha (or log_alpha.exp()) itself":
        lambda la, lp, h: -(la.detach().exp() * _gap(lp, h)),
}


def t(values, grad=True):
    return torch.tensor(values, dtype=torch.float64).requires_grad_(grad)


PROBES = [
    Probe("entropy below its target, log α = 0.5", (t(0.5), t([1.0, -0.5, 2.0, 0.25]), -2.0)),
    Probe("entropy above its target, log α = −1", (t(-1.0), t([-2.5, -3.0, -1.5]), -1.0)),
    Probe("a one-element log α (CleanRL's shape), log α = 0.25", (t([0.25]), t([0.5, -4.0]), -3.0)),
]


def _read(returned, args):
    """The loss and its gradient with respect to log α (0 where none reaches it)."""
    value = torch.as_tensor(returned).reshape(())
    grad = torch.autograd.grad(value, args[0], allow_unused=True)[0] if value.requires_grad else None
    grad = torch.zeros(()) if grad is None else grad.reshape(())
    return torch.stack([value.detach().double(), grad.detach().double().cpu()])


DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_read, dtype=TORCH_PRECISION)


def example_of(log_alpha, log_probs, target_entropy) -> str:
    la = f"torch.tensor({log_alpha.detach().cpu().tolist()}, requires_grad=True)"
    lp = f"torch.tensor({log_probs.detach().cpu().tolist()}, requires_grad=True)"
    return f"sac_temperature_loss({la}, {lp}, {target_entropy!r})"


def check_loss(student, log_alpha, log_probs, target_entropy):
    """The loss's value and its gradient: with respect to log α as one of the two accepted forms, none to log π."""
    example = example_of(log_alpha, log_probs, target_entropy)
    before = (log_alpha.detach().clone(), log_probs.detach().clone())
    loss = student(log_alpha, log_probs, target_entropy)
    if not isinstance(loss, torch.Tensor):
        raise Mistake(f"{example} returned a {type(loss).__name__}; return the loss as a torch tensor (no .item()), "
                      "so the agent can call backward() on it")
    expect(loss.numel() == 1, f"{example} returned shape {tuple(loss.shape)}; expected one number, the mean over the "
                              "batch (a scalar tensor)")
    expect(torch.equal(before[0], log_alpha.detach()) and torch.equal(before[1], log_probs.detach()),
           f"{example} changed log_alpha or log_probs in place; return the loss only (the agent steps α's optimizer)")
    expect(log_alpha.grad is None and log_probs.grad is None,
           f"{example} already called backward(): return the loss; the agent calls backward() and steps α's optimizer")
    value = loss.detach().cpu().double().reshape(())
    forms = {"log α": reference(log_alpha, log_probs, target_entropy),
             "α": _paper(log_alpha, log_probs, target_entropy)}
    matching = [name for name, expected in forms.items()
                if close(value.numpy(), expected.detach().cpu().double().numpy(), TORCH_PRECISION)]
    if not matching:
        got, want = number_pair(value.item(), forms["log α"].item())
        fail(f"{example}: got {got}, expected {want} (or {forms['α'].item():.6g} in the form −α · mean(log π + H̄))",
             student, DIFFERENTIAL)
    expect(loss.requires_grad, f"the loss does not require grad: no gradient reaches log_alpha; compute it from "
                               f"log_alpha itself (no .detach(), .item() or torch.no_grad()) (in {example})")
    grad_alpha, grad_log_probs = torch.autograd.grad(loss.reshape(()), (log_alpha, log_probs), allow_unused=True)
    expect(grad_log_probs is None or not bool(grad_log_probs.any()),
           f"log_probs are not detached: the temperature loss sends a gradient into log π (and so into the policy); "
           f"use log_probs.detach() (in {example}, whose log_probs require grad)")
    expected_grads = {name: torch.autograd.grad(forms[name].reshape(()), log_alpha)[0] for name in matching}
    got = torch.zeros(()) if grad_alpha is None else grad_alpha.detach().cpu().double().reshape(())
    if not any(close(got.numpy(), g.detach().cpu().double().reshape(()).numpy(), TORCH_PRECISION)
               for g in expected_grads.values()):
        want = next(iter(expected_grads.values())).item()
        a, b = number_pair(got.item(), want)
        raise Mistake(f"the gradient with respect to log_alpha is wrong: minimising the loss must raise α when the "
                      f"entropy −mean(log π) is below H̄ (∂L/∂log α = −mean(log π + H̄)) (in {example}: got {a}, "
                      f"expected {b})")


@pytest.mark.public
def test_raises_alpha_when_the_entropy_is_below_its_target(student):
    """entropy below H̄: the loss's gradient is negative, so a step raises α"""
    check_loss(student, *PROBES[0].fresh())


@pytest.mark.public
def test_lowers_alpha_when_the_entropy_is_above_its_target(student):
    """entropy above H̄: the gradient is positive, so a step lowers α"""
    check_loss(student, *PROBES[1].fresh())


@pytest.mark.public
def test_log_probs_are_detached(student):
    """log_probs carry the policy's gradient: the temperature loss must not use it"""
    check_loss(student, *PROBES[0].fresh())
    check_loss(student, *PROBES[2].fresh())


@pytest.mark.public
def test_mean_over_the_batch(student):
    """the mean over the batch: the same loss for a batch and that batch repeated"""
    log_alpha, log_probs, target = PROBES[1].fresh()
    check_loss(student, log_alpha, log_probs, target)
    check_loss(student, log_alpha.detach().clone().requires_grad_(True),
               log_probs.detach().repeat(3).requires_grad_(True), target)


def test_at_the_target_nothing_moves(student):
    """at the target entropy the gradient is zero (both accepted forms share this zero)"""
    check_loss(student, t(0.3), t([-1.0, -2.0, -3.0]), 2.0)


def test_float32_on_each_device(student):
    """float32 (the agent's) on CPU and, when present, CUDA"""
    for device in devices():
        log_alpha, log_probs, target = PROBES[0].fresh()
        check_loss(student, log_alpha.detach().to(device, torch.float32).requires_grad_(True),
                   log_probs.detach().to(device, torch.float32).requires_grad_(True), target)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]),
       act_dim=st.integers(1, 6), shape=st.sampled_from([(), (1,)]))
def test_random_batches(student, batch, seed, dtype, act_dim, shape):
    """matches the loss and its gradient on random batches (float32 and float64, batch 1, 0-dim and (1,) log α)"""
    rng = np.random.default_rng(seed)
    log_alpha = torch.full(shape, round(float(rng.uniform(-3, 1)), 2), dtype=dtype, requires_grad=True)
    log_probs = torch.tensor(rng.uniform(-8, 4, batch).round(2), dtype=dtype, requires_grad=True)
    check_loss(student, log_alpha, log_probs, -float(act_dim))
