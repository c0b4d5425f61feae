"""Checks for noisy_linear(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True) -> y.

    f(ε) = sign(ε) · sqrt(|ε|)
    training:      W = μ_w + σ_w ⊙ outer(f(ε_out), f(ε_in)),   b = μ_b + σ_b ⊙ f(ε_out),   y = x Wᵀ + b
    not training:  y = x μ_wᵀ + μ_b

Torch tensors in: x (B, p), weight_mu and weight_sigma (q, p), bias_mu and bias_sigma (q,),
eps_in (p,) and eps_out (q,) raw standard-normal draws. y has shape (B, q); its gradient reaches
x, μ and σ. The probes that name a mistake are square (p = q), where a transposed outer product
or ε_in in the bias still runs; the other checks use p ≠ q too.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.probes import smallest_failing_probe
from autograde.checks.torch_rules import devices, inputs_unchanged, tensor_answer
from qlab.rainbow.noisy import noisy_linear as reference

NAME = "noisy_linear"
NAMES = ("x", "weight_mu", "weight_sigma", "bias_mu", "bias_sigma", "eps_in", "eps_out", "training")
PARAMETERS = ("x", "weight_mu", "weight_sigma", "bias_mu", "bias_sigma")


def _f(eps):
    return eps.sign() * eps.abs().sqrt()


def _layer(f_in=_f, f_out=_f, bias_eps="out", orientation="(q, p)", sigma=True, bias_noise=True,
           noise_when=lambda training: training, transpose_w=True):
    """The layer with one of its steps done wrong (the defaults are the reference's)."""
    def layer(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True):
        if not noise_when(training):
            w, b = weight_mu, bias_mu
        else:
            q, p = weight_mu.shape
            outer = torch.outer(f_out(eps_out), f_in(eps_in)) if orientation == "(q, p)" \
                else torch.outer(f_in(eps_in), f_out(eps_out)).reshape(q, p)
            w = weight_mu + (weight_sigma * outer if sigma else outer)
            eps_b = f_out(eps_out) if bias_eps == "out" else _f(eps_in)
            b = bias_mu + ((bias_sigma if sigma else 1) * eps_b if bias_noise else 0)
        return x @ w.T + b if transpose_w else x @ w + b
    return layer


def _identity(eps):
    return eps


MISTAKES = {
    "f is not applied: the noise is f(ε) = sign(ε) · sqrt(|ε|) of the raw draws, in ε^w = f(ε_out) f(ε_in)ᵀ "
    "and in the bias's f(ε_out)":
        _layer(f_in=_identity, f_out=_identity),
    "f is applied to ε_out only: ε^w = f(ε_out) f(ε_in)ᵀ needs f on ε_in too":
        _layer(f_in=_identity),
    "f is applied to ε_in only: ε^w = f(ε_out) f(ε_in)ᵀ and the bias's f(ε_out) need f on ε_out too":
        _layer(f_out=_identity),
    "f drops the sign: f(ε) = sign(ε) · sqrt(|ε|), not sqrt(|ε|) (the noise must be as often negative as "
    "positive)":
        _layer(f_in=lambda e: e.abs().sqrt(), f_out=lambda e: e.abs().sqrt()),
    "f takes sqrt(ε) of negative draws (nan): f(ε) = sign(ε) · sqrt(|ε|)":
        _layer(f_in=torch.sqrt, f_out=torch.sqrt),
    "the outer product is transposed: ε^w = outer(f(ε_out), f(ε_in)) has shape (q, p) like W, row i scaled by "
    "f(ε_out)_i and column j by f(ε_in)_j":
        _layer(orientation="(p, q)"),
    "the bias noise uses ε_in; the bias has one noise per output: b = μ_b + σ_b ⊙ f(ε_out)":
        _layer(bias_eps="in"),
    "the bias gets no noise: b = μ_b + σ_b ⊙ f(ε_out)":
        _layer(bias_noise=False),
    "σ does not scale the noise: W = μ_w + σ_w ⊙ ε^w and b = μ_b + σ_b ⊙ f(ε_out) (σ is what the network learns "
    "about its noise)":
        _layer(sigma=False),
    "it adds noise in evaluation: with training=False the layer is noise-free, y = x μ_wᵀ + μ_b":
        _layer(noise_when=lambda training: True),
    "the training flag is inverted: noise while training, none in evaluation":
        _layer(noise_when=lambda training: not training),
    "it computes x W, not x Wᵀ: W has shape (q, p), one row per output":
        _layer(transpose_w=False),
}


def _tensor(values):
    return torch.tensor(values, dtype=torch.float64)


X = _tensor([[1.0, -0.5, 2.0], [0.25, 1.5, -1.0]])
W_MU = _tensor([[0.5, -0.25, 0.125], [-0.5, 0.75, 0.25], [0.25, 0.0, -0.375]])
W_SIGMA = _tensor([[0.25, 0.5, 0.125], [0.375, 0.25, 0.5], [0.125, 0.625, 0.25]])
B_MU = _tensor([0.1, -0.2, 0.3])
B_SIGMA = _tensor([0.5, 0.25, 0.75])
EPS_IN = _tensor([2.25, -0.25, 1.0])
EPS_OUT = _tensor([-1.0, 0.5625, 4.0])


def probe(label, training, eps_in=EPS_IN, eps_out=EPS_OUT, x=X):
    return Probe(label, (x.clone(), W_MU.clone(), W_SIGMA.clone(), B_MU.clone(), B_SIGMA.clone(), eps_in.clone(),
                         eps_out.clone(), training))


PROBES = [
    probe("training", True),
    probe("evaluation", False),
    probe("training, other draws", True, _tensor([-0.64, 1.44, 0.09]), _tensor([0.16, -2.56, -0.01]),
          _tensor([[-1.0, 0.5, 0.75]])),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)

# a rectangular layer: p = 4 inputs, q = 2 outputs
RECT = (_tensor([[1.0, -0.5, 2.0, 0.5], [0.25, 1.5, -1.0, 0.0]]),
        _tensor([[0.5, -0.25, 0.125, 0.0], [-0.5, 0.75, 0.25, 1.0]]),
        _tensor([[0.25, 0.5, 0.125, 0.375], [0.375, 0.25, 0.5, 0.125]]),
        _tensor([0.1, -0.2]), _tensor([0.5, 0.25]), _tensor([2.25, -0.25, 1.0, -4.0]), _tensor([-1.0, 0.5625]))


def _describe(args) -> str:
    x, weight_mu = args[0], args[1]
    if weight_mu.numel() <= 16 and x.shape[0] <= 3:
        return call_text(NAME, args[:7] + (args[7],), ("",) * 7 + ("training",))
    return (f"{NAME} on a random layer (B = {x.shape[0]}, p = {weight_mu.shape[1]} inputs, q = {weight_mu.shape[0]} "
            f"outputs, training={args[7]}, {x.dtype})")


def check_layer(student, x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True,
                gradient=False):
    """The layer's output and, with ``gradient``, the gradients of Σ y ⊙ G into x, μ and σ."""
    args = (x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training)
    example = _describe(args)
    before = {n: a.detach().clone() for n, a in zip(NAMES, args) if isinstance(a, torch.Tensor)}
    ours = [a.detach().clone().requires_grad_(gradient) if n in PARAMETERS else a for n, a in zip(NAMES, args)]
    theirs = [a.detach().clone().requires_grad_(gradient) if n in PARAMETERS else a for n, a in zip(NAMES, args)]
    expected = reference(*ours)
    got = tensor_answer(student(*theirs[:7], training=training), NAME, example, tuple(expected.shape), x.device)
    inputs_unchanged(before, dict(zip(NAMES, theirs)), example)
    got_np, expected_np = got.detach().cpu().double().numpy(), expected.detach().cpu().double().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        pasteable = "" if example.startswith(f"{NAME}(") else smallest_failing_probe(
            student, PROBES, reference, lambda f, a: f(*a[:7], training=a[7]), _describe)
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}{pasteable}", student, DIFFERENTIAL)
    if not gradient:
        return
    expect(got.requires_grad, f"y carries no gradient: μ and σ are learned, so the gradient must flow into them and "
                              f"into x (no torch.no_grad(), .detach() or .data) (in {example})")
    weights = torch.arange(1, got.numel() + 1, dtype=got.dtype, device=got.device).reshape(got.shape) / got.numel()
    (expected * weights.to(expected.dtype)).sum().backward()
    (got * weights).sum().backward()
    for name, mine, yours in zip(NAMES, ours, theirs):
        if name not in PARAMETERS:
            continue
        expect(yours.grad is not None, f"no gradient reached {name}: y = x (μ_w + σ_w ⊙ ε^w)ᵀ + μ_b + σ_b ⊙ f(ε_out) "
                                       f"must stay differentiable in {name} (no .detach() or .data) (in {example})")
        if not close(yours.grad.cpu().numpy(), mine.grad.cpu().numpy(), TORCH_PRECISION):
            raise Mistake(f"the gradient with respect to {name} is wrong: y must be computed from {name} as "
                          f"the formula says, without detaching any part of it (in {example}: "
                          f"{first_difference(yours.grad.cpu().numpy(), mine.grad.cpu().numpy(), TORCH_PRECISION)})")


@pytest.mark.public
def test_factorised_noise_in_training(student):
    """training: W = μ_w + σ_w ⊙ f(ε_out) f(ε_in)ᵀ and b = μ_b + σ_b ⊙ f(ε_out), f(ε) = sign(ε) sqrt|ε|"""
    check_layer(student, *PROBES[0].fresh())
    check_layer(student, *PROBES[2].fresh())


@pytest.mark.public
def test_no_noise_in_evaluation(student):
    """training=False: y = x μ_wᵀ + μ_b, whatever ε"""
    check_layer(student, *PROBES[1].fresh())


@pytest.mark.public
def test_more_inputs_than_outputs(student):
    """p = 4 inputs, q = 2 outputs: ε^w = f(ε_out) f(ε_in)ᵀ has shape (q, p), the bias noise f(ε_out) shape (q,)"""
    check_layer(student, *(a.clone() for a in RECT), True)
    check_layer(student, *(a.clone() for a in RECT), False)


@pytest.mark.public
def test_gradient_reaches_x_mu_and_sigma(student):
    """y is differentiable in x, μ_w, σ_w, μ_b and σ_b (μ and σ are what the network learns)"""
    check_layer(student, *PROBES[0].fresh(), gradient=True)
    check_layer(student, *(a.clone() for a in RECT), True, gradient=True)


def test_batch_of_one_and_one_input(student):
    """a batch of one input of one feature"""
    check_layer(student, _tensor([[2.0]]), _tensor([[0.5], [-1.0]]), _tensor([[0.25], [0.5]]), _tensor([0.0, 1.0]),
                _tensor([0.5, 0.5]), _tensor([-2.25]), _tensor([0.25, -1.0]), True, gradient=True)


def test_float32_on_each_device(student):
    """float32 inputs (the agent's) on CPU and, when present, CUDA"""
    for device in devices():
        for training in (True, False):
            check_layer(student, *(a.to(device, torch.float32) for a in RECT), training, gradient=training)


def _random_layer(rng, batch, p, q, dtype):
    def draw(low, high, shape):
        return torch.tensor(rng.uniform(low, high, shape).round(2), dtype=dtype)
    return (draw(-3, 3, (batch, p)), draw(-1, 1, (q, p)), draw(0, 0.5, (q, p)), draw(-1, 1, q), draw(0, 0.5, q),
            torch.tensor(rng.standard_normal(p).round(2), dtype=dtype),
            torch.tensor(rng.standard_normal(q).round(2), dtype=dtype))


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 5), p=st.integers(1, 6), q=st.integers(1, 6), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([torch.float32, torch.float64]), training=st.booleans())
def test_random_layers(student, batch, p, q, seed, dtype, training):
    """matches the layer and its gradients on random layers (float32 and float64, batch 1, p ≠ q, both modes)"""
    check_layer(student, *_random_layer(np.random.default_rng(seed), batch, p, q, dtype), training, gradient=training)


if torch.cuda.is_available():
    def test_random_layers_on_cuda(student):
        """a random float32 layer on the GPU: y stays there, gradients too"""
        rng = np.random.default_rng(11)
        for training in (True, False):
            args = _random_layer(rng, 4, 5, 3, torch.float32)
            check_layer(student, *(a.cuda() for a in args), training, gradient=training)
