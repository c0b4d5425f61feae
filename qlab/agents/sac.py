"""Soft Actor-Critic (Haarnoja et al., 2018): a tanh-squashed Gaussian policy, twin critics
with Polyak-averaged targets, and a temperature α that is fixed or learned.

SAC maximises the return plus the policy's entropy, J(π) = Σ_t E[r_t + α H(π(·|s_t))]. The
update rules are plain functions the agent receives, defaulting to :mod:`qlab.soft`:

* ``squash_fn(mean, log_std, noise) -> (tanh(u), log_prob)``: the squashed Gaussian sample;
* ``critic_target_fn(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets) -> y``;
* ``actor_loss_fn(obs, policy, critics, alpha) -> scalar``;
* ``temperature_loss_fn(log_alpha, log_probs, target_entropy) -> scalar`` (learned α only);
* ``target_update_fn(target, online, tau)`` (default :func:`qlab.rules.polyak_update`).

``policy(obs) -> (action, log_prob)`` is :meth:`SAC.policy`: a fresh sample of the *current*
actor, the action in the environment's box, drawn from the agent's own generator.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from qlab import rules, soft
from qlab.seeding import make_generator

__all__ = ["SAC"]


class SAC:
    """SAC agent.

    Args:
        actor: π_φ, a :class:`qlab.networks.SquashedGaussianActor` (``forward`` gives the mean and
            log-std before the squash; ``sample`` and ``greedy`` give actions in the box).
        critics: the twin critics Q_θ1, Q_θ2, each mapping (B, obs_dim), (B, act_dim) to (B,)
            (e.g. two :class:`qlab.networks.DDPGCritic`); any number ≥ 1 works, the minimum is taken.
        actor_lr, critic_lr, alpha_lr: Adam learning rates (α's only with ``learn_alpha``).
        gamma: discount (n-step buffers supply γ^k as ``batch.discounts``).
        tau: Polyak fraction of the online weights in the target critics, θ' ← τθ + (1-τ)θ'.
        alpha: the temperature α: its fixed value, or the initial one with ``learn_alpha``.
        learn_alpha: learn log α to hold the entropy near ``target_entropy``.
        target_entropy: H̄, by default −act_dim (the heuristic of Haarnoja et al., 2019).
        device, seed: where the networks live; the seed of the policy's noise generator.
    """

    def __init__(
        self,
        actor: nn.Module,
        critics: Sequence[nn.Module],
        actor_lr: float = 3e-4,
        critic_lr: float = 1e-3,
        alpha_lr: float = 1e-3,
        gamma: float = 0.99,
        tau: float = 0.005,
        alpha: float = 0.2,
        learn_alpha: bool = True,
        target_entropy: float | None = None,
        device: torch.device | str = "cpu",
        seed: int | None = None,
        critic_target_fn: Callable | None = None,
        actor_loss_fn: Callable | None = None,
        temperature_loss_fn: Callable | None = None,
        squash_fn: Callable | None = None,
        target_update_fn: Callable | None = None,
    ):
        if not alpha > 0:
            raise ValueError(f"alpha (the temperature) must be > 0, got {alpha}")
        if len(critics) < 1:
            raise ValueError("SAC needs at least one critic (two, for the minimum of twin critics)")
        self.device = torch.device(device)
        self.actor = actor.to(self.device)
        self.critics = nn.ModuleList(critics).to(self.device)
        self.critic_targets = copy.deepcopy(self.critics).requires_grad_(False)
        fused = self.device.type in ("cpu", "cuda")
        self.actor_optimizer = torch.optim.Adam(self.actor.parameters(), lr=actor_lr, fused=fused)
        self.critic_optimizer = torch.optim.Adam(self.critics.parameters(), lr=critic_lr, fused=fused)
        self.learn_alpha = learn_alpha
        self.log_alpha = torch.tensor(float(np.log(alpha)), device=self.device, requires_grad=learn_alpha)
        self.alpha_optimizer = torch.optim.Adam([self.log_alpha], lr=alpha_lr) if learn_alpha else None
        self.target_entropy = float(-actor.act_dim if target_entropy is None else target_entropy)
        self.gamma, self.tau = gamma, tau
        self.critic_target_fn = critic_target_fn or soft.sac_critic_target
        self.actor_loss_fn = actor_loss_fn or soft.sac_actor_loss
        self.temperature_loss_fn = temperature_loss_fn or soft.sac_temperature_loss
        self.squash_fn = squash_fn or soft.squashed_gaussian
        self.target_update_fn = target_update_fn or rules.polyak_update
        self.generator = make_generator(seed, self.device)
        self.n_updates = 0

    @property
    def alpha(self) -> torch.Tensor:
        """The temperature α = exp(log α), a 0-d tensor without gradient."""
        return self.log_alpha.detach().exp()

    def policy(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """A sample of the current policy: ``(action, log_prob)``, (B, act_dim) in the box and (B,),
        reparameterised (the gradient reaches the actor through both)."""
        noise = torch.randn((obs.shape[0], self.actor.act_dim), generator=self.generator, device=self.device,
                            dtype=obs.dtype)
        return self.actor.sample(obs, noise, self.squash_fn)

    def act(self, obs: np.ndarray, deterministic: bool = False) -> np.ndarray:
        """Actions for a batch of observations ``(num_envs, obs_dim)``: sampled from π, or
        ``c + h · tanh(μ(s))`` when ``deterministic`` (evaluation)."""
        obs = torch.as_tensor(np.asarray(obs, dtype=np.float32), device=self.device)
        with torch.inference_mode():
            action = self.actor.greedy(obs) if deterministic else self.policy(obs)[0]
            return action.cpu().numpy()

    def random_actions(self, n: int) -> np.ndarray:
        """Uniform actions in the box (the warm-up before learning starts), from the agent's generator."""
        low, scale = self.actor.action_center - self.actor.action_scale, 2 * self.actor.action_scale
        return (low + torch.rand((n, self.actor.act_dim), generator=self.generator, device=self.device) * scale
                ).cpu().numpy()

    def update(self, batch) -> dict[str, torch.Tensor]:
        """One critic step, one actor step, one temperature step (if learned), then Polyak targets."""
        alpha = self.alpha
        # 1. Critics: regress each Q_j(s, a) on y = r + γ(1-d)(min_j Q'_j(s', a') − α log π(a'|s')),
        #    a' ~ π(·|s') drawn from the current policy.
        with torch.no_grad():
            targets = self.critic_target_fn(
                batch.rewards, batch.next_obs, batch.terminated, batch.discounts, alpha,
                self.policy, tuple(self.critic_targets),
            )
        q_taken = [critic(batch.obs, batch.actions) for critic in self.critics]
        critic_loss = sum(rules.td_loss(q, targets, kind="mse", weights=batch.weights) for q in q_taken)
        self.critic_optimizer.zero_grad(set_to_none=True)
        critic_loss.backward()
        self.critic_optimizer.step()

        # 2. Actor: minimise E[α log π(a|s) − min_j Q_j(s, a)] through the reparameterised a ~ π(·|s);
        #    the critics' weights are frozen meanwhile, only the actor's optimizer steps.
        self.critics.requires_grad_(False)
        try:
            actor_loss = self.actor_loss_fn(batch.obs, self.policy, tuple(self.critics), alpha)
            self.actor_optimizer.zero_grad(set_to_none=True)
            actor_loss.backward()
        finally:
            self.critics.requires_grad_(True)
        self.actor_optimizer.step()

        # 3. Temperature: move log α so that the entropy −E[log π] approaches the target H̄.
        with torch.no_grad():
            log_probs = self.policy(batch.obs)[1]
        metrics = {}
        if self.learn_alpha:
            alpha_loss = self.temperature_loss_fn(self.log_alpha, log_probs, self.target_entropy)
            self.alpha_optimizer.zero_grad(set_to_none=True)
            alpha_loss.backward()
            self.alpha_optimizer.step()
            metrics["alpha_loss"] = alpha_loss.detach()

        # 4. Target critics trail the online ones.
        for target, critic in zip(self.critic_targets, self.critics):
            self.target_update_fn(target, critic, self.tau)
        self.n_updates += 1
        return {"critic_loss": critic_loss.detach(), "actor_loss": actor_loss.detach(),
                "q_mean": q_taken[0].detach().mean(), "entropy": -log_probs.mean(), "alpha": alpha, **metrics}

    def state_dict(self) -> dict:
        """Everything needed to continue bit-exactly: weights, optimizers, α, counters, generator."""
        return {
            "actor": self.actor.state_dict(),
            "critics": self.critics.state_dict(),
            "critic_targets": self.critic_targets.state_dict(),
            "actor_optimizer": self.actor_optimizer.state_dict(),
            "critic_optimizer": self.critic_optimizer.state_dict(),
            "log_alpha": self.log_alpha.detach().clone(),
            "alpha_optimizer": self.alpha_optimizer.state_dict() if self.alpha_optimizer else None,
            "n_updates": self.n_updates,
            "generator": self.generator.get_state(),
        }

    def load_state_dict(self, state: dict) -> None:
        for name in ("actor", "critics", "critic_targets"):
            getattr(self, name).load_state_dict(state[name])
        # deepcopy: Optimizer.load_state_dict keeps the given tensors, which would be shared otherwise
        self.actor_optimizer.load_state_dict(copy.deepcopy(state["actor_optimizer"]))
        self.critic_optimizer.load_state_dict(copy.deepcopy(state["critic_optimizer"]))
        with torch.no_grad():
            self.log_alpha.copy_(state["log_alpha"])
        if self.alpha_optimizer is not None:
            self.alpha_optimizer.load_state_dict(copy.deepcopy(state["alpha_optimizer"]))
        self.n_updates = int(state["n_updates"])
        self.generator.set_state(state["generator"])
