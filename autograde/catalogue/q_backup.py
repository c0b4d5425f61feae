"""Student-style answers for q_backup(Q, P, R, terminal, gamma)."""

import numpy as np


def loops(Q, P, R, terminal, gamma):
    n_states, n_actions = Q.shape
    Q_next = np.zeros_like(Q)
    for s in range(n_states):
        if terminal[s]:
            continue
        for a in range(n_actions):
            total = 0.0
            for s2 in range(n_states):
                future = 0.0 if terminal[s2] else np.max(Q[s2])
                total += P[s, a, s2] * (R[s, a, s2] + gamma * future)
            Q_next[s, a] = total
    return Q_next


def vectorised(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    Q_next = (P * (R + gamma * V)).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def einsum_float64(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, np.max(Q, axis=1)).astype(np.float64)
    expected_reward = np.einsum("ijk,ijk->ij", P, R)
    return np.where(terminal[:, None], 0.0, expected_reward + gamma * P @ V)


def bootstraps_terminal(Q, P, R, terminal, gamma):
    Q_next = (P * (R + gamma * Q.max(axis=1))).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def terminal_rows_not_zero(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    return (P * (R + gamma * V)).sum(axis=2)


def reward_not_weighted(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    Q_next = R.sum(axis=2) + gamma * (P * V).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def max_over_next_states(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    Q_next = np.where(P > 0, R + gamma * V, -np.inf).max(axis=2)
    Q_next[terminal] = 0
    return Q_next


def gauss_seidel_in_place(Q, P, R, terminal, gamma):
    for s in range(Q.shape[0]):
        for a in range(Q.shape[1]):
            V = Q.max(axis=1) * (1 - terminal)
            Q[s, a] = 0.0 if terminal[s] else (P[s, a] * (R[s, a] + gamma * V)).sum()
    return Q


def returns_v(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    return ((P * (R + gamma * V)).sum(axis=2)).max(axis=1) * (1 - terminal)


def discounts_reward(Q, P, R, terminal, gamma):
    V = Q.max(axis=1) * (1 - terminal)
    Q_next = gamma * (P * (R + V)).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def mean_over_actions(Q, P, R, terminal, gamma):
    V = Q.mean(axis=1) * (1 - terminal)
    Q_next = (P * (R + gamma * V)).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


CORRECT = [loops, vectorised, einsum_float64]
WRONG = {
    bootstraps_terminal: "terminal next states were bootstrapped",
    terminal_rows_not_zero: "of a terminal state s must be 0",
    reward_not_weighted: "not weighted by the transition probability",
    max_over_next_states: "max over next states",
    gauss_seidel_in_place: "in place",
    returns_v: "looks like V(s)",
    discounts_reward: "γ also discounts the reward",
    mean_over_actions: "mean over actions",
}
