"""Checks for q_learning_update(Q, state, action, reward, next_state, terminated, truncated,
alpha, gamma) -> Q.

    Q(s, a) ← Q(s, a) + α [ r + γ (1 − terminated) max_a' Q(s', a') − Q(s, a) ]

Only Q(s, a) changes. A truncated step (a time limit) still bootstraps. Updating Q in place
and returning it, or returning an updated copy, are both fine.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, call_text, close, computing_dtype, \
    expect, fail, number_pair, tolerance
from autograde.checks.helpers import GRADING
from qlab.tabular.qlearning import q_learning_update as reference

NAMES = ("Q", "state", "action", "reward", "next_state", "terminated", "truncated", "alpha", "gamma")


def _update(target_of):
    """A Q-learning update whose new Q(s, a) is ``target_of(Q, s, a, r, s2, terminated, truncated, alpha, gamma)``."""
    def update(Q, s, a, r, s2, terminated, truncated, alpha, gamma):
        Q = np.array(Q, dtype=float)
        Q[s, a] = target_of(Q, s, a, r, s2, terminated, truncated, alpha, gamma)
        return Q
    return update


def _future(Q, s2, terminated):
    return 0.0 if terminated else Q[s2].max()


MISTAKES = {
    "it bootstraps from a terminal next state: when `terminated`, the target is just r":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * Q[s2].max() - Q[s, a])),
    "it treats truncation as termination: a time limit is not the end of the task, so a truncated step still "
    "bootstraps (only `terminated` means no future)":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * _future(Q, s2, te or tr) - Q[s, a])),
    "it takes max_a Q(s, a) of the current state; the target uses the next state: max_a' Q(s', a')":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * _future(Q, s, te) - Q[s, a])),
    "it sets Q(s, a) to α · target: the update is Q(s, a) + α (target − Q(s, a))":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: al * (r + g * _future(Q, s2, te))),
    "it adds α · target without subtracting Q(s, a): the update is Q(s, a) + α (target − Q(s, a))":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * _future(Q, s2, te))),
    "it ignores α: Q(s, a) moves only a step α towards the target, not all the way":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: r + g * _future(Q, s2, te)),
    "γ also discounts the reward: the target is r + γ max_a' Q(s', a'), not γ (r + max_a' Q(s', a'))":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (g * (r + _future(Q, s2, te)) - Q[s, a])),
    "the target averages Q(s', ·) over the next actions; Q-learning's target takes the max":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * (0.0 if te else Q[s2].mean()) - Q[s, a])),
    "the TD error has the wrong sign: Q(s, a) must move towards the target, Q(s, a) + α (target − Q(s, a))":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] - al * (r + g * _future(Q, s2, te) - Q[s, a])),
}


TABLE = np.array([[0.5, -1.0, 2.0],
                  [1.5, 0.25, -0.5],
                  [-2.0, 3.0, 1.0],
                  [0.75, -0.25, 0.0]])


def probe(label, s, a, r, s2, terminated, truncated, alpha, gamma, Q=TABLE):
    return Probe(label, (Q.copy(), s, a, r, s2, terminated, truncated, alpha, gamma), may_change=(0,))


PROBES = [
    probe("a non-terminal step", 0, 1, 1.5, 2, False, False, 0.5, 0.9),
    probe("a terminated step", 1, 0, -1.0, 2, True, False, 0.5, 0.9),
    probe("a truncated step", 3, 2, 0.5, 2, False, True, 0.25, 0.9),
    probe("a step whose current state has the larger max", 2, 0, 2.0, 1, False, False, 0.75, 0.5),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def check_update(student, Q, s, a, r, s2, terminated, truncated, alpha, gamma):
    args = (Q, s, a, r, s2, terminated, truncated, alpha, gamma)
    example = call_text("q_learning_update", args)
    before = Q.copy()
    expected = reference(Q.copy(), s, a, r, s2, terminated, truncated, alpha, gamma)[s, a]
    new = as_array(student(*args), "q_learning_update")
    expect(new.shape == before.shape,
           f"q_learning_update returned the wrong shape; return the whole table (in {example}: shape {new.shape}, "
           f"expected {before.shape})")
    expect(np.issubdtype(new.dtype, np.floating),
           f"q_learning_update returned a table of integers; Q-values are real numbers: keep Q's float dtype "
           f"(in {example}: dtype {new.dtype})")
    others = np.ones(before.shape, dtype=bool)
    others[s, a] = False
    dtype = computing_dtype(before, new)
    if not close(new[others], before[others], dtype):
        moved = ~np.isclose(new, before, **tolerance(dtype, np.abs(before).max()))
        where = tuple(int(i) for i in np.argwhere(others & moved)[0])
        got, was = number_pair(new[where], before[where])
        raise Mistake(f"it changes other entries than Q(s, a): only Q(s, a) is updated (in {example}: "
                      f"Q{list(where)} went from {was} to {got}, and (s, a) = ({s}, {a}))")
    if not close(new[s, a], expected, dtype):
        got, want = number_pair(new[s, a], expected)
        fail(f"{example}: Q[{s}, {a}] became {got}; expected {want}", student, DIFFERENTIAL)


@pytest.mark.public
def test_one_update(student):
    """one non-terminal step: Q(s, a) moves α of the way to r + γ max_a' Q(s', a')"""
    check_update(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_step_does_not_bootstrap(student):
    """a terminated step's target is r alone"""
    check_update(student, *PROBES[1].fresh())


@pytest.mark.public
def test_truncated_step_bootstraps(student):
    """a truncated step (a time limit) still bootstraps from max_a' Q(s', a')"""
    check_update(student, *PROBES[2].fresh())


@pytest.mark.public
def test_next_state_not_current_state(student):
    """the target maximises over the next state's actions"""
    check_update(student, *PROBES[3].fresh())


def test_alpha_one_and_gamma_zero(student):
    """α = 1 replaces Q(s, a) by the target; γ = 0 makes the target r"""
    check_update(student, TABLE.copy(), 3, 1, 2.0, 1, False, False, 1.0, 0.9)
    check_update(student, TABLE.copy(), 3, 1, 2.0, 1, False, False, 0.5, 0.0)


@pytest.mark.weight(2)
@GRADING
@given(n_states=st.integers(1, 8), n_actions=st.integers(1, 5), data=st.data(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_random_transitions(student, n_states, n_actions, data, dtype):
    """matches the update on random tables and transitions (float32 and float64)"""
    seed = data.draw(st.integers(0, 10_000))
    Q = np.random.default_rng(seed).uniform(-20, 20, size=(n_states, n_actions)).round(2).astype(dtype)
    s, s2 = data.draw(st.integers(0, n_states - 1)), data.draw(st.integers(0, n_states - 1))
    a = data.draw(st.integers(0, n_actions - 1))
    r = round(data.draw(st.floats(-10, 10)), 2)
    terminated, truncated = data.draw(st.booleans()), data.draw(st.booleans())
    alpha, gamma = round(data.draw(st.floats(0.01, 1.0)), 3), data.draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
    check_update(student, Q, s, a, r, s2, terminated, truncated, alpha, gamma)
