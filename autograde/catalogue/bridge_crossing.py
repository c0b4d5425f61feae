"""Answers for bridge_crossing() -> (discount, noise)."""


def no_noise():
    return 0.9, 0.0


def little_noise():
    return 0.9, 0.01


def far_sighted_and_careful():
    return 0.99, 0.0


def defaults():
    return 0.9, 0.2


def short_sighted():
    return 0.1, 0.0


def more_noise():
    return 0.9, 0.5


def discount_one():
    return 1.0, 0.0


def as_text():
    return "NOT POSSIBLE"


CORRECT = [no_noise, little_noise, far_sighted_and_careful]
WRONG = {
    defaults: "takes the 1 exit",
    short_sighted: "takes the 1 exit",
    more_noise: "not the +10",
    discount_one: "discount must be in [0, 1)",
    as_text: "expected a tuple (discount, noise)",
}
