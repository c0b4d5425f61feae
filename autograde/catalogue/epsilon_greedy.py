"""Student-style answers for epsilon_greedy(q_values, epsilon, rng)."""

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


def ties_to_first(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.argmax(q_values))


def explores_only_non_greedy(q_values, epsilon, rng):
    greedy = int(rng.choice(np.flatnonzero(q_values == q_values.max())))
    if rng.random() < epsilon:
        others = [a for a in range(len(q_values)) if a != greedy]
        return int(rng.choice(others))
    return greedy


def epsilon_inverted(q_values, epsilon, rng):
    if rng.random() < 1 - epsilon:
        return int(rng.integers(len(q_values)))
    return int(rng.choice(np.flatnonzero(q_values == q_values.max())))


def global_random(q_values, epsilon, rng):
    if np.random.random() < epsilon:
        return int(np.random.randint(len(q_values)))
    return int(np.random.choice(np.flatnonzero(q_values == q_values.max())))


def argmin(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.argmin(q_values))


def returns_array(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return rng.integers(len(q_values), size=1)
    return np.flatnonzero(q_values == q_values.max())[:1]


CORRECT = [flat_nonzero, shuffled_argmax, loop_over_ties]
WRONG = {
    ties_to_first: "ties always go to the first best action",
    explores_only_non_greedy: "only among the non-greedy ones",
    epsilon_inverted: "swap them",
    global_random: "the same rng seed gave different actions",
    argmin: "the argmin",
    returns_array: "expected one action index",
}
