"""Shared by the checks of assignment 09's SAC rules: a seeded policy whose samples replay, seeded
critics, and the call-only stand-ins that sac_critic_target is handed."""

from __future__ import annotations

import copy

import numpy as np
import torch

from autograde.checks.continuous import seeded
from qlab.networks import DDPGCritic
from qlab.soft import ScriptedPolicy

OBS_DIM, ACT_DIM = 3, 2
MAX_BATCH, DRAWS = 8, 4   # the largest batch a policy samples for, and how many samples it holds per state


def policy(seed: int, dtype=torch.float64, device="cpu") -> ScriptedPolicy:
    """A tanh-Gaussian policy with seeded weights (two decimals) and a seeded script of DRAWS noise draws:
    each call is a new sample, and a copy made before a call replays it."""
    rng = np.random.default_rng(seed)
    noise = torch.as_tensor(rng.normal(0.0, 1.0, (DRAWS, MAX_BATCH, ACT_DIM)).round(2), dtype=dtype)
    module = ScriptedPolicy(OBS_DIM, noise)
    with torch.no_grad():
        for parameter in module.parameters():
            parameter.copy_(torch.as_tensor(rng.normal(0.0, 0.5, tuple(parameter.shape)).round(2)))
    return module.to(device)


def critics(seed: int, n: int = 2, dtype=torch.float64, device="cpu") -> tuple[DDPGCritic, ...]:
    """``n`` critics Q_j(s, a) -> (B,) with different seeded weights, each offset by j/2 so that
    which one is the smallest changes from state to state."""
    made = []
    for j in range(n):
        critic = seeded(DDPGCritic(OBS_DIM, ACT_DIM, hidden=(8,)), seed + 7 * j, dtype)
        with torch.no_grad():
            critic.net[-1].bias.add_(0.5 * j)
        made.append(critic.to(device))
    return tuple(made)


def _rows(tensor: torch.Tensor, width: int) -> bool:
    return tensor.dim() == 2 and tensor.shape[1] == width and 1 <= tensor.shape[0] <= MAX_BATCH


class Policy:
    """What sac_critic_target is handed as ``policy``: ``policy(obs) -> (action, log_prob)``, nothing else.

    It can only be called: no weights, no mean action, no noise to read. It samples from its
    own copy of the checks' policy, so nothing the student does to it reaches the checks (or
    the reference's copy, which replays the same samples). Out of the kernel its class cannot
    be imported in the sandbox, so the student's process gets a callback that runs it here,
    under the sandbox's call limit; it takes only (B, OBS_DIM) states with B ≤ MAX_BATCH.
    """

    __slots__ = ("_policy",)

    def __init__(self, module: ScriptedPolicy):
        self._policy = copy.deepcopy(module)

    def __call__(self, obs):
        obs = torch.as_tensor(obs)
        if not _rows(obs, OBS_DIM):
            raise ValueError(f"policy(obs) takes states of shape (B, {OBS_DIM}) with 1 <= B <= {MAX_BATCH}; it was "
                             f"given {tuple(obs.shape)}")
        return self._policy(obs)

    def __reduce__(self):
        return Policy, (self._policy,)

    def __getattr__(self, name: str):
        raise AttributeError(f"the policy can only be called, policy(obs) -> (action, log_prob); it has no "
                             f"attribute {name!r}")


class Critic:
    """What sac_critic_target is handed in ``critic_targets``: ``critic(obs, action) -> (B,)``, nothing else
    (a copy of the checks' critic, called back from the sandbox as ``Policy`` is)."""

    __slots__ = ("_critic",)

    def __init__(self, module: DDPGCritic):
        self._critic = copy.deepcopy(module)

    def __call__(self, obs, action):
        obs, action = torch.as_tensor(obs), torch.as_tensor(action)
        if not (_rows(obs, OBS_DIM) and _rows(action, ACT_DIM) and obs.shape[0] == action.shape[0]):
            raise ValueError(f"critic(obs, action) takes states of shape (B, {OBS_DIM}) and actions of shape "
                             f"(B, {ACT_DIM}), 1 <= B <= {MAX_BATCH}; it was given {tuple(obs.shape)} and "
                             f"{tuple(action.shape)}")
        return self._critic(obs, action)

    def __reduce__(self):
        return Critic, (self._critic,)

    def __getattr__(self, name: str):
        raise AttributeError(f"a critic can only be called, critic(obs, action) -> (B,); it has no attribute {name!r}")
