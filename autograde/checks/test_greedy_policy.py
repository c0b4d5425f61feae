"""Checks for greedy_policy(Q) -> actions, with actions[s] ∈ argmax_a Q(s, a).

One integer action index per state; any maximising action is accepted where several tie.
Q is only read.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, expect, fail, number_pair
from autograde.checks.helpers import GRADING, example

MISTAKES = {
    "it picks the argmin: the greedy action maximises Q(s, a)": lambda Q: np.argmin(Q, axis=1),
    "the argmax runs over states (axis 0); the actions are axis 1: np.argmax(Q, axis=1)":
        lambda Q: np.argmax(Q, axis=0),
    "np.argmax(Q) without axis= gives one index into the flattened table; use axis=1 for one action per state":
        lambda Q: np.argmax(Q),
    "its actions are counted from 1: action indices run 0 … n_actions − 1": lambda Q: np.argmax(Q, axis=1) + 1,
    "it maximises |Q(s, a)|: the greedy action has the largest Q-value, and negative values are small":
        lambda Q: np.argmax(np.abs(Q), axis=1),
    "it rounds Q to integers before the argmax (astype(int)): compare the Q-values themselves":
        lambda Q: np.argmax(Q.astype(int), axis=1),
    "it takes the argmax of the reversed row Q[s, ::-1] without mapping back: index n_actions − 1 − i":
        lambda Q: np.argmax(Q[:, ::-1], axis=1),
}

PROBES = [
    Probe("three states, four actions, negative and non-integer values",
          (np.array([[0.3, 0.7, -0.2, 0.5], [-1.2, -0.4, -2.5, -0.9], [2.6, 1.1, 0.4, 2.9]]),)),
    Probe("four states, two actions",
          (np.array([[1.5, -0.5], [-3.25, 0.75], [0.25, 0.5], [-0.5, -4.0]]),)),
]

DIFFERENTIAL = Differential(lambda Q: np.argmax(Q, axis=1), MISTAKES, PROBES)


def check_policy(student, Q, where=""):
    before = Q.copy()
    call = example("greedy_policy", (before,), ("Q",), where)
    got = as_array(student(Q), "greedy_policy")
    expect(np.array_equal(Q, before, equal_nan=True), f"greedy_policy changed Q; it must only read it (in {call})")
    n_states, n_actions = before.shape
    if got.shape != (n_states,):
        fail(f"{call} returned shape {got.shape}; expected one action per state, shape (n_states,) = ({n_states},)"
             + (": a table shaped like Q (one-hot?) is not a list of actions" if got.shape == before.shape else ""),
             student, DIFFERENTIAL)
    if not np.issubdtype(got.dtype, np.integer):
        values = np.issubdtype(got.dtype, np.floating) and np.array_equal(got, before.max(axis=1))
        raise Mistake(("greedy_policy returned the values max_a Q(s, a), not the actions argmax_a Q(s, a)"
                       if values else "greedy_policy returned non-integers; actions are integer indices")
                      + f" (in {call}: dtype {got.dtype})")
    outside = np.flatnonzero((got < 0) | (got >= n_actions))
    if outside.size:
        s = int(outside[0])
        fail(f"{call}: in state {s} it returns action {int(got[s])}; actions are 0 … {n_actions - 1}",
             student, DIFFERENTIAL)
    chosen = before[np.arange(n_states), got]
    worse = np.flatnonzero(chosen < before.max(axis=1))
    if worse.size:
        s = int(worse[0])
        a, b = number_pair(chosen[s], before[s].max())
        fail(f"{call}: in state {s} it picks action {int(got[s])} with Q = {a}, but action "
             f"{int(np.argmax(before[s]))} has Q = {b}"
             + (f" (and in {worse.size - 1} more states)" if worse.size > 1 else ""),
             student, DIFFERENTIAL)


@pytest.mark.public
def test_small_example(student):
    """returns argmax_a Q(s, a), one integer action per state"""
    check_policy(student, *PROBES[0].fresh())


@pytest.mark.public
def test_ties_any_maximiser(student):
    """where actions tie, returns one of the maximising actions"""
    check_policy(student, np.array([[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0], [-1.0, 2.0, 2.0, -1.0]]))


def test_more_states_than_actions(student):
    """four states and two actions"""
    check_policy(student, *PROBES[1].fresh())


def test_one_state_one_action(student):
    """a single state with a single action"""
    check_policy(student, np.array([[-0.5]]))


@pytest.mark.weight(2)
@GRADING
@given(shape=st.tuples(st.integers(1, 9), st.integers(1, 5)), seed=st.integers(0, 2**31),
       dtype=st.sampled_from([np.float32, np.float64]), ties=st.booleans())
def test_random_tables(student, shape, seed, dtype, ties):
    """picks a maximising action in every state of random Q tables (non-integer, negative, with ties; float32 and
    float64)"""
    rng = np.random.default_rng(seed)
    Q = rng.integers(-3, 3, size=shape) if ties else rng.uniform(-20, 20, size=shape).round(2)
    check_policy(student, Q.astype(dtype), where=f"a random {shape[0]} × {shape[1]} table in {np.dtype(dtype)}")
