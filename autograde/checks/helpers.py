"""What the check modules share besides ``diagnosis``: hypothesis settings, random MDPs, and
the smallest failing example of a rule."""

from __future__ import annotations

import copy

import numpy as np
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from autograde.checks.diagnosis import Mistake, as_array, call_text, close, computing_dtype, expect  # noqa: F401

# Deterministic (same submission, same score), no example database, no shrinking (speed).
GRADING = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                   phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

SMALL = 80  # inputs with at most this many numbers are printed as a call a student can paste


def repeated_calls(student, times: int, *args):
    """The results of ``times`` calls ``student(*args)`` with the same argument objects, in order,
    as consecutive calls would give them. The grader's sandboxed student answers them in one
    round trip (``StudentFunction.repeat``); an error is raised where its call raised, after
    the results before it."""
    repeat = getattr(student, "repeat", None)
    if repeat is None:
        for _ in range(times):
            yield student(*args)
        return
    values, error = repeat(times, *args)
    yield from values
    if error is not None:
        raise error


def size(args) -> int:
    return sum(int(np.size(a)) for a in args if isinstance(a, np.ndarray) or np.isscalar(a))


def example(name: str, args: tuple, names: tuple[str, ...], otherwise: str) -> str:
    """``name(args)`` as a pasteable call when the input is small, else ``otherwise``."""
    return call_text(name, args, names) if size(args) <= SMALL else otherwise


def smallest_failure(student, probes, reference, name: str, names: tuple[str, ...], read=lambda r, a: r):
    """The smallest probe on which ``student`` differs from ``reference``, as
    ``(call text, student's answer, expected answer)``; None when it agrees on every probe
    (or raises on those it does not)."""
    for probe in sorted(probes, key=lambda p: size(p.args)):
        args = probe.fresh()
        expected = as_array(read(reference(*copy.deepcopy(args)), copy.deepcopy(args)), "reference")
        try:
            got = as_array(read(student(*args), args), name)
        except Exception:  # noqa: BLE001 - a probe it cannot answer is no example
            continue
        if not close(got, expected, computing_dtype(*probe.args, got)):
            return call_text(name, probe.args, names), got, expected
    return None


@st.composite
def random_mdps(draw, dtype=None, max_states: int = 6, max_actions: int = 4):
    """A random finite MDP (P, R, terminal, gamma) and arbitrary current estimates Q.

    Transition probabilities are multiples of 1/8 (exact in binary), rewards and Q-values
    non-integer, negative and beyond [0, 1] (two decimals); terminal states have arbitrary
    rows and Q-values, so an answer that bootstraps from them is caught; γ ranges from 0 to 1.
    """
    n_states = draw(st.integers(1, max_states))
    n_actions = draw(st.integers(1, max_actions))
    dtype = dtype or draw(st.sampled_from([np.float32, np.float64]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    counts = rng.multinomial(8, rng.dirichlet(np.ones(n_states)), size=(n_states, n_actions))
    P = counts / 8.0
    R = rng.uniform(-10, 10, size=(n_states, n_actions, n_states)).round(2)
    terminal = rng.random(n_states) < 0.3
    Q = rng.uniform(-10, 10, size=(n_states, n_actions)).round(2)
    gamma = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
    return Q.astype(dtype), P.astype(dtype), R.astype(dtype), terminal, gamma
