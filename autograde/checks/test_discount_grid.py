"""Checks for discount_grid() -> {'a'..'e': (discount, noise, living_reward)} on DiscountGrid.

The optimal policy from the start, followed without noise, must:
  a. take the close exit (+1), risking the cliff (walking the row beside the −10s);
  b. take the close exit (+1), avoiding the cliff;
  c. take the distant exit (+10), risking the cliff;
  d. take the distant exit (+10), avoiding the cliff;
  e. avoid both exits and the cliff (an episode never ends).

One check per behaviour, all public: a student sees which of their five answers produce the
behaviour asked for, and what the optimal policy does with each.
"""

import numpy as np
import pytest

from autograde.checks.analysis import as_parameters, describe, optimal_path
from autograde.checks.diagnosis import Mistake, expect

NAMES = ("discount", "noise", "living_reward")
CLOSE, DISTANT = 1.0, 10.0
BEHAVIOURS = {
    "a": (CLOSE, True, "take the close exit (+1), risking the cliff"),
    "b": (CLOSE, False, "take the close exit (+1), avoiding the cliff"),
    "c": (DISTANT, True, "take the distant exit (+10), risking the cliff"),
    "d": (DISTANT, False, "take the distant exit (+10), avoiding the cliff"),
    "e": (None, False, "avoid both exits and the cliff, for ever"),
}


def answer_for(student, key):
    answers = student()
    if not isinstance(answers, dict):
        raise Mistake("discount_grid must return a dict {'a': (discount, noise, living_reward), …, 'e': …} "
                      f"(it returned a {type(answers).__name__})")
    expect(key in answers, f"the dict needs one answer for each key 'a', 'b', 'c', 'd', 'e' (no answer for "
                           f"behaviour {key!r}; its keys are {', '.join(sorted(map(repr, answers)))})")
    return as_parameters(answers[key], NAMES, "each answer", f"{key}: ")


def behaviour(discount: float, noise: float, living_reward: float):
    """What the optimal policy does from the start: the key of the behaviour it shows (None for
    none of them, e.g. into the cliff), and the path in words."""
    path, env = optimal_path("DiscountGrid", discount, noise, living_reward)
    start_row = env.layout.start[0]
    risky = any(row == start_row for row, _ in path[1:])
    end = env.layout.exits[path[-1]]
    reached = None if np.isnan(end) else float(end)
    shown = next((k for k, (exit_, risky_, _) in BEHAVIOURS.items()
                  if reached == exit_ and (reached is None or risky == risky_)), None)
    return shown, describe(path, env) + (", along the cliff" if risky else ", away from the cliff")


def check_behaviour(student, key):
    _, _, wording = BEHAVIOURS[key]
    discount, noise, living_reward = answer_for(student, key)
    shown, got = behaviour(discount, noise, living_reward)
    if shown == key:
        return
    observed = f"with discount {discount:g}, noise {noise:g} and living reward {living_reward:g} it {got}"
    headline = f"({key}) the optimal policy does not {wording}"
    if shown is None:
        raise Mistake(f"{headline} ({observed})")
    instead = f"{headline}: your parameters make it {BEHAVIOURS[shown][2]}, behaviour ({shown})"
    other = student()[shown] if shown in student() else None
    try:
        swapped = other is not None and behaviour(*as_parameters(other, NAMES, "each answer"))[0] == key
    except Mistake:
        swapped = False
    if swapped:
        raise Mistake(f"{instead}, and your answer ({shown}) shows ({key}): the two answers are swapped ({observed})")
    raise Mistake(f"{instead} ({observed})")


@pytest.mark.public
@pytest.mark.parametrize("key", list(BEHAVIOURS))
def test_behaviour(student, key):
    """the optimal policy for your parameters shows the behaviour asked for"""
    check_behaviour(student, key)
