r"""Soft (maximum-entropy) planning with an exact model: soft Q-iteration and the Boltzmann policy.

With a temperature α > 0 the Bellman optimality backup's max becomes the soft value
:math:`V(s) = α \log \sum_a \exp(Q(s, a)/α)`:

.. math:: Q_{k+1}(s, a) = \sum_{s'} P(s'|s, a)\,\big[R(s, a, s') + γ\,(1 - \text{terminal}(s'))\,V_k(s')\big],

and the policy that goes with it is Boltzmann's, :math:`π(a|s) = \exp\big((Q(s, a) - V(s))/α\big)`.
``soft_value`` is any function with the contract of :func:`qlab.soft.soft_value` (a torch
tensor (S, A) in, (S,) out): the notebook of assignment 09 passes the student's.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch

from qlab import soft
from qlab.tabular.planning import value_iteration

__all__ = ["soft_state_values", "soft_q_backup", "soft_q_iteration", "boltzmann_policy", "exit_probabilities"]


def soft_state_values(Q: np.ndarray, alpha: float, soft_value=None) -> np.ndarray:
    """V(s) = α log Σ_a exp(Q(s, a)/α) of a tabular Q (S, A) by ``soft_value``, as a float64 array (S,)."""
    q_table = torch.as_tensor(Q, dtype=torch.float64)
    values = torch.as_tensor((soft_value or soft.soft_value)(q_table, alpha)).detach().cpu().numpy().astype(np.float64)
    if values.shape != Q.shape[:1]:
        raise ValueError(f"soft_value returned shape {values.shape} for Q of shape {Q.shape}; expected ({Q.shape[0]},)")
    return values


def soft_q_backup(Q: np.ndarray, P: np.ndarray, R: np.ndarray, terminal: np.ndarray, gamma: float, alpha: float,
                  soft_value=None) -> np.ndarray:
    """One synchronous soft Bellman backup of every Q-value (see the module docstring); Q_{k+1}(s, ·) = 0
    for terminal s. Returns a new array."""
    future = np.where(terminal, 0.0, soft_state_values(Q, alpha, soft_value))
    Q_next = np.einsum("sat,sat->sa", P, R + gamma * future[None, None, :])
    Q_next[terminal] = 0.0
    return Q_next


def soft_q_iteration(P: np.ndarray, R: np.ndarray, terminal: np.ndarray, gamma: float, alpha: float,
                     soft_value=None, tol: float = 1e-8, max_iterations: int = 10_000):
    """Soft backups from Q_0 = 0 until max |Q_{k+1} − Q_k| < tol: ``(Q, deltas)`` as
    :func:`qlab.tabular.planning.value_iteration` returns them."""
    backup = partial(soft_q_backup, alpha=alpha, soft_value=soft_value)
    return value_iteration(P, R, terminal, gamma, tol=tol, backup=backup, max_iterations=max_iterations)


def boltzmann_policy(Q: np.ndarray, alpha: float, soft_value=None) -> np.ndarray:
    """π(a|s) = exp((Q(s, a) − V(s))/α), shape (S, A), each row summing to 1."""
    Q = np.asarray(Q, dtype=np.float64)
    policy = np.exp((Q - soft_state_values(Q, alpha, soft_value)[:, None]) / alpha)
    return policy / policy.sum(axis=1, keepdims=True)   # exact already; this removes the rounding


def exit_probabilities(env, policy: np.ndarray, max_steps: int = 1_000) -> dict[tuple[int, int], float]:
    """For a GridWorld and a stochastic ``policy`` (S, A): the probability that an episode from the
    start ends at each exit cell, ``{(row, col): probability}`` (within ``max_steps`` moves; what
    is missing from 1 is the chance of still wandering then)."""
    env = env.unwrapped
    policy = np.asarray(policy, dtype=np.float64)
    if policy.shape != (env.n_states, env.action_space.n):
        raise ValueError(f"policy has shape {policy.shape}; expected (n_states, n_actions) = "
                         f"({env.n_states}, {env.action_space.n})")
    moves = np.einsum("sa,sat->st", policy, env.P)
    exits = env.exit_states
    moves[exits] = 0.0
    moves[exits, exits] = 1.0                      # an exit cell keeps what reaches it
    distribution = np.zeros(env.n_states)
    distribution[env.start_state] = 1.0
    for _ in range(max_steps):
        distribution = distribution @ moves
    return {env.state_to_cell(s): float(distribution[s]) for s in exits}
