"""Planning with an exact model: Q-value iteration and greedy policies.

The model is ``P[s, a, s']`` (transition probabilities), ``R[s, a, s']`` (rewards)
and ``terminal[s]`` (states with no future: V(s) = 0).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from qlab.envs.gridworld import MOVES


def q_backup(Q: np.ndarray, P: np.ndarray, R: np.ndarray, terminal: np.ndarray, gamma: float) -> np.ndarray:
    """One synchronous Bellman optimality backup of every Q-value:

        Q_{k+1}(s, a) = Σ_s' P(s' | s, a) [ R(s, a, s') + γ (1 − terminal(s')) max_a' Q_k(s', a') ]

    and Q_{k+1}(s, ·) = 0 for terminal s. Returns a new array; ``Q`` is left unchanged.
    """
    future = np.where(terminal, 0.0, Q.max(axis=1))
    Q_next = np.einsum("sat,sat->sa", P, R + gamma * future[None, None, :])
    Q_next[terminal] = 0.0
    return Q_next


def value_iteration(P: np.ndarray, R: np.ndarray, terminal: np.ndarray, gamma: float, tol: float = 1e-6,
                    backup: Callable = q_backup, max_iterations: int = 100_000):
    """Apply ``backup`` from Q_0 = 0 until max_{s,a} |Q_{k+1} − Q_k| < tol.

    Returns ``(Q, deltas)``: the last Q_{k+1} and the list of max-changes, one per backup.
    """
    Q = np.zeros(P.shape[:2])
    deltas = []
    for _ in range(max_iterations):
        Q_next = backup(Q, P, R, terminal, gamma)
        deltas.append(float(np.max(np.abs(Q_next - Q))))
        Q = Q_next
        if deltas[-1] < tol:
            break
    return Q, deltas


def greedy_policy(Q: np.ndarray) -> np.ndarray:
    """π(s) = argmax_a Q(s, a) for every state, as an int array of shape (n_states,)."""
    return np.argmax(Q, axis=1)


def intended_path(env, policy: np.ndarray, max_steps: int = 50) -> list[tuple[int, int]]:
    """The cells a GridWorld agent visits following ``policy`` when no noise deflects it:
    from the start until an exit (included) or ``max_steps`` moves."""
    env = env.unwrapped
    row, col = env.layout.start
    cells = [(row, col)]
    for _ in range(max_steps):
        if not np.isnan(env.layout.exits[row, col]):
            break
        dr, dc = MOVES[int(policy[env.cell_to_state(row, col)])]
        r, c = row + int(dr), col + int(dc)
        if 0 <= r < env.shape[0] and 0 <= c < env.shape[1] and not env.layout.walls[r, c]:
            row, col = r, c
        cells.append((row, col))
    return cells
