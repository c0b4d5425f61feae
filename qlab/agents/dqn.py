"""DQN (Mnih et al., 2015) with the Double-DQN and n-step options.

The agent owns the online network Q_θ, the target network Q_θ', the optimizer and the
ε-greedy random generator. Its update rules are plain functions it receives, defaulting to
:mod:`qlab.rules`; a course notebook passes the student's versions:

    agent = DQN(q_net, n_actions=2, target_fn=my_dqn_target, loss_fn=my_td_loss,
                target_update_fn=my_hard_update)

n-step returns need no special case here: the replay buffer stores the n-step return as the
reward and γ^k as ``batch.discounts``, which the target rule uses as its discount.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from qlab import rules
from qlab.networks import MLP

__all__ = ["DQN"]


class DQN:
    """Deep Q-network agent.

    Args:
        q_net: maps a batch of observations to ``Q(s, ·)``, shape (B, n_actions).
        n_actions: number of discrete actions.
        lr: Adam learning rate.
        gamma: discount γ (the buffer's ``discounts`` carry γ^k for n-step transitions).
        double: use the Double-DQN target ``r + γ(1-d) Q'(s', argmax_a' Q(s', a'))``.
        n_step: length of the return window; the training loop builds its buffer from it.
        loss: ``"huber"`` or ``"mse"``, passed to ``loss_fn`` as ``kind``.
        target_update: ``"hard"`` (θ' ← θ) or ``"polyak"`` (θ' ← τθ + (1-τ)θ').
        target_update_every: gradient updates between two target updates (C).
        tau: Polyak fraction of the online weights.
        max_grad_norm: clip the gradient's global norm (None: no clipping).
        device: where the networks live and the batches must be.
        seed: seed of the ε-greedy generator.
        target_fn: ``(rewards, next_q_target, terminated, gamma) -> y`` or, with ``double``,
            ``(rewards, next_q_online, next_q_target, terminated, gamma) -> y``.
        loss_fn: ``(q_values, actions, targets, kind=...) -> scalar``: gathers ``Q(s, a)`` from
            ``q_values`` (B, n_actions) and averages the TD loss. It gets ``weights=`` (importance
            weights, shape (B,)) too if it has that parameter; prioritized replay needs it.
        target_update_fn: ``(target, online)`` for hard updates, ``(target, online, tau)``
            for Polyak updates.
    """

    def __init__(
        self,
        q_net: nn.Module,
        n_actions: int,
        lr: float = 1e-3,
        gamma: float = 0.99,
        double: bool = False,
        n_step: int = 1,
        loss: str = "huber",
        target_update: str = "hard",
        target_update_every: int = 50,
        tau: float = 0.005,
        max_grad_norm: float | None = 10.0,
        device: torch.device | str = "cpu",
        seed: int | None = None,
        target_fn: Callable | None = None,
        loss_fn: Callable | None = None,
        target_update_fn: Callable | None = None,
    ):
        if target_update not in ("hard", "polyak"):
            raise ValueError(f'target_update must be "hard" or "polyak", got {target_update!r}')
        if loss not in ("huber", "mse"):
            raise ValueError(f'loss must be "huber" or "mse", got {loss!r}')
        if n_step < 1 or target_update_every < 1:
            raise ValueError("n_step and target_update_every must be >= 1")
        self.device = torch.device(device)
        self.q_net = q_net.to(self.device)
        self.target_net = copy.deepcopy(self.q_net).requires_grad_(False)
        self.n_actions = int(n_actions)
        self.gamma, self.double, self.n_step, self.loss = gamma, double, n_step, loss
        self.target_update, self.target_update_every, self.tau = target_update, target_update_every, tau
        self.max_grad_norm = max_grad_norm
        self.target_fn = target_fn or (rules.double_dqn_target if double else rules.dqn_target)
        self.loss_fn = loss_fn or rules.dqn_td_loss
        self.weighted_loss = "weights" in inspect.signature(self.loss_fn).parameters
        self.target_update_fn = target_update_fn or (
            rules.hard_update if target_update == "hard" else rules.polyak_update
        )
        fused = self.device.type in ("cpu", "cuda")
        self.optimizer = torch.optim.Adam(self.q_net.parameters(), lr=lr, fused=fused)
        self.rng = np.random.default_rng(seed)
        self.n_updates = 0

    def act(self, obs: np.ndarray, epsilon: float) -> np.ndarray:
        """ε-greedy actions for a numpy batch of observations ``(num_envs, *obs_shape)``.

        Each row is uniformly random with probability ε, else ``argmax_a Q(s, a)``. The
        forward pass is skipped when every row explores; ε = 0 draws no random numbers.
        Returns an int64 array of shape (num_envs,).
        """
        obs = np.asarray(obs)
        n = len(obs)
        if n == 1:  # one environment: a scalar draw, the same random stream as a batch of one
            if epsilon > 0.0 and self.rng.random() < epsilon:
                return self.rng.integers(self.n_actions, size=1)
            return self._greedy(obs)
        explore = None
        if epsilon > 0.0:
            explore = self.rng.random(n) < epsilon
            if explore.all():
                return self.rng.integers(self.n_actions, size=n)
        actions = self._greedy(obs)
        if explore is not None and explore.any():
            actions[explore] = self.rng.integers(self.n_actions, size=int(explore.sum()))
        return actions

    def _greedy(self, obs: np.ndarray) -> np.ndarray:
        """``argmax_a Q(s, a)`` for a numpy batch, as an int64 numpy array."""
        if obs.dtype == np.float64:
            obs = obs.astype(np.float32)
        on_cpu = self.device.type == "cpu"
        if on_cpu and isinstance(self.q_net, MLP):
            q_values = self.q_net.forward_numpy(obs)
            if q_values is not None:
                return q_values.argmax(axis=1)
        x = torch.from_numpy(obs)
        with torch.inference_mode():
            actions = self.q_net(x if on_cpu else x.to(self.device, non_blocking=True)).argmax(dim=1)
            return actions.numpy() if on_cpu else actions.cpu().numpy()

    def update(self, batch) -> dict[str, torch.Tensor]:
        """One gradient step on a replay batch, then the target update when it is due.

        ``batch`` has the fields of :class:`qlab.replay.Batch` (obs, actions, rewards,
        next_obs, terminated, discounts, weights). Returns tensors (no host sync):
        ``loss``, ``q_mean`` and the per-sample ``td_errors`` (for prioritized replay).
        """
        # 1. TD target y from the target network, as a constant.
        with torch.no_grad():
            next_q_target = self.target_net(batch.next_obs)
            if self.double:
                next_q_online = self.q_net(batch.next_obs)
                targets = self.target_fn(batch.rewards, next_q_online, next_q_target, batch.terminated, batch.discounts)
            else:
                targets = self.target_fn(batch.rewards, next_q_target, batch.terminated, batch.discounts)

        # 2. Regress Q(s, a) towards y.
        q_values = self.q_net(batch.obs)
        actions = batch.actions.long().reshape(-1)
        weights = {"weights": batch.weights} if self.weighted_loss else {}
        loss = self.loss_fn(q_values, actions, targets, kind=self.loss, **weights)
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if self.max_grad_norm is not None:
            nn.utils.clip_grad_norm_(self.q_net.parameters(), self.max_grad_norm)
        self.optimizer.step()
        self.n_updates += 1

        # 3. Move the target network every C updates.
        if self.n_updates % self.target_update_every == 0:
            if self.target_update == "hard":
                self.target_update_fn(self.target_net, self.q_net)
            else:
                self.target_update_fn(self.target_net, self.q_net, self.tau)

        q_taken = q_values.detach().gather(1, actions.unsqueeze(1)).squeeze(1)
        return {"loss": loss.detach(), "q_mean": q_taken.mean(), "td_errors": targets - q_taken}

    def state_dict(self) -> dict:
        """Everything needed to continue bit-exactly: weights, optimizer, counters, RNG."""
        return {
            "q_net": self.q_net.state_dict(),
            "target_net": self.target_net.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "n_updates": self.n_updates,
            "rng": self.rng.bit_generator.state,
        }

    def load_state_dict(self, state: dict) -> None:
        self.q_net.load_state_dict(state["q_net"])
        self.target_net.load_state_dict(state["target_net"])
        # deepcopy: Optimizer.load_state_dict keeps the given tensors, which would be shared otherwise
        self.optimizer.load_state_dict(copy.deepcopy(state["optimizer"]))
        self.n_updates = int(state["n_updates"])
        self.rng.bit_generator.state = state["rng"]
