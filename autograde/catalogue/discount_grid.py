"""Answers for discount_grid() -> {'a'..'e': (discount, noise, living_reward)}."""


def textbook():
    return {"a": (0.3, 0.0, 0.0), "b": (0.3, 0.2, 0.0), "c": (0.9, 0.0, 0.0), "d": (0.9, 0.2, 0.0), "e": (0.9, 0.0, 1.0)}


def living_costs():
    return {"a": (0.9, 0.0, -4.0), "b": (0.2, 0.2, 0.0), "c": (0.9, 0.0, -1.0), "d": (0.95, 0.2, -0.1),
            "e": (0.5, 0.1, 5.0)}


def int_values():
    return {"a": (0.1, 0, 0), "b": (0.3, 0.2, 0), "c": (0.9, 0, 0), "d": (0.9, 0.2, 0), "e": (0.9, 0, 1)}


def a_avoids_cliff():
    answers = textbook()
    answers["a"] = (0.3, 0.2, 0.0)
    return answers


def e_takes_exit():
    answers = textbook()
    answers["e"] = (0.9, 0.2, 0.0)
    return answers


def c_too_noisy():
    answers = textbook()
    answers["c"] = (0.9, 0.2, 0.0)
    return answers


def missing_key():
    answers = textbook()
    del answers["d"]
    return answers


def as_list():
    return list(textbook().values())


CORRECT = [textbook, living_costs, int_values]
WRONG = {
    a_avoids_cliff: "(a) wanted the close exit (+1), risking the cliff",
    e_takes_exit: "(e) wanted no exit",
    c_too_noisy: "(c) wanted the distant exit (+10), risking the cliff",
    missing_key: "no answer for behaviour 'd'",
    as_list: "must return a dict",
}
