"""Checks for q_backup(Q, P, R, terminal, gamma) -> Q_next.

    Q_next(s, a) = Σ_s' P(s'|s,a) [ R(s,a,s') + γ (1 − d_s') max_a' Q(s', a') ],
    Q_next(s, ·) = 0 for terminal s; Q, P, R and terminal are left unchanged (a synchronous backup).
"""

import copy

import numpy as np
import pytest
from hypothesis import given

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, close, computing_dtype, expect, fail, \
    first_difference, unchanged
from autograde.checks.helpers import GRADING, example, random_mdps, smallest_failure
from qlab.envs import GridWorld
from qlab.tabular.planning import q_backup as reference

NAMES = ("Q", "P", "R", "terminal", "gamma")


def _future(Q, terminal):
    return np.where(terminal, 0.0, Q.max(axis=1))


def _zero_terminal(Q_next, terminal):
    Q_next = np.array(Q_next, dtype=float)
    Q_next[terminal] = 0.0
    return Q_next


def _expected_reward(P, R):
    return (P * R).sum(axis=2)


MISTAKES = {
    "it bootstraps from terminal next states: multiply max_a' Q(s', a') by (1 − d_s'), a terminal s' has no future":
        lambda Q, P, R, T, g: _zero_terminal((P * (R + g * Q.max(axis=1))).sum(axis=2), T),
    "Q_next(s, ·) of a terminal state s is not 0: set the rows of terminal states to 0 (no reward, no future)":
        lambda Q, P, R, T, g: (P * (R + g * _future(Q, T))).sum(axis=2),
    "the reward is not weighted by P(s'|s,a): the expected reward is Σ_s' P(s'|s,a) R(s,a,s'), not Σ_s' R(s,a,s')":
        lambda Q, P, R, T, g: _zero_terminal(R.sum(axis=2) + g * P @ _future(Q, T), T),
    "the reward is averaged over next states: weight R(s,a,s') by P(s'|s,a), not by 1 / n_states":
        lambda Q, P, R, T, g: _zero_terminal(R.mean(axis=2) + g * P @ _future(Q, T), T),
    "it takes a max over next states s' where the expectation Σ_s' P(s'|s,a)[…] belongs":
        lambda Q, P, R, T, g: _zero_terminal(np.where(P > 0, R + g * _future(Q, T), -np.inf).max(axis=2), T),
    "γ also discounts the reward: the target is R + γ max_a' Q(s', a'), not γ (R + max_a' Q(s', a'))":
        lambda Q, P, R, T, g: _zero_terminal(g * (P * (R + _future(Q, T))).sum(axis=2), T),
    "the future uses the mean over actions; the optimality backup uses max_a' Q(s', a')":
        lambda Q, P, R, T, g: _zero_terminal(_expected_reward(P, R) + g * P @ np.where(T, 0.0, Q.mean(axis=1)), T),
    "the future uses min_a' Q(s', a'); the optimality backup uses the max":
        lambda Q, P, R, T, g: _zero_terminal(_expected_reward(P, R) + g * P @ np.where(T, 0.0, Q.min(axis=1)), T),
    "the future is the current state's max_a Q(s, a); it is the next state's max_a' Q(s', a'), weighted by "
    "P(s'|s,a)":
        lambda Q, P, R, T, g: _zero_terminal(_expected_reward(P, R) + g * _future(Q, T)[:, None], T),
    "the future is summed over next states without weighting by P(s'|s,a): use Σ_s' P(s'|s,a) max_a' Q(s', a')":
        lambda Q, P, R, T, g: _zero_terminal(_expected_reward(P, R) + g * _future(Q, T).sum(), T),
}

# Three states (the last terminal), two actions; probabilities in quarters, so every number is exact.
P_SMALL = np.array([[[0.5, 0.25, 0.25], [0.0, 0.75, 0.25]],
                    [[0.25, 0.25, 0.5], [1.0, 0.0, 0.0]],
                    [[0.5, 0.0, 0.5], [0.0, 0.0, 1.0]]])
R_SMALL = np.array([[[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]],
                    [[2.0, 0.5, -4.0], [-1.5, 0.0, 0.0]],
                    [[1.0, 0.0, 2.0], [0.0, 0.0, -3.0]]])
Q_SMALL = np.array([[1.5, -0.5], [-1.0, 2.0], [4.0, 3.0]])
TERMINAL = np.array([False, False, True])

PROBES = [
    Probe("three states, the last terminal, γ = 0.9",
          (Q_SMALL.copy(), P_SMALL.copy(), R_SMALL.copy(), TERMINAL.copy(), 0.9)),
    Probe("the same MDP, γ = 0.5, other estimates",
          (np.array([[-2.0, 0.5], [3.0, 1.0], [-1.0, 6.0]]), P_SMALL.copy(), R_SMALL.copy(), TERMINAL.copy(), 0.5)),
    Probe("no terminal state, γ = 1",
          (np.array([[0.5, 2.5], [-3.0, 1.0], [2.0, -0.25]]), P_SMALL.copy(), R_SMALL.copy(), np.zeros(3, bool), 1.0)),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def check_backup(student, Q, P, R, terminal, gamma, where=""):
    """Compare one backup with the reference; ``where`` describes a large input in words."""
    args = (Q, P, R, terminal, gamma)
    before = copy.deepcopy(args)
    expected = reference(*copy.deepcopy(args))
    call = example("q_backup", before, NAMES, where)
    got = as_array(student(*args), "q_backup")
    changed = unchanged(before, args)
    if changed == 0:
        raise Mistake("q_backup changed its input Q in place: the backup is synchronous — compute every "
                      f"Q_next(s, a) from the old Q and return a new array, leaving Q unchanged (in {call})")
    expect(changed is None, f"q_backup changed its input {NAMES[changed or 0]}; it must only read it (in {call})")
    if got.shape == expected.shape[:1] and got.shape != expected.shape:
        raise Mistake("q_backup returned one number per state; it returns Q_next(s, a) for every state and action, "
                      f"shape (n_states, n_actions) (in {call}: shape {got.shape}, expected {expected.shape})")
    expect(got.shape == expected.shape,
           f"q_backup returned the wrong shape; expected (n_states, n_actions) (in {call}: shape {got.shape}, "
           f"expected {expected.shape})")
    expect(np.issubdtype(got.dtype, np.floating),
           f"q_backup returned integers; Q-values are real numbers, return a float array "
           f"(in {call}: dtype {got.dtype})")
    dtype = computing_dtype(Q, P, R, got)
    if not close(got, expected, dtype):
        small = smallest_failure(student, PROBES, reference, "q_backup", NAMES) if call == where else None
        if small:
            observed = (f"{where}: Q_next differs from Σ_s' P(s'|s,a) [R + γ (1 − d_s') max_a' Q(s', a')]; the "
                        f"smallest example: {small[0]} returns Q_next {first_difference(small[1], small[2])}")
        else:
            observed = f"{call}: Q_next {first_difference(got, expected, dtype)}"
        fail(observed, student, DIFFERENTIAL)


def book_grid():
    env = GridWorld("BookGrid", noise=0.2)
    Q = np.random.default_rng(0).uniform(-1, 1, size=(env.n_states, 4)).round(2)
    return Q, env.P, env.R, env.terminal


@pytest.mark.public
def test_one_backup_on_book_grid(student):
    """one backup on BookGrid (γ 0.9, noise 0.2): Σ_s' P [R + γ (1 − d_s') max_a' Q(s', a')], Q left unchanged"""
    check_backup(student, *book_grid(), 0.9, where="one backup on BookGrid (noise 0.2, γ = 0.9)")


@pytest.mark.public
def test_gamma_zero_gives_expected_immediate_reward(student):
    """with γ = 0 the backup is the expected immediate reward Σ_s' P(s'|s,a) R(s,a,s')"""
    check_backup(student, Q_SMALL.copy(), P_SMALL.copy(), R_SMALL.copy(), np.zeros(3, dtype=bool), 0.0)


@pytest.mark.public
def test_terminal_states_have_no_future(student):
    """terminal states have no future: Q_next(terminal, ·) = 0 and nothing bootstraps from them"""
    check_backup(student, *PROBES[0].fresh())


def test_single_state_and_action(student):
    """works for one state and one action (a self-loop)"""
    check_backup(student, np.array([[2.0]]), np.array([[[1.0]]]), np.array([[[-0.5]]]), np.array([False]), 0.5)


@pytest.mark.weight(2)
@GRADING
@given(mdp=random_mdps())
def test_random_mdps_float32_and_float64(student, mdp):
    """matches the backup on random MDPs (float32 and float64, γ from 0 to 1, negative rewards)"""
    Q, P, R, terminal, gamma = mdp
    check_backup(student, Q, P, R, terminal, gamma,
                 where=f"a random {Q.shape[0]}-state, {Q.shape[1]}-action MDP in {Q.dtype} with γ = {gamma}")
