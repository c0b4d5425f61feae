"""Answers to discount_grid() -> {'a'..'e': (discount, noise, living_reward)}, written blind.

The correct ones were checked with qlab's own value iteration and intended_path."""

GOOD = {"a": (0.3, 0.0, 0.0), "b": (0.3, 0.2, 0.0), "c": (0.9, 0.0, 0.0), "d": (0.9, 0.2, 0.0), "e": (0.9, 0.0, 10.0)}


def w_c_d_swapped():
    return {**GOOD, "c": GOOD["d"], "d": GOOD["c"]}


def w_b_without_noise():
    return {**GOOD, "b": (0.3, 0.0, 0.0)}


def w_e_no_living_reward():
    return {**GOOD, "e": (0.9, 0.2, 0.0)}


def w_e_negative_living_reward():
    return {**GOOD, "e": (0.9, 0.0, -1.0)}


def w_a_high_discount():
    return {**GOOD, "a": (0.9, 0.0, 0.0)}


def w_uppercase_keys():
    return {k.upper(): v for k, v in GOOD.items()}


def w_pairs_not_triples():
    return {k: (d, n) for k, (d, n, _) in GOOD.items()}


def c_plain():
    return dict(GOOD)


def c_other_values():
    return {"a": (0.1, 0.0, 0.0), "b": (0.2, 0.2, -0.0), "c": (0.9, 0.2, -1.0), "d": (0.9, 0.2, 0.0),
            "e": (0.9, 0.2, 1.0)}


def c_lists():
    return {key: [float(x) for x in value] for key, value in GOOD.items()}


WRONG = {
    w_c_d_swapped: "behaviours c and d swapped (noise given to the risky one)",
    w_b_without_noise: "b without noise: the agent takes the cliff path, that is behaviour a",
    w_e_no_living_reward: "e with no living reward: the agent still exits",
    w_e_negative_living_reward: "e with a negative living reward: the agent hurries to an exit",
    w_a_high_discount: "a with a high discount: the agent goes to the +10",
    w_uppercase_keys: "keys 'A'..'E' instead of 'a'..'e'",
    w_pairs_not_triples: "(discount, noise) pairs without the living reward",
}
CORRECT = [c_plain, c_other_values, c_lists]
