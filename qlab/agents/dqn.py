"""DQN (Mnih et al., 2015) with the Double-DQN and n-step options.

The agent owns the online network Q_θ, the target network Q_θ', the optimizer and the
ε-greedy random generator. Its update rules are plain functions it receives, defaulting to
:mod:`qlab.rules`; a course notebook passes the student's versions:

    agent = DQN(q_net, n_actions=2, target_fn=my_dqn_target, loss_fn=my_td_loss,
                target_update_fn=my_hard_update)

n-step returns need no special case here: the replay buffer stores the n-step return as the
reward and γ^k as ``batch.discounts``, which the target rule uses as its discount.

Rainbow's pieces (assignment 08) are options of the same agent: a network with noisy layers
(:class:`qlab.rainbow.networks.RainbowQNetwork`, ``noisy=True``) makes it resample the noise
at every step and explore through it; ``distributional=True`` (C51) regresses the return
distribution with ``target_fn=categorical_target`` and ``loss_fn=categorical_loss``.
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
from qlab.rainbow.distributional import categorical_loss, categorical_target
from qlab.rainbow.networks import NoisyLinear

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
        distributional: C51: ``q_net`` has ``logits(x)`` (B, A, N), ``probs(x)`` and a ``support`` (N,)
            (a :class:`~qlab.rainbow.networks.RainbowQNetwork` with ``n_atoms``), and the update
            regresses distributions (see ``target_fn`` and ``loss_fn``).
        target_fn: ``(rewards, next_q_target, terminated, gamma) -> y`` or, with ``double``,
            ``(rewards, next_q_online, next_q_target, terminated, gamma) -> y``. With
            ``distributional``: ``(rewards, next_probs, terminated, gamma, support) -> m`` (B, N),
            :func:`~qlab.rainbow.distributional.categorical_target`'s contract; with ``double``
            it gets only the online network's choice a* = argmax_a Q(s', a), as ``next_probs`` (B, 1, N).
        loss_fn: ``(q_values, actions, targets, kind=...) -> scalar``: gathers ``Q(s, a)`` from
            ``q_values`` (B, n_actions) and averages the TD loss. It gets ``weights=`` (importance
            weights, shape (B,)) too if it has that parameter; prioritized replay needs it. With
            ``distributional``: ``(logits, actions, m, weights=None) -> scalar`` (cross-entropy,
            :func:`~qlab.rainbow.distributional.categorical_loss`'s contract).
        target_update_fn: ``(target, online)`` for hard updates, ``(target, online, tau)``
            for Polyak updates.

    A ``q_net`` with :class:`~qlab.rainbow.networks.NoisyLinear` layers explores by its noise:
    ``act`` draws fresh noise before each forward pass in training mode (pass ε = 0), the
    target network draws its own before each target, and ``eval()`` mode is noise-free.
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
        distributional: bool = False,
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
        self.noisy = any(isinstance(m, NoisyLinear) for m in self.q_net.modules())
        for layer in self.target_net.modules():  # the target network's noise: its own streams
            if isinstance(layer, NoisyLinear):
                layer.rng = np.random.default_rng(layer.rng.integers(2**63))
        if distributional and not all(hasattr(self.q_net, name) for name in ("logits", "probs", "support")):
            raise TypeError(f"distributional=True needs a q_net with logits(), probs() and a support (a categorical "
                            f"RainbowQNetwork), got {type(self.q_net).__name__}")
        self.n_actions = int(n_actions)
        self.gamma, self.double, self.n_step, self.loss = gamma, double, n_step, loss
        self.distributional = distributional
        self.target_update, self.target_update_every, self.tau = target_update, target_update_every, tau
        self.max_grad_norm = max_grad_norm
        if distributional:
            self.target_fn, self.loss_fn = target_fn or categorical_target, loss_fn or categorical_loss
        else:
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
        A noisy network in training mode draws fresh noise first (its exploration).
        Returns an int64 array of shape (num_envs,).
        """
        if self.noisy and self.q_net.training:
            self.q_net.reset_noise()
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
        ``loss``, ``q_mean`` and the per-sample ``td_errors`` for prioritized replay: δ = y − Q(s, a),
        or with ``distributional`` each sample's cross-entropy −Σ_j m_j log p_j(s, a).
        """
        if self.noisy:
            self.target_net.reset_noise()
        actions = batch.actions.long().reshape(-1)
        weights = {"weights": batch.weights} if self.weighted_loss else {}
        if self.distributional:
            # 1. The projected target distribution m from the target network, as a constant.
            with torch.no_grad():
                next_probs = self.target_net.probs(batch.next_obs)
                if self.double:  # the online network picks a*: the target rule sees only p(s', a*)
                    best = self.q_net(batch.next_obs).argmax(dim=1)
                    next_probs = next_probs[torch.arange(len(best), device=best.device), best].unsqueeze(1)
                targets = self.target_fn(batch.rewards, next_probs, batch.terminated, batch.discounts,
                                         self.target_net.support)
            # 2. Cross-entropy of the online distribution at (s, a) against m.
            logits = self.q_net.logits(batch.obs)
            loss = self.loss_fn(logits, actions, targets, **weights)
            with torch.no_grad():
                chosen = logits[torch.arange(len(actions), device=actions.device), actions]
                td_errors = -(targets * chosen.log_softmax(dim=1)).sum(dim=1)
                q_taken = (chosen.softmax(dim=1) * self.q_net.support).sum(dim=1)
        else:
            # 1. TD target y from the target network, as a constant.
            with torch.no_grad():
                next_q_target = self.target_net(batch.next_obs)
                if self.double:
                    next_q_online = self.q_net(batch.next_obs)
                    targets = self.target_fn(batch.rewards, next_q_online, next_q_target, batch.terminated,
                                             batch.discounts)
                else:
                    targets = self.target_fn(batch.rewards, next_q_target, batch.terminated, batch.discounts)
            # 2. Regress Q(s, a) towards y.
            q_values = self.q_net(batch.obs)
            loss = self.loss_fn(q_values, actions, targets, kind=self.loss, **weights)
            q_taken = q_values.detach().gather(1, actions.unsqueeze(1)).squeeze(1)
            td_errors = targets - q_taken
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

        return {"loss": loss.detach(), "q_mean": q_taken.mean(), "td_errors": td_errors}

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
        _lay_out_like_parameters(self.optimizer)
        self.n_updates = int(state["n_updates"])
        self.rng.bit_generator.state = state["rng"]


def _lay_out_like_parameters(optimizer: torch.optim.Optimizer) -> None:
    """Give each state tensor of ``optimizer`` (Adam's moments) its parameter's memory layout.

    A checkpoint may come from a network laid out otherwise (a NatureCNN saved before it went
    channels-last), and fused Adam pairs moments with weights in memory order, not by index:
    mismatched layouts would silently corrupt every update.
    """
    for param, state in optimizer.state.items():
        for key, value in state.items():
            if isinstance(value, torch.Tensor) and value.shape == param.shape and value.stride() != param.stride():
                state[key] = torch.empty_like(param, dtype=value.dtype).copy_(value)
