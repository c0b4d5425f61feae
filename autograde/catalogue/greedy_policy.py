"""Student-style answers for greedy_policy(Q)."""

import numpy as np


def argmax_rows(Q):
    return np.argmax(Q, axis=1)


def loop_random_ties(Q):
    rng = np.random.default_rng(0)
    return np.array([rng.choice(np.flatnonzero(row == row.max())) for row in Q])


def last_maximiser(Q):
    flipped = np.argmax(Q[:, ::-1], axis=1)
    return Q.shape[1] - 1 - flipped


def in_torch(Q):
    import torch

    return torch.as_tensor(Q).argmax(dim=1)


def in_float32_list(Q):
    return [int(np.argmax(row)) for row in Q.astype(np.float32)]


def argmax_of_transpose(Q):
    return Q.T.argmax(axis=0)


def argmax_over_states(Q):
    return np.argmax(Q, axis=0)


def argmin(Q):
    return np.argmin(Q, axis=1)


def max_values(Q):
    return np.max(Q, axis=1)


def flat_argmax(Q):
    return np.argmax(Q)


def one_hot(Q):
    return (Q == Q.max(axis=1, keepdims=True)).astype(int)


def one_based(Q):
    return np.argmax(Q, axis=1) + 1


def largest_magnitude(Q):
    return np.argmax(np.abs(Q), axis=1)


def rounds_to_int(Q):
    return np.argmax(Q.astype(int), axis=1)


def reversed_row(Q):
    return np.argmax(Q[:, ::-1], axis=1)


def every_maximiser(Q):
    return np.where(Q == Q.max(axis=1, keepdims=True))[1]


def shifts_q_in_place(Q):
    Q -= Q.max(axis=1, keepdims=True)      # "normalise" the rows: changes the caller's table
    return np.argmax(Q == 0, axis=1)


def float_indices(Q):
    return np.argmax(Q, axis=1).astype(float)


CORRECT = [argmax_rows, loop_random_ties, last_maximiser, in_torch, in_float32_list, argmax_of_transpose]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or the
# observation where no single classic mistake explains it.
WRONG = {
    argmax_over_states: "runs over states (axis 0)",
    argmin: "it picks the argmin",
    max_values: "returned the values max_a Q(s, a)",
    flat_argmax: "without axis=",
    one_hot: "a table shaped like Q",
    one_based: "counted from 1",
    largest_magnitude: "it maximises |Q(s, a)|",
    rounds_to_int: "rounds Q to integers",
    reversed_row: "reversed row",
    every_maximiser: "expected one action per state",
    shifts_q_in_place: "greedy_policy changed Q",
    float_indices: "returned non-integers",
}

# The wrong answers whose mistake the notebook's text names (01, exercise 3: π(s) = argmax_a
# Q(s, a), one integer action index per state, shape (n_states,).)
NAMED_IN_TEXT = {
    argmax_over_states, argmin, max_values, flat_argmax, float_indices,
}
