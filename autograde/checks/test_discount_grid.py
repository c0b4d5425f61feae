"""Checks for discount_grid() -> {'a'..'e': (discount, noise, living_reward)} on DiscountGrid.

The optimal policy from the start, followed without noise, must:
  a. take the close exit (+1), risking the cliff (walking the row beside the −10s);
  b. take the close exit (+1), avoiding the cliff;
  c. take the distant exit (+10), risking the cliff;
  d. take the distant exit (+10), avoiding the cliff;
  e. avoid both exits and the cliff (an episode never ends).
"""

import pytest

from autograde.checks.analysis import as_parameters, describe, optimal_path
from autograde.checks.helpers import Mistake, expect

NAMES = ("discount", "noise", "living_reward")
CLOSE, DISTANT = 1.0, 10.0
BEHAVIOURS = {
    "a": (CLOSE, True, "the close exit (+1), risking the cliff"),
    "b": (CLOSE, False, "the close exit (+1), avoiding the cliff"),
    "c": (DISTANT, True, "the distant exit (+10), risking the cliff"),
    "d": (DISTANT, False, "the distant exit (+10), avoiding the cliff"),
    "e": (None, False, "no exit and no cliff, for ever"),
}


def answer_for(student, key):
    answers = student()
    if not isinstance(answers, dict):
        raise Mistake(f"discount_grid must return a dict {{'a': (discount, noise, living_reward), …}}; "
                      f"got {type(answers).__name__}")
    expect(key in answers, f"no answer for behaviour {key!r}; expected keys 'a', 'b', 'c', 'd', 'e'")
    return as_parameters(answers[key], NAMES)


def check_behaviour(student, key):
    exit_wanted, risky_wanted, wording = BEHAVIOURS[key]
    discount, noise, living_reward = answer_for(student, key)
    path, env = optimal_path("DiscountGrid", discount, noise, living_reward)
    start_row = env.layout.start[0]
    risky = any(row == start_row for row, _ in path[1:])
    end = env.layout.exits[path[-1]]
    reached = None if end != end else float(end)  # NaN: no exit reached
    got = describe(path, env) + (", along the cliff" if risky else ", away from the cliff")
    expect(reached == exit_wanted and (reached is None or risky == risky_wanted),
           f"({key}) wanted {wording}; with discount {discount}, noise {noise}, living reward {living_reward} "
           f"the optimal policy {got}")


@pytest.mark.public
@pytest.mark.weight(0)
def test_answers_are_parameter_triples(student):
    """returns a (discount, noise, living_reward) triple for each of 'a' … 'e'"""
    for key in BEHAVIOURS:
        answer_for(student, key)


@pytest.mark.parametrize("key", list(BEHAVIOURS))
def test_behaviour(student, key):
    """the optimal policy shows the asked-for behaviour"""
    check_behaviour(student, key)
