r"""Maximum-entropy Q-learning: soft Q-learning and Soft Actor-Critic, in the lecture's notation.

The maximum-entropy objective adds the policy's entropy to every reward,

.. math:: J(π) = \sum_t \mathbb{E}\big[r(s_t, a_t) + α\, \mathcal{H}(π(\cdot|s_t))\big],

and the hard max of Q-learning becomes a *soft* max. With a temperature α > 0:

* the soft value :math:`V(s) = α \log \sum_a \exp(Q(s, a)/α)`, which tends to
  :math:`\max_a Q(s, a)` as α → 0;
* the Boltzmann policy :math:`π(a|s) = \exp\big((Q(s, a) - V(s))/α\big)`;
* the soft Bellman backup :math:`Q(s, a) ← r + γ (1 - d)\, V(s')`.

Soft Actor-Critic (Haarnoja et al., 2018) does this for a continuous action box: a
tanh-squashed Gaussian policy, twin critics whose minimum fights overestimation, an actor
that minimises :math:`\mathbb{E}[α \log π(a|s) - \min_j Q_j(s, a)]` through the
reparameterised sample, and a temperature tuned so that the entropy stays near a target
:math:`\bar{\mathcal{H}}` (usually :math:`-\dim A`).

Notation (batch of B transitions ``(s, a, r, s', d)``): ``d ∈ {0, 1}`` is 1 only if s' is
**terminal** (the episode *terminated*); a *truncated* episode has d = 0 and bootstraps.
``γ`` is a float in [0, 1] or per-sample discounts of shape (B,).

These are the references of assignment 09's graded rules. :class:`qlab.agents.SAC` receives
them as its seams (``critic_target_fn=``, ``actor_loss_fn=``, ``temperature_loss_fn=``,
``squash_fn=``); the notebook passes the student's own versions instead. Every function
validates its inputs and raises a ``TypeError`` / ``ValueError`` that names the argument, what
it got and what was expected.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from qlab.rules import _discount, _done_flags, _float_vector, _same_device, _tensor

__all__ = [
    "soft_value",
    "soft_q_target",
    "squashed_gaussian",
    "sac_critic_target",
    "sac_actor_loss",
    "sac_temperature_loss",
    "ScriptedPolicy",
]

LOG_2PI = math.log(2.0 * math.pi)
LOG_2 = math.log(2.0)


# ---------------------------------------------------------------------------- validation
def _temperature(alpha) -> float | torch.Tensor:
    """α as a positive float, or a positive 0-dim / one-element tensor (a learned α) held constant."""
    if isinstance(alpha, torch.Tensor):
        if alpha.numel() != 1:
            raise ValueError(f"alpha has shape {tuple(alpha.shape)}; expected a float or a one-element tensor")
        if not alpha.is_floating_point():
            raise TypeError(f"alpha has dtype {alpha.dtype}; expected a floating dtype")
        if not bool(alpha.detach() > 0):
            raise ValueError(f"alpha (the temperature) must be > 0, got {alpha.item()}")
        return alpha.detach().reshape(())
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)):
        raise TypeError(f"alpha must be a float > 0, got {type(alpha).__name__}")
    if not (alpha > 0 and math.isfinite(alpha)):
        raise ValueError(f"alpha (the temperature) must be a finite float > 0, got {alpha}")
    return float(alpha)


def _batch_of(name: str, x, batch: int) -> torch.Tensor:
    x = _tensor(name, x)
    if x.ndim < 2 or x.shape[0] != batch:
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected (batch, {name}_dim) with batch = {batch}")
    return x


def _critics(name: str, critics) -> tuple:
    if callable(critics) or not isinstance(critics, Sequence) or len(critics) == 0:
        raise TypeError(f"{name} must be a non-empty sequence (tuple or list) of critics, got {type(critics).__name__}")
    for j, critic in enumerate(critics):
        if not callable(critic):
            raise TypeError(f"{name}[{j}] must be callable as critic(obs, action) -> (batch,)")
    return tuple(critics)


def _sample(policy, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    out = policy(obs)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError("policy(obs) must return a pair (action (batch, act_dim), log_prob (batch,))")
    action, log_prob = out
    if tuple(log_prob.shape) != (obs.shape[0],):
        raise ValueError(f"policy returned log_prob of shape {tuple(log_prob.shape)}; "
                         f"expected (batch,) = ({obs.shape[0]},)")
    return action, log_prob


def _min_q(critics: tuple, obs: torch.Tensor, action: torch.Tensor, name: str) -> torch.Tensor:
    values = []
    for j, critic in enumerate(critics):
        q = critic(obs, action)
        if tuple(q.shape) != (obs.shape[0],):
            raise ValueError(f"{name}[{j}] returned shape {tuple(q.shape)}; expected (batch,) = ({obs.shape[0]},)")
        values.append(q)
    return torch.stack(values).min(dim=0).values


# ---------------------------------------------------------------------------- soft Q-learning
def soft_value(q_values, alpha) -> torch.Tensor:
    r"""The soft (log-sum-exp) value of discrete actions.

    .. math:: V(s) = α \log \sum_a \exp\big(Q(s, a)/α\big)
                   = m + α \log \sum_a \exp\big((Q(s, a) - m)/α\big),\quad m = \max_a Q(s, a)

    The second form is the one to compute: :math:`\exp(Q/α)` overflows to ``inf`` already for
    Q/α ≈ 89 in float32, while every shifted exponent is ≤ 0 and one of them is exactly 0.
    As α → 0, V → max_a Q (Q-learning's hard max); as α → ∞, V ≈ mean_a Q + α log |A|.

    Args:
        q_values: ``Q(s, ·)``, shape (..., |A|): the last axis holds the actions
            ((B, |A|) for a DQN batch, (S, |A|) for a tabular Q).
        alpha: the temperature α > 0, a float.

    Returns:
        ``V`` of shape (...), the dtype and device of ``q_values``; differentiable (a target
        wraps it in ``torch.no_grad``).
    """
    q_values = _tensor("q_values", q_values)
    if q_values.ndim < 1 or q_values.shape[-1] == 0:
        raise ValueError(f"q_values has shape {tuple(q_values.shape)}; expected (..., n_actions) with n_actions >= 1")
    if not q_values.is_floating_point():
        raise TypeError(f"q_values has dtype {q_values.dtype}; expected a floating dtype (float32 or float64)")
    alpha = _temperature(alpha)
    return alpha * torch.logsumexp(q_values / alpha, dim=-1)


def soft_q_target(rewards, next_q_target, terminated, gamma, alpha) -> torch.Tensor:
    r"""The soft Q-learning target with a target network and terminal masking.

    .. math:: y = r + γ (1 - d)\, α \log \sum_{a'} \exp\big(Q'(s', a')/α\big)

    Only ``terminated`` is passed: a truncated transition is not terminal, so it bootstraps.

    Args:
        rewards: ``r``, shape (B,), float.
        next_q_target: ``Q'(s', ·)``, shape (B, |A|), from the target network.
        terminated: ``d``, shape (B,), bool or 0/1 float.
        gamma: ``γ`` as a float, or per-sample discounts of shape (B,).
        alpha: the temperature α > 0.

    Returns:
        ``y`` of shape (B,) and the dtype of ``rewards``, with no gradient.
    """
    rewards = _float_vector("rewards", rewards)
    next_q_target = _tensor("next_q_target", next_q_target)
    if next_q_target.ndim != 2 or next_q_target.shape[0] != rewards.shape[0]:
        raise ValueError(f"next_q_target has shape {tuple(next_q_target.shape)}; "
                         f"expected (batch, n_actions) = ({rewards.shape[0]}, n_actions)")
    _same_device(rewards=rewards, next_q_target=next_q_target, terminated=terminated, gamma=gamma)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    with torch.no_grad():
        next_v = soft_value(next_q_target, alpha).to(rewards.dtype)
        return rewards + discount * (1.0 - done) * next_v


# ---------------------------------------------------------------------------- Soft Actor-Critic
def squashed_gaussian(mean, log_std, noise) -> tuple[torch.Tensor, torch.Tensor]:
    r"""A reparameterised sample of the tanh-squashed Gaussian policy and its log-probability.

    .. math::
        u = μ + σ \odot ε,\quad σ = \exp(\log σ),\qquad a = \tanh(u) \in (-1, 1)^d,

        \log π(a|s) = \sum_{k=1}^{d} \Big[\log \mathcal{N}(u_k; μ_k, σ_k) - \log\big(1 - \tanh(u_k)^2\big)\Big],

        \log \mathcal{N}(u_k; μ_k, σ_k) = -\tfrac12 ε_k^2 - \log σ_k - \tfrac12 \log 2π.

    The second term is the change of variables through tanh. It is computed in the stable form
    :math:`\log(1 - \tanh(u)^2) = 2\big(\log 2 - u - \operatorname{softplus}(-2u)\big)`, finite even
    where tanh(u) rounds to ±1 (|u| ≳ 9 in float32), where ``log(1 - a**2)`` is ``-inf``.
    The gradient reaches ``mean`` and ``log_std`` through u (the noise is the only randomness).

    Args:
        mean: μ, shape (B, d). log_std: log σ, shape (B, d). noise: ε ~ N(0, I), shape (B, d).

    Returns:
        ``(action, log_prob)``: shapes (B, d) and (B,), the dtype of ``mean``.
    """
    mean = _tensor("mean", mean)
    if mean.ndim != 2:
        raise ValueError(f"mean has shape {tuple(mean.shape)}; expected (batch, act_dim)")
    if not mean.is_floating_point():
        raise TypeError(f"mean has dtype {mean.dtype}; expected a floating dtype (float32 or float64)")
    for name, x in (("log_std", log_std), ("noise", noise)):
        x = _tensor(name, x)
        if tuple(x.shape) != tuple(mean.shape):
            raise ValueError(f"{name} has shape {tuple(x.shape)}; expected the shape of mean, {tuple(mean.shape)}")
        if not x.is_floating_point():
            raise TypeError(f"{name} has dtype {x.dtype}; expected a floating dtype")
    _same_device(mean=mean, log_std=log_std, noise=noise)
    return _squash(mean, log_std, noise.to(mean.dtype))


def _squash(mean: torch.Tensor, log_std: torch.Tensor, noise: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    u = mean + log_std.exp() * noise
    log_normal = -0.5 * noise.pow(2) - log_std - 0.5 * LOG_2PI
    log_jacobian = 2.0 * (LOG_2 - u - F.softplus(-2.0 * u))
    return torch.tanh(u), (log_normal - log_jacobian).sum(dim=-1)


def sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets) -> torch.Tensor:
    r"""SAC's critic target: the soft backup with a' drawn from the *current* policy at s'.

    .. math:: y = r + γ (1 - d) \Big(\min_j Q'_j(s', a') - α \log π(a'|s')\Big),\quad a' \sim π(\cdot|s')

    The entropy bonus sits inside the (1 − d) factor: a terminal s' has no future, and no
    future entropy. The min over the target critics (clipped double Q) fights overestimation.

    Args:
        rewards: shape (B,), float. next_obs: ``s'``, shape (B, obs_dim).
        terminated: ``d``, shape (B,), bool or 0/1 float. gamma: float or per-sample (B,).
        alpha: the temperature α > 0 (a float, or a learned α as a one-element tensor).
        policy: maps obs (B, obs_dim) to ``(action (B, act_dim), log_prob (B,))``, a sample.
        critic_targets: a tuple or list of target critics Q'_j(obs, action) -> (B,).

    Returns:
        ``y`` of shape (B,) and the dtype of ``rewards``, with no gradient.
    """
    rewards = _float_vector("rewards", rewards)
    next_obs = _batch_of("next_obs", next_obs, rewards.shape[0])
    _same_device(rewards=rewards, next_obs=next_obs, terminated=terminated, gamma=gamma)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    alpha = _temperature(alpha)
    critic_targets = _critics("critic_targets", critic_targets)
    with torch.no_grad():
        next_action, next_log_prob = _sample(policy, next_obs)
        next_q = _min_q(critic_targets, next_obs, next_action, "critic_targets")
        soft_next_v = (next_q - alpha * next_log_prob).to(rewards.dtype)
        return rewards + discount * (1.0 - done) * soft_next_v


def sac_actor_loss(obs, policy, critics, alpha) -> torch.Tensor:
    r"""SAC's policy loss, through the reparameterised sample.

    .. math:: L(θ) = \frac{1}{B} \sum_i \Big(α \log π_θ(a_i|s_i) - \min_j Q_j(s_i, a_i)\Big),
              \quad a_i = \tanh\big(μ_θ(s_i) + σ_θ(s_i) \odot ε_i\big)

    Its gradient reaches θ through both a_i (into the critics and back) and log π. The
    critics' parameters receive gradients too, but only the actor's optimizer steps on them;
    α is held constant (it has its own loss, :func:`sac_temperature_loss`).

    Args:
        obs: states, shape (B, obs_dim). policy: obs -> ``(action, log_prob)``.
        critics: a tuple or list of online critics Q_j(obs, action) -> (B,).
        alpha: the temperature α > 0 (a float, or a learned α as a one-element tensor).

    Returns:
        A scalar (0-dim) tensor.
    """
    obs = _tensor("obs", obs)
    if obs.ndim < 2:
        raise ValueError(f"obs has shape {tuple(obs.shape)}; expected (batch, obs_dim)")
    alpha = _temperature(alpha)
    critics = _critics("critics", critics)
    action, log_prob = _sample(policy, obs)
    q = _min_q(critics, obs, action, "critics")
    return (alpha * log_prob - q).mean()


def sac_temperature_loss(log_alpha, log_probs, target_entropy) -> torch.Tensor:
    r"""The temperature's loss: raise α when the entropy is below its target, lower it above.

    .. math:: L(\log α) = -\log α \cdot \frac{1}{B} \sum_i \big(\log π(a_i|s_i) + \bar{\mathcal{H}}\big)

    with the log-probabilities held constant (CleanRL, Stable-Baselines3). Its gradient is
    :math:`-(\bar{\mathcal{H}} - \mathcal{H})` with :math:`\mathcal{H} = -\text{mean}(\log π)`:
    negative when the entropy is below its target, so a gradient step raises α. (The paper's
    form with α = exp(log α) in place of log α has the same sign of gradient and the same zero.)

    Args:
        log_alpha: ``log α``, a scalar tensor (0-dim or one element) that requires grad.
        log_probs: ``log π(a|s)`` of fresh samples, shape (B,); any gradient they carry is cut.
        target_entropy: :math:`\bar{\mathcal{H}}`, a float, usually ``-act_dim``.

    Returns:
        A scalar (0-dim) tensor.
    """
    log_alpha = _tensor("log_alpha", log_alpha)
    if log_alpha.numel() != 1 or not log_alpha.is_floating_point():
        raise ValueError(f"log_alpha has shape {tuple(log_alpha.shape)} and dtype {log_alpha.dtype}; "
                         "expected a one-element floating tensor")
    log_probs = _float_vector("log_probs", log_probs)
    _same_device(log_alpha=log_alpha, log_probs=log_probs)
    if isinstance(target_entropy, bool) or not isinstance(target_entropy, (int, float)):
        raise TypeError(f"target_entropy must be a float (usually -act_dim), got {type(target_entropy).__name__}")
    gap = (log_probs.detach() + float(target_entropy)).mean()
    return -(log_alpha.reshape(()) * gap.to(log_alpha.dtype))


class ScriptedPolicy(nn.Module):
    r"""A tanh-Gaussian policy whose noise is a script: a stochastic policy whose samples replay.

    :math:`(μ_θ(s), \log σ_θ(s))` is one linear layer of the state (log σ clipped to [−5, 2]);
    the k-th call draws its ε from row k of ``noise`` (cycling), so every call is a fresh
    sample, and a copy of the policy made before a call draws the same samples again. The
    checks of the SAC rules hand it to a student's function (two calls give two different
    samples, as with a real policy), and a notebook can use it to show the same.

    ``policy(obs) -> (action, log_prob)``: shapes (B, act_dim) in (−1, 1) and (B,), with
    B ≤ ``noise.shape[1]``; the gradient reaches θ through both (reparameterised).
    """

    def __init__(self, obs_dim: int, noise: torch.Tensor):
        super().__init__()
        if noise.ndim != 3:
            raise ValueError(f"noise has shape {tuple(noise.shape)}; expected (n_draws, max_batch, act_dim)")
        self.head = nn.Linear(int(obs_dim), 2 * noise.shape[2], dtype=noise.dtype)
        self.register_buffer("noise", noise.detach().clone())
        self.register_buffer("draws", torch.zeros((), dtype=torch.long))

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if obs.ndim != 2 or obs.shape[1] != self.head.in_features or obs.shape[0] > self.noise.shape[1]:
            raise ValueError(f"the policy takes states of shape (B, {self.head.in_features}) with B <= "
                             f"{self.noise.shape[1]}; it was given {tuple(obs.shape)}")
        mean, log_std = self.head(obs.to(self.head.weight.dtype)).chunk(2, dim=-1)
        noise = self.noise[int(self.draws) % self.noise.shape[0], : obs.shape[0]]
        self.draws += 1
        action, log_prob = _squash(mean, log_std.clamp(-5.0, 2.0), noise)
        return action.to(obs.dtype), log_prob.to(obs.dtype)
