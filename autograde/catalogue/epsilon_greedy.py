"""Student-style answers for epsilon_greedy(q_values, epsilon, rng)."""

import random

import numpy as np


def flat_nonzero(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def shuffled_argmax(q_values, epsilon, rng):
    n = len(q_values)
    if rng.uniform() < epsilon:
        return int(rng.choice(n))
    order = rng.permutation(n)
    return int(order[np.argmax(q_values[order])])


def loop_over_ties(q_values, epsilon, rng):
    explore = rng.random() < epsilon
    if explore:
        return int(rng.integers(0, len(q_values)))
    best_value = max(q_values)
    best = [a for a, q in enumerate(q_values) if q == best_value]
    return best[int(rng.integers(len(best)))]


def torch_scalar(q_values, epsilon, rng):
    import torch

    if rng.random() < epsilon:
        return torch.tensor(rng.integers(len(q_values)))      # a 0-d int64 tensor
    best = np.flatnonzero(q_values == q_values.max())
    return torch.tensor(best[rng.integers(len(best))])


def numpy_scalar_float32(q_values, epsilon, rng):
    q = q_values.astype(np.float32)
    if rng.random() < np.float32(epsilon):
        return rng.integers(len(q))                      # a numpy int64
    return rng.choice(np.flatnonzero(q == q.max()))


def random_noise_tiebreak(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    best = q_values == q_values.max()
    return int(np.argmax(best * (1 + rng.random(len(q_values)))))


def ties_to_first(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.argmax(q_values))


def ties_to_last(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.flatnonzero(q_values == q_values.max())[-1])


def explores_only_non_greedy(q_values, epsilon, rng):
    greedy = int(rng.choice(np.flatnonzero(q_values == q_values.max())))
    if rng.random() < epsilon:
        others = [a for a in range(len(q_values)) if a != greedy]
        return int(rng.choice(others)) if others else greedy
    return greedy


def epsilon_inverted(q_values, epsilon, rng):
    if rng.random() < 1 - epsilon:
        return int(rng.integers(len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def global_random(q_values, epsilon, rng):
    if np.random.random() < epsilon:
        return int(np.random.randint(len(q_values)))
    return int(np.random.choice(np.flatnonzero(q_values == q_values.max())))


def new_generator_each_call(q_values, epsilon, rng):
    rng = np.random.default_rng()                      # shadows the argument: a fresh, unseeded generator
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def python_random_ties(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return random.choice(list(np.flatnonzero(q_values == q_values.max())))


def argmin(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.min())))


def returns_array(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return rng.integers(len(q_values), size=1)
    return np.flatnonzero(q_values == q_values.max())[:1]


def never_last_action(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values) - 1))     # "n − 1 is the last index"
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def never_action_zero(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(1, len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def returns_a_q_value(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return rng.choice(q_values)                     # a Q-value, not an action
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def jitters_q_in_place(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    q_values += 1e-9 * rng.random(len(q_values))        # tie-breaking noise added to the caller's array
    return int(np.argmax(q_values))


def two_mistakes(q_values, epsilon, rng):
    if rng.random() < 1 - epsilon:                      # swapped, and ties to the first
        return int(rng.integers(len(q_values)))
    return int(np.argmax(q_values))


CORRECT = [flat_nonzero, shuffled_argmax, loop_over_ties, torch_scalar, numpy_scalar_float32, random_noise_tiebreak]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or the
# observation where no single classic mistake explains it.
WRONG = {
    ties_to_first: "ties always go to the first best action",
    ties_to_last: "ties always go to the last best action",
    explores_only_non_greedy: "only among the non-greedy ones",
    epsilon_inverted: "swap them",
    global_random: "the rng it was given was never used",
    new_generator_each_call: "the rng it was given was never used",
    python_random_ties: "the same rng state gave different actions",
    argmin: "it picks the argmin",
    returns_array: "expected one action index",
    never_last_action: "never is the last one",
    never_action_zero: "never is action 0",
    returns_a_q_value: "expected one action index",
    jitters_q_in_place: "changed q_values",
    two_mistakes: "came up",
}

# The wrong answers whose mistake the notebook's text names (02, exercise 2: ties broken
# uniformly at random, a random action with probability ε (any of them, the greedy one
# included), all randomness from `rng`, one action index.)
NAMED_IN_TEXT = {
    ties_to_first, ties_to_last, explores_only_non_greedy, epsilon_inverted, global_random,
    new_generator_each_call, python_random_ties, returns_array, returns_a_q_value,
}
