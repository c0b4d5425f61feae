"""Answers for bridge_crossing() -> (discount, noise)."""

import numpy as np


def no_noise():
    return 0.9, 0.0


def little_noise():
    return 0.9, 0.01


def far_sighted_and_careful():
    return 0.99, 0.0


def as_list():
    return [0.9, 0]


def numpy_floats():
    return np.float64(0.9), np.float32(0.0)


def as_array():
    return np.array([0.9, 0.0])


def defaults():
    return 0.9, 0.2


def more_discount_only():
    return 0.99, 0.2


def short_sighted():
    return 0.1, 0.0


def more_noise():
    return 0.9, 0.5


def discount_one():
    return 1.0, 0.0


def swapped_order():
    return 0.0, 0.9          # (noise, discount)


def noise_in_percent():
    return 0.9, 20


def negative_noise():
    return 0.9, -0.1


def as_text():
    return "NOT POSSIBLE"


def three_values():
    return 0.9, 0.0, 0.0


def as_dict():
    return {"discount": 0.9, "noise": 0.0}


def noise_as_string():
    return 0.9, "0"


CORRECT = [no_noise, little_noise, far_sighted_and_careful, as_list, numpy_floats, as_array]
# No classic mistake is named here: each wrong answer's message says what the optimal policy
# does with its parameters, or what is wrong with the answer's form.
WRONG = {
    defaults: "the noise makes the bridge too risky",
    more_discount_only: "the noise makes the bridge too risky",
    short_sighted: "the discount is too small",
    more_noise: "the noise makes the bridge too risky",
    discount_one: "the discount must be in [0, 1)",
    swapped_order: "the pair looks reversed",
    noise_in_percent: "the noise is a probability, in [0, 1]",
    negative_noise: "the noise is a probability",
    as_text: "must be 2 numbers (discount, noise)",
    three_values: "must be 2 numbers (discount, noise)",
    as_dict: "must be 2 numbers (discount, noise)",
    noise_as_string: "noise must be a number",
}

# The wrong answers whose mistake the notebook's text names (01, exercise 4: return the pair
# (discount, noise).)
NAMED_IN_TEXT = {
    three_values, as_dict, swapped_order,
}
