"""The parameter questions show what the student's answer does, and whether it is the
behaviour asked for (autograde.outcomes, called in notebook 01 under each answer)."""

import re

import matplotlib
import pytest

from autograde import ChecksFailed
from autograde.outcomes import show_bridge_crossing, show_discount_grid

matplotlib.use("Agg")
SOLUTION = {"a": (0.3, 0.0, 0.0), "b": (0.3, 0.2, 0.0), "c": (0.9, 0.0, 0.0), "d": (0.9, 0.2, 0.0), "e": (0.9, 0.0, 2.0)}


def not_implemented():
    raise NotImplementedError()


def test_bridge_shows_whether_the_policy_crosses(capsys):
    assert show_bridge_crossing(lambda: (0.9, 0.0)) is True
    assert show_bridge_crossing(lambda: (0.99, 0.2)) is False
    out = capsys.readouterr().out
    assert "discount 0.9 and noise 0 the optimal policy takes the +10 exit after 5 moves: crosses" in out
    assert "discount 0.99 and noise 0.2 the optimal policy takes the +1 exit after 1 move: does NOT cross" in out


def test_discount_grid_shows_each_behaviour_and_whether_it_is_the_one_asked(capsys):
    assert show_discount_grid(lambda: SOLUTION) == dict.fromkeys("abcde", True)
    half_right = {**SOLUTION, "c": (0.9, 0.2, 0.0), "e": (0.9, 0.0, 0.0)}
    assert show_discount_grid(lambda: half_right) == {"a": True, "b": True, "c": False, "d": True, "e": False}
    out = capsys.readouterr().out
    assert ("c. wanted the distant exit (+10), risking the cliff: the optimal policy takes the +10 exit after "
            "9 moves, away from the cliff -> NO") in out


@pytest.mark.parametrize("show, answer, message", [
    (show_bridge_crossing, not_implemented, "implement bridge_crossing first"),
    (show_discount_grid, not_implemented, "implement discount_grid first"),
    (show_bridge_crossing, lambda: (1.0, 0.2), "discount must be in [0, 1); got 1"),
    (show_discount_grid, lambda: [0.9, 0.2, 0.0], "discount_grid must return a dict"),
])
def test_unfinished_or_malformed_answers_get_one_clean_line(show, answer, message):
    with pytest.raises(ChecksFailed, match=re.escape(message)):
        show(answer)
