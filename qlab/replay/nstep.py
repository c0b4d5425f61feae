"""n-step replay: store (s_t, a_t, G, s_{t+k}, d, γ^k) with the n-step return

    G = Σ_{i<k} γ^i r_{t+i},        y = G + γ^k (1 − d) max_a′ Q′(s_{t+k}, a′)

where k = n, or fewer when the episode ends inside the window. On a termination d = 1
(nothing to bootstrap from); on a truncation d = 0 and the target bootstraps from the real
final observation with γ^k. Each sub-environment keeps its own window of the last n steps.
"""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import torch

from qlab.replay.uniform import ReplayBuffer, as_numpy


class NStepReplayBuffer(ReplayBuffer):
    """Uniform replay of n-step transitions, built from one-step ``add`` calls.

    Args (beyond :class:`ReplayBuffer`'s):
        n_step: the window length n >= 1 (n = 1 is the one-step buffer).
        num_envs: number of sub-environments feeding ``add_batch``; each has its own window.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        n_step: int = 3,
        gamma: float = 0.99,
        action_shape: tuple[int, ...] = (),
        obs_dtype: Any = np.float32,
        action_dtype: Any = np.int64,
        device: str | torch.device = "cpu",
        seed: int | None = None,
        num_envs: int = 1,
    ):
        if isinstance(n_step, bool) or not isinstance(n_step, (int, np.integer)) or n_step < 1:
            raise ValueError(f"n_step must be an int >= 1, got {n_step!r}")
        if isinstance(num_envs, bool) or not isinstance(num_envs, (int, np.integer)) or num_envs < 1:
            raise ValueError(f"num_envs must be an int >= 1, got {num_envs!r}")
        super().__init__(capacity, obs_shape, action_shape, obs_dtype, action_dtype, gamma, device, seed)
        self.n_step = int(n_step)
        self.num_envs = int(num_envs)
        self.gamma_powers = [self.gamma**i for i in range(self.n_step + 1)]
        # per env: the last (obs, action, reward) steps whose n-step transition is not emitted yet
        self.windows: list[deque] = [deque() for _ in range(self.num_envs)]

    def add(self, obs, action, reward, next_obs, terminated, truncated, env: int = 0) -> None:
        """Push one step of sub-environment ``env``; emits every n-step transition it completes."""
        if not 0 <= env < self.num_envs:
            raise ValueError(f"env must be in [0, {self.num_envs}), got {env}")
        obs, action, reward, next_obs = self._check(obs, action, reward, next_obs)
        self._push(env, obs, action, reward, next_obs, bool(terminated), bool(truncated))

    def add_batch(self, obs, actions, rewards, next_obs, terminated, truncated) -> None:
        """Push one step of every sub-environment (leading dim = num_envs)."""
        obs, actions, rewards, next_obs, terminated, truncated = self._check_batch(
            obs, actions, rewards, next_obs, terminated, truncated
        )
        if len(rewards) != self.num_envs:
            raise ValueError(f"add_batch got {len(rewards)} sub-environments, expected num_envs={self.num_envs}")
        for env in range(self.num_envs):
            self._push(env, obs[env], actions[env], rewards[env], next_obs[env], terminated[env], truncated[env])

    def _push(self, env, obs, action, reward, next_obs, terminated: bool, truncated: bool) -> None:
        window = self.windows[env]
        window.append((np.array(obs, dtype=self.obs.dtype), np.array(action, dtype=self.actions.dtype), float(reward)))
        if terminated or truncated:  # the episode ended: every window start stops here
            while window:
                self._emit(window, next_obs, terminated)
                window.popleft()
        elif len(window) == self.n_step:
            self._emit(window, next_obs, False)
            window.popleft()

    def _emit(self, window: deque, next_obs, terminated: bool) -> None:
        obs, action, _ = window[0]
        ret = sum(g * r for g, (_, _, r) in zip(self.gamma_powers, window))
        self._store(obs, action, ret, next_obs, terminated, self.gamma_powers[len(window)])

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["windows"] = [
            [(torch.from_numpy(o), torch.from_numpy(a), r) for o, a, r in window] for window in self.windows
        ]
        return state

    def load_state_dict(self, state: dict) -> None:
        if len(state["windows"]) != self.num_envs:
            raise ValueError(f"state_dict has {len(state['windows'])} env windows, expected num_envs={self.num_envs}")
        super().load_state_dict(state)
        self.windows = [
            deque((as_numpy(o).copy(), as_numpy(a).copy(), float(r)) for o, a, r in window)
            for window in state["windows"]
        ]
