"""Answers for discount_grid() -> {'a'..'e': (discount, noise, living_reward)}."""

import numpy as np


def textbook():
    return {"a": (0.3, 0.0, 0.0), "b": (0.3, 0.2, 0.0), "c": (0.9, 0.0, 0.0), "d": (0.9, 0.2, 0.0),
            "e": (0.9, 0.0, 2.0)}


def living_costs():
    return {"a": (0.9, 0.0, -4.0), "b": (0.2, 0.2, 0.0), "c": (0.9, 0.0, -1.0), "d": (0.95, 0.2, -0.1),
            "e": (0.5, 0.1, 5.0)}


def int_values():
    return {"a": (0.1, 0, 0), "b": (0.3, 0.2, 0), "c": (0.9, 0, 0), "d": (0.9, 0.2, 0), "e": (0.9, 0, 1)}


def lists_in_another_order():
    return {"e": [0.9, 0.0, 2.0], "d": [0.9, 0.2, 0.0], "c": [0.9, 0.0, 0.0], "b": [0.3, 0.2, 0.0],
            "a": [0.3, 0.0, 0.0]}


def numpy_values():
    answers = {key: np.array(value) for key, value in textbook().items()}
    answers["e"] = (np.float64(0.9), np.float32(0.0), np.int64(2))
    return answers


def a_avoids_cliff():
    answers = textbook()
    answers["a"] = (0.3, 0.2, 0.0)
    return answers


def b_risks_cliff():
    answers = textbook()
    answers["b"] = (0.3, 0.0, 0.0)
    return answers


def c_too_noisy():
    answers = textbook()
    answers["c"] = (0.9, 0.2, 0.0)
    return answers


def d_short_sighted():
    answers = textbook()
    answers["d"] = (0.3, 0.2, 0.0)
    return answers


def e_takes_exit():
    answers = textbook()
    answers["e"] = (0.9, 0.2, 0.0)
    return answers


def e_living_cost():
    answers = textbook()
    answers["e"] = (0.9, 0.0, -1.0)           # a cost to keep walking: it hurries to an exit
    return answers


def c_and_d_swapped():
    answers = textbook()
    answers["c"], answers["d"] = answers["d"], answers["c"]   # noise for the risky one, none for the safe one
    return answers


def missing_key():
    answers = textbook()
    del answers["d"]
    return answers


def upper_case_keys():
    return {key.upper(): value for key, value in textbook().items()}


def as_list():
    return list(textbook().values())


def pairs_without_living_reward():
    return {key: value[:2] for key, value in textbook().items()}


def discount_above_one():
    answers = textbook()
    answers["e"] = (1.1, 0.0, 1.0)
    return answers


CORRECT = [textbook, living_costs, int_values, lists_in_another_order, numpy_values]
# Each wrong answer's message says which behaviour the optimal policy shows with its parameters
# instead (and when two answers are swapped), or what is wrong with the answer's form.
WRONG = {
    a_avoids_cliff: "(a) the optimal policy does not take the close exit (+1), risking the cliff",
    b_risks_cliff: "(b) the optimal policy does not take the close exit (+1), avoiding the cliff",
    c_too_noisy: "(c) the optimal policy does not take the distant exit (+10), risking the cliff",
    d_short_sighted: "your parameters make it take the close exit (+1), avoiding the cliff, behaviour (b)",
    e_takes_exit: "(e) the optimal policy does not avoid both exits",
    e_living_cost: "your parameters make it take the distant exit (+10), risking the cliff, behaviour (c)",
    c_and_d_swapped: "the two answers are swapped",
    missing_key: "the dict needs one answer for each key",
    upper_case_keys: "the dict needs one answer for each key 'a', 'b', 'c', 'd', 'e'",
    as_list: "must return a dict",
    pairs_without_living_reward: "each answer must be 3 numbers (discount, noise, living_reward)",
    discount_above_one: "the discount must be in [0, 1)",
}

# The wrong answers whose mistake the notebook's text names (01, exercise 5: behaviours a, b, c
# and e, and a discount, noise and living reward for each.)
NAMED_IN_TEXT = {
    a_avoids_cliff, b_risks_cliff, c_too_noisy, e_takes_exit, pairs_without_living_reward,
}
