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

from autograde.checks.diagnosis import TORCH_PRECISION, Differential, Mistake, Probe, as_array, call_text, close, computing_dtype, \
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


def _in_place_first(first, then):
    """An update written in two in-place steps: Q(s, a) ← ``first``, then Q(s, a) += ``then``
    with max_a' Q(s', a') read from the half-updated table (it differs when s' = s)."""
    def update(Q, s, a, r, s2, terminated, truncated, alpha, gamma):
        Q = np.array(Q, dtype=float)
        Q[s, a] = first(Q, s, a, r, alpha)
        Q[s, a] += then(r, gamma, alpha, 0.0 if terminated else Q[s2].max())
        return Q
    return update


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
    "it swaps terminated and truncated: a terminated step must not bootstrap (the target is r), a truncated one "
    "(a time limit) still does":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * _future(Q, s2, tr) - Q[s, a])),
    "its terminal mask is inverted: it bootstraps only when `terminated`; the factor is (1 − terminated), "
    "zero exactly at a terminal step":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * te * Q[s2].max() - Q[s, a])),
    "on a terminated step it sets Q(s, a) = r; the target r is approached a step α at a time, like any other: "
    "Q(s, a) + α (r − Q(s, a))":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: r if te else Q[s, a] + al * (r + g * Q[s2].max() - Q[s, a])),
    "γ is missing: the target is r + γ max_a' Q(s', a'), the next state's value discounted by γ":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + (0.0 if te else Q[s2].max()) - Q[s, a])),
    "its target uses Q(s', a), the next state's value of the action just taken (as SARSA uses the next action); "
    "Q-learning's target takes the best next action, max_a' Q(s', a')":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * (0.0 if te else Q[s2, a]) - Q[s, a])),
    "its target uses argmax_a' Q(s', a'), the index of the best next action, as a value; it needs the value "
    "itself, max_a' Q(s', a')":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * (0.0 if te else Q[s2].argmax()) - Q[s, a])),
    "its max runs over the states (Q.max(axis=0)[s'] is the best state's value of action s'); the target maxes "
    "over the next state's actions, Q[s'].max()":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * (r + g * (0.0 if te else Q.max(axis=0)[s2]) - Q[s, a])),
    "it multiplies by α twice: the update is Q(s, a) + α (target − Q(s, a)), one factor α":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: Q[s, a] + al * al * (r + g * _future(Q, s2, te) - Q[s, a])),
    "it leaves α off the target: (1 − α) Q(s, a) + α · target, both terms weighted":
        _update(lambda Q, s, a, r, s2, te, tr, al, g: (1 - al) * Q[s, a] + r + g * _future(Q, s2, te)),
    "it returns Q unchanged: the update went into a copy that was not returned (return the table you updated)":
        lambda Q, *rest: np.array(Q, dtype=float),
    "it scales Q(s, a) by (1 − α) in place before it reads max_a' Q(s', a'): when s' = s (a wall bounces the "
    "agent back) the target must use the table as it was before the update":
        _in_place_first(lambda Q, s, a, r, al: (1 - al) * Q[s, a], lambda r, g, al, future: al * (r + g * future)),
    "it adds α (r − Q(s, a)) in place before it reads max_a' Q(s', a'): when s' = s (a wall bounces the agent "
    "back) the target must use the table as it was before the update":
        _in_place_first(lambda Q, s, a, r, al: Q[s, a] + al * (r - Q[s, a]), lambda r, g, al, future: al * g * future),
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
    probe("a step that stays in the same state (s' = s), taking its best action", 1, 0, 0.5, 1, False, False, 0.5, 0.9),
]

# Compared at float32 precision: a torch answer's float32 factors (`torch.tensor(1.0 - terminated)`) round
# its float64 table; every mistake differs by far more.
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def _hung(error) -> bool:
    """A sandbox report that the call hung or was skipped: no probe is run after it."""
    return type(error).__name__ == "StudentCodeError" and any(
        words in str(error) for words in ("did not return", "skipped", "hung", "connection"))


def _which_entries(moved, s, a, s2) -> str:
    """The headline for an update that changed entries other than Q(s, a), by where they are."""
    cells = {tuple(int(i) for i in cell) for cell in np.argwhere(moved)}
    n_states, n_actions = moved.shape
    row = {(s, b) for b in range(n_actions) if b != a}
    column = {(x, a) for x in range(n_states) if x != s}
    fix = "only Q(s, a) is updated"
    if cells == {(a, s)} and (a, s) != (s, a):
        return f"it changes other entries than Q(s, a): it indexes the table Q[action, state]; the table is " \
               f"Q[state, action], so {fix}, Q[state, action]"
    if cells == {(s2, a)} and s2 != s and (s2, a) != (a, s):
        return f"it changes other entries than Q(s, a): it updates Q(s', a), the next state's entry; {fix}, " \
               f"the entry of the state the step started from"
    if row and cells == row:
        return f"it changes other entries than Q(s, a): it updates every action of state s (the whole row Q[s]); " \
               f"{fix}, for the action taken"
    if column and cells == column:
        return f"it changes other entries than Q(s, a): it updates action a in every state (the whole column " \
               f"Q[:, a]); {fix}"
    return f"it changes other entries than Q(s, a): {fix}"


def check_update(student, Q, s, a, r, s2, terminated, truncated, alpha, gamma):
    args = (Q, s, a, r, s2, terminated, truncated, alpha, gamma)
    example = call_text("q_learning_update", args)
    before = Q.copy()
    expected = reference(Q.copy(), s, a, r, s2, terminated, truncated, alpha, gamma)[s, a]
    try:
        returned = student(*args)
    except Exception as error:  # noqa: BLE001 - a crash the probes explain gets its name
        named = None if _hung(error) else DIFFERENTIAL.diagnose(student)
        if named:
            raise Mistake(f"{named} (in {example}: it raised {type(error).__name__}: {error})") from None
        raise
    new = as_array(returned, "q_learning_update")
    expect(new.shape == before.shape,
           f"q_learning_update returned the wrong shape; return the whole table (in {example}: shape {new.shape}, "
           f"expected {before.shape})")
    expect(np.issubdtype(new.dtype, np.floating),
           f"q_learning_update returned a table of integers; Q-values are real numbers: keep Q's float dtype "
           f"(in {example}: dtype {new.dtype})")
    others = np.ones(before.shape, dtype=bool)
    others[s, a] = False
    # torch answers compare at float32 precision: `torch.tensor(1.0 - terminated)` is a float32 factor
    dtype = TORCH_PRECISION if type(returned).__module__.startswith("torch") else computing_dtype(before, new)
    if not close(new[others], before[others], dtype):
        moved = ~np.isclose(new, before, **tolerance(dtype, np.abs(before).max()))
        where = tuple(int(i) for i in np.argwhere(others & moved)[0])
        got, was = number_pair(new[where], before[where])
        raise Mistake(f"{_which_entries(others & moved, s, a, s2)} (in {example}: "
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


def test_step_back_into_the_same_state(student):
    """a step that stays in its state (a wall): the target reads Q(s', ·) as it was before the update"""
    check_update(student, *PROBES[4].fresh())


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
