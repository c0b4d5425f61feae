r"""Distributional (categorical, C51) DQN: the projected Bellman target and its loss.

Bellemare, Dabney and Munos (2017) learn the whole distribution of the return
:math:`Z(s, a)` instead of its mean :math:`Q(s, a) = \mathbb{E}[Z(s, a)]`. The distribution
lives on a fixed support of N evenly spaced atoms

.. math:: z_j = v_{\min} + j\,Δz, \qquad Δz = \frac{v_{\max} - v_{\min}}{N - 1}, \qquad j = 0 … N-1,

and the network outputs, for every action, logits whose softmax over the atoms gives the
probabilities :math:`p_j(s, a)`.

The distributional Bellman target :math:`r + γ (1 - d) Z(s', a^*)` moves every atom to
:math:`r + γ (1 - d) z_j` -- no longer on the support -- so it is *projected* back:
each moved atom's probability is split between its two neighbouring atoms in proportion to
how close it lies to each. The network then minimises the cross-entropy between that
projected target ``m`` and its own distribution at ``(s, a)``.

Notation (batch of B transitions ``(s, a, r, s', d)``, |A| actions, N atoms) as in
:mod:`qlab.rules`: ``d`` is 1 only when s' is terminal, and ``γ`` may be a float or the
per-sample discounts γ^k of n-step returns.
"""

from __future__ import annotations

import torch
from torch import nn

from qlab.rules import _discount, _done_flags, _float_vector, _same_device, _tensor

__all__ = ["categorical_target", "categorical_loss"]


def _support(support) -> torch.Tensor:
    support = _tensor("support", support)
    if support.ndim != 1 or support.shape[0] < 2:
        raise ValueError(f"support has shape {tuple(support.shape)}; expected (n_atoms,) with n_atoms >= 2")
    if not support.is_floating_point():
        raise TypeError(f"support has dtype {support.dtype}; expected a floating dtype")
    if not bool((support[1:] > support[:-1]).all()):
        raise ValueError("support must be increasing: z_0 = v_min < z_1 < ... < z_{N-1} = v_max")
    return support


def _distributions(name: str, x, batch: int, n_atoms: int) -> torch.Tensor:
    x = _tensor(name, x)
    if x.ndim != 3 or x.shape[0] != batch or x.shape[2] != n_atoms:
        raise ValueError(
            f"{name} has shape {tuple(x.shape)}; expected (batch, n_actions, n_atoms) = ({batch}, n_actions, {n_atoms})"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name} has dtype {x.dtype}; expected a floating dtype")
    return x


def categorical_target(rewards, next_probs, terminated, gamma, support) -> torch.Tensor:
    r"""The C51 target: the distributional Bellman target projected onto the support.

    With the **target** network's distributions :math:`p_j(s', a)`:

    1. pick the next action by the target distribution's mean,
       :math:`a^* = \arg\max_a \sum_j z_j\, p_j(s', a)`;
    2. move every atom and clip it into the support's range,
       :math:`\hat{T} z_j = \text{clip}\big(r + γ (1 - d)\, z_j,\; v_{\min},\; v_{\max}\big)`
       (a terminal transition moves every atom to r);
    3. split its probability between the neighbouring atoms: with
       :math:`b_j = (\hat{T} z_j - v_{\min}) / Δz`, :math:`l = \lfloor b_j \rfloor`,
       :math:`u = \lceil b_j \rceil`,

       .. math:: m_l \mathrel{+}= p_j(s', a^*)\,(u - b_j), \qquad
                 m_u \mathrel{+}= p_j(s', a^*)\,(b_j - l),

       and when :math:`b_j` lands exactly on an atom (l = u) the whole :math:`p_j` goes to it.

    Args:
        rewards: ``r``, shape (B,), float.
        next_probs: ``p(s', ·)`` from the **target** network, shape (B, |A|, N); each
            (sample, action) row sums to 1.
        terminated: ``d``, shape (B,), bool or 0/1 float; 1 only for true terminations.
        gamma: ``γ`` as a float, or per-sample discounts γ^k of shape (B,) for n-step.
        support: the atoms ``z``, shape (N,), evenly spaced from v_min to v_max.

    Returns:
        ``m`` of shape (B, N) and the dtype of ``rewards``: each row a probability
        distribution on the support (sums to 1), with no gradient.
    """
    rewards = _float_vector("rewards", rewards)
    support = _support(support)
    batch, n_atoms = rewards.shape[0], support.shape[0]
    next_probs = _distributions("next_probs", next_probs, batch, n_atoms)
    _same_device(rewards=rewards, next_probs=next_probs, terminated=terminated, gamma=gamma, support=support)
    done = _done_flags("terminated", terminated, rewards)
    discount = _discount(gamma, rewards)
    if isinstance(discount, torch.Tensor) and discount.ndim == 1:
        discount = discount[:, None]
    with torch.no_grad():
        z = support.detach().to(rewards.dtype)
        probs = next_probs.detach().to(rewards.dtype)
        v_min, v_max = z[0], z[-1]
        delta_z = (v_max - v_min) / (n_atoms - 1)

        best = (probs * z).sum(dim=2).argmax(dim=1)
        p = probs[torch.arange(batch, device=probs.device), best]  # (B, N)

        moved = (rewards[:, None] + discount * (1.0 - done)[:, None] * z).clamp(v_min, v_max)
        b = ((moved - v_min) / delta_z).clamp(0, n_atoms - 1)  # (rounding must not pass the last atom)
        lower, upper = b.floor(), b.ceil()
        on_atom = (lower == upper).to(b.dtype)

        m = torch.zeros_like(p)
        m.scatter_add_(1, lower.long(), p * (upper - b + on_atom))
        m.scatter_add_(1, upper.long(), p * (b - lower))
        return m


def categorical_loss(logits, actions, target_probs, weights=None) -> torch.Tensor:
    r"""Cross-entropy between the projected target ``m`` and the online distribution at (s, a).

    .. math:: L(θ) = \frac{1}{B} \sum_i w_i \Big(- \sum_j m_{ij} \log p_j(s_i, a_i; θ)\Big),
              \qquad p_j(s, a; θ) = \operatorname{softmax}_j\, \text{logits}(s, a)_j

    The softmax is over the **atoms** of the taken action's row (not over actions), computed
    as a log-softmax so that a large logit does not overflow.

    Args:
        logits: the **online** network's logits, shape (B, |A|, N), requires grad.
        actions: the actions taken, shape (B,), integer.
        target_probs: ``m`` from :func:`categorical_target`, shape (B, N), a constant (detached
            here, so no gradient flows into whatever computed it).
        weights: optional importance-sampling weights ``w``, shape (B,); each multiplies
            its own sample's cross-entropy.

    Returns:
        A scalar tensor, the mean over the batch; its gradient reaches ``logits`` only.
    """
    actions = _tensor("actions", actions)
    if actions.ndim != 1:
        raise ValueError(f"actions has shape {tuple(actions.shape)}; expected (batch,)")
    if actions.is_floating_point() or actions.dtype == torch.bool:
        raise TypeError(f"actions has dtype {actions.dtype}; expected an integer dtype (action indices)")
    batch = actions.shape[0]
    target_probs = _tensor("target_probs", target_probs)
    if target_probs.ndim != 2 or target_probs.shape[0] != batch:
        raise ValueError(
            f"target_probs has shape {tuple(target_probs.shape)}; expected (batch, n_atoms) = ({batch}, n_atoms)"
        )
    logits = _distributions("logits", logits, batch, target_probs.shape[1])
    _same_device(logits=logits, actions=actions, target_probs=target_probs, weights=weights)
    chosen = logits.gather(1, actions.long()[:, None, None].expand(batch, 1, logits.shape[2])).squeeze(1)
    log_p = nn.functional.log_softmax(chosen, dim=1)
    per_sample = -(target_probs.detach().to(log_p.dtype) * log_p).sum(dim=1)
    if weights is None:
        return per_sample.mean()
    weights = _float_vector("weights", weights, batch)
    return (weights.to(per_sample.dtype) * per_sample).mean()
