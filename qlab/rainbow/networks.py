"""Rainbow's network changes (Hessel et al., 2018) for flat observations.

* :class:`NoisyLinear` -- a linear layer with learned factorised Gaussian noise (Fortunato et
  al., 2018): ``W = μ_w + σ_w ⊙ f(ε_out) f(ε_in)ᵀ``, ``b = μ_b + σ_b ⊙ f(ε_out)``; fresh ε on
  :meth:`~NoisyLinear.reset_noise`, no noise in ``eval()``.
* :class:`RainbowQNetwork` -- an MLP trunk and a head that is any combination of dueling
  (Wang et al., 2016), noisy, and categorical (C51, Bellemare et al., 2017): with ``n_atoms``
  it outputs logits ``(B, A, N)`` over a ``support`` of N atoms, and ``Q = Σ_j z_j p_j`` for acting.

The layer's forward pass, its initialisation and the dueling aggregation are plain functions
(defaults: the references in :mod:`qlab.rainbow`); a course notebook passes the student's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from qlab.networks import check_features
from qlab.rainbow.dueling import dueling_q
from qlab.rainbow.noisy import noisy_init, noisy_linear

__all__ = ["NoisyLinear", "RainbowQNetwork"]


class NoisyLinear(nn.Module):
    """Factorised-Gaussian noisy linear layer, ``(B, in_features) -> (B, out_features)``.

    Args:
        in_features, out_features: p and q.
        sigma0: σ0 of the initialisation, σ = σ0 / √p (the paper's 0.5).
        forward_fn: ``(x, weight_mu, weight_sigma, bias_mu, bias_sigma, eps_in, eps_out, training) -> y``.
        init_fn: ``(in_features, out_features, sigma0, rng) -> (weight_mu, weight_sigma, bias_mu, bias_sigma)``.
        seed: seed of the layer's numpy generator, which draws the initialisation and every ε.
        device: where the parameters and the noise live.

    ``eps_in`` (p,) and ``eps_out`` (q,) are buffers holding the raw standard-normal draws;
    :meth:`reset_noise` draws new ones. The generator's state is saved in ``state_dict``
    (extra state), so a resumed run draws the same noise.
    """

    def __init__(self, in_features: int, out_features: int, sigma0: float = 0.5, forward_fn: Callable | None = None,
                 init_fn: Callable | None = None, seed=None, device=None):
        super().__init__()
        self.in_features, self.out_features, self.sigma0 = int(in_features), int(out_features), float(sigma0)
        self.forward_fn = forward_fn or noisy_linear
        self.rng = np.random.default_rng(seed)
        shapes = [(self.out_features, self.in_features)] * 2 + [(self.out_features,)] * 2
        names = ("weight_mu", "weight_sigma", "bias_mu", "bias_sigma")
        initial = (init_fn or noisy_init)(self.in_features, self.out_features, self.sigma0, self.rng)
        for name, shape, value in zip(names, shapes, initial, strict=True):
            value = torch.as_tensor(value, dtype=torch.float32)
            if tuple(value.shape) != shape:
                raise ValueError(f"init_fn returned {name} of shape {tuple(value.shape)}; expected {shape}")
            self.register_parameter(name, nn.Parameter(value.to(device)))
        self.register_buffer("eps_in", torch.zeros(self.in_features, device=device))
        self.register_buffer("eps_out", torch.zeros(self.out_features, device=device))
        self.reset_noise()

    def reset_noise(self) -> None:
        """Draw fresh ε_in ~ N(0, I_p) and ε_out ~ N(0, I_q) from the layer's generator."""
        with torch.no_grad():
            self.eps_in.copy_(torch.from_numpy(self.rng.standard_normal(self.in_features)))
            self.eps_out.copy_(torch.from_numpy(self.rng.standard_normal(self.out_features)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.forward_fn(x, self.weight_mu, self.weight_sigma, self.bias_mu, self.bias_sigma,
                               self.eps_in, self.eps_out, training=self.training)

    def get_extra_state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def set_extra_state(self, state: dict) -> None:
        self.rng.bit_generator.state = state["rng"]

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, sigma0={self.sigma0}"


class RainbowQNetwork(nn.Module):
    """Q-network on flat observations with Rainbow's network changes, each optional.

    Layout: an MLP trunk (``nn.Linear`` + ReLU for ``hidden[:-1]``), then a head of two layers
    (``hidden[-1]`` units, ReLU) -- :class:`NoisyLinear` layers with ``noisy`` -- and with
    ``dueling`` two such heads, a value stream and an advantage stream, aggregated per atom by
    ``aggregate_fn``. With every option off it is :class:`qlab.networks.MLP`.

    Args:
        in_dim, n_actions: observation size and number of actions A.
        hidden: layer sizes; the last one is the head's.
        dueling: value and advantage streams, ``Q = aggregate_fn(V, A)``.
        noisy: the head's layers are :class:`NoisyLinear` (σ0 = ``sigma0``).
        n_atoms: None for a Q-value head; else C51's head with N atoms on
            ``support = linspace(v_min, v_max, N)`` (a buffer).
        aggregate_fn: the dueling aggregation ``(value (B, 1), advantages (B, A)) -> (B, A)``.
        noisy_forward_fn, noisy_init_fn: the noisy layers' ``forward_fn`` and ``init_fn``.
        seed: seeds the noisy layers' generators (one stream each); the plain layers use torch's.

    ``forward(x)`` is ``Q(s, ·)`` (B, A) -- the mean ``Σ_j z_j p_j(s, ·)`` for C51 -- so acting
    is an argmax either way; ``logits(x)`` is (B, A, N) (N = 1 without atoms).
    """

    def __init__(self, in_dim: int, n_actions: int, hidden: Sequence[int] = (120, 84), dueling: bool = False,
                 noisy: bool = False, n_atoms: int | None = None, v_min: float = 0.0, v_max: float = 100.0,
                 sigma0: float = 0.5, aggregate_fn: Callable | None = None, noisy_forward_fn: Callable | None = None,
                 noisy_init_fn: Callable | None = None, seed=None, device=None):
        super().__init__()
        if n_atoms is not None and (n_atoms < 2 or not v_min < v_max):
            raise ValueError(f"a categorical head needs n_atoms >= 2 and v_min < v_max, got {n_atoms}, {v_min}, {v_max}")
        self.in_dim, self.n_actions = int(in_dim), int(n_actions)
        self.dueling, self.noisy, self.distributional = dueling, noisy, n_atoms is not None
        self.n_atoms = int(n_atoms) if n_atoms is not None else 1
        self.aggregate_fn = aggregate_fn or dueling_q
        seeds = iter(np.random.SeedSequence(seed).spawn(4))

        def linear(p: int, q: int) -> nn.Module:
            if noisy:
                return NoisyLinear(p, q, sigma0, noisy_forward_fn, noisy_init_fn, seed=next(seeds), device=device)
            return nn.Linear(p, q, device=device)

        trunk: list[nn.Module] = []
        width = self.in_dim
        for size in hidden[:-1]:
            trunk += [nn.Linear(width, size, device=device), nn.ReLU()]
            width = size
        self.trunk = nn.Sequential(*trunk)
        outputs = self.n_actions * self.n_atoms
        self.head = nn.Sequential(linear(width, hidden[-1]), nn.ReLU(), linear(hidden[-1], outputs))
        self.value_head = (nn.Sequential(linear(width, hidden[-1]), nn.ReLU(), linear(hidden[-1], self.n_atoms))
                           if dueling else None)
        if self.distributional:
            self.register_buffer("support", torch.linspace(v_min, v_max, self.n_atoms, device=device))

    def streams(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Dueling only: ``V`` (B, N) and ``A`` (B, A, N) before aggregation (N = 1 without atoms)."""
        if not self.dueling:
            raise ValueError("streams() needs a dueling network (dueling=True)")
        check_features("RainbowQNetwork", x, self.in_dim)
        features = self.trunk(x)
        return self.value_head(features), self.head(features).reshape(len(x), self.n_actions, self.n_atoms)

    def logits(self, x: torch.Tensor) -> torch.Tensor:
        """The head's outputs, shape (B, A, N): C51's logits over the atoms (N = 1: Q itself)."""
        if not self.dueling:
            check_features("RainbowQNetwork", x, self.in_dim)
            return self.head(self.trunk(x)).reshape(len(x), self.n_actions, self.n_atoms)
        value, advantages = self.streams(x)
        batch = len(x)
        # aggregate_fn works on (rows, 1) and (rows, A): one row per (state, atom).
        per_atom = self.aggregate_fn(value.reshape(batch * self.n_atoms, 1),
                                     advantages.transpose(1, 2).reshape(batch * self.n_atoms, self.n_actions))
        return per_atom.reshape(batch, self.n_atoms, self.n_actions).transpose(1, 2)

    def probs(self, x: torch.Tensor) -> torch.Tensor:
        """C51: the return distributions ``p(s, a)`` over the support, (B, A, N), rows summing to 1."""
        if not self.distributional:
            raise ValueError("probs() needs a categorical network (n_atoms=...)")
        return self.logits(x).softmax(dim=2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.distributional:
            return (self.probs(x) * self.support).sum(dim=2)
        return self.logits(x).squeeze(2)

    def reset_noise(self) -> None:
        """Fresh noise in every :class:`NoisyLinear` layer (nothing without ``noisy``)."""
        for module in self.modules():
            if isinstance(module, NoisyLinear):
                module.reset_noise()
