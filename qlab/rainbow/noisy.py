r"""Noisy networks (Fortunato et al., 2018): exploration by learned, factorised Gaussian noise.

A noisy linear layer with p inputs and q outputs replaces ε-greedy: its weights are

.. math:: W = μ^w + σ^w ⊙ ε^w, \qquad b = μ^b + σ^b ⊙ ε^b, \qquad y = x W^\top + b,

where μ and σ are learned and ε is fresh noise at every step. Factorised noise draws only
p + q standard normals ε_in (p,) and ε_out (q,) and builds

.. math:: ε^w = f(ε_{out})\, f(ε_{in})^\top \;(q × p), \qquad ε^b = f(ε_{out}),
          \qquad f(x) = \operatorname{sign}(x) \sqrt{|x|}.

The network learns how much noise each weight keeps (σ), so exploration fades where it is
no longer useful. In evaluation the layer is deterministic: y = x (μ^w)ᵀ + μ^b.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from qlab.rules import _same_device, _tensor

__all__ = ["noisy_linear", "noisy_init", "scale_noise"]


def scale_noise(eps: torch.Tensor) -> torch.Tensor:
    r"""The factorised-noise transform :math:`f(ε) = \operatorname{sign}(ε)\sqrt{|ε|}`."""
    return eps.sign() * eps.abs().sqrt()


def _parameter(name: str, x, shape: tuple[int, ...], text: str) -> torch.Tensor:
    x = _tensor(name, x)
    if tuple(x.shape) != shape:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected {text} = {shape}")
    if not x.is_floating_point():
        raise TypeError(f"{name} has dtype {x.dtype}; expected a floating dtype")
    return x


def noisy_linear(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training=True) -> torch.Tensor:
    r"""Forward pass of a factorised-Gaussian noisy linear layer.

    In training:

    .. math:: W = μ^w + σ^w ⊙ \big(f(ε_{out})\, f(ε_{in})^\top\big), \qquad
              b = μ^b + σ^b ⊙ f(ε_{out}), \qquad y = x W^\top + b,

    with :math:`f(ε) = \operatorname{sign}(ε)\sqrt{|ε|}`; not training: :math:`y = x (μ^w)^\top + μ^b`.

    Args:
        x: inputs, shape (B, p).
        weight_mu, weight_sigma: μ^w and σ^w, shape (q, p).
        bias_mu, bias_sigma: μ^b and σ^b, shape (q,).
        eps_in: ε_in, shape (p,), raw standard-normal draws (f is applied here).
        eps_out: ε_out, shape (q,), raw standard-normal draws.
        training: whether to add the noise (evaluation is noise-free).

    Returns:
        ``y`` of shape (B, q); its gradient reaches x, μ and σ.
    """
    weight_mu = _tensor("weight_mu", weight_mu)
    if weight_mu.ndim != 2:
        raise ValueError(f"weight_mu has shape {tuple(weight_mu.shape)}; expected (out_features, in_features)")
    q, p = weight_mu.shape
    weight_mu = _parameter("weight_mu", weight_mu, (q, p), "(out_features, in_features)")
    weight_sigma = _parameter("weight_sigma", weight_sigma, (q, p), "(out_features, in_features)")
    bias_mu = _parameter("bias_mu", bias_mu, (q,), "(out_features,)")
    bias_sigma = _parameter("bias_sigma", bias_sigma, (q,), "(out_features,)")
    eps_in = _parameter("eps_in", eps_in, (p,), "(in_features,)")
    eps_out = _parameter("eps_out", eps_out, (q,), "(out_features,)")
    x = _tensor("x", x)
    if x.ndim != 2 or x.shape[1] != p:
        raise ValueError(f"x has shape {tuple(x.shape)}; expected (batch, in_features) = (batch, {p})")
    if not x.is_floating_point():
        raise TypeError(f"x has dtype {x.dtype}; expected a floating dtype")
    _same_device(x=x, weight_mu=weight_mu, weight_sigma=weight_sigma, bias_mu=bias_mu,
                 bias_sigma=bias_sigma, eps_in=eps_in, eps_out=eps_out)
    if not training:
        return torch.nn.functional.linear(x, weight_mu, bias_mu)
    f_out, f_in = scale_noise(eps_out), scale_noise(eps_in)
    weight = weight_mu + weight_sigma * torch.outer(f_out, f_in)
    bias = bias_mu + bias_sigma * f_out
    return torch.nn.functional.linear(x, weight, bias)


def noisy_init(in_features: int, out_features: int, sigma0: float, rng: np.random.Generator):
    r"""Fortunato et al.'s initialisation of a factorised noisy layer with p inputs, q outputs.

    .. math:: μ^w_{ij},\, μ^b_i \sim U\Big[-\tfrac{1}{\sqrt{p}},\, \tfrac{1}{\sqrt{p}}\Big], \qquad
              σ^w_{ij} = σ^b_i = \frac{σ_0}{\sqrt{p}}

    (the paper uses σ_0 = 0.5). Both bounds use p, the number of **inputs**, as a default
    ``nn.Linear`` does.

    Args:
        in_features: p. out_features: q.
        sigma0: σ_0 ≥ 0.
        rng: the numpy ``Generator`` every uniform draw comes from (μ^w first, then μ^b).

    Returns:
        ``(weight_mu (q, p), weight_sigma (q, p), bias_mu (q,), bias_sigma (q,))``, float32
        torch tensors on the CPU.
    """
    for name, n in (("in_features", in_features), ("out_features", out_features)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {n!r}")
    sigma0 = float(sigma0)
    if not sigma0 >= 0.0:
        raise ValueError(f"sigma0 must be >= 0, got {sigma0}")
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}")
    p, q = int(in_features), int(out_features)
    bound = 1.0 / math.sqrt(p)
    weight_mu = torch.as_tensor(rng.uniform(-bound, bound, size=(q, p)), dtype=torch.float32)
    bias_mu = torch.as_tensor(rng.uniform(-bound, bound, size=q), dtype=torch.float32)
    weight_sigma = torch.full((q, p), sigma0 / math.sqrt(p), dtype=torch.float32)
    bias_sigma = torch.full((q,), sigma0 / math.sqrt(p), dtype=torch.float32)
    return weight_mu, weight_sigma, bias_mu, bias_sigma
