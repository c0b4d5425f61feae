"""Student-style answers for value_iteration(P, R, terminal, gamma, tol, backup)."""

import numpy as np


def while_loop(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
        if deltas[-1] < tol:
            return Q, deltas


def for_loop_with_break(P, R, terminal, gamma, tol, backup):
    n_states, n_actions = P.shape[0], P.shape[1]
    Q = np.zeros((n_states, n_actions))
    deltas = []
    for _ in range(1_000_000):
        Q_new = backup(Q, P, R, terminal, gamma)
        delta = float(np.max(np.abs(Q_new - Q)))
        deltas.append(delta)
        Q = Q_new
        if delta < tol:
            break
    return Q, deltas


def delta_before_update(P, R, terminal, gamma, tol, backup):
    Q = np.zeros_like(P[:, :, 0], dtype=float)
    deltas = [np.inf]
    while deltas[-1] >= tol:
        Q, Q_old = backup(Q, P, R, terminal, gamma), Q
        deltas.append(np.max(np.abs(Q - Q_old)))
    return Q, deltas[1:]


def fixed_iterations(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    for _ in range(100):
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
    return Q, deltas


def stops_when_change_is_large(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
        if deltas[-1] > tol:
            return Q, deltas


def mean_change(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).mean())
        Q = Q_new
        if deltas[-1] < tol:
            return Q, deltas


def returns_previous_q(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        if deltas[-1] < tol:
            return Q, deltas
        Q = Q_new


def ignores_backup_argument(P, R, terminal, gamma, tol, backup):
    from qlab.tabular.planning import q_backup

    return while_loop(P, R, terminal, gamma, tol, q_backup)


def starts_from_rewards(P, R, terminal, gamma, tol, backup):
    Q = (P * R).sum(axis=2)
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
        if deltas[-1] < tol:
            return Q, deltas


def returns_only_q(P, R, terminal, gamma, tol, backup):
    return while_loop(P, R, terminal, gamma, tol, backup)[0]


CORRECT = [while_loop, for_loop_with_break, delta_before_update]
WRONG = {
    fixed_iterations: "kept backing up after the change fell below tol",
    stops_when_change_is_large: "was still ≥ tol",
    mean_change: "deltas",
    returns_previous_q: "returned a different Q than the last backup",
    ignores_backup_argument: "call backup(Q, P, R, terminal, gamma)",
    starts_from_rewards: "start from zeros",
    returns_only_q: "must return a pair (Q, deltas)",
}
