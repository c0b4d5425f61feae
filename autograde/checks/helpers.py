"""What the check modules share besides ``diagnosis``: hypothesis settings, random MDPs."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from autograde.checks.diagnosis import Mistake, as_array, expect  # noqa: F401 - shared by the check modules


# Deterministic (same submission, same score), no example database, no shrinking (speed).
GRADING = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))


def first_difference(got: np.ndarray, expected: np.ndarray, rtol: float, atol: float) -> str:
    bad = np.argwhere(~np.isclose(got, expected, rtol=rtol, atol=atol))
    index = tuple(int(i) for i in bad[0])
    return f"at index {index}: got {got[index]:.6g}, expected {expected[index]:.6g}"


def tolerance(dtype) -> dict:
    return {"rtol": 1e-4, "atol": 1e-4} if np.dtype(dtype) == np.float32 else {"rtol": 1e-9, "atol": 1e-9}


@st.composite
def random_mdps(draw, dtype=None, max_states: int = 7, max_actions: int = 4):
    """A random finite MDP (P, R, terminal, gamma) and arbitrary current estimates Q.

    P has some zero entries; terminal states have arbitrary (nonzero) rows and Q-values, so
    an answer that bootstraps from them is caught.
    """
    n_states = draw(st.integers(2, max_states))
    n_actions = draw(st.integers(1, max_actions))
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    P = rng.random((n_states, n_actions, n_states)) * (rng.random((n_states, n_actions, n_states)) < 0.7)
    P[..., 0] += 1e-3  # every row has some mass
    P /= P.sum(axis=-1, keepdims=True)
    R = rng.uniform(-10, 10, size=(n_states, n_actions, n_states))
    terminal = rng.random(n_states) < 0.3
    Q = rng.uniform(-10, 10, size=(n_states, n_actions))
    gamma = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99]))
    return Q.astype(dtype), P.astype(dtype), R.astype(dtype), terminal, gamma
