"""DDPG (Lillicrap et al., 2016): deterministic actor, Q critic, Polyak-averaged targets.

Exploration adds Gaussian noise N(0, (σ·h)²) to μ(s), h the half-width of the action box,
and clips to the box. The update rules are plain functions the agent receives, defaulting
to :mod:`qlab.rules`:

* ``critic_target_fn(rewards, next_obs, terminated, gamma, actor_target, critic_target) -> y``
* ``actor_loss_fn(obs, actor, critic) -> scalar``
* ``target_update_fn(target, online, tau)``
"""

from __future__ import annotations

import copy
from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from qlab import rules
from qlab.seeding import make_generator

__all__ = ["DDPG"]


class DDPG:
    """DDPG agent.

    Args:
        actor: μ_φ, maps (B, obs_dim) to actions (B, act_dim) inside the action box
            (e.g. :class:`qlab.networks.DDPGActor`).
        critic: Q_θ, maps (B, obs_dim), (B, act_dim) to (B,).
        act_low, act_high: the action box, used to scale the noise and clip actions.
        actor_lr, critic_lr: Adam learning rates.
        gamma: discount (n-step buffers supply γ^k as ``batch.discounts``).
        tau: Polyak fraction of the online weights, θ' ← τθ + (1-τ)θ'.
        exploration_noise: σ, the noise std as a fraction of the action half-width.
        device, seed: where the networks live; the seed of the noise generator.
    """

    def __init__(
        self,
        actor: nn.Module,
        critic: nn.Module,
        act_low,
        act_high,
        actor_lr: float = 1e-3,
        critic_lr: float = 1e-3,
        gamma: float = 0.99,
        tau: float = 0.005,
        exploration_noise: float = 0.1,
        device: torch.device | str = "cpu",
        seed: int | None = None,
        critic_target_fn: Callable | None = None,
        actor_loss_fn: Callable | None = None,
        target_update_fn: Callable | None = None,
    ):
        self.device = torch.device(device)
        self.actor, self.critic = actor.to(self.device), critic.to(self.device)
        self.actor_target = copy.deepcopy(self.actor).requires_grad_(False)
        self.critic_target = copy.deepcopy(self.critic).requires_grad_(False)
        fused = self.device.type in ("cpu", "cuda")
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=actor_lr, fused=fused)
        self.critic_optimizer = torch.optim.Adam(self.critic.parameters(), lr=critic_lr, fused=fused)
        self.act_low = torch.as_tensor(np.asarray(act_low, dtype=np.float32), device=self.device)
        self.act_high = torch.as_tensor(np.asarray(act_high, dtype=np.float32), device=self.device)
        self.noise_std = exploration_noise * (self.act_high - self.act_low) / 2
        self.gamma, self.tau = gamma, tau
        self.critic_target_fn = critic_target_fn or rules.ddpg_critic_target
        self.actor_loss_fn = actor_loss_fn or rules.ddpg_actor_loss
        self.target_update_fn = target_update_fn or rules.polyak_update
        self.generator = make_generator(seed, self.device)
        self.n_updates = 0

    def act(self, obs: np.ndarray, noise: bool = True) -> np.ndarray:
        """Actions for a batch of observations ``(num_envs, obs_dim)``: μ(s) (+ noise), clipped."""
        obs = np.asarray(obs, dtype=np.float32)
        with torch.inference_mode():
            action = self.actor(torch.as_tensor(obs, device=self.device))
            if noise:
                eps = torch.randn(action.shape, generator=self.generator, device=self.device)
                action = torch.clamp(action + eps * self.noise_std, self.act_low, self.act_high)
            return action.cpu().numpy()

    def random_actions(self, n: int) -> np.ndarray:
        """Uniform actions in the box (the warm-up before learning starts), from the agent's generator."""
        u = torch.rand((n, self.act_low.numel()), generator=self.generator, device=self.device)
        return (self.act_low + u * (self.act_high - self.act_low)).cpu().numpy()

    def update(self, batch) -> dict[str, torch.Tensor]:
        """One critic step, one actor step, then Polyak updates of both targets."""
        # 1. Critic: regress Q(s, a) on y = r + γ(1-d) Q'(s', μ'(s')).
        with torch.no_grad():
            targets = self.critic_target_fn(
                batch.rewards, batch.next_obs, batch.terminated, batch.discounts,
                self.actor_target, self.critic_target,
            )
        q_taken = self.critic(batch.obs, batch.actions)
        critic_loss = rules.td_loss(q_taken, targets, kind="mse", weights=batch.weights)
        self.critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_optimizer.step()

        # 2. Actor: ascend Q(s, μ(s)); only the actor's optimizer steps. The critic's weights
        #    are frozen meanwhile: the gradient flows through Q into μ, no weight gradients
        #    of Q are computed for nothing.
        self.critic.requires_grad_(False)
        try:
            actor_loss = self.actor_loss_fn(batch.obs, self.actor, self.critic)
            self.actor_optimizer.zero_grad(set_to_none=True)
            actor_loss.backward()
        finally:
            self.critic.requires_grad_(True)
        self.actor_optimizer.step()

        # 3. Targets trail the online networks.
        self.target_update_fn(self.actor_target, self.actor, self.tau)
        self.target_update_fn(self.critic_target, self.critic, self.tau)
        self.n_updates += 1
        return {"critic_loss": critic_loss.detach(), "actor_loss": actor_loss.detach(), "q_mean": q_taken.detach().mean()}

    def state_dict(self) -> dict:
        return {
            "actor": self.actor.state_dict(),
            "critic": self.critic.state_dict(),
            "actor_target": self.actor_target.state_dict(),
            "critic_target": self.critic_target.state_dict(),
            "actor_optimizer": self.actor_optimizer.state_dict(),
            "critic_optimizer": self.critic_optimizer.state_dict(),
            "n_updates": self.n_updates,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        for name in ("actor", "critic", "actor_target", "critic_target"):
            getattr(self, name).load_state_dict(state[name])
        # deepcopy: Optimizer.load_state_dict keeps the given tensors, which would be shared otherwise
        self.actor_optimizer.load_state_dict(copy.deepcopy(state["actor_optimizer"]))
        self.critic_optimizer.load_state_dict(copy.deepcopy(state["critic_optimizer"]))
        self.n_updates = int(state["n_updates"])
        self.generator.set_state(state["generator"])
