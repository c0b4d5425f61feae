"""Shared by the checks of assignment 07: small seeded networks and critics with known maximisers."""

from __future__ import annotations

import copy

import numpy as np
import torch

from autograde.checks.diagnosis import Mistake, as_array
from qlab.continuous import QuadraticCritic
from qlab.networks import DDPGActor, DDPGCritic

LOW, HIGH = np.array([-1.0, 0.0]), np.array([3.0, 2.0])   # an off-centre box: centre (1, 1), half-widths (2, 1)


def seeded(module: torch.nn.Module, seed: int, dtype=torch.float64) -> torch.nn.Module:
    """``module`` in ``dtype`` with weights drawn from a seeded generator (scale 0.5)."""
    rng = np.random.default_rng(seed)
    module = module.to(dtype)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.as_tensor(rng.normal(0.0, 0.5, tuple(parameter.shape))))
    return module


def actor_and_critic(seed: int, obs_dim: int = 3, dtype=torch.float64):
    actor = seeded(DDPGActor(obs_dim, LOW, HIGH, hidden=(8,)), seed, dtype)
    critic = seeded(DDPGCritic(obs_dim, len(LOW), hidden=(8,)), seed + 1, dtype)
    return actor, critic


def quadratic(peaks_inside: bool = True) -> QuadraticCritic:
    """Q(s, a) = −‖a − W s‖² + s_0; on the states of ``states()`` the unconstrained peak W s lies
    inside the box, or (``peaks_inside=False``) outside it, where the best action is on the boundary."""
    weight = np.array([[0.5, 0.25, 0.0], [0.0, 0.25, 0.125]])
    return QuadraticCritic(weight if peaks_inside else 3.0 * weight, LOW, HIGH)


class Critic:
    """What random_shooting and cross_entropy_method are handed: Q(s, a), and nothing else.

    It can only be called, ``critic(obs, actions)``: no ``best_action``, no weights, no box.
    It evaluates its own copy of the checks' critic, so nothing the student does to it reaches
    the checks' critic or the module's LOW and HIGH. Out of the kernel its class cannot be
    imported in the sandbox, so the student's process gets a callback that runs it here; it
    takes only (B, obs_dim) states and (B, act_dim) actions (B may be 1 on either side), so
    the student cannot make the grader build a table of every state against every action.
    """

    __slots__ = ("_critic",)

    def __init__(self, critic: QuadraticCritic):
        self._critic = copy.deepcopy(critic)

    def __call__(self, obs, actions) -> torch.Tensor:
        obs, actions = torch.as_tensor(obs), torch.as_tensor(actions)
        rows = {obs.shape[0] if obs.dim() == 2 else None, actions.shape[0] if actions.dim() == 2 else None}
        if (obs.dim() != 2 or actions.dim() != 2 or obs.shape[1] != self._critic.weight.shape[1]
                or actions.shape[1] != len(LOW) or len(rows - {1}) > 1):
            raise ValueError(f"critic(obs, actions) takes states of shape (B, {self._critic.weight.shape[1]}) and "
                             f"actions of shape (B, {len(LOW)}); it was given {tuple(obs.shape)} and "
                             f"{tuple(actions.shape)}")
        with torch.no_grad():
            return self._critic(obs, actions)

    def __getattr__(self, name: str):
        raise AttributeError(f"the critic can only be called, critic(obs, actions); it has no attribute {name!r}")


def states(n: int, seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    """States whose peaks W s sit well inside the box (for ``quadratic(True)``), rounded to 2 decimals."""
    rng = np.random.default_rng(seed)
    return torch.as_tensor(rng.uniform([0.5, 1.0, 0.0], [3.0, 3.0, 4.0], (n, 3)).round(2), dtype=dtype)


def actions_of(value, name: str, batch: int, dtype) -> torch.Tensor:
    """The student's actions as a (batch, act_dim) tensor, or a Mistake saying what came back."""
    actions = torch.as_tensor(as_array(value, name))
    if tuple(actions.shape) != (batch, len(LOW)):
        hint = " (one value per state: did you return Q instead of the action?)" if tuple(actions.shape) == (batch,) else ""
        raise Mistake(f"{name} returned shape {tuple(actions.shape)}; expected (batch, act_dim) = ({batch}, {len(LOW)}){hint}")
    if not actions.is_floating_point():
        raise Mistake(f"{name} returned dtype {actions.dtype}; actions are real numbers (a float dtype)")
    return actions.to(dtype)


def outside_box(actions: torch.Tensor) -> str | None:
    """A description of the first action outside [LOW, HIGH], or None."""
    low, high = torch.as_tensor(LOW, dtype=actions.dtype), torch.as_tensor(HIGH, dtype=actions.dtype)
    bad = ~((actions >= low - 1e-9) & (actions <= high + 1e-9)).all(dim=1)
    if not bool(bad.any()):
        return None
    i = int(bad.nonzero()[0])
    return f"action {[round(x, 4) for x in actions[i].tolist()]} of state {i} is outside the box [{LOW.tolist()}, {HIGH.tolist()}]"
