"""Checks for squashed_gaussian(mean, log_std, noise) -> (action, log_prob).

    u = μ + exp(log σ) ε,   a = tanh(u) ∈ (−1, 1)^d
    log π(a|s) = Σ_k [log N(u_k; μ_k, σ_k) − log(1 − tanh(u_k)²)],
    log N(u_k; μ_k, σ_k) = −ε_k²/2 − log σ_k − log(2π)/2,
    log(1 − tanh(u)²) = 2 (log 2 − u − softplus(−2u))   (the stable form)

mean, log_std and noise have shape (B, d); action (B, d), log_prob (B,). The sample is
reparameterised (the gradient reaches mean and log_std through u), and log_prob stays finite
where tanh(u) rounds to ±1 (|u| ≳ 9 in float32, ≳ 19 in float64).
"""

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import devices, tensor_answer
from qlab.soft import squashed_gaussian as reference

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _stable(u):
    return 2 * (math.log(2) - u - F.softplus(-2 * u))


def _model(log_normal=lambda u, m, s, e: -0.5 * e ** 2 - s - HALF_LOG_2PI, correction=lambda u, a, m: _stable(u),
           sample=lambda m, s, e: m + s.exp() * e, squash=lambda u, m, s, e: torch.tanh(u), total=lambda x: x.sum(-1)):
    def squashed(mean, log_std, noise):
        u = sample(mean, log_std, noise)
        a = squash(u, mean, log_std, noise)
        return a, total(log_normal(u, mean, log_std, noise) - correction(u, a, mean))
    return squashed


def _log_normal_at(x, m, s):
    return -0.5 * ((x - m) / s.exp()) ** 2 - s - HALF_LOG_2PI


MISTAKES = {
    "the change-of-variables correction is missing: log π(a|s) = Σ_k [log N(u_k; μ_k, σ_k) − log(1 − tanh(u_k)²)]":
        _model(correction=lambda u, a, m: torch.zeros_like(u)),
    "log(1 − tanh(u)²) computed as written is −inf where tanh(u) rounds to ±1 (and log π then inf or nan); use the "
    "stable form 2 (log 2 − u − softplus(−2u))":
        _model(correction=lambda u, a, m: torch.log(1 - a ** 2)),
    "adding a small ε inside the log, log(1 − tanh(u)² + ε), keeps it finite but wrong where tanh saturates (and "
    "shifts every other value); use the exact stable form 2 (log 2 − u − softplus(−2u))":
        _model(correction=lambda u, a, m: torch.log(1 - a ** 2 + 1e-6)),
    "the correction has the wrong sign: log π(a|s) = log N(u) − log(1 − tanh(u)²) (squashing concentrates the "
    "density, so log π grows)":
        _model(correction=lambda u, a, m: -_stable(u)),
    "the correction is summed over the whole batch (.sum() without dim); each sample subtracts its own "
    "Σ_k log(1 − tanh(u_k)²)":
        _model(correction=lambda u, a, m: _stable(u).sum() / u.shape[-1]),
    "it averages over the action dimensions; the log-density of independent dimensions is the SUM over them":
        _model(total=lambda x: x.mean(-1)),
    "σ in place of log σ in log N: log N(u_k; μ_k, σ_k) = −ε_k²/2 − log σ_k − log(2π)/2":
        _model(log_normal=lambda u, m, s, e: -0.5 * e ** 2 - s.exp() - HALF_LOG_2PI),
    "the −log(2π)/2 of log N is missing (once per action dimension)":
        _model(log_normal=lambda u, m, s, e: -0.5 * e ** 2 - s),
    "log N is evaluated at the squashed action a = tanh(u); the Gaussian's variable is u: log N(u; μ, σ)":
        _model(log_normal=lambda u, m, s, e: _log_normal_at(torch.tanh(u), m, s)),
    "log_std is used as σ in the sample: u = μ + exp(log σ) ε":
        _model(sample=lambda m, s, e: m + s * e, log_normal=lambda u, m, s, e: _log_normal_at(u, m, s)),
    "tanh is applied before adding the noise: the action is tanh(μ + σ ε), not tanh(μ) + σ ε":
        _model(squash=lambda u, m, s, e: torch.tanh(m) + s.exp() * e),
    "the factor 2 of the stable form is missing: log(1 − tanh(u)²) = 2 (log 2 − u − softplus(−2u))":
        _model(correction=lambda u, a, m: math.log(2) - u - F.softplus(-2 * u)),
    "softplus(2u) in place of softplus(−2u): log(1 − tanh(u)²) = 2 (log 2 − u − softplus(−2u))":
        _model(correction=lambda u, a, m: 2 * (math.log(2) - u - F.softplus(2 * u))),
    "the correction uses the mean, log(1 − tanh(μ)²); it belongs to the sample u = μ + σ ε":
        _model(correction=lambda u, a, m: _stable(m)),
}

NAMES = ("mean", "log_std", "noise")


def t(rows):
    return torch.tensor(rows, dtype=torch.float64)


PROBES = [
    Probe("three samples of a 2-d action", (t([[0.5, -0.25], [1.0, 0.0], [-0.75, 0.5]]),
                                            t([[-0.5, 0.0], [0.25, -1.0], [0.5, 0.3]]),
                                            t([[0.3, -1.2], [0.8, 0.1], [-0.4, 1.5]]))),
    Probe("saturated: tanh(u) rounds to ±1", (t([[10.0, -12.0], [0.0, 0.5]]), t([[0.0, 0.0], [1.0, 2.0]]),
                                              t([[0.5, -0.5], [5.0, -4.0]]))),
    Probe("one sample of a 3-d action", (t([[0.2, -1.5, 3.0]]), t([[-2.0, 0.5, -0.25]]), t([[1.0, -0.5, 0.25]]))),
]


def _read(returned, args):
    action, log_prob = returned
    return torch.cat([torch.as_tensor(action).detach().reshape(-1), torch.as_tensor(log_prob).detach().reshape(-1)])


DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_read, dtype=TORCH_PRECISION)


def answer(returned, example, batch, dim, device):
    """The student's (action, log_prob), or a Mistake naming what came back instead."""
    expect(isinstance(returned, (tuple, list)) and len(returned) == 2,
           f"{example} returned a {type(returned).__name__}; expected a pair (action, log_prob)")
    action, log_prob = returned
    action = tensor_answer(action, "squashed_gaussian", f"{example} (the action)", (batch, dim), device)
    if isinstance(log_prob, torch.Tensor) and tuple(log_prob.shape) == (batch, dim):
        raise Mistake(f"log_prob holds one value per action dimension: sum over the action dimensions (the last axis, "
                      f"no keepdim), log π(a|s) = Σ_k [log N(u_k) − log(1 − tanh(u_k)²)] has shape (batch,) ({example} "
                      f"returned log_prob of shape {(batch, dim)}; expected ({batch},))")
    log_prob = tensor_answer(log_prob, "squashed_gaussian", f"{example} (log_prob)", (batch,), device)
    return action, log_prob


def check_sample(student, mean, log_std, noise):
    args = (mean, log_std, noise)
    example = call_text("squashed_gaussian", tuple(a.detach() for a in args))
    before = {n: a.detach().clone() for n, a in zip(NAMES, args)}
    with torch.no_grad():
        expected_action, expected_log_prob = reference(*args)
    action, log_prob = answer(student(*args), example, *mean.shape, mean.device)
    for name, a in zip(NAMES, args):
        expect(torch.equal(before[name], a.detach()), f"{example} changed its argument `{name}` in place; leave the "
                                                      "inputs as they are (compute new tensors)")
    got = torch.cat([action.detach().reshape(-1), log_prob.detach().reshape(-1)]).cpu().numpy()
    want = torch.cat([expected_action.reshape(-1), expected_log_prob.reshape(-1)]).cpu().numpy()
    if not close(got, want, TORCH_PRECISION):
        action_agrees = close(action.detach().cpu().numpy(), expected_action.cpu().numpy(), TORCH_PRECISION)
        part, mine, theirs = (("log_prob", log_prob, expected_log_prob) if action_agrees
                              else ("the action", action, expected_action))
        difference = first_difference(mine.detach().cpu().numpy(), theirs.cpu().numpy(), TORCH_PRECISION)
        fail(f"{example}: {part} {difference}", student, DIFFERENTIAL)
    return action, log_prob


@pytest.mark.public
def test_action_and_log_prob(student):
    """a = tanh(μ + σ ε) and log π(a|s) = Σ_k [log N(u_k; μ_k, σ_k) − log(1 − tanh(u_k)²)], shapes (B, d) and (B,)"""
    check_sample(student, *PROBES[0].fresh())


@pytest.mark.public
def test_correction_summed_over_action_dims(student):
    """the log-density sums over the d action dimensions, per sample (one sample of a 3-d action)"""
    check_sample(student, *PROBES[2].fresh())


@pytest.mark.public
def test_finite_where_tanh_saturates(student):
    """finite where tanh(u) rounds to ±1: the stable form 2 (log 2 − u − softplus(−2u)) of log(1 − tanh(u)²)"""
    check_sample(student, *PROBES[1].fresh())


@pytest.mark.public
def test_finite_where_tanh_saturates_in_float32(student):
    """float32 (the agent's dtype), |u| from 9 to 20: tanh(u) is exactly ±1, log π still finite"""
    mean, log_std, noise = (a.float() for a in PROBES[1].fresh())
    check_sample(student, mean, log_std, noise)
    check_sample(student, torch.tensor([[9.0, -9.5, 20.0]]), torch.tensor([[-1.0, 0.0, -3.0]]),
                 torch.tensor([[0.25, 0.5, 1.0]]))


@pytest.mark.public
def test_reparameterised(student):
    """the gradient reaches mean and log_std through u = μ + exp(log σ) ε (no .detach(), no torch.no_grad())"""
    mean, log_std, noise = PROBES[0].fresh()
    mean.requires_grad_(True)
    log_std.requires_grad_(True)
    example = call_text("squashed_gaussian", (mean.detach(), log_std.detach(), noise))
    action, log_prob = check_sample(student, mean, log_std, noise)
    expect(action.requires_grad,
           "the sample is not reparameterised: no gradient reaches mean and log_std through the action; compute "
           "u = mean + log_std.exp() * noise with torch operations (no .detach(), torch.no_grad() or .sample()) "
           f"(in {example} with mean and log_std requiring grad)")
    expect(log_prob.requires_grad, f"log_prob carries no gradient: compute it with torch operations on mean and "
                                   f"log_std (no .detach(), torch.no_grad() or numpy) (in {example})")
    reference_mean, reference_log_std = (x.detach().clone().requires_grad_(True) for x in (mean, log_std))
    expected_action, expected_log_prob = reference(reference_mean, reference_log_std, noise)
    for name, value, expected_value in (("the action", action, expected_action),
                                        ("log_prob", log_prob, expected_log_prob)):
        got = torch.autograd.grad(value.sum(), (mean, log_std), allow_unused=True, retain_graph=True)
        want = torch.autograd.grad(expected_value.sum(), (reference_mean, reference_log_std), retain_graph=True)
        for input_name, g, w in zip(("mean", "log_std"), got, want):
            g = torch.zeros_like(w) if g is None else g
            expect(close(g.numpy(), w.numpy(), TORCH_PRECISION),
                   f"the sample is not reparameterised: the gradient of {name} with respect to {input_name} is not "
                   f"that of u = mean + exp(log_std) · noise (got {g.tolist()}, expected {w.tolist()}; in {example})")


def test_float32_on_each_device(student):
    """float32 inputs on CPU and, when present, CUDA: float32 results there"""
    for device in devices():
        for args in (PROBES[0].fresh(), PROBES[2].fresh()):
            check_sample(student, *(a.to(device, torch.float32) for a in args))


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 6), dim=st.integers(1, 4), seed=st.integers(0, 10_000),
       spread=st.sampled_from([1.0, 3.0, 12.0]), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_inputs(student, batch, dim, seed, spread, dtype):
    """matches the reference on random inputs (float32 and float64, batch 1, |u| up to ~60)"""
    rng = np.random.default_rng(seed)
    mean = torch.tensor(rng.uniform(-spread, spread, (batch, dim)).round(2), dtype=dtype)
    log_std = torch.tensor(rng.uniform(-3, 1.5, (batch, dim)).round(2), dtype=dtype)
    noise = torch.tensor(rng.normal(0, 1.5, (batch, dim)).round(2), dtype=dtype)
    check_sample(student, mean, log_std, noise)
