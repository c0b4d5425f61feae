"""Checks for epsilon_greedy(q_values, epsilon, rng) -> action.

With probability ε a uniformly random action (any action, the greedy ones included);
otherwise a greedy action, ties broken uniformly at random. Randomness comes from ``rng``
(a numpy Generator) only, so a run is reproducible.
"""

import numbers

import numpy as np
import pytest

from autograde.checks.helpers import Mistake, expect

DRAWS = 4000


def draw(student, q_values, epsilon, seed=0, n=DRAWS):
    rng = np.random.default_rng(seed)
    q = np.asarray(q_values, dtype=float)
    actions = []
    for _ in range(n):
        action = student(q.copy(), epsilon, rng)
        if not isinstance(action, numbers.Integral) or isinstance(action, bool):
            raise Mistake(f"epsilon_greedy returned {action!r} ({type(action).__name__}); expected one action index (an int)")
        expect(0 <= action < len(q), f"returned action {action}; actions are 0..{len(q) - 1}")
        actions.append(int(action))
    return np.bincount(actions, minlength=len(q)) / n


def close(freq, p):
    sd = np.sqrt(p * (1 - p) / DRAWS)
    return abs(freq - p) <= 5 * sd + 1e-9


@pytest.mark.public
def test_greedy_when_epsilon_is_zero(student):
    """with ε = 0 and one best action, always picks it"""
    freq = draw(student, [0.0, 2.0, 1.0, -1.0], 0.0, n=200)
    expect(freq[1] == 1.0, f"with ε = 0 it picked the best action (1) only {freq[1]:.0%} of the time"
           + (" — that is the argmin" if freq[3] == 1.0 else "")
           + (": it explores with probability 1 − ε and exploits with probability ε; swap them"
              if 0.1 < freq[1] < 0.4 else ""))


@pytest.mark.public
def test_returns_an_action_index(student):
    """returns one int action index"""
    draw(student, [0.5, 0.1], 0.5, n=20)


@pytest.mark.weight(2)
def test_ties_are_broken_at_random(student):
    """with ε = 0, tied best actions are chosen equally often"""
    freq = draw(student, [1.0, 3.0, 3.0, 3.0], 0.0)
    expect(freq[0] == 0, "with ε = 0 it picked a non-greedy action")
    expect(all(close(freq[a], 1 / 3) for a in (1, 2, 3)),
           f"tied best actions 1, 2, 3 were chosen {freq[1]:.0%} / {freq[2]:.0%} / {freq[3]:.0%} of the time: "
           + ("ties always go to the first best action (np.argmax does that): pick uniformly among all maximisers"
              if freq[1] > 0.9 else "break ties uniformly at random among all maximising actions"))


def test_epsilon_one_is_uniform_over_all_actions(student):
    """with ε = 1, every action (the greedy one included) has probability 1/n"""
    freq = draw(student, [0.0, 5.0, 1.0, 2.0], 1.0)
    expect(freq[1] > 0, "with ε = 1 it never picked the greedy action: a random action may be the greedy one too")
    expect(all(close(f, 0.25) for f in freq),
           f"with ε = 1 the actions came up {', '.join(f'{f:.0%}' for f in freq)}; expected 25% each")


@pytest.mark.weight(2)
def test_exploration_rate_is_honoured(student):
    """with ε = 0.3 and 4 actions the greedy action has probability 1 − ε + ε/4"""
    freq = draw(student, [0.0, 1.0, 5.0, 2.0], 0.3)
    expected = 1 - 0.3 + 0.3 / 4
    if close(freq[2], 1 - 0.3):
        raise Mistake(f"the greedy action came up {freq[2]:.1%} of the time, 1 − ε: the random action is drawn only "
                      f"among the non-greedy ones; draw it among ALL actions, so the greedy one has {expected:.1%}")
    if close(freq[2], 0.3 + 0.7 / 4):
        raise Mistake("it explores with probability 1 − ε and exploits with probability ε: swap them")
    expect(close(freq[2], expected),
           f"the greedy action came up {freq[2]:.1%} of the time; with ε = 0.3 it should be {expected:.1%}")
    expect(all(close(freq[a], 0.3 / 4) for a in (0, 1, 3)),
           f"non-greedy actions came up {freq[0]:.1%}, {freq[1]:.1%}, {freq[3]:.1%}; each should be {0.3 / 4:.1%}")


def test_uses_the_rng_it_is_given(student):
    """draws its randomness from `rng` only, so the same seed gives the same actions"""
    q = np.array([1.0, 1.0, 0.0, 1.0])
    runs = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        rng = np.random.default_rng(7)
        runs.append([int(student(q.copy(), 0.5, rng)) for _ in range(60)])
    expect(runs[0] == runs[1], "the same rng seed gave different actions: use rng.random(), rng.integers(), "
                               "rng.choice() from the `rng` argument, not np.random.* or the random module")


def test_leaves_q_values_unchanged(student):
    """does not modify q_values"""
    q = np.array([0.5, 0.7, 0.7])
    student(q, 0.5, np.random.default_rng(0))
    expect(np.array_equal(q, [0.5, 0.7, 0.7]), "epsilon_greedy changed q_values")
