"""Checks for epsilon_greedy(q_values, epsilon, rng) -> action.

With probability ε a uniformly random action (any action, the greedy ones included);
otherwise a greedy action, ties broken uniformly at random. Randomness comes from ``rng``
(a numpy Generator) only, so a run is reproducible; q_values is only read.

The statistical checks call the student N = 2000 times on one input with
``rng = np.random.default_rng(seed)`` and count each action. For a correct answer each count
is Binomial(N, p_a); a check fails only when a count falls outside the central interval
holding all but ALPHA of that binomial (computed exactly below). The rule's checks test at
most COUNTS counts in all, so by the union bound a correct answer fails any of them with
probability at most COUNTS · ALPHA = 1e-6.
"""

from __future__ import annotations

import copy
import numbers
import random
from functools import lru_cache
from math import exp, lgamma, log

import numpy as np
import pytest

from autograde.checks.diagnosis import Mistake, as_array, call_text, expect, fail
from autograde.checks.helpers import repeated_calls

N = 2000
COUNTS = 20                 # counts tested by all the statistical checks together (3 probes × 4 + 2 × 4)
ALPHA = 1e-6 / COUNTS       # per count: the rule's false-fail probability is at most 1e-6


@lru_cache(maxsize=None)
def interval(p: float, n: int = N, alpha: float = ALPHA) -> tuple[int, int]:
    """The central range [lo, hi] of Binomial(n, p) with P(X < lo) ≤ alpha/2 and P(X > hi) ≤ alpha/2."""
    if p <= 0.0 or p >= 1.0:
        return (0, 0) if p <= 0.0 else (n, n)
    logs = [lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(p) + (n - k) * log(1 - p) for k in range(n + 1)]
    pmf = [exp(v) for v in logs]
    lo, tail = 0, 0.0
    while tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


def consistent(counts, probabilities) -> bool:
    """Every count inside its binomial interval."""
    return all(lo <= c <= hi for c, (lo, hi) in zip(counts, (interval(float(p)) for p in probabilities)))


def _epsilon_greedy(q, epsilon, explore_among=None, greedy=None, explore_probability=None):
    """The action distribution of an ε-greedy variant: explore with ``explore_probability``
    uniformly over ``explore_among``, else uniformly over ``greedy``."""
    n = len(q)
    best = np.flatnonzero(q == q.max()) if greedy is None else np.asarray(greedy)
    among = np.arange(n) if explore_among is None else np.asarray(explore_among)
    e = epsilon if explore_probability is None else explore_probability
    p = np.zeros(n)
    if len(among):
        p[among] += e / len(among)
    p[best] += (1 - e) / len(best)
    return p


def reference(q, epsilon):
    return _epsilon_greedy(q, epsilon)


def _max(q):
    return np.flatnonzero(q == q.max())


MISTAKES = {
    "ties always go to the first best action (np.argmax does that): break ties uniformly at random among all "
    "maximising actions": lambda q, e: _epsilon_greedy(q, e, greedy=_max(q)[:1]),
    "ties always go to the last best action: break ties uniformly at random among all maximising actions":
        lambda q, e: _epsilon_greedy(q, e, greedy=_max(q)[-1:]),
    "it picks the argmin: the greedy action maximises Q":
        lambda q, e: _epsilon_greedy(q, e, greedy=[int(np.argmin(q))]),
    "the random action is drawn only among the non-greedy ones; draw it among ALL actions (the greedy one included)":
        lambda q, e: np.mean([_epsilon_greedy(q, e, greedy=[g], explore_among=[a for a in range(len(q)) if a != g])
                              for g in _max(q)], axis=0),
    "it explores with probability 1 − ε and exploits with probability ε: swap them":
        lambda q, e: _epsilon_greedy(q, e, explore_probability=1 - e),
    "the random action never is the last one (rng.integers(n − 1)?): rng.integers(n) draws from 0 … n − 1":
        lambda q, e: _epsilon_greedy(q, e, explore_among=range(len(q) - 1)),
    "the random action never is action 0 (rng.integers(1, n)?): rng.integers(n) draws from 0 … n − 1":
        lambda q, e: _epsilon_greedy(q, e, explore_among=range(1, len(q))),
}


class Probe:
    def __init__(self, label, q, epsilon, seed):
        self.label, self.epsilon, self.seed = label, epsilon, seed
        self.q = np.array(q, dtype=getattr(q, "dtype", float))


PROBES = [
    Probe("ε = 0, three tied best actions", [1.0, 3.0, 3.0, 3.0], 0.0, 1),
    Probe("ε = 0.6, one best action", [0.0, 1.0, 5.0, 2.0], 0.6, 2),
    Probe("ε = 1", [0.0, 5.0, 5.0, 2.0], 1.0, 3),
    Probe("float32, ε = 0.2, two tied", np.array([0.1, -2.5, 0.1, 0.05], dtype=np.float32), 0.2, 4),
]

GREEDY = Probe("ε = 0, one best action", [0.0, 2.0, 1.0, -1.0], 0.0, 0)


def action_of(value, n: int) -> int:
    """The student's returned action as an int, or a Mistake saying what came back."""
    if isinstance(value, (bool, np.bool_)):
        raise Mistake(f"epsilon_greedy returned a bool; expected one action index (an int) (it returned {value!r})")
    if not isinstance(value, numbers.Integral):
        array = as_array(value, "epsilon_greedy")
        if array.shape != () or not np.issubdtype(array.dtype, np.integer):
            kind = f"{array.dtype} array of shape {array.shape}" if array.shape else f"{array.dtype}"
            raise Mistake(f"epsilon_greedy returned a {kind}; expected one action index (an int) "
                          f"(it returned {value!r:.60})")
        value = array.item()
    expect(0 <= value < n, f"epsilon_greedy returned an action out of range; actions are 0 … n − 1 "
                           f"(it returned {int(value)} for {n} actions)")
    return int(value)


_COUNTS: dict = {}


def counts(student, probe: Probe, n: int = N) -> np.ndarray:
    """How often each action came up in ``n`` calls on ``probe`` with rng = default_rng(probe.seed)."""
    if _COUNTS.get("student") is not student:   # one student at a time; ids of earlier ones may be reused
        _COUNTS.clear()
        _COUNTS["student"] = student
    key = (id(probe), n)
    if key not in _COUNTS:
        rng = np.random.default_rng(probe.seed)
        q = probe.q.copy()
        actions = [action_of(a, len(q)) for a in repeated_calls(student, n, q, probe.epsilon, rng)]
        expect(np.array_equal(q, probe.q), f"epsilon_greedy changed q_values; it must only read them "
                                           f"(in epsilon_greedy({call_text('', (probe.q,))[1:-1]}, …))")
        _COUNTS[key] = np.bincount(actions, minlength=len(q))
    return _COUNTS[key]


class StatisticalDifferential:
    """Names a mistake when its action distribution explains the counts on every probe and no
    other mistake's does (the rule's ``DIFFERENTIAL``: ε-greedy's outputs are random)."""

    def __init__(self, mistakes, probes):
        self.mistakes, self.probes = mistakes, probes

    def diagnose(self, student):
        try:
            observed = [counts(student, probe) for probe in self.probes]
        except Exception:  # noqa: BLE001 - a probe it cannot answer explains nothing
            return None
        named = [name for name, model in self.mistakes.items()
                 if all(consistent(c, model(p.q, p.epsilon)) for c, p in zip(observed, self.probes))]
        return named[0] if len(named) == 1 else None

    def ambiguities(self) -> list[str]:
        """Pairs whose distributions no count vector can tell apart on every probe."""
        models = {"the reference": reference, **self.mistakes}

        def overlap(f, g, probe):
            pairs = zip(f(probe.q, probe.epsilon), g(probe.q, probe.epsilon))
            return all(max(interval(float(a))[0], interval(float(b))[0]) <= min(interval(float(a))[1], interval(float(b))[1])
                       for a, b in pairs)
        names = list(models)
        return [f"{a!r} and {b!r}" for i, a in enumerate(names) for b in names[i + 1:]
                if all(overlap(models[a], models[b], p) for p in self.probes)]


DIFFERENTIAL = StatisticalDifferential(MISTAKES, PROBES)


def check_distribution(student, probe: Probe):
    got = counts(student, probe)
    expected = reference(probe.q, probe.epsilon)
    if not consistent(got, expected):
        bounds = [interval(float(p)) for p in expected]
        shown = ", ".join(f"{c / N:.1%}" for c in got)
        wanted = ", ".join(f"{p:.1%}" if lo == hi else f"{p:.1%} (±{max(p * N - lo, hi - p * N) / N:.1%})"
                           for p, (lo, hi) in zip(expected, bounds))
        fail(f"over {N} calls epsilon_greedy({call_text('', (probe.q,))[1:-1]}, {probe.epsilon}, rng) with "
             f"rng = np.random.default_rng({probe.seed}), actions 0 … {len(probe.q) - 1} came up {shown}; expected "
             f"{wanted}", student, DIFFERENTIAL)


@pytest.mark.public
def test_greedy_when_epsilon_is_zero(student):
    """with ε = 0 and one best action, always picks it"""
    got = counts(student, GREEDY, n=200)
    if got[1] != 200:
        fail(f"over 200 calls epsilon_greedy(np.array([0., 2., 1., -1.]), 0.0, rng) with rng = "
             f"np.random.default_rng(0), actions 0 … 3 came up {', '.join(map(str, got.tolist()))} times; with ε = 0 "
             "it must always pick the best action, 1", student, DIFFERENTIAL)


@pytest.mark.public
def test_returns_an_action_index(student):
    """returns one int action index"""
    rng = np.random.default_rng(0)
    for _ in range(20):
        action_of(student(np.array([0.5, 0.1]), 0.5, rng), 2)


@pytest.mark.public
@pytest.mark.weight(2)
def test_ties_are_broken_at_random(student):
    """with ε = 0, tied best actions are chosen equally often (false-fail probability ≤ 1e-6)"""
    check_distribution(student, PROBES[0])


@pytest.mark.public
@pytest.mark.weight(2)
def test_exploration_rate_is_honoured(student):
    """with ε = 0.6 and 4 actions the greedy action has probability 1 − ε + ε/4 = 55%, each other ε/4 = 15%"""
    check_distribution(student, PROBES[1])


@pytest.mark.public
def test_uses_the_rng_it_is_given(student):
    """draws its randomness from `rng` only: the same rng state gives the same actions"""
    q = np.array([1.0, 1.0, 0.0, 1.0])
    rng = np.random.default_rng(7)
    state = copy.deepcopy(rng.bit_generator.state)
    for _ in range(20):
        student(q.copy(), 0.5, rng)
    expect(rng.bit_generator.state != state,
           "the rng it was given was never used: take all randomness from the `rng` argument (rng.random(), "
           "rng.integers(n), rng.choice(...)), not np.random.*, the random module or a new default_rng() "
           "(in 20 calls epsilon_greedy(np.array([1., 1., 0., 1.]), 0.5, rng))")
    runs = []
    for other_seed in (1, 2):
        np.random.seed(other_seed)
        random.seed(other_seed)
        rng = np.random.default_rng(7)
        runs.append([int(student(q.copy(), 0.5, rng)) for _ in range(40)])
    expect(runs[0] == runs[1],
           "the same rng state gave different actions, so some randomness comes from somewhere other than `rng` "
           "(np.random.*, the random module, a new default_rng()): take it all from `rng` (in 40 calls "
           "epsilon_greedy(np.array([1., 1., 0., 1.]), 0.5, rng) with rng = np.random.default_rng(7), twice)")


def test_epsilon_one_is_uniform_over_all_actions(student):
    """with ε = 1, every action (the greedy ones included) has probability 1/n (false-fail probability ≤ 1e-6)"""
    check_distribution(student, PROBES[2])


def test_float32_values_and_ties(student):
    """float32 Q-values with two tied best actions, ε = 0.2 (false-fail probability ≤ 1e-6)"""
    check_distribution(student, PROBES[3])


def test_a_single_action(student):
    """with one action there is nothing to choose: always 0, for any ε"""
    rng = np.random.default_rng(5)
    for epsilon in (0.0, 0.5, 1.0):
        for _ in range(10):
            action_of(student(np.array([-1.5]), epsilon, rng), 1)
