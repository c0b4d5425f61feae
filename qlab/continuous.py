r"""Maximising Q over a continuous action: random shooting and the cross-entropy method.

With discrete actions, :math:`\max_{a'} Q(s', a')` is a max over a short vector. With a
continuous action box :math:`[\text{low}, \text{high}]^d` it is an optimisation problem at
every step. The simplest answers sample actions and keep the best:

* **random shooting** — N uniform actions per state, keep the one with the largest Q;
* **the cross-entropy method (CEM)** — sample N actions from a Gaussian, keep the ``n_elites``
  best, refit the Gaussian's mean and standard deviation to those elites, repeat; the mean
  of the last fit is the answer. It spends its samples where the good actions are.

Both take the critic as a function ``critic(obs (B, obs_dim), actions (B, act_dim)) -> (B,)``
and draw all randomness from a ``numpy.random.Generator``, so a run is reproducible.

The third answer needs no optimiser: a Q that is easy to maximise by construction,
:class:`qlab.networks.NAFCritic` (quadratic in the action, its peak an output of the network).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

__all__ = ["random_shooting", "cross_entropy_method", "QuadraticCritic"]


def _box(low, high, like: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    low = torch.as_tensor(np.asarray(low), dtype=like.dtype, device=like.device).reshape(-1)
    high = torch.as_tensor(np.asarray(high), dtype=like.dtype, device=like.device).reshape(-1)
    if low.shape != high.shape or not bool((low < high).all()):
        raise ValueError(f"the action box needs low < high, same shape; got low={low.tolist()}, high={high.tolist()}")
    return low, high


def _values(critic, obs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """Q(s_b, a_bn) for every state b and candidate n: actions (B, N, d) -> values (B, N)."""
    batch, n, dim = actions.shape
    repeated = obs.repeat_interleave(n, dim=0)
    with torch.no_grad():
        return critic(repeated, actions.reshape(batch * n, dim)).reshape(batch, n)


def random_shooting(critic, obs: torch.Tensor, low, high, n_samples: int, rng: np.random.Generator) -> torch.Tensor:
    r"""For each state, the best of ``n_samples`` uniform actions: :math:`\arg\max_{a_i} Q(s, a_i)`.

    Args:
        critic: ``Q(s, a)``, maps (B, obs_dim), (B, act_dim) to (B,).
        obs: states, shape (B, obs_dim).
        low, high: the action box, shape (act_dim,) (or scalars for act_dim 1).
        n_samples: N candidate actions per state, drawn uniformly in the box with ``rng``.
        rng: the numpy generator every random number comes from.

    Returns:
        The chosen actions, shape (B, act_dim), dtype of ``obs``.
    """
    low, high = _box(low, high, obs)
    batch = obs.shape[0]
    u = torch.as_tensor(rng.random((batch, n_samples, low.numel())), dtype=obs.dtype, device=obs.device)
    candidates = low + u * (high - low)
    best = _values(critic, obs, candidates).argmax(dim=1)
    return candidates[torch.arange(batch), best]


def cross_entropy_method(critic, obs: torch.Tensor, low, high, n_samples: int, n_elites: int, n_iters: int,
                         rng: np.random.Generator) -> torch.Tensor:
    r"""Maximise Q(s, ·) over the box by the cross-entropy method; returns the final mean.

    Start from the Gaussian centred in the box with standard deviation its half-width; then
    ``n_iters`` times: sample N actions :math:`a_i \sim \mathcal{N}(μ, σ^2)` (standard normals
    from ``rng``), clip them to the box, keep the ``n_elites`` with the largest Q, and refit
    :math:`μ, σ` to the elites (mean and standard deviation per action dimension).

    Returns:
        μ after the last refit, shape (B, act_dim) — inside the box, since the elites are.
    """
    low, high = _box(low, high, obs)
    if not 1 <= n_elites <= n_samples:
        raise ValueError(f"n_elites must lie in [1, n_samples={n_samples}], got {n_elites}")
    batch, dim = obs.shape[0], low.numel()
    mean = ((low + high) / 2).expand(batch, dim).clone()
    std = ((high - low) / 2).expand(batch, dim).clone()
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((batch, n_samples, dim)), dtype=obs.dtype, device=obs.device)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low, high)
        elite_index = _values(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(batch)[:, None], elite_index]
        mean, std = elites.mean(dim=1), elites.std(dim=1, unbiased=False)
    return mean


class QuadraticCritic(nn.Module):
    r"""A critic whose maximiser over the box is known: :math:`Q(s, a) = -\lVert a - W s \rVert^2 + s_0`.

    Its unconstrained peak :math:`W s` may lie outside the box; the best action in the box is
    then its projection, :math:`\text{clip}(W s, \text{low}, \text{high})` (``best_action``).
    A maximiser that forgets the bounds walks out of the box on such a state."""

    def __init__(self, weight, low, high):
        super().__init__()
        # copies: the critic shares no memory with the arrays it was built from
        self.register_buffer("weight", torch.tensor(np.asarray(weight, dtype=np.float64)))
        self.register_buffer("low", torch.tensor(np.asarray(low, dtype=np.float64)).reshape(-1))
        self.register_buffer("high", torch.tensor(np.asarray(high, dtype=np.float64)).reshape(-1))

    def best_action(self, obs: torch.Tensor) -> torch.Tensor:
        centre = obs.to(self.weight.dtype) @ self.weight.T
        return torch.minimum(torch.maximum(centre, self.low), self.high).to(obs.dtype)

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        gap = action - (obs.to(self.weight.dtype) @ self.weight.T).to(action.dtype)
        return -(gap * gap).sum(dim=-1) + obs[:, 0].to(action.dtype)

