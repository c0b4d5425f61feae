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


class Record:
    """What a critic was asked, kept in the grader: every (state, action) pair it scored, in
    order, and the value it returned. Out of the kernel the critic runs here (a callback), so
    the record is the grader's own; it keeps at most ``MAX_ROWS`` pairs (``overflow`` past that).
    When the critic is pickled or deep-copied (the catalogue's stand-in for another process, or
    a student's copy), the copy records elsewhere: ``shipped`` says so, and the checks then
    judge by the result alone."""

    MAX_ROWS = 1_000_000

    def __init__(self):
        self.obs, self.actions, self.values = [], [], []
        self.rows, self.overflow, self.shipped = 0, False, False

    def add(self, obs: torch.Tensor, actions: torch.Tensor, values: torch.Tensor) -> None:
        rows = max(obs.shape[0], actions.shape[0])
        self.rows += rows
        if self.rows > self.MAX_ROWS:
            self.overflow = True
            return
        self.obs.append(obs.detach().to(torch.float64).expand(rows, -1).cpu().numpy().copy())
        self.actions.append(actions.detach().to(torch.float64).expand(rows, -1).cpu().numpy().copy())
        self.values.append(values.detach().to(torch.float64).reshape(-1).expand(rows).cpu().numpy().copy())


class Critic:
    """What random_shooting and cross_entropy_method are handed: Q(s, a), and nothing else.

    It can only be called, ``critic(obs, actions)``: no ``best_action``, no weights, no box.
    It evaluates its own copy of the checks' critic, so nothing the student does to it reaches
    the checks' critic or the module's LOW and HIGH. Out of the kernel its class cannot be
    imported in the sandbox, so the student's process gets a callback that runs it here; it
    takes only (B, obs_dim) states and (B, act_dim) actions (B may be 1 on either side), so
    the student cannot make the grader build a table of every state against every action.
    Given a ``Record``, it notes every pair it scores there (on the grader's side).
    """

    __slots__ = ("_critic", "_record")

    def __init__(self, critic: QuadraticCritic, record: "Record | None" = None):
        self._critic = copy.deepcopy(critic)
        self._record = record

    def __call__(self, obs, actions) -> torch.Tensor:
        obs, actions = torch.as_tensor(obs), torch.as_tensor(actions)
        rows = {obs.shape[0] if obs.dim() == 2 else None, actions.shape[0] if actions.dim() == 2 else None}
        if (obs.dim() != 2 or actions.dim() != 2 or obs.shape[1] != self._critic.weight.shape[1]
                or actions.shape[1] != len(LOW) or len(rows - {1}) > 1):
            raise ValueError(f"critic(obs, actions) takes states of shape (B, {self._critic.weight.shape[1]}) and "
                             f"actions of shape (B, {len(LOW)}); it was given {tuple(obs.shape)} and "
                             f"{tuple(actions.shape)}")
        with torch.no_grad():
            values = self._critic(obs, actions)
        if self._record is not None:
            self._record.add(obs, actions, values)
        return values

    def __reduce__(self):
        if self._record is not None:
            self._record.shipped = True
        return Critic, (self._critic,)

    def __getattr__(self, name: str):
        raise AttributeError(f"the critic can only be called, critic(obs, actions); it has no attribute {name!r}")


def per_state(record: Record, obs: torch.Tensor):
    """The record split by state: for each row of ``obs``, the actions scored with it (in the
    order scored) and their values; and how many pairs had a state that is not a row of ``obs``."""
    if not record.obs:
        return [(np.zeros((0, len(LOW))), np.zeros(0)) for _ in range(obs.shape[0])], 0
    rows = np.concatenate(record.obs)
    actions, values = np.concatenate(record.actions), np.concatenate(record.values)
    given = obs.detach().to(torch.float64).cpu().numpy()
    unique, inverse = np.unique(rows.round(4), axis=0, return_inverse=True)
    index = np.full(len(unique), -1)
    for u, row in enumerate(unique):
        distance = np.abs(given - row).max(axis=1)
        nearest = int(distance.argmin())
        if distance[nearest] < 1e-4:
            index[u] = nearest
    state = index[np.asarray(inverse).reshape(-1)]
    return [(actions[state == b], values[state == b]) for b in range(given.shape[0])], int((state < 0).sum())


def inside(actions: np.ndarray) -> np.ndarray:
    """Which rows of ``actions`` lie in the box [LOW, HIGH]."""
    return ((actions >= LOW - 1e-9) & (actions <= HIGH + 1e-9)).all(axis=-1)


def states(n: int, seed: int = 0, dtype=torch.float64) -> torch.Tensor:
    """States whose peaks W s sit well inside the box (for ``quadratic(True)``), rounded to 2 decimals."""
    rng = np.random.default_rng(seed)
    return torch.as_tensor(rng.uniform([0.5, 1.0, 0.0], [3.0, 3.0, 4.0], (n, 3)).round(2), dtype=dtype)


def actions_of(value, name: str, batch: int, dtype) -> torch.Tensor:
    """The student's actions as a (batch, act_dim) tensor, or a Mistake saying what came back."""
    actions = torch.as_tensor(as_array(value, name))
    if tuple(actions.shape) != (batch, len(LOW)):
        observed = f"{name} returned shape {tuple(actions.shape)}; expected (batch, act_dim) = ({batch}, {len(LOW)})"
        if tuple(actions.shape) == (batch,):
            hint = ("one whole number per state: did you return the index of the best sample instead of the action "
                    "itself?" if not actions.is_floating_point() else
                    "one value per state: did you return Q instead of the action?")
            raise Mistake(f"{hint} ({observed})")
        raise Mistake(observed)
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
