"""Checks for greedy_policy(Q) -> actions, with actions[s] ∈ argmax_a Q(s, a).

Any maximising action is accepted where several tie.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.helpers import GRADING, as_array, expect


def check_policy(student, Q):
    original = Q.copy()
    got = as_array(student(Q), "greedy_policy")
    expect(got.shape == (Q.shape[0],),
           f"returned shape {got.shape}; expected one action per state, shape (n_states,) = ({Q.shape[0]},)"
           + (" — the argmax ran over states (axis 0) instead of actions (axis 1)" if got.shape == (Q.shape[1],) else "")
           + (" — np.argmax(Q) without axis= gives one flat index" if got.shape == () else "")
           + (" — return action indices, not a one-hot table" if got.shape == Q.shape else ""))
    expect(np.issubdtype(got.dtype, np.integer),
           f"returned dtype {got.dtype}; expected integer action indices (did you return the max values "
           "instead of the argmax?)")
    expect(np.all((got >= 0) & (got < Q.shape[1])), f"actions must be in 0..{Q.shape[1] - 1}")
    expect(np.array_equal(Q, original), "greedy_policy changed Q")
    chosen = original[np.arange(Q.shape[0]), got]
    worse = np.flatnonzero(chosen < original.max(axis=1))
    if worse.size:
        s = int(worse[0])
        hint = " (that is the argmin)" if chosen[s] == original[s].min() else ""
        expect(False, f"in state {s} it picks action {int(got[s])} with Q = {chosen[s]:.4g}, but the best is "
               f"{original[s].max():.4g}{hint}")


@pytest.mark.public
def test_small_example(student):
    """picks argmax_a Q(s, a) in a small example"""
    check_policy(student, np.array([[0.0, 1.0, 0.5, -1.0], [3.0, 2.0, 1.0, 0.0], [-1.0, -2.0, -0.5, -3.0]]))


def test_ties_any_maximiser(student):
    """where actions tie, returns one of the maximising actions"""
    check_policy(student, np.array([[1.0, 1.0, 0.0, 1.0], [0.0, 0.0, 0.0, 0.0], [-1.0, 2.0, 2.0, -1.0]]))


@pytest.mark.weight(2)
@GRADING
@given(shape=st.tuples(st.integers(1, 9), st.integers(1, 5)), seed=st.integers(0, 2**31),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_random_tables(student, shape, seed, dtype):
    """picks a maximising action in every state of random Q tables (float32 and float64)"""
    rng = np.random.default_rng(seed)
    check_policy(student, rng.integers(-3, 3, size=shape).astype(dtype))
