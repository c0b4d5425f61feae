r"""The reference update rules of deep Q-learning and DDPG, in the lecture's notation.

These are plain functions of tensors. The agents in :mod:`qlab.agents` receive them as
arguments (``target_fn=``, ``loss_fn=``, ``target_update_fn=``), defaulting to the ones
here; the course notebooks pass the student's own versions instead.

Notation (batch of B transitions ``(s, a, r, s', d)``):

* ``Q(s, a)`` -- online network, ``Q'(s, a)`` -- target network, parameters θ and θ'.
* ``d ∈ {0, 1}`` -- 1 if s' is **terminal** (the episode *terminated*). A *truncated*
  episode (time limit) has d = 0: its s' is not terminal, so the target bootstraps.
* ``γ`` -- discount; for an n-step transition the bootstrap term is discounted by γ^k,
  k ≤ n the window length, so every ``gamma`` below may be a float or a per-sample
  tensor of shape (B,) ("discounts").

Every function validates its inputs and raises a ``ValueError`` / ``TypeError`` that names
the argument, its shape and the expected shape. Nothing broadcasts silently: a (32,) reward
with a (32, 1) terminal flag is an error, not a (32, 32) target.
"""

from __future__ import annotations

import torch
from torch import nn

__all__ = [
    "dqn_target",
    "double_dqn_target",
    "nstep_returns",
    "td_loss",
    "dqn_td_loss",
    "hard_update",
    "polyak_update",
    "ddpg_critic_target",
    "ddpg_actor_loss",
]


# ---------------------------------------------------------------------------- validation
def _tensor(name: str, x) -> torch.Tensor:
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
    return x


def _float_vector(name: str, x, batch: int | None = None) -> torch.Tensor:
    x = _tensor(name, x)
    if x.ndim != 1 or (batch is not None and x.shape[0] != batch):
        expected = "(batch,)" if batch is None else f"(batch,) = ({batch},)"
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected {expected}")
    if not x.is_floating_point():
        raise TypeError(f"{name} has dtype {x.dtype}; expected a floating dtype (float32 or float64)")
    return x


def _done_flags(name: str, x, like: torch.Tensor) -> torch.Tensor:
    """Terminal flags as 0/1 floats of ``like``'s dtype; bool or float input, same shape."""
    x = _tensor(name, x)
    if tuple(x.shape) != tuple(like.shape):
        raise ValueError(f"{name} has shape {tuple(x.shape)}; expected {_shape_text(like)}")
    return x.to(like.dtype)


def _shape_text(like: torch.Tensor) -> str:
    if like.ndim == 1:
        return f"(batch,) = ({like.shape[0]},)"
    return f"{tuple(like.shape)}"


def _discount(gamma, like: torch.Tensor):
    """γ as a float in [0, 1] or a per-sample tensor of ``like``'s shape and dtype."""
    if isinstance(gamma, torch.Tensor):
        if gamma.ndim == 0:
            return gamma.to(like.dtype)
        if tuple(gamma.shape) != tuple(like.shape):
            raise ValueError(
                f"gamma (discounts) has shape {tuple(gamma.shape)}; expected a float or {_shape_text(like)}"
            )
        if not gamma.is_floating_point():
            raise TypeError(f"gamma (discounts) has dtype {gamma.dtype}; expected a floating dtype")
        return gamma.to(like.dtype)
    gamma = float(gamma)
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must lie in [0, 1], got {gamma}")
    return gamma


def _same_device(**tensors: torch.Tensor) -> None:
    devices = {name: t.device for name, t in tensors.items() if isinstance(t, torch.Tensor)}
    if len(set(devices.values())) > 1:
        listing = ", ".join(f"{name} on {device}" for name, device in devices.items())
        raise ValueError(f"all tensors must be on one device, got {listing}")


def _action_values(name: str, q, batch: int) -> torch.Tensor:
    q = _tensor(name, q)
    if q.ndim != 2 or q.shape[0] != batch:
        raise ValueError(f"{name} has shape {tuple(q.shape)}; expected (batch, n_actions) = ({batch}, n_actions)")
    if not q.is_floating_point():
        raise TypeError(f"{name} has dtype {q.dtype}; expected a floating dtype")
    return q


# ---------------------------------------------------------------------------- DQN targets
def dqn_target(rewards, next_q_target, terminated, gamma) -> torch.Tensor:
    r"""DQN target with a target network and terminal masking.

    .. math:: y = r + γ (1 - d) \max_{a'} Q'(s', a')

    Args:
        rewards: ``r``, shape (B,), float.
        next_q_target: ``Q'(s', ·)``, shape (B, |A|), from the target network.
        terminated: ``d``, shape (B,), bool or 0/1 float; 1 only for true terminations.
        gamma: ``γ`` as a float, or per-sample discounts γ^k of shape (B,) for n-step.

    Returns:
        ``y`` of shape (B,) and the dtype of ``rewards``, with no gradient: the target is a
        constant in the regression ``Q(s, a) ≈ y``.
    """
    rewards = _float_vector("rewards", rewards)
    batch = rewards.shape[0]
    next_q_target = _action_values("next_q_target", next_q_target, batch)
    _same_device(rewards=rewards, next_q_target=next_q_target, terminated=terminated,
                 gamma=gamma)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    with torch.no_grad():
        next_v = next_q_target.detach().max(dim=1).values.to(rewards.dtype)
        return rewards + discount * (1.0 - done) * next_v


def double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma) -> torch.Tensor:
    r"""Double DQN target (van Hasselt et al., 2016): select with Q, evaluate with Q'.

    .. math:: y = r + γ (1 - d)\, Q'\big(s', \arg\max_{a'} Q(s', a')\big)

    Decoupling the choice of a' (online network) from its evaluation (target network)
    removes most of the overestimation of ``max_a' Q'(s', a')``.

    Args:
        rewards: ``r``, shape (B,), float.
        next_q_online: ``Q(s', ·)``, shape (B, |A|), from the online network.
        next_q_target: ``Q'(s', ·)``, shape (B, |A|), from the target network.
        terminated: ``d``, shape (B,), bool or 0/1 float.
        gamma: float, or per-sample discounts γ^k of shape (B,).

    Returns:
        ``y`` of shape (B,), no gradient.
    """
    rewards = _float_vector("rewards", rewards)
    batch = rewards.shape[0]
    next_q_online = _action_values("next_q_online", next_q_online, batch)
    next_q_target = _action_values("next_q_target", next_q_target, batch)
    if next_q_online.shape != next_q_target.shape:
        raise ValueError(
            f"next_q_online has shape {tuple(next_q_online.shape)} but next_q_target has shape "
            f"{tuple(next_q_target.shape)}; both must be (batch, n_actions)"
        )
    _same_device(rewards=rewards, next_q_online=next_q_online, next_q_target=next_q_target,
                 terminated=terminated, gamma=gamma)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    with torch.no_grad():
        best = next_q_online.detach().argmax(dim=1, keepdim=True)
        next_v = next_q_target.detach().gather(1, best).squeeze(1).to(rewards.dtype)
        return rewards + discount * (1.0 - done) * next_v


def nstep_returns(rewards, terminated, truncated, gamma: float, n: int):
    r"""n-step returns of a sequence, with windows that stop at episode ends.

    For every time step t the window covers k = min(n, steps to the episode's end, steps to
    the end of the sequence) rewards:

    .. math:: G_t^{(k)} = \sum_{i=0}^{k-1} γ^i r_{t+i}, \qquad
              y_t = G_t^{(k)} + γ^k (1 - d_t) \max_{a'} Q'(s_{t+k}, a')

    The bootstrap state s_{t+k} is the ``next_obs`` of step t+k-1. A window that reaches a
    **termination** has d_t = 1 (nothing to bootstrap from); one that reaches a
    **truncation** or the end of the sequence has d_t = 0 and still bootstraps.

    Args:
        rewards: shape (T,) or (T, N) for N parallel environments, float.
        terminated, truncated: same shape, bool or 0/1 float; step t ended its episode.
        gamma: the discount γ in [0, 1].
        n: the window length, n ≥ 1 (n = 1 gives back ``rewards``, γ and ``terminated``).

    Returns:
        ``(returns, discounts, dones)``, each of the shape of ``rewards`` and its dtype:
        G_t^{(k)}, the bootstrap discount γ^k, and d_t as 0/1.
    """
    rewards = _tensor("rewards", rewards)
    if rewards.ndim not in (1, 2):
        raise ValueError(f"rewards has shape {tuple(rewards.shape)}; expected (T,) or (T, N)")
    if not rewards.is_floating_point():
        raise TypeError(f"rewards has dtype {rewards.dtype}; expected a floating dtype")
    _same_device(rewards=rewards, terminated=terminated, truncated=truncated)
    term = _done_flags("terminated", terminated, rewards)
    trunc = _done_flags("truncated", truncated, rewards)
    gamma = _discount(gamma, rewards)
    if isinstance(gamma, torch.Tensor):
        raise TypeError("gamma must be a float for nstep_returns")
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be an integer >= 1, got {n!r}")

    T = rewards.shape[0]
    returns = torch.zeros_like(rewards)
    discounts = torch.ones_like(rewards)
    dones = torch.zeros_like(rewards)
    open_ = torch.ones_like(rewards)  # 1 while the window starting at t is still collecting
    gammas = torch.full_like(rewards, gamma)  # γ in the rewards' dtype (a Python scalar in torch.where is float32)
    for i in range(min(n, T)):
        # Step t+i, seen from the window that starts at t (rows past the end stay closed).
        r_i, term_i, trunc_i = (torch.zeros_like(rewards) for _ in range(3))
        r_i[: T - i], term_i[: T - i], trunc_i[: T - i] = rewards[i:], term[i:], trunc[i:]
        inside = torch.zeros_like(rewards)
        inside[: T - i] = 1.0
        open_ = open_ * inside
        returns = returns + open_ * discounts * r_i
        discounts = discounts * torch.where(open_ > 0, gammas, 1.0)
        dones = torch.where((open_ > 0) & (term_i > 0), 1.0, dones)
        open_ = open_ * (1.0 - torch.clamp(term_i + trunc_i, max=1.0))
    return returns, discounts, dones


# ---------------------------------------------------------------------------- loss
def td_loss(q_taken, targets, kind: str = "huber", weights=None) -> torch.Tensor:
    r"""Mean TD loss between ``Q(s, a)`` and the targets ``y``.

    .. math:: L(θ) = \frac{1}{B} \sum_i w_i\, ρ\big(Q_θ(s_i, a_i) - y_i\big)

    with ρ the Huber loss (δ = 1: quadratic for |x| ≤ 1, linear beyond, so one huge TD
    error cannot blow up the gradient) or the squared error, and w_i importance weights
    (all 1 without prioritized replay).

    Args:
        q_taken: ``Q(s, a)`` for the actions taken, shape (B,), requires grad.
        targets: ``y``, shape (B,), a constant (no grad).
        kind: ``"huber"`` or ``"mse"``.
        weights: optional importance-sampling weights, shape (B,).

    Returns:
        A scalar tensor.
    """
    q_taken = _float_vector("q_taken", q_taken)
    targets = _float_vector("targets", targets, q_taken.shape[0])
    _same_device(q_taken=q_taken, targets=targets, weights=weights)
    if targets.requires_grad:
        raise ValueError(
            "targets requires grad: the TD target y must be a constant; compute it under "
            "torch.no_grad() (or .detach() it) so no gradient flows through the target"
        )
    if kind == "huber":
        per_sample = nn.functional.smooth_l1_loss(q_taken, targets.to(q_taken.dtype), reduction="none")
    elif kind == "mse":
        per_sample = (q_taken - targets.to(q_taken.dtype)).pow(2)
    else:
        raise ValueError(f'kind must be "huber" or "mse", got {kind!r}')
    if weights is None:
        return per_sample.mean()
    weights = _float_vector("weights", weights, q_taken.shape[0])
    return (weights.to(q_taken.dtype) * per_sample).mean()


def dqn_td_loss(q_values, actions, targets, kind: str = "huber", weights=None) -> torch.Tensor:
    r"""DQN's loss: gather ``Q(s, a)`` for the actions taken, then the mean :func:`td_loss`.

    .. math:: L(θ) = \frac{1}{B} \sum_i w_i\, ρ\big(Q_θ(s_i, ·)[a_i] - y_i\big)

    Args:
        q_values: ``Q(s, ·)`` from the online network, shape (B, |A|), requires grad.
        actions: the actions taken, shape (B,), integer.
        targets: ``y``, shape (B,), a constant (no grad).
        kind: ``"huber"`` (δ = 1) or ``"mse"``.
        weights: optional importance-sampling weights, shape (B,).

    Returns:
        A scalar tensor.
    """
    actions = _tensor("actions", actions)
    if actions.ndim != 1:
        raise ValueError(f"actions has shape {tuple(actions.shape)}; expected (batch,)")
    q_values = _action_values("q_values", q_values, actions.shape[0])
    if actions.is_floating_point() or actions.dtype == torch.bool:
        raise TypeError(f"actions has dtype {actions.dtype}; expected an integer dtype (action indices)")
    _same_device(q_values=q_values, actions=actions)
    q_taken = q_values.gather(1, actions.long().unsqueeze(1)).squeeze(1)
    return td_loss(q_taken, targets, kind, weights)


# ---------------------------------------------------------------------------- target networks
def _paired_tensors(target: nn.Module, online: nn.Module):
    """(target, online) parameter and buffer pairs, checked to match one to one."""
    for name, module in (("target", target), ("online", online)):
        if not isinstance(module, nn.Module):
            raise TypeError(f"{name} must be a torch.nn.Module, got {type(module).__name__}")
    targets = [*target.parameters(), *target.buffers()]
    onlines = [*online.parameters(), *online.buffers()]
    if len(targets) != len(onlines) or any(t.shape != o.shape for t, o in zip(targets, onlines)):
        target_shapes = {k: tuple(v.shape) for k, v in target.state_dict().items()}
        online_shapes = {k: tuple(v.shape) for k, v in online.state_dict().items()}
        diff = [f"{k}: {target_shapes.get(k)} in target, {online_shapes.get(k)} in online"
                for k in sorted(set(target_shapes) | set(online_shapes)) if target_shapes.get(k) != online_shapes.get(k)]
        raise ValueError("target and online networks differ in shape: " + "; ".join(diff[:5]))
    return targets, onlines


def hard_update(target: nn.Module, online: nn.Module) -> None:
    r"""Copy the online weights into the target network, in place: θ' ← θ."""
    targets, onlines = _paired_tensors(target, online)
    with torch.no_grad():
        torch._foreach_copy_(targets, onlines)


def polyak_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    r"""Polyak averaging, in place and without gradient: θ' ← τ θ + (1 - τ) θ'.

    ``tau`` is the fraction of the **online** weights: τ = 1 is a hard update, τ = 0 leaves
    the target unchanged; DDPG uses τ = 0.005. Floating buffers are averaged the same way,
    integer buffers (e.g. batch-norm counters) are copied.
    """
    tau = float(tau)
    if not 0.0 <= tau <= 1.0:
        raise ValueError(f"tau must lie in [0, 1] (the fraction of the online weights), got {tau}")
    targets, onlines = _paired_tensors(target, online)
    with torch.no_grad():
        if all(t.is_floating_point() for t in targets):
            torch._foreach_lerp_(targets, onlines, tau)
            return
        for t, o in zip(targets, onlines):
            if t.is_floating_point():
                t.lerp_(o, tau)
            else:
                t.copy_(o)


# ---------------------------------------------------------------------------- DDPG
def ddpg_critic_target(rewards, next_obs, terminated, gamma, actor_target, critic_target) -> torch.Tensor:
    r"""DDPG critic target with target actor μ' and target critic Q'.

    .. math:: y = r + γ (1 - d)\, Q'\big(s', μ'(s')\big)

    The max over actions of DQN is replaced by the target actor's action. Returns ``y`` of
    shape (B,) with no gradient.

    Args:
        rewards: shape (B,), float. next_obs: ``s'``, shape (B, obs_dim).
        terminated: ``d``, shape (B,). gamma: float or per-sample discounts (B,).
        actor_target: μ', maps (B, obs_dim) to (B, act_dim).
        critic_target: Q', maps (B, obs_dim), (B, act_dim) to (B,).
    """
    rewards = _float_vector("rewards", rewards)
    next_obs = _tensor("next_obs", next_obs)
    if next_obs.ndim < 2 or next_obs.shape[0] != rewards.shape[0]:
        raise ValueError(
            f"next_obs has shape {tuple(next_obs.shape)}; expected (batch, obs_dim) with batch = {rewards.shape[0]}"
        )
    _same_device(rewards=rewards, next_obs=next_obs, terminated=terminated, gamma=gamma)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    with torch.no_grad():
        next_q = critic_target(next_obs, actor_target(next_obs))
        if tuple(next_q.shape) != tuple(rewards.shape):
            raise ValueError(
                f"critic_target returned shape {tuple(next_q.shape)}; expected (batch,) = ({rewards.shape[0]},)"
            )
        return rewards + discount * (1.0 - done) * next_q.to(rewards.dtype)


def ddpg_actor_loss(obs, actor, critic) -> torch.Tensor:
    r"""Deterministic policy-gradient loss: ascend Q along the actor's action.

    .. math:: L(φ) = -\frac{1}{B} \sum_i Q\big(s_i, μ_φ(s_i)\big)

    The gradient flows through the critic into the actor; only the actor's optimizer steps
    on it.
    """
    obs = _tensor("obs", obs)
    if obs.ndim < 2:
        raise ValueError(f"obs has shape {tuple(obs.shape)}; expected (batch, obs_dim)")
    q = critic(obs, actor(obs))
    if tuple(q.shape) != (obs.shape[0],):
        raise ValueError(f"critic returned shape {tuple(q.shape)}; expected (batch,) = ({obs.shape[0]},)")
    return -q.mean()
