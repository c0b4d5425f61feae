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


def infinity_norm_array(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2], dtype=np.float32)
    deltas = np.array([])
    delta = np.inf
    while delta >= tol:
        Q_new = backup(Q, P, R, terminal, gamma)
        delta = np.linalg.norm((Q_new - Q).ravel(), ord=np.inf)
        deltas = np.append(deltas, delta)
        Q = Q_new
    return Q, deltas


def tuple_of_floats(P, R, terminal, gamma, tol, backup):
    Q = np.zeros((len(P), P.shape[1]))
    deltas = ()
    done = False
    while not done:
        Q_next = backup(Q, P, R, terminal, gamma)
        deltas += (np.float64(abs(Q_next - Q).max()),)
        done = deltas[-1] < tol
        Q = Q_next
    return [Q, list(deltas)]


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
    for _ in range(1_000):    # (a `while True` here hangs when no change is ever above tol)
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
        if deltas[-1] > tol:
            break
    return Q, deltas


def stops_at_equal(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while not deltas or deltas[-1] > tol:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_new - Q).max())
        Q = Q_new
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


def summed_change(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.sum(np.abs(Q_new - Q)))
        Q = Q_new
        if deltas[-1] < tol:
            return Q, deltas


def signed_change(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        deltas.append(np.max(Q_new - Q))
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
    from qlab.tabular.planning import q_backup   # in a notebook: the student's own q_backup

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


def forgets_last_delta(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    while True:
        Q_new = backup(Q, P, R, terminal, gamma)
        delta = np.abs(Q_new - Q).max()
        Q = Q_new
        if delta < tol:
            return Q, deltas
        deltas.append(delta)


def returns_only_q(P, R, terminal, gamma, tol, backup):
    return while_loop(P, R, terminal, gamma, tol, backup)[0]


def masks_terminal_rows_in_p(P, R, terminal, gamma, tol, backup):
    P[terminal] = 0.0                              # "terminal states go nowhere": changes the caller's P
    return while_loop(P, R, terminal, gamma, tol, backup)


CORRECT = [while_loop, for_loop_with_break, delta_before_update, infinity_norm_array, tuple_of_floats]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or the
# observation where no single classic mistake explains it.
WRONG = {
    fixed_iterations: "ignores tol and runs a fixed number of backups",
    stops_when_change_is_large: "the comparison is the wrong way round",
    stops_at_equal: "it stops when delta ≤ tol",
    mean_change: "delta is the mean change",
    summed_change: "delta is the summed change",
    signed_change: "delta has no absolute value",
    returns_previous_q: "it returns Q_k, the estimate before the last backup",
    ignores_backup_argument: "never called the `backup` it was given",
    starts_from_rewards: "start from Q_0 = 0",
    forgets_last_delta: "record one delta per backup",
    returns_only_q: "must return a pair (Q, deltas)",
    masks_terminal_rows_in_p: "changed its input P",
}
# Out of the kernel the student's code runs in another process, where the traced backup cannot
# report its calls: these answers then get the words below (still true, less specific).
OUT_OF_KERNEL = {
    ignores_backup_argument: "it calls q_backup itself, not the `backup` it is given",
    starts_from_rewards: "backing up with `backup` from Q_0 = 0 until delta < tol gives",
    forgets_last_delta: "or did not record every backup's delta",
}

# The wrong answers whose mistake the notebook's text names (01, exercise 2: start from Q_0 = 0,
# stop after the first backup whose largest change max |Q_{k+1} − Q_k| is below tol, return the
# last Q_{k+1} with all the δ_k, call the `backup` it is given.)
NAMED_IN_TEXT = {
    fixed_iterations, stops_when_change_is_large, stops_at_equal, mean_change, summed_change,
    signed_change, returns_previous_q, ignores_backup_argument, starts_from_rewards,
    forgets_last_delta, returns_only_q,
}
