"""Student-style answers for importance_weights(probs, size, beta) -> weights."""

import numpy as np
import torch


def vectorised(probs, size, beta):
    weights = (size * probs) ** (-beta)
    return weights / weights.max()


def with_a_loop(probs, size, beta):
    weights = np.empty_like(probs)
    for i, p in enumerate(probs):
        weights[i] = 1.0 / (size * p) ** beta
    return weights / np.max(weights)


def through_logs(probs, size, beta):
    log_w = -beta * np.log(size * probs)
    return np.exp(log_w - log_w.max())


def from_the_smallest_probability(probs, size, beta):
    # the largest weight belongs to the least likely sample: (N·P(i))^−β / (N·min_j P(j))^−β
    return (probs / probs.min()) ** -beta


def without_n(probs, size, beta):
    # N cancels in the ratio w_i / max_j w_j, so leaving it out gives the same weights
    weights = np.power(probs, -beta)
    return weights / weights.max()


def returns_float64(probs, size, beta):
    weights = np.power(np.asarray(probs, dtype=np.float64) * float(size), -float(beta))
    return weights / weights.max()


def as_float32(probs, size, beta):
    # the buffer hands the weights to torch as float32
    weights = (size * probs) ** -beta
    return (weights / weights.max()).astype(np.float32)


def in_torch(probs, size, beta):
    p = torch.from_numpy(probs)
    weights = (size * p).pow(-beta)
    return (weights / weights.max()).numpy()


def plus_beta(probs, size, beta):
    weights = (size * probs) ** beta
    return weights / weights.max()


def one_minus_beta(probs, size, beta):
    weights = (size * probs) ** (beta - 1)
    return weights / weights.max()


def ignores_beta(probs, size, beta):
    weights = 1.0 / (size * probs)
    return weights / weights.max()


def not_normalised(probs, size, beta):
    return (size * probs) ** -beta


def clipped_at_one(probs, size, beta):
    return np.clip((size * probs) ** -beta, None, 1.0)


def divided_by_sum(probs, size, beta):
    weights = (size * probs) ** -beta
    return weights / weights.sum()


def divided_by_mean(probs, size, beta):
    weights = (size * probs) ** -beta
    return weights / np.mean(weights)


def divided_by_min(probs, size, beta):
    weights = (size * probs) ** -beta
    return weights / weights.min()


def divided_by_largest_ratio(probs, size, beta):
    ratios = size * probs
    return ratios ** -beta / ratios.max()


def multiplied_by_max(probs, size, beta):
    weights = (size * probs) ** -beta
    return weights * weights.max()


def in_place(probs, size, beta):
    probs *= size
    probs **= -beta
    return probs / probs.max()


def returns_a_list(probs, size, beta):
    weights = [(size * p) ** -beta for p in probs]
    return [w / max(weights) for w in weights]


CORRECT = [vectorised, with_a_loop, through_logs, from_the_smallest_probability, without_n, returns_float64, in_torch,
           as_float32]
WRONG = {
    plus_beta: "to the power +β",
    one_minus_beta: "uses 1 − β as the exponent",
    ignores_beta: "ignores β",
    not_normalised: "not divided by their max over the batch",
    clipped_at_one: "clips the weights at 1",
    divided_by_sum: "divides by the sum of the weights",
    divided_by_mean: "divides by the mean of the weights",
    divided_by_min: "divides by the smallest weight",
    divided_by_largest_ratio: "divides by max_j N·P(j)",
    multiplied_by_max: "multiplies by the largest weight",
    in_place: "changed its input probs in place",
    returns_a_list: "expected a numpy array",
}

# The wrong answers whose mistake the notebook's text names (08, exercise 2d: the exponent −β, the max over the
# sampled batch so the largest weight is 1, not the sum, not the min, and not clipping).
NAMED_IN_TEXT = {plus_beta, not_normalised, divided_by_sum, divided_by_min, clipped_at_one}

# Out of the kernel probs crosses to the student's process and back (a change in place comes back too): every
# diagnosis stays the same.
OUT_OF_KERNEL = {}
