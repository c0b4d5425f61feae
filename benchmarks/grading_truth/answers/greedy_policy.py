"""Answers to greedy_policy(Q) -> actions, written blind."""
import numpy as np
import torch


def w_argmax_axis0(Q):
    return np.argmax(Q, axis=0)


def w_argmin(Q):
    return Q.argmin(axis=1)


def w_returns_values(Q):
    return Q.max(axis=1)


def w_float_actions(Q):
    return np.argmax(Q, axis=1).astype(float)


def w_keepdims_column(Q):
    return np.argmax(Q, axis=1, keepdims=True)


def w_skips_last_state(Q):
    return np.array([int(np.argmax(Q[s])) for s in range(len(Q) - 1)])


def w_flat_argmax(Q):
    return np.argmax(Q.ravel()) % Q.shape[1] * np.ones(Q.shape[0], dtype=int)


def c_loop(Q):
    actions = np.zeros(len(Q), dtype=np.int64)
    for s, row in enumerate(Q):
        best = 0
        for a in range(1, len(row)):
            if row[a] > row[best]:
                best = a
        actions[s] = best
    return actions


def c_torch(Q):
    return torch.as_tensor(np.asarray(Q)).argmax(dim=1).numpy()


def c_random_ties(Q):
    rng = np.random.default_rng(123)
    return np.array([rng.choice(np.flatnonzero(row == row.max())) for row in Q], dtype=np.int32)


WRONG = {
    w_argmax_axis0: "argmax over states (axis 0) instead of actions",
    w_argmin: "argmin instead of argmax",
    w_returns_values: "returns max Q values instead of action indices",
    w_float_actions: "returns actions as floats, not integers",
    w_keepdims_column: "returns shape (n_states, 1) instead of (n_states,)",
    w_skips_last_state: "leaves out the last state",
    w_flat_argmax: "one argmax over the whole table, same action everywhere",
}
CORRECT = [c_loop, c_torch, c_random_ties]
