"""Checks for fitted_q_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations) -> w.

On a fixed dataset of N transitions, from w_0 = 0, K = n_iterations times:

    y_i = r_i + γ (1 − terminated_i) max_a' w_k · φ(s'_i, a')     (targets from the frozen w_k)
    w_{k+1} = argmin_w Σ_i (y_i − w · φ(s_i, a_i))²               (least squares)

``phi`` is (N, d), ``rewards`` and ``terminated`` (N,), ``phi_next`` (N, n_actions, d); the
result w_K has shape (d,). Any exact least-squares solver is fine (the checks' φ have full
column rank, so the solution is unique). The inputs are read-only.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Probe, as_array, call_text, computing_dtype, expect, fail, \
    first_difference, tolerance, unchanged
from autograde.checks.helpers import GRADING
from qlab.linear import fitted_q_iteration as reference

NAMES = ("phi", "rewards", "phi_next", "terminated", "gamma", "n_iterations")


def _least_squares(features, targets):
    return np.linalg.lstsq(features, targets, rcond=None)[0]


def _max_next(w, phi_next):
    return np.max(phi_next @ w, axis=1)


def _greedy_next_features(w, phi_next):
    return phi_next[np.arange(len(phi_next)), np.argmax(phi_next @ w, axis=1)]


def _fqi(future=_max_next, iterations=lambda k: k, target=None, inputs=lambda w, phi, phi_next: phi):
    """Fitted Q-iteration with one part swapped: the bootstrap value ``future(w, phi_next)``,
    the number of regressions, the target ``target(r, g, mask, future)``, or the regression inputs."""
    def fqi(phi, rewards, phi_next, terminated, gamma, n_iterations):
        phi, rewards, phi_next = (np.asarray(a, dtype=float) for a in (phi, rewards, phi_next))
        mask = 1.0 - np.asarray(terminated, dtype=float)
        w = np.zeros(phi.shape[1])
        for _ in range(iterations(n_iterations)):
            y = (target or (lambda r, g, m, f: r + g * m * f))(rewards, gamma, mask, future(w, phi_next))
            w = _least_squares(inputs(w, phi, phi_next), y)
        return w
    return fqi


def _bellman_residual(phi, rewards, phi_next, terminated, gamma, n_iterations):
    """Regresses with the target's w unfrozen: min_w Σ (r + γ (1 − d) w·φ(s', a*) − w·φ(s, a))²."""
    phi, rewards, phi_next = (np.asarray(a, dtype=float) for a in (phi, rewards, phi_next))
    mask = 1.0 - np.asarray(terminated, dtype=float)
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        w = _least_squares(phi - gamma * mask[:, None] * _greedy_next_features(w, phi_next), rewards)
    return w


def _until_convergence(phi, rewards, phi_next, terminated, gamma, n_iterations):
    phi, rewards, phi_next = (np.asarray(a, dtype=float) for a in (phi, rewards, phi_next))
    mask = 1.0 - np.asarray(terminated, dtype=float)
    w = np.zeros(phi.shape[1])
    for _ in range(1000):
        w_next = _least_squares(phi, rewards + gamma * mask * _max_next(w, phi_next))
        if np.max(np.abs(w_next - w)) < 1e-13:
            break
        w = w_next
    return w_next


MISTAKES = {
    "it runs one regression too many: K = n_iterations regressions, starting from w_0 = 0":
        _fqi(iterations=lambda k: k + 1),
    "it runs one regression too few: K = n_iterations regressions, starting from w_0 = 0":
        _fqi(iterations=lambda k: k - 1),
    "it computes the targets once, before the loop: every iteration recomputes y from the latest weights w_k":
        _fqi(iterations=lambda k: 1),
    "it ignores n_iterations and iterates until w stops changing: run exactly K = n_iterations regressions":
        _until_convergence,
    "it fits the weights inside the target too (it minimises the Bellman residual): FQI freezes the target at "
    "w_k, computes the numbers y, then regresses w on them":
        _bellman_residual,
    "it bootstraps from terminal next states: when `terminated[i]`, the target y_i is just r_i":
        _fqi(target=lambda r, g, m, f: r + g * f),
    "it takes the max over actions feature by feature, then the dot product: max_a' is over the Q-values "
    "phi_next[i] @ w, one per action":
        _fqi(future=lambda w, phi_next: np.max(phi_next, axis=1) @ w),
    "it takes one max over the whole dataset: each target y_i maxes over its own next actions, "
    "np.max(phi_next @ w, axis=1)":
        _fqi(future=lambda w, phi_next: np.full(len(phi_next), np.max(phi_next @ w))),
    "the targets average w·φ(s', ·) over the next actions; FQI's target takes the max":
        _fqi(future=lambda w, phi_next: np.mean(phi_next @ w, axis=1)),
    "γ also discounts the reward: y = r + γ max_a' w·φ(s', a'), not γ (r + max_a' w·φ(s', a'))":
        _fqi(target=lambda r, g, m, f: g * (r + m * f)),
    "γ is missing: y = r + γ max_a' w·φ(s', a'), the next state's value discounted by γ":
        _fqi(target=lambda r, g, m, f: r + m * f),
    "its terminal mask is inverted: it bootstraps only from terminal next states; the factor is "
    "(1 − terminated_i), zero exactly where the transition terminated":
        _fqi(target=lambda r, g, m, f: r + g * (1 - m) * f),
    "it zeroes the reward of terminal transitions too: when `terminated[i]`, y_i = r_i (only the bootstrap term "
    "is masked)":
        _fqi(target=lambda r, g, m, f: m * (r + g * f)),
    "its targets use argmax_a' w·φ(s', a'), the index of the best next action, as a value; they need the value "
    "itself, np.max(phi_next @ w, axis=1)":
        _fqi(future=lambda w, phi_next: np.argmax(phi_next @ w, axis=1).astype(float)),
    "its targets use the first next action's value w·φ(s', a'=0); they take the best next action, "
    "max_a' w·φ(s', a')":
        _fqi(future=lambda w, phi_next: phi_next[:, 0] @ w),
    "it regresses on the next state's features: the inputs of the regression are φ(s_i, a_i), the rows of `phi`":
        _fqi(inputs=lambda w, phi, phi_next: _greedy_next_features(w, phi_next)),
}

PHI = np.array([[1.0, 0.0, 0.5],
                [0.5, 1.0, 0.0],
                [0.0, 0.5, 1.0],
                [1.0, 1.0, 0.0],
                [0.0, 1.0, 1.0],
                [1.0, -0.5, 0.5]])
REWARDS = np.array([1.0, 0.0, -0.5, 2.0, 0.5, -1.0])
PHI_NEXT = np.array([[[0.5, 1.0, 0.0], [0.0, 0.0, 1.0]],
                     [[1.0, 0.0, 0.0], [0.0, 1.0, 0.5]],
                     [[0.0, 0.5, 0.5], [1.0, 0.0, -0.5]],
                     [[1.0, 0.5, 0.0], [0.5, 0.0, 1.0]],
                     [[0.0, 0.0, 1.0], [1.0, 1.0, 0.0]],
                     [[0.5, 0.5, 0.5], [-0.5, 1.0, 0.0]]])
TERMINATED = np.array([False, False, True, False, False, True])


def probe(label, gamma, n_iterations, terminated=TERMINATED, rewards=REWARDS):
    return Probe(label, (PHI.copy(), rewards.copy(), PHI_NEXT.copy(), terminated.copy(), gamma, n_iterations))


PROBES = [
    probe("three iterations", 0.9, 3),
    probe("one iteration", 0.9, 1),
    probe("two iterations, no terminal transition", 0.5, 2, terminated=np.zeros(6, dtype=bool)),
    probe("four iterations, every transition terminal but one", 0.8, 4, terminated=np.array([True] * 5 + [False]),
          rewards=REWARDS[::-1].copy()),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def fqi_tolerance(dtype, scale):
    """Least squares solved another exact way (normal equations, pinv, QR) differs by about
    cond(Φ)² ε per regression: the checks' Φ have cond(Φ) < 30, K ≤ 6."""
    loose = tolerance(dtype, scale)
    return {key: value * 100 for key, value in loose.items()}


def check_fqi(student, phi, rewards, phi_next, terminated, gamma, n_iterations):
    args = (phi, rewards, phi_next, terminated, gamma, n_iterations)
    example = call_text("fitted_q_iteration", args)
    before = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
    expected = reference(*(np.array(a, dtype=float) if isinstance(a, np.ndarray) else a for a in args))
    got = as_array(student(*args), "fitted_q_iteration")
    changed = unchanged(before, args)
    expect(changed is None, f"{example} changed its argument `{NAMES[changed or 0]}`; the dataset is read-only")
    expect(got.shape == expected.shape,
           f"{example} returned shape {got.shape}; expected the weights w_K, shape (d,) = {expected.shape}"
           + (" — a column (d, 1): keep the targets y one-dimensional, shape (N,)"
              if got.shape == expected.shape + (1,)
              else " — the targets? return the weights" if got.shape == rewards.shape else ""))
    expect(np.issubdtype(got.dtype, np.floating), f"{example} returned weights of dtype {got.dtype}")
    dtype = computing_dtype(phi, phi_next, got)
    scale = float(np.max(np.abs(expected), initial=1.0))
    if not np.allclose(got, expected, **fqi_tolerance(dtype, scale)):
        fail(f"{example}: w_K {first_difference(got, expected, dtype)}", student, DIFFERENTIAL)


@pytest.mark.public
def test_one_iteration_regresses_the_rewards(student):
    """one iteration from w_0 = 0: the targets are the rewards, w_1 is their least-squares fit"""
    check_fqi(student, *PROBES[1].fresh())


@pytest.mark.public
def test_k_iterations_from_frozen_targets(student):
    """K iterations, each regressing on targets computed from the previous, frozen weights"""
    check_fqi(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_transitions_do_not_bootstrap(student):
    """a terminated transition's target is r alone"""
    check_fqi(student, *PROBES[3].fresh())


@pytest.mark.public
def test_each_target_maxes_over_its_own_next_actions(student):
    """y_i uses max_a' w·φ(s'_i, a') of transition i's own next state"""
    check_fqi(student, *PROBES[2].fresh())


def test_one_action_one_feature(student):
    """one next action and one feature (shapes (N, 1, 1) and (N, 1))"""
    phi = np.array([[1.0], [2.0], [0.5]])
    check_fqi(student, phi, np.array([1.0, 0.0, -1.0]), phi[:, None, :] * 0.5, np.array([False, True, False]), 0.9, 3)


@pytest.mark.weight(3)
@GRADING
@given(d=st.integers(1, 4), n_actions=st.integers(1, 3), extra=st.integers(2, 8), data=st.data(),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_random_datasets(student, d, n_actions, extra, data, dtype):
    """matches fitted Q-iteration on random datasets (float32 and float64)"""
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))
    n = d + extra
    phi = rng.uniform(-1, 1, size=(n, d)).round(2)
    while np.linalg.cond(phi) > 30:
        phi = rng.uniform(-1, 1, size=(n, d)).round(2)
    phi_next = rng.uniform(-1, 1, size=(n, n_actions, d)).round(2)
    rewards = rng.uniform(-5, 5, size=n).round(2)
    terminated = rng.random(n) < 0.3
    gamma = data.draw(st.sampled_from([0.0, 0.5, 0.9]))
    n_iterations = data.draw(st.integers(1, 6))
    check_fqi(student, phi.astype(dtype), rewards.astype(dtype), phi_next.astype(dtype), terminated, gamma,
              n_iterations)
