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

from autograde.checks.helpers import GRADING, Mistake, as_array, expect, tolerance


def known_mistake(got, Q, s, a, r, s2, terminated, truncated, alpha, gamma):
    """Name the classic mistake that ``got`` (the new Q(s, a)) matches, if any."""
    future = Q[s2].max()
    masked = 0.0 if terminated else future
    old = Q[s, a]
    candidates = {
        "bootstrapped from a terminal next state: when terminated, the target is just r":
            old + alpha * (r + gamma * future - old),
        "treated truncation as termination: a time limit is not the end of the task, so bootstrap "
        "when truncated (only `terminated` means no future)":
            old + alpha * (r + gamma * (0.0 if terminated or truncated else future) - old),
        "took max_a Q(s, a) of the current state; the target uses the next state: max_a' Q(s', a')":
            old + alpha * (r + gamma * (0.0 if terminated else Q[s].max()) - old),
        "applied α to the target only: Q(s, a) ← Q(s, a) + α (target − Q(s, a)), not α · target":
            alpha * (r + gamma * masked),
        "added α · target without subtracting Q(s, a): the update is Q(s, a) + α (target − Q(s, a))":
            old + alpha * (r + gamma * masked),
        "ignored α: Q(s, a) moves only a step α towards the target":
            r + gamma * masked,
        "γ also discounts the reward: the target is r + γ max Q(s', ·), not γ (r + max Q(s', ·))":
            old + alpha * (gamma * (r + masked) - old),
        "the target uses the mean over next actions (expected SARSA with a uniform policy), not the max":
            old + alpha * (r + gamma * (0.0 if terminated else Q[s2].mean()) - old),
    }
    for message, value in candidates.items():
        if np.isclose(got, value, rtol=1e-4, atol=1e-4):
            return message
    return None


def check_update(student, Q, s, a, r, s2, terminated, truncated, alpha, gamma):
    before = Q.copy()
    returned = student(Q, s, a, r, s2, terminated, truncated, alpha, gamma)
    if returned is None:
        raise Mistake("q_learning_update returned None: return the updated table Q")
    new = as_array(returned, "q_learning_update")
    expect(new.shape == before.shape, f"returned shape {new.shape}; expected the whole table, shape {before.shape}")
    others = np.ones(before.shape, dtype=bool)
    others[s, a] = False
    expect(np.array_equal(new[others], before[others]),
           f"changed Q at entries other than (s, a) = ({s}, {a}): only Q(s, a) is updated")
    future = 0.0 if terminated else before[s2].max()
    expected = before[s, a] + alpha * (r + gamma * future - before[s, a])
    if not np.isclose(new[s, a], expected, **tolerance(before.dtype)):
        mistake = known_mistake(float(new[s, a]), before.astype(float), s, a, r, s2, terminated, truncated, alpha, gamma)
        detail = f"(Q(s, a) became {new[s, a]:.6g}; expected {expected:.6g})"
        expect(False, f"{mistake} {detail}" if mistake else
               f"Q(s, a) ≠ Q(s, a) + α [r + γ(1 − terminated) max_a' Q(s', a') − Q(s, a)] {detail}",
               generic=mistake is None)


def table(seed=0, shape=(6, 4)):
    return np.random.default_rng(seed).uniform(-2, 2, size=shape)


@pytest.mark.public
def test_one_update(student):
    """one update, non-terminal: Q(s,a) moves α of the way to r + γ max Q(s', ·)"""
    check_update(student, table(), 1, 2, 1.0, 3, False, False, 0.5, 0.9)


@pytest.mark.public
def test_terminal_step_does_not_bootstrap(student):
    """a terminated step's target is r alone"""
    Q = table(1)
    Q[4] = 50.0  # a stale estimate at the terminal next state must not leak in
    check_update(student, Q, 0, 1, -1.0, 4, True, False, 0.5, 0.9)


def test_truncated_step_bootstraps(student):
    """a truncated step (time limit) still bootstraps from max Q(s', ·)"""
    Q = table(2)
    Q[5] = 3.0
    check_update(student, Q, 2, 0, 0.5, 5, False, True, 0.25, 0.9)


def test_next_state_not_current_state(student):
    """the target maximises over the next state's actions"""
    Q = table(3)
    Q[0] = [10.0, -5.0, 0.0, 1.0]
    Q[3] = [-1.0, 2.0, 0.5, 0.0]
    check_update(student, Q, 0, 1, 0.0, 3, False, False, 0.5, 0.9)


def test_alpha_one_and_gamma_zero(student):
    """α = 1 replaces Q(s, a) by the target; γ = 0 makes the target r"""
    check_update(student, table(4), 3, 3, 2.0, 1, False, False, 1.0, 0.9)
    check_update(student, table(5), 3, 3, 2.0, 1, False, False, 0.5, 0.0)


@pytest.mark.weight(2)
@GRADING
@given(n_states=st.integers(1, 8), n_actions=st.integers(1, 5), data=st.data(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_random_transitions(student, n_states, n_actions, data, dtype):
    """matches the update on random tables and transitions (float32 and float64)"""
    Q = table(data.draw(st.integers(0, 10_000)), (n_states, n_actions)).astype(dtype)
    s, s2 = data.draw(st.integers(0, n_states - 1)), data.draw(st.integers(0, n_states - 1))
    a = data.draw(st.integers(0, n_actions - 1))
    r = data.draw(st.floats(-10, 10))
    terminated, truncated = data.draw(st.booleans()), data.draw(st.booleans())
    alpha, gamma = data.draw(st.sampled_from([0.1, 0.5, 0.8, 1.0])), data.draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]))
    check_update(student, Q, s, a, r, s2, terminated, truncated, alpha, gamma)
