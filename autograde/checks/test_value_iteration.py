"""Checks for value_iteration(P, R, terminal, gamma, tol, backup) -> (Q, deltas).

Starting from Q_0 = 0, apply Q_{k+1} = backup(Q_k, P, R, terminal, gamma) and record
delta_k = max_{s,a} |Q_{k+1} − Q_k|; stop after the first backup whose delta < tol and
return the last Q_{k+1} and the list of deltas. P, R and terminal are only read.

The checks hand the student a *traced* backup: it records every Q it is given and returns,
so what the student's loop did (where it started, what it fed back, how many backups) is
observed directly, not guessed from the result.
"""

import copy

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, close, computing_dtype, \
    expect, fail, number_pair, unchanged
from autograde.checks.helpers import GRADING, example, random_mdps
from qlab.envs import GridWorld
from qlab.tabular.planning import q_backup, value_iteration as reference

NAMES = ("P", "R", "terminal", "gamma", "tol", "backup")


class Backup:
    """A stand-in backup written as code, so a failing example prints as a call to paste."""

    def __init__(self, code: str):
        self.code, self.function = code, eval(code, {"np": np, "q_backup": q_backup})  # noqa: S307 - our own code

    def __call__(self, Q, P, R, terminal, gamma):
        return self.function(Q, P, R, terminal, gamma)

    def __reduce__(self):
        return Backup, (self.code,)

    def __repr__(self):
        return self.code


class Traced:
    """Wraps a backup and records each call's input Q_k and output Q_(k+1).

    Out of the kernel it runs in the grader, called back from the student's process with
    arguments the student chooses, so it bounds what it does there: it runs the backup only
    on the MDP value_iteration was given (Q of shape (n_states, n_actions), P, R and terminal
    of their shapes, a number γ) and records at most ``MAX_BACKUPS`` calls. Past that it
    raises, and ``refused`` keeps the reason, which the check reports.

    When the wrapper is pickled (the catalogue's stand-in for another process), its record
    stays with the copy: ``shipped`` says so, and the checks then judge by the result alone.
    """

    MAX_BACKUPS = 10_000

    def __init__(self, backup, shapes: tuple):
        self.backup, self.shapes, self.calls, self.shipped, self.refused = backup, shapes, [], False, None

    def __reduce__(self):
        self.shipped = True
        return Traced, (self.backup, self.shapes)

    def __call__(self, Q, P, R, terminal, gamma):
        given = tuple(tuple(np.shape(x)) for x in (Q, P, R, terminal))
        if given != self.shapes or np.ndim(gamma) != 0:
            name, got, want = next(((n, g, w) for n, g, w in zip(("Q", "P", "R", "terminal"), given, self.shapes)
                                    if g != w), ("gamma", np.shape(gamma), ()))
            self._refuse("the grader's backup runs only on the MDP value_iteration was given: call "
                         "backup(Q, P, R, terminal, gamma) with Q of shape (n_states, n_actions), P, R, terminal "
                         f"as given and γ a number (it was called with {name} of shape {got}, expected {want})")
        if len(self.calls) >= self.MAX_BACKUPS:
            self._refuse(f"value_iteration called backup more than {self.MAX_BACKUPS:,} times; the grader stops "
                         "there (stop after the first backup whose delta < tol)")
        Q_next = self.backup(Q, P, R, terminal, gamma)
        self.calls.append((as_array(Q, "the Q given to backup").copy(), np.array(Q_next, copy=True)))
        return Q_next

    def _refuse(self, why: str):
        self.refused = why
        raise Mistake(why)

    def __repr__(self):
        return repr(self.backup)


HALVING = Backup("lambda Q, P, R, terminal, gamma: 0.5 * Q + 1.0")        # deltas 1, 1/2, 1/4, …
FALLING = Backup("lambda Q, P, R, terminal, gamma: 0.5 * Q - 1.0")        # Q decreases: deltas need |·|
UNEVEN = Backup("lambda Q, P, R, terminal, gamma: 0.5 * Q + np.array([[2.0, 0.0], [0.0, 0.5]])")
P2 = np.full((2, 2, 2), 0.5)
R2 = np.zeros((2, 2, 2))
T2 = np.zeros(2, dtype=bool)


def _loop(delta_of, stop, start=lambda P: np.zeros(P.shape[:2]), previous=False, iterations=None):
    """value_iteration with the given delta, stopping rule, start, result and iteration count."""
    def value_iteration(P, R, terminal, gamma, tol, backup):
        Q, deltas = start(P), []
        for _ in range(iterations or 10_000):
            Q_next = backup(Q, P, R, terminal, gamma)
            deltas.append(delta_of(Q_next - Q))
            Q, Q_last = Q_next, Q
            if iterations is None and stop(deltas[-1], tol):
                break
        return (Q_last if previous else Q), deltas
    return value_iteration


MAX = lambda change: float(np.abs(change).max())  # noqa: E731
BELOW = lambda delta, tol: delta < tol  # noqa: E731

MISTAKES = {
    "it ignores tol and runs a fixed number of backups: stop after the first backup whose delta < tol":
        _loop(MAX, BELOW, iterations=100),
    "it stops as soon as the change is above tol: the comparison is the wrong way round, keep going while "
    "delta ≥ tol": _loop(MAX, lambda delta, tol: delta > tol),
    "it stops when delta ≤ tol; it stops only once delta < tol": _loop(MAX, lambda delta, tol: delta <= tol),
    "delta is the mean change; it is the largest one, max_(s,a) |Q_(k+1)(s, a) − Q_k(s, a)|":
        _loop(lambda change: float(np.abs(change).mean()), BELOW),
    "delta is the summed change; it is the largest one, max_(s,a) |Q_(k+1)(s, a) − Q_k(s, a)|":
        _loop(lambda change: float(np.abs(change).sum()), BELOW),
    "delta has no absolute value: it is max_(s,a) |Q_(k+1) − Q_k|, and values may decrease":
        _loop(lambda change: float(change.max()), BELOW),
    "it returns Q_k, the estimate before the last backup; return the last Q_(k+1)":
        _loop(MAX, BELOW, previous=True),
    "it calls q_backup itself, not the `backup` it is given: call backup(Q, P, R, terminal, gamma), so it works "
    "with any backup": lambda P, R, terminal, gamma, tol, backup: reference(P, R, terminal, gamma, tol, q_backup),
}


def _read(returned, args):
    """(Q, deltas) as one array: the number of deltas, the deltas, then Q."""
    Q, deltas = returned
    return np.concatenate([[len(deltas)], np.asarray(deltas, dtype=float), as_array(Q, "Q").ravel()])


PROBES = [
    Probe("backups 0.5 Q + 1, tol 0.1", (P2, R2, T2, 0.9, 0.1, HALVING)),
    Probe("backups 0.5 Q + 1, tol equal to the fourth delta", (P2, R2, T2, 0.9, 0.125, HALVING)),
    Probe("falling backups 0.5 Q − 1, tol 0.1", (P2, R2, T2, 0.9, 0.1, FALLING)),
    Probe("uneven changes, tol 0.3", (P2, R2, T2, 0.9, 0.3, UNEVEN)),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_read)


def run(student, args):
    """Call the student with a traced backup; return (Q, deltas, calls)."""
    *model, tol, backup = args
    P, R, terminal, _ = model
    traced = Traced(backup, (P.shape[:2], P.shape, R.shape, terminal.shape))
    try:
        result = student(*model, tol, traced)
    except Exception:
        if traced.refused:
            raise Mistake(traced.refused) from None
        raise
    if traced.refused:
        raise Mistake(traced.refused)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        kind = type(result).__name__ + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else "")
        raise Mistake(f"value_iteration must return a pair (Q, deltas) (it returned a {kind})")
    Q = as_array(result[0], "value_iteration's Q")
    try:
        deltas = np.asarray([float(as_array(d, "a delta")) for d in result[1]])
    except (TypeError, ValueError, Mistake):
        raise Mistake(f"deltas must be a list of numbers, one max-change per backup (it returned {result[1]!r:.80})") \
            from None
    return Q, deltas, traced.calls, traced.shipped


def compare_results(student, call, tol, Q, deltas, Q_ref, deltas_ref):
    """Judge by the result alone (the backup's calls were not observed): the deltas it reports."""
    dtype = computing_dtype(Q, Q_ref)
    early = [k for k, d in enumerate(deltas[:-1]) if d < tol]
    if early:
        fail(f"{call}: it kept backing up after the change it reports fell below tol: its delta_{early[0]} = "
             f"{deltas[early[0]]:.3g} < tol = {tol:g}, yet it reports {len(deltas)} deltas", student, DIFFERENTIAL)
    if len(deltas) and deltas[-1] >= tol:
        fail(f"{call}: the last delta it reports is still ≥ tol: it stopped too early, or did not record every "
             f"backup's delta (its delta_{len(deltas) - 1} = {deltas[-1]:.3g}, tol = {tol:g})", student, DIFFERENTIAL)
    if len(deltas) != len(deltas_ref) or not close(deltas, deltas_ref, dtype):
        k = next((k for k, (a, b) in enumerate(zip(deltas, deltas_ref)) if not close(a, b, dtype)),
                 min(len(deltas), len(deltas_ref)))
        pair = number_pair(deltas[k], deltas_ref[k]) if k < min(len(deltas), len(deltas_ref)) else None
        shown = f"delta_{k} = {pair[0]}, expected {pair[1]}" if pair else f"the first {k} agree"
        fail(f"{call}: it returned {len(deltas)} delta{'s' * (len(deltas) != 1)}; backing up with `backup` from "
             f"Q_0 = 0 until delta < tol gives {len(deltas_ref)} ({shown})", student, DIFFERENTIAL)
    if not close(Q, Q_ref, dtype):
        fail(f"{call}: it returned a different Q than the last backup Q_(k+1)", student, DIFFERENTIAL)


def compare(student, P, R, terminal, gamma, tol, backup=Backup("q_backup"), where=""):
    """Run value_iteration and compare what it did, step by step, with what it should do."""
    args = (P, R, terminal, gamma, tol, backup)
    before = copy.deepcopy(args)
    Q_ref, deltas_ref = reference(*copy.deepcopy(args))
    call = example("value_iteration", before, NAMES, where)
    Q, deltas, calls, shipped = run(student, args)
    changed = unchanged(before[:3], args[:3])
    expect(changed is None,
           f"value_iteration changed its input {NAMES[changed or 0]}; it must only read it (in {call})")
    expect(Q.shape == Q_ref.shape, f"value_iteration returned Q of the wrong shape; expected (n_states, n_actions) "
                                   f"(in {call}: shape {Q.shape}, expected {Q_ref.shape})")
    if shipped:
        compare_results(student, call, tol, Q, deltas, Q_ref, deltas_ref)
        return
    expect(calls, "value_iteration never called the `backup` it was given: call backup(Q, P, R, terminal, gamma), "
                  f"not q_backup, so it works with any backup (in {call})")
    Q_0 = calls[0][0]
    if np.any(Q_0):
        where_nonzero = tuple(int(i) for i in np.argwhere(Q_0)[0])
        raise Mistake(f"the first backup was applied to a Q that is not zero: start from Q_0 = 0 "
                      f"(in {call}: Q_0{list(where_nonzero)} = {Q_0[where_nonzero]:g})")
    for k in range(1, len(calls)):
        expect(np.array_equal(calls[k][0], calls[k - 1][1]),
               f"backup {k + 1} was not applied to the previous backup's result: Q_(k+1) = backup(Q_k, …) "
               f"(in {call})")
    true_deltas = [float(np.abs(out - given).max()) for given, out in calls]
    expect(len(deltas) == len(calls), f"the deltas do not match the backups: record one delta per backup "
                                      f"(in {call}: {len(deltas)} deltas for {len(calls)} backups)")
    dtype = computing_dtype(*(out for _, out in calls))
    for k, (got, want) in enumerate(zip(deltas, true_deltas)):
        if not close(got, want, dtype):
            a, b = number_pair(got, want)
            fail(f"{call}: delta_{k} = {a}, but max_(s,a) |Q_{k + 1} − Q_{k}| = {b}", student, DIFFERENTIAL)
    below = [k for k, d in enumerate(true_deltas) if d < tol]
    if below and below[0] + 1 < len(calls):
        fail(f"{call}: it kept backing up after the change fell below tol: delta_{below[0]} = "
             f"{true_deltas[below[0]]:.3g} < tol = {tol:g}, yet it made {len(calls)} backups, not {below[0] + 1}",
             student, DIFFERENTIAL)
    if not below:
        fail(f"{call}: it stopped while the last change was still ≥ tol: delta_{len(calls) - 1} = "
             f"{true_deltas[-1]:.3g}, tol = {tol:g}", student, DIFFERENTIAL)
    if not close(Q, calls[-1][1], dtype):
        previous = len(calls) > 1 and close(Q, calls[-2][1], dtype)
        fail(f"{call}: it returned a different Q than the last backup Q_(k+1)"
             + (", the one before it, Q_k" if previous else ""), student, DIFFERENTIAL)
    if not (len(deltas) == len(deltas_ref) and close(Q, Q_ref, dtype)):  # the steps are right; the total must be
        fail(f"{call}: it made {len(deltas)} backups to Q = … ; the reference makes {len(deltas_ref)}",
             student, DIFFERENTIAL)


@pytest.mark.public
def test_book_grid_converges_to_q_star(student):
    """on BookGrid (γ 0.9, noise 0.2) it backs up from Q_0 = 0 until the change is below tol"""
    env = GridWorld("BookGrid")
    compare(student, env.P, env.R, env.terminal, 0.9, 1e-6, where="BookGrid (noise 0.2), γ = 0.9, tol = 1e-6")


@pytest.mark.public
def test_uses_the_backup_it_is_given(student):
    """calls the `backup` it is given, from Q_0 = 0, and stops after the first delta < tol"""
    compare(student, *PROBES[0].fresh())


def test_tol_equal_to_a_delta_keeps_going(student):
    """a delta equal to tol is not below it: one more backup"""
    compare(student, *PROBES[1].fresh())


def test_values_that_decrease(student):
    """delta is the largest *absolute* change, also when values decrease"""
    compare(student, *PROBES[2].fresh())
    compare(student, *PROBES[3].fresh())


def test_gamma_zero_stops_after_two_backups(student):
    """with γ = 0, Q_1 is already exact: the second backup changes nothing and it stops"""
    env = GridWorld("BridgeGrid")
    compare(student, env.P, env.R, env.terminal, 0.0, 1e-6, where="BridgeGrid (noise 0.2), γ = 0, tol = 1e-6")


@pytest.mark.weight(2)
@GRADING
@given(mdp=random_mdps(dtype=np.float64), tol=st.sampled_from([1e-1, 1e-3, 1e-6]))
def test_random_mdps(student, mdp, tol):
    """matches value iteration on random MDPs and tolerances"""
    _, P, R, terminal, gamma = mdp
    gamma = min(gamma, 0.9)   # γ near 1 takes thousands of backups; the backup's own checks cover it
    compare(student, P, R, terminal, gamma, tol,
            where=f"a random {P.shape[0]}-state, {P.shape[1]}-action MDP, γ = {gamma}, tol = {tol:g}")
