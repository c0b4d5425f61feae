"""Uniform experience replay: a ring buffer of transitions (s, a, r, s', d).

The DQN target built from a sampled transition is

    y = r + γ (1 − d) max_a′ Q′(s′, a′)

so the buffer stores, per transition, the observation s, the action a, the reward r,
the next observation s′, the termination flag d and the bootstrap discount γ.
Truncation (a time limit) is *not* termination: a truncated transition keeps d = 0
and bootstraps from the real final observation s′.

Storage is preallocated numpy on the host, so ``add`` costs a few microseconds.
``sample`` draws indices with a seeded numpy Generator (same seed -> same batches),
gathers the rows on the host and hands them to torch without a copy on CPU; for an
accelerator the rows are gathered straight into pinned memory and copied once.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import numpy as np
import torch


class Batch(NamedTuple):
    """A sampled minibatch; every field is a torch tensor on the buffer's device.

    obs, next_obs: (B, *obs_shape); actions: (B, *action_shape);
    rewards: (B,) float32, the (n-step) return Σ_{i<k} γ^i r_{t+i};
    terminated: (B,) float32, 1.0 where the window ended in a true termination (no bootstrap);
    discounts: (B,) float32, γ^k for the bootstrap term;
    weights: (B,) float32 importance weights (ones unless prioritized);
    indices: (B,) int64 storage indices, for ``update_priorities``.
    """

    obs: torch.Tensor
    actions: torch.Tensor
    rewards: torch.Tensor
    next_obs: torch.Tensor
    terminated: torch.Tensor
    discounts: torch.Tensor
    weights: torch.Tensor
    indices: torch.Tensor


def check_capacity(capacity: int) -> int:
    if isinstance(capacity, bool) or not isinstance(capacity, (int, np.integer)) or capacity <= 0:
        raise ValueError(f"capacity must be a positive int, got {capacity!r}")
    return int(capacity)


def check_gamma(gamma: float) -> float:
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma!r}")
    return float(gamma)


def check_array(name: str, value: Any, shape: tuple, dtype: np.dtype) -> np.ndarray:
    """``value`` as an array of ``shape`` that casts to ``dtype`` without changing its kind."""
    if type(value) is np.ndarray and value.shape == shape and value.dtype == dtype:
        return value
    array = np.asarray(value)
    if array.shape != shape:
        raise ValueError(f"{name} has shape {array.shape}, expected {shape}")
    if array.dtype != dtype and not np.can_cast(array.dtype, dtype, "same_kind"):
        raise TypeError(f"{name} has dtype {array.dtype}, expected {dtype} (or a dtype that casts to it)")
    return array


def check_flags(name: str, value: Any, n: int) -> np.ndarray:
    if type(value) is np.ndarray and value.dtype == bool and value.shape == (n,):
        return value
    flags = np.asarray(value, dtype=bool)
    if flags.shape != (n,):
        raise ValueError(f"{name} has shape {flags.shape}, expected ({n},) (one flag per sub-environment)")
    return flags


def check_reward(reward: Any) -> float:
    value = float(reward)
    if not math.isfinite(value):
        raise ValueError(f"reward must be finite, got {value}")
    return value


def check_batch_size(batch_size: int, stored: int) -> None:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size <= 0:
        raise ValueError(f"batch_size must be a positive int, got {batch_size!r}")
    if stored == 0:
        raise ValueError("cannot sample from an empty replay buffer; add transitions first")
    if batch_size > stored:
        raise ValueError(f"cannot sample batch_size={batch_size}: the buffer holds only {stored} transitions")


def as_numpy(values: Any) -> np.ndarray:
    """A host numpy view of a numpy array, python sequence or torch tensor on any device."""
    if isinstance(values, torch.Tensor):
        return values.detach().cpu().numpy()
    return np.asarray(values)


def gather(storage: np.ndarray, index: np.ndarray, device: torch.device) -> torch.Tensor:
    """``storage[index]`` as a tensor on ``device``: zero-copy on CPU, one pinned copy otherwise."""
    if device.type == "cpu":
        return torch.from_numpy(storage[index])
    host = torch.empty(index.shape + storage.shape[1:], dtype=torch.from_numpy(storage[:0]).dtype, pin_memory=True)
    np.take(storage, index, axis=0, out=host.numpy())
    return host.to(device, non_blocking=True)


class ReplayBuffer:
    """Uniform ring buffer of one-step transitions; the oldest is overwritten when full.

    Args:
        capacity: number of transitions kept.
        obs_shape, action_shape: shapes of one observation and one action (``()`` for discrete).
        obs_dtype, action_dtype: storage dtypes (float32 observations, int64 discrete actions).
        gamma: discount γ returned as ``Batch.discounts``.
        device: where sampled batches live.
        seed: seeds the sampling Generator.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        action_shape: tuple[int, ...] = (),
        obs_dtype: Any = np.float32,
        action_dtype: Any = np.int64,
        gamma: float = 0.99,
        device: str | torch.device = "cpu",
        seed: int | None = None,
    ):
        self.capacity = check_capacity(capacity)
        self.obs_shape = tuple(obs_shape)
        self.action_shape = tuple(action_shape)
        self.gamma = check_gamma(gamma)
        self.device = torch.device(device)
        self.rng = np.random.default_rng(seed)
        self.obs = np.zeros((self.capacity, *self.obs_shape), dtype=obs_dtype)
        self.next_obs = np.zeros_like(self.obs)
        self.actions = np.zeros((self.capacity, *self.action_shape), dtype=action_dtype)
        self.rewards = np.zeros(self.capacity, dtype=np.float32)
        self.terminated = np.zeros(self.capacity, dtype=np.float32)
        self.discounts = np.zeros(self.capacity, dtype=np.float32)
        self.pos = 0  # next slot to write
        self.size = 0

    def __len__(self) -> int:
        return self.size

    # ---- writing -------------------------------------------------------------------------

    def add(self, obs, action, reward, next_obs, terminated, truncated) -> None:
        """Store one transition. ``truncated`` needs no special case here: d = ``terminated``."""
        obs, action, reward, next_obs = self._check(obs, action, reward, next_obs)
        self._store(obs, action, reward, next_obs, bool(terminated), self.gamma)

    def add_batch(self, obs, actions, rewards, next_obs, terminated, truncated) -> None:
        """Store one transition per sub-environment (leading dim = num_envs, gymnasium.vector layout).

        ``next_obs`` must hold the real final observation where an episode ended
        (``info["final_obs"]`` with gymnasium's same-step autoreset), not the reset observation.
        """
        obs, actions, rewards, next_obs, terminated, _ = self._check_batch(
            obs, actions, rewards, next_obs, terminated, truncated
        )
        if len(rewards) == 1:  # one environment: row writes, no index arrays
            self._store(obs[0], actions[0], rewards[0], next_obs[0], terminated[0], self.gamma)
            return
        discounts = np.full(len(rewards), self.gamma, dtype=np.float32)
        self._store_batch(obs, actions, rewards, next_obs, terminated, discounts)

    def add_nstep(self, obs, actions, returns, next_obs, terminated, discounts) -> None:
        """Store ready-made n-step transitions, one per row: (s_t, a_t, G_t, s_{t+k}, d_t, γ^k).

        For transitions whose n-step returns were computed outside the buffer (e.g. by
        :func:`qlab.rules.nstep_returns` over a whole episode): ``next_obs`` is the bootstrap
        state s_{t+k}, ``terminated`` whether the window ended in a termination and
        ``discounts`` the bootstrap discount γ^k of each row, in [0, 1].
        """
        obs, actions, returns, next_obs, terminated, _ = self._check_batch(
            obs, actions, returns, next_obs, terminated, np.zeros(len(np.asarray(terminated)), dtype=bool)
        )
        discounts = np.asarray(discounts, dtype=np.float32)
        if discounts.shape != returns.shape or not np.all((discounts >= 0) & (discounts <= 1)):
            raise ValueError(f"discounts must have shape {returns.shape} with values in [0, 1], got {discounts}")
        self._store_batch(obs, actions, returns, next_obs, terminated, discounts)

    def _check(self, obs, action, reward, next_obs):
        obs = check_array("obs", obs, self.obs_shape, self.obs.dtype)
        next_obs = check_array("next_obs", next_obs, self.obs_shape, self.obs.dtype)
        action = check_array("action", action, self.action_shape, self.actions.dtype)
        return obs, action, check_reward(reward), next_obs

    def _check_batch(self, obs, actions, rewards, next_obs, terminated, truncated):
        rewards = np.asarray(rewards, dtype=np.float32)
        if rewards.ndim != 1:
            raise ValueError(f"rewards has shape {rewards.shape}, expected (num_envs,)")
        n = len(rewards)
        if n > self.capacity:
            raise ValueError(f"add_batch got {n} transitions, more than capacity={self.capacity}")
        if not (math.isfinite(rewards[0]) if n == 1 else np.isfinite(rewards).all()):
            raise ValueError(f"rewards must be finite, got {rewards}")
        obs = check_array("obs", obs, (n, *self.obs_shape), self.obs.dtype)
        next_obs = check_array("next_obs", next_obs, (n, *self.obs_shape), self.obs.dtype)
        actions = check_array("actions", actions, (n, *self.action_shape), self.actions.dtype)
        terminated = check_flags("terminated", terminated, n)
        truncated = check_flags("truncated", truncated, n)
        return obs, actions, rewards, next_obs, terminated, truncated

    def _store(self, obs, action, reward, next_obs, terminated: bool, discount: float) -> None:
        i = self.pos
        self.obs[i] = obs
        self.actions[i] = action
        self.rewards[i] = reward
        self.next_obs[i] = next_obs
        self.terminated[i] = terminated
        self.discounts[i] = discount
        self.pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def _store_batch(self, obs, actions, rewards, next_obs, terminated, discounts) -> None:
        n = len(rewards)
        idx = (self.pos + np.arange(n)) % self.capacity
        self.obs[idx] = obs
        self.actions[idx] = actions
        self.rewards[idx] = rewards
        self.next_obs[idx] = next_obs
        self.terminated[idx] = terminated
        self.discounts[idx] = discounts
        self.pos = (self.pos + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    # ---- sampling ------------------------------------------------------------------------

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement, on ``device``."""
        check_batch_size(batch_size, self.size)
        return self._batch(self.rng.integers(0, self.size, batch_size), None)

    def _batch(self, idx: np.ndarray, weights: np.ndarray | None) -> Batch:
        d = self.device
        weights = torch.ones(len(idx), device=d) if weights is None else torch.from_numpy(weights).to(d)
        return Batch(
            obs=gather(self.obs, idx, d),
            actions=gather(self.actions, idx, d),
            rewards=gather(self.rewards, idx, d),
            next_obs=gather(self.next_obs, idx, d),
            terminated=gather(self.terminated, idx, d),
            discounts=gather(self.discounts, idx, d),
            weights=weights,
            indices=torch.from_numpy(idx).to(d),
        )

    # ---- checkpoints ---------------------------------------------------------------------

    _arrays = ("obs", "next_obs", "actions", "rewards", "terminated", "discounts")

    def state_dict(self) -> dict:
        """Storage, write position, size and sampler RNG state; loading it resumes bit-exactly.

        Tensors share memory with the buffer (like ``nn.Module.state_dict``); ``torch.save`` them.
        """
        state = {name: torch.from_numpy(getattr(self, name)[: self.size]) for name in self._arrays}
        state.update(capacity=self.capacity, pos=int(self.pos), size=int(self.size), rng=self.rng.bit_generator.state)
        return state

    def load_state_dict(self, state: dict) -> None:
        if state["capacity"] != self.capacity:
            raise ValueError(f"state_dict has capacity {state['capacity']}, this buffer has {self.capacity}")
        size = state["size"]
        for name in self._arrays:
            target = getattr(self, name)
            value = as_numpy(state[name])
            if value.shape != (size, *target.shape[1:]) or value.dtype != target.dtype:
                raise ValueError(
                    f"state_dict[{name!r}] has shape {value.shape} and dtype {value.dtype}, "
                    f"expected {(size, *target.shape[1:])} and {target.dtype}"
                )
            target[:size] = value
        self.pos, self.size = state["pos"], size
        self.rng.bit_generator.state = state["rng"]
