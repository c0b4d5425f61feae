"""Checks for q_backup(Q, P, R, terminal, gamma) -> Q_next.

    Q_next(s, a) = Σ_s' P(s'|s,a) [ R(s,a,s') + γ (1 − terminal(s')) max_a' Q(s', a') ],
    Q_next(s, ·) = 0 for terminal s; Q itself is left unchanged (a synchronous backup).
"""

import numpy as np
import pytest
from hypothesis import given

from autograde.checks.helpers import GRADING, as_array, expect, first_difference, random_mdps, tolerance
from qlab.envs import GridWorld
from qlab.tabular.planning import q_backup as reference


def known_mistake(got, Q, P, R, terminal, gamma):
    """Name the classic mistake ``got`` matches, if any (a differential diagnosis)."""
    V = Q.max(axis=1)
    V_masked = np.where(terminal, 0.0, V)
    expected_reward = (P * R).sum(-1)
    candidates = {
        "terminal next states were bootstrapped: multiply max_a' Q(s', a') by (1 − terminal[s'])":
            np.where(terminal[:, None], 0.0, expected_reward + gamma * P @ V),
        "Q(s, ·) of a terminal state s must be 0 (no reward, no future); yours is not":
            expected_reward + gamma * P @ V_masked,
        "the reward is not weighted by the transition probability: use Σ_s' P(s'|s,a) R(s,a,s')":
            np.where(terminal[:, None], 0.0, R.sum(-1) + gamma * P @ V_masked),
        "the reward is averaged over next states instead of weighted by P(s'|s,a)":
            np.where(terminal[:, None], 0.0, R.mean(-1) + gamma * P @ V_masked),
        "took a max over next states s' where the expectation Σ_s' P(s'|s,a)[…] belongs":
            np.where(terminal[:, None], 0.0, np.where(P > 0, R + gamma * V_masked, -np.inf).max(-1)),
        "γ also discounts the reward: the target is R + γ max Q′, not γ (R + max Q′)":
            np.where(terminal[:, None], 0.0, gamma * (expected_reward + P @ V_masked)),
        "the future uses the mean over actions; the optimality backup uses max_a' Q(s', a')":
            np.where(terminal[:, None], 0.0, expected_reward + gamma * P @ np.where(terminal, 0.0, Q.mean(1))),
        "the future uses min_a' Q(s', a'); the optimality backup uses max":
            np.where(terminal[:, None], 0.0, expected_reward + gamma * P @ np.where(terminal, 0.0, Q.min(1))),
    }
    for message, candidate in candidates.items():
        if candidate.shape == got.shape and np.allclose(got, candidate, rtol=1e-4, atol=1e-4):
            return message
    return None


def check_against_reference(student, Q, P, R, terminal, gamma):
    Q_before = Q.copy()
    got = as_array(student(Q, P, R, terminal, gamma), "q_backup")
    expected = reference(Q_before, P, R, terminal, gamma)
    expect(got.shape == expected.shape,
           f"returned shape {got.shape}; expected (n_states, n_actions) = {expected.shape}"
           + (" — that looks like V(s), not Q(s, a)" if got.shape == expected.shape[:1] else ""))
    expect(np.issubdtype(got.dtype, np.floating), f"returned dtype {got.dtype}; expected floats")
    if not np.allclose(got, expected, **tolerance(Q.dtype)):
        mistake = known_mistake(got.astype(float), Q_before.astype(float), P.astype(float), R.astype(float),
                                terminal, gamma)
        detail = first_difference(got, expected, **tolerance(Q.dtype))
        expect(False, (mistake + f" ({detail})") if mistake else
               f"Q_next differs from Σ_s' P(s'|s,a)[R + γ(1−d') max_a' Q(s',a')] {detail}", generic=not mistake)


def book_grid():
    env = GridWorld("BookGrid", noise=0.2)
    Q = np.random.default_rng(0).uniform(-1, 1, size=(env.n_states, 4))
    return Q, env.P, env.R, env.terminal


@pytest.mark.public
def test_returns_q_shaped_float_array(student):
    """returns a float array of shape (n_states, n_actions)"""
    Q, P, R, terminal = book_grid()
    got = as_array(student(Q.copy(), P, R, terminal, 0.9), "q_backup")
    expect(got.shape == Q.shape,
           f"returned shape {got.shape}; expected (n_states, n_actions) = {Q.shape}"
           + (" — that looks like V(s), not Q(s, a)" if got.shape == Q.shape[:1] else ""))
    expect(np.issubdtype(got.dtype, np.floating), f"returned dtype {got.dtype}; expected floats")


@pytest.mark.public
def test_one_backup_on_book_grid(student):
    """one backup on BookGrid (γ = 0.9, noise 0.2) matches the Bellman optimality backup"""
    check_against_reference(student, *book_grid(), 0.9)


@pytest.mark.public
def test_gamma_zero_gives_expected_immediate_reward(student):
    """with γ = 0 the backup is the expected immediate reward Σ_s' P(s'|s,a) R(s,a,s')"""
    rng = np.random.default_rng(1)
    P = rng.dirichlet(np.ones(5), size=(5, 3))
    R = rng.uniform(-5, 5, size=(5, 3, 5))
    check_against_reference(student, rng.uniform(-5, 5, size=(5, 3)), P, R, np.zeros(5, dtype=bool), 0.0)


def test_leaves_input_unchanged(student):
    """is synchronous: computes Q_{k+1} from Q_k without changing Q_k"""
    Q, P, R, terminal = book_grid()
    original = Q.copy()
    student(Q, P, R, terminal, 0.9)
    expect(np.array_equal(Q, original),
           "q_backup changed its input Q in place (a Gauss-Seidel sweep): the backup must be synchronous — "
           "compute every Q_{k+1}(s, a) from Q_k and return a new array")


def test_terminal_states_have_no_future(student):
    """terminal states have no future: Q(terminal, ·) = 0 and nothing bootstraps from them"""
    rng = np.random.default_rng(2)
    P = rng.dirichlet(np.ones(4), size=(4, 2))
    R = rng.uniform(-1, 1, size=(4, 2, 4))
    terminal = np.array([False, False, True, True])
    Q = rng.uniform(-1, 1, size=(4, 2))
    Q[2:] = 100.0  # a stale estimate at terminal states must not leak into the backup
    check_against_reference(student, Q, P, R, terminal, 0.9)


@pytest.mark.weight(2)
@GRADING
@given(mdp=random_mdps())
def test_random_mdps_float32_and_float64(student, mdp):
    """matches the reference on random MDPs, in float32 and float64"""
    check_against_reference(student, *mdp)
