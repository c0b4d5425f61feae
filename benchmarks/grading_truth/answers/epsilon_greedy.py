"""Answers to epsilon_greedy(q_values, epsilon, rng) -> action, written blind."""
import numpy as np
import torch


def w_no_tie_breaking(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    return int(np.argmax(q_values))


def w_random_excludes_greedy(q_values, epsilon, rng):
    best = np.flatnonzero(q_values == np.max(q_values))
    greedy = int(rng.choice(best))
    if rng.random() < epsilon:
        others = [a for a in range(len(q_values)) if a != greedy]
        return int(rng.choice(others)) if others else greedy
    return greedy


def w_global_numpy_random(q_values, epsilon, rng):
    if np.random.random() < epsilon:
        return np.random.randint(len(q_values))
    best = np.flatnonzero(q_values == q_values.max())
    return int(np.random.choice(best))


def w_inverted_comparison(q_values, epsilon, rng):
    if rng.random() > epsilon:
        return int(rng.integers(len(q_values)))
    best = np.flatnonzero(q_values == q_values.max())
    return int(rng.choice(best))


def w_last_of_ties(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    q = np.asarray(q_values)
    return int(len(q) - 1 - np.argmax(q[::-1]))


def w_off_by_one_random(q_values, epsilon, rng):
    n = len(q_values)
    if rng.random() < epsilon:
        return int(rng.integers(0, n - 1))
    return int(rng.choice(np.flatnonzero(q_values == np.max(q_values))))


def w_ties_above_mean(q_values, epsilon, rng):
    if rng.random() < epsilon:
        return int(rng.integers(len(q_values)))
    q = np.asarray(q_values)
    return int(rng.choice(np.flatnonzero(q >= q.mean())))


def c_loop(q_values, epsilon, rng):
    n = len(q_values)
    if rng.random() < epsilon:
        return int(rng.integers(n))
    best_value = max(q_values)
    ties = [a for a in range(n) if q_values[a] == best_value]
    return ties[int(rng.integers(len(ties)))]


def c_torch_shuffle(q_values, epsilon, rng):
    q = torch.as_tensor(np.asarray(q_values, dtype=np.float64))
    explore = rng.random() < epsilon
    order = rng.permutation(len(q))  # random order: argmax of the shuffled values breaks ties at random
    if explore:
        return int(rng.integers(len(q)))
    return int(order[int(torch.argmax(q[torch.as_tensor(order)]))])


def c_choice_all(q_values, epsilon, rng):
    q = np.asarray(q_values, dtype=np.float32)
    greedy = rng.choice(np.flatnonzero(q == q.max()))
    return np.int64(rng.choice(len(q))) if rng.uniform() < epsilon else np.int64(greedy)


WRONG = {
    w_no_tie_breaking: "no random tie-breaking: np.argmax always picks the first best action",
    w_random_excludes_greedy: "the random action never picks the greedy one",
    w_global_numpy_random: "uses the global np.random instead of rng",
    w_inverted_comparison: "explores with probability 1 - epsilon (comparison reversed)",
    w_last_of_ties: "ties always go to the last best action (deterministic)",
    w_off_by_one_random: "the random action never picks the last action (integers(0, n-1))",
    w_ties_above_mean: "'ties' are all actions at or above the mean, not only the best ones",
}
CORRECT = [c_loop, c_torch_shuffle, c_choice_all]
