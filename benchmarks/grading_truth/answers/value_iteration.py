"""Answers to value_iteration(P, R, terminal, gamma, tol, backup) -> (Q, deltas), written blind."""
import numpy as np

from qlab.tabular.planning import q_backup as _library_backup


def w_ignores_backup_argument(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        new = _library_backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(new - Q).max())
        Q = new
        if deltas[-1] < tol:
            return Q, deltas


def w_returns_previous_q(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        new = backup(Q, P, R, terminal, gamma)
        delta = np.max(np.abs(new - Q))
        deltas.append(delta)
        if delta < tol:
            return Q, deltas
        Q = new


def w_mean_change(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        new = backup(Q, P, R, terminal, gamma)
        deltas.append(float(np.mean(np.abs(new - Q))))
        Q = new
        if deltas[-1] < tol:
            return Q, deltas


def w_starts_from_rewards(P, R, terminal, gamma, tol, backup):
    Q = (P * R).sum(axis=2)
    deltas = []
    while True:
        new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(new - Q).max())
        Q = new
        if deltas[-1] < tol:
            return Q, deltas


def w_last_delta_not_recorded(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        new = backup(Q, P, R, terminal, gamma)
        delta = np.abs(new - Q).max()
        Q = new
        if delta < tol:
            return Q, deltas
        deltas.append(delta)


def w_signed_change(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        new = backup(Q, P, R, terminal, gamma)
        deltas.append((new - Q).max())
        Q = new
        if deltas[-1] < tol:
            return Q, deltas


def w_fixed_iterations(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    for _ in range(200):
        new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(new - Q).max())
        Q = new
    return Q, deltas


def c_for_loop_break(P, R, terminal, gamma, tol, backup):
    Q = np.zeros((P.shape[0], P.shape[1]))
    deltas = []
    for _ in range(10**7):
        Q_next = backup(Q, P, R, terminal, gamma)
        deltas.append(float(abs(Q_next - Q).max()))
        Q = Q_next
        if deltas[-1] < tol:
            break
    return Q, deltas


def c_recursive_style(P, R, terminal, gamma, tol, backup):
    Q, deltas = np.zeros(P.shape[:2]), []
    delta = np.inf
    while not delta < tol:
        Q, old = backup(Q, P, R, terminal, gamma), Q
        delta = np.linalg.norm((Q - old).ravel(), ord=np.inf)
        deltas.append(delta)
    return Q, deltas


def c_numpy_array_deltas(P, R, terminal, gamma, tol, backup):
    nS, nA = P.shape[0], P.shape[1]
    Q = np.zeros((nS, nA), dtype=np.float64)
    deltas = np.empty(0)
    while True:
        Q_new = np.asarray(backup(Q.copy(), P, R, terminal, gamma))
        d = np.max(np.abs(Q_new - Q))
        deltas = np.append(deltas, d)
        Q = Q_new
        if d < tol:
            return Q, list(deltas)


WRONG = {
    w_ignores_backup_argument: "calls a fixed q_backup instead of the backup it is given",
    w_returns_previous_q: "returns Q_k (before the last backup) instead of Q_{k+1}",
    w_mean_change: "measures the change by the mean |ΔQ| instead of the max",
    w_starts_from_rewards: "starts from the expected reward instead of Q_0 = 0",
    w_last_delta_not_recorded: "drops the last (converged) delta from the list",
    w_signed_change: "uses the signed max change (no absolute value)",
    w_fixed_iterations: "runs a fixed number of backups, ignoring tol",
}
CORRECT = [c_for_loop_break, c_recursive_style, c_numpy_array_deltas]
