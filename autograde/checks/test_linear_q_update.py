"""Checks for linear_q_update(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma) -> w.

    y = r + γ (1 − terminated) max_a' w · φ(s', a')      (a constant: no gradient through it)
    w ← w + α (y − w · φ(s, a)) φ(s, a)

``w`` and ``phi_sa`` have shape (d,); ``phi_next`` holds φ(s', a') for every a', shape
(n_actions, d). A truncated step still bootstraps. Updating ``w`` in place and returning it,
or returning an updated copy, are both fine; ``phi_sa`` and ``phi_next`` are read-only.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Probe, as_array, call_text, close, computing_dtype, \
    expect, fail, first_difference, unchanged
from autograde.checks.helpers import GRADING
from qlab.linear import linear_q_update as reference

NAMES = ("w", "phi_sa", "reward", "phi_next", "terminated", "truncated", "alpha", "gamma")


def _step(direction_of, target_of=None, scale=lambda alpha: alpha):
    """A linear update w + scale(α) · (y − w·φ(s, a)) · direction, with y = target_of(...)."""
    def update(w, phi_sa, r, phi_next, terminated, truncated, alpha, gamma):
        w = np.array(w, dtype=float)
        phi_sa, phi_next = np.asarray(phi_sa, dtype=float), np.asarray(phi_next, dtype=float)
        y = (target_of or _target)(w, r, phi_next, terminated, truncated, gamma)
        return w + scale(alpha) * (y - phi_sa @ w) * direction_of(w, phi_sa, phi_next, terminated, gamma)
    return update


def _target(w, r, phi_next, terminated, truncated, gamma, done=None, future=None):
    done = terminated if done is None else done
    return r + (0.0 if done else gamma * (np.max(phi_next @ w) if future is None else future))


def _greedy_features(w, phi_next):
    return phi_next[int(np.argmax(phi_next @ w))]


def _along_phi(w, phi_sa, phi_next, terminated, gamma):
    return phi_sa


MISTAKES = {
    "it differentiates through the target (a residual-gradient step): y is held constant, so the step is "
    "α (y − w·φ(s, a)) φ(s, a), with no −γ φ(s', a*) term":
        _step(lambda w, p, pn, te, g: p - (0.0 if te else g) * _greedy_features(w, pn)),
    "it bootstraps from a terminal next state: when `terminated`, the target is just r":
        _step(_along_phi, lambda w, r, pn, te, tr, g: _target(w, r, pn, False, tr, g)),
    "it treats truncation as termination: a time limit is not the end of the task, so a truncated step still "
    "bootstraps (only `terminated` means no future)":
        _step(_along_phi, lambda w, r, pn, te, tr, g: _target(w, r, pn, te, tr, g, done=te or tr)),
    "it steps along φ(s', a*), the next state's features: the gradient of w·φ(s, a) is φ(s, a)":
        _step(lambda w, p, pn, te, g: _greedy_features(w, pn)),
    "the step has the wrong sign: w moves towards the target, w + α (y − w·φ(s, a)) φ(s, a)":
        _step(_along_phi, scale=lambda alpha: -alpha),
    "it ignores α: the step is α (y − w·φ(s, a)) φ(s, a)":
        _step(_along_phi, scale=lambda alpha: 1.0),
    "it doubles the step (the 2 from differentiating the square): the lecture's update is "
    "w + α (y − w·φ(s, a)) φ(s, a)":
        _step(_along_phi, scale=lambda alpha: 2 * alpha),
    "it takes the max over actions feature by feature, then the dot product: max_a' is over the Q-values "
    "phi_next @ w, one per action":
        _step(_along_phi, lambda w, r, pn, te, tr, g: _target(w, r, pn, te, tr, g, future=np.max(pn, axis=0) @ w)),
    "the target averages w·φ(s', ·) over the next actions; Q-learning's target takes the max":
        _step(_along_phi, lambda w, r, pn, te, tr, g: _target(w, r, pn, te, tr, g, future=np.mean(pn @ w))),
    "γ also discounts the reward: the target is r + γ max_a' w·φ(s', a'), not γ (r + max_a' w·φ(s', a'))":
        _step(_along_phi, lambda w, r, pn, te, tr, g: g * _target(w, r, pn, te, tr, 1.0)),
    "it returns only the step α (y − w·φ(s, a)) φ(s, a): return the new weights, w plus the step":
        lambda w, p, r, pn, te, tr, al, g: al * (_target(w, r, pn, te, tr, g) - p @ w) * p,
    "it steps by α y φ(s, a) without subtracting w·φ(s, a): the error is y − w·φ(s, a)":
        lambda w, p, r, pn, te, tr, al, g: w + al * _target(w, r, pn, te, tr, g) * p,
}

W = np.array([0.5, -1.0, 2.0])
PHI_SA = np.array([1.0, 0.5, -0.25])
PHI_NEXT = np.array([[0.0, 1.25, 0.75],    # w·φ = 0.25
                     [1.5, -0.5, 0.25],    # w·φ = 1.75: the greedy next action
                     [-1.0, 0.5, 1.0]])    # w·φ = 1.0


def probe(label, reward, terminated, truncated, alpha, gamma, w=W, phi_sa=PHI_SA, phi_next=PHI_NEXT):
    return Probe(label, (w.copy(), phi_sa.copy(), reward, phi_next.copy(), terminated, truncated, alpha, gamma),
                 may_change=(0,))


PROBES = [
    probe("a non-terminal step", 1.5, False, False, 0.25, 0.9),
    probe("a terminated step", -1.0, True, False, 0.5, 0.9),
    probe("a truncated step", 0.5, False, True, 0.1, 0.8),
    probe("a step whose greedy next features point elsewhere", 2.0, False, False, 0.75, 0.5,
          phi_sa=np.array([0.0, 1.0, 1.0])),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def check_update(student, w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    args = (w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma)
    example = call_text("linear_q_update", args)
    before = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
    expected = reference(np.array(w, dtype=float), np.asarray(phi_sa, dtype=float), reward,
                         np.asarray(phi_next, dtype=float), terminated, truncated, alpha, gamma)
    new = as_array(student(*args), "linear_q_update")
    changed = unchanged(before, args, may_change=(0,))
    expect(changed is None, f"{example} changed its argument `{NAMES[changed or 0]}`; only w may be updated "
                            f"(φ(s, a) and φ(s', ·) are read-only: compute the step in a new array)")
    expect(new.shape == expected.shape,
           f"{example} returned shape {new.shape}; expected the weights, shape (d,) = {expected.shape}"
           + (" — a (1, d) row: keep φ(s, a) one-dimensional" if new.shape == (1,) + expected.shape else ""))
    expect(np.issubdtype(new.dtype, np.floating),
           f"{example} returned weights of dtype {new.dtype}; keep w's float dtype")
    dtype = computing_dtype(w, phi_sa, phi_next, new)
    if not close(new, expected, dtype):
        fail(f"{example}: the new w {first_difference(new, expected, dtype)}", student, DIFFERENTIAL)


@pytest.mark.public
def test_one_update(student):
    """one non-terminal step: w moves by α (y − w·φ(s, a)) φ(s, a), y = r + γ max_a' w·φ(s', a')"""
    check_update(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_step_does_not_bootstrap(student):
    """a terminated step's target is r alone"""
    check_update(student, *PROBES[1].fresh())


@pytest.mark.public
def test_truncated_step_bootstraps(student):
    """a truncated step (a time limit) still bootstraps from max_a' w·φ(s', a')"""
    check_update(student, *PROBES[2].fresh())


@pytest.mark.public
def test_target_is_held_constant(student):
    """the step is along φ(s, a) only: no gradient flows through the target"""
    check_update(student, *PROBES[3].fresh())


@pytest.mark.public
def test_features_are_read_only(student):
    """φ(s, a) and φ(s', ·) are not changed; updating w in place or returning a copy are both fine"""
    check_update(student, *probe("a step with a large reward", 10.0, False, False, 0.5, 0.9).fresh())


def test_alpha_one_and_gamma_zero(student):
    """α = 1 and γ = 0 (the target is r), and one action only"""
    check_update(student, W.copy(), PHI_SA.copy(), 2.0, PHI_NEXT.copy(), False, False, 1.0, 0.9)
    check_update(student, W.copy(), PHI_SA.copy(), 2.0, PHI_NEXT.copy(), False, False, 0.5, 0.0)
    check_update(student, W.copy(), PHI_SA.copy(), 2.0, PHI_NEXT[1:2].copy(), False, False, 0.5, 0.9)


def test_one_feature(student):
    """d = 1: weights of shape (1,)"""
    check_update(student, np.array([0.5]), np.array([2.0]), 1.0, np.array([[1.0], [-1.0]]), False, False, 0.25, 0.9)


@pytest.mark.weight(3)
@GRADING
@given(d=st.integers(1, 6), n_actions=st.integers(1, 4), data=st.data(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_random_transitions(student, d, n_actions, data, dtype):
    """matches the update on random weights, features and transitions (float32 and float64)"""
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    w = rng.uniform(-5, 5, size=d).round(2).astype(dtype)
    phi_sa = rng.uniform(-2, 2, size=d).round(2).astype(dtype)
    phi_next = rng.uniform(-2, 2, size=(n_actions, d)).round(2).astype(dtype)
    reward = round(data.draw(st.floats(-10, 10)), 2)
    terminated, truncated = data.draw(st.booleans()), data.draw(st.booleans())
    alpha = round(data.draw(st.floats(0.01, 1.0)), 3)
    gamma = data.draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
    check_update(student, w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma)
