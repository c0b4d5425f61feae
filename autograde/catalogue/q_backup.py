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


def einsum_matmul(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, np.max(Q, axis=1))
    expected_reward = np.einsum("ijk,ijk->ij", P, R)
    return np.where(terminal[:, None], 0.0, expected_reward + gamma * P @ V)


def in_torch(Q, P, R, terminal, gamma):
    import torch

    Q, P, R = torch.as_tensor(Q), torch.as_tensor(P), torch.as_tensor(R)
    done = torch.as_tensor(terminal)
    V = torch.where(done, torch.zeros_like(Q[:, 0]), Q.max(dim=1).values)
    Q_next = (P * (R + gamma * V)).sum(dim=2)
    Q_next[done] = 0.0
    return Q_next


def in_float32(Q, P, R, terminal, gamma):
    P, R = P.astype(np.float32), R.astype(np.float32)
    V = np.where(terminal, np.float32(0), Q.max(axis=1).astype(np.float32))
    Q_next = (P * (R + np.float32(gamma) * V)).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def copies_then_fills(Q, P, R, terminal, gamma):
    Q_old = Q.copy()
    Q = np.empty_like(Q_old, dtype=float)
    for s in range(Q.shape[0]):
        Q[s] = 0.0 if terminal[s] else P[s] @ np.where(terminal, 0.0, Q_old.max(axis=1)) * gamma + (P[s] * R[s]).sum(-1)
    return Q


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


def current_state_value(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, Q.max(axis=1))
    Q_next = (P * R).sum(axis=2) + gamma * V[:, None]      # V indexed by s, not s'
    Q_next[terminal] = 0
    return Q_next


def future_not_weighted(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, Q.max(axis=1))
    Q_next = (P * R).sum(axis=2) + gamma * V.sum()
    Q_next[terminal] = 0
    return Q_next


def integer_table(Q, P, R, terminal, gamma):
    Q_next = np.zeros(Q.shape, dtype=int)                  # the values are truncated to integers
    V = np.where(terminal, 0.0, Q.max(axis=1))
    Q_next[:] = (P * (R + gamma * V)).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def changes_rewards_in_place(Q, P, R, terminal, gamma):
    R += gamma * np.where(terminal, 0.0, Q.max(axis=1))    # R now holds the targets
    Q_next = (P * R).sum(axis=2)
    Q_next[terminal] = 0
    return Q_next


def two_mistakes(Q, P, R, terminal, gamma):
    return (P * (R + gamma * Q.max(axis=1))).sum(axis=2)   # no masking at all


CORRECT = [loops, vectorised, einsum_matmul, in_torch, in_float32, copies_then_fills]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or the
# observation where no single classic mistake explains it.
WRONG = {
    bootstraps_terminal: "bootstraps from terminal next states",
    terminal_rows_not_zero: "of a terminal state s is not 0",
    reward_not_weighted: "not weighted by P(s'|s,a)",
    max_over_next_states: "max over next states",
    gauss_seidel_in_place: "changed its input Q in place",
    returns_v: "one number per state",
    discounts_reward: "γ also discounts the reward",
    mean_over_actions: "mean over actions",
    current_state_value: "the current state's max_a Q(s, a)",
    future_not_weighted: "summed over next states without weighting",
    integer_table: "returned integers",
    changes_rewards_in_place: "changed its input R",
    two_mistakes: "Q_next at index",
}

# The wrong answers whose mistake the notebook's text names (01, exercise 1: the terminal mask
# (1 − d_s'), Q_{k+1}(s, ·) = 0 for terminal s, a synchronous backup from the old Q_k that
# leaves Q unchanged, shape (n_states, n_actions), the max over a' (Q.max(axis=1)) of the next
# state, the sum over s' weighted by P, γ on the future only.)
NAMED_IN_TEXT = {
    bootstraps_terminal, terminal_rows_not_zero, gauss_seidel_in_place, returns_v,
    max_over_next_states, mean_over_actions, current_state_value, reward_not_weighted,
    future_not_weighted, discounts_reward,
}
