"""Checks for value_iteration(P, R, terminal, gamma, tol, backup) -> (Q, deltas).

Starting from Q_0 = 0, apply Q_{k+1} = backup(Q_k, P, R, terminal, gamma) and record
delta_k = max_{s,a} |Q_{k+1} − Q_k|; stop after the first backup whose delta < tol and
return the last Q_{k+1} and the list of deltas.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.helpers import GRADING, Mistake, as_array, expect, random_mdps
from qlab.envs import GridWorld
from qlab.tabular.planning import q_backup, value_iteration as reference


def halving_backup(Q, P, R, terminal, gamma):
    """A stand-in backup with a known fixed point (Q = 2) and known deltas 1, 1/2, 1/4, …"""
    return 0.5 * Q + 1.0


def run(student, P, R, terminal, gamma, tol, backup):
    result = student(P, R, terminal, gamma, tol, backup)
    if not isinstance(result, (tuple, list)) or len(result) != 2:
        raise Mistake(f"value_iteration must return a pair (Q, deltas); got {type(result).__name__}"
                      + (f" of length {len(result)}" if isinstance(result, (tuple, list)) else ""))
    Q = as_array(result[0], "value_iteration's Q")
    deltas = np.asarray(list(result[1]), dtype=float) if result[1] is not None else None
    expect(deltas is not None and deltas.ndim == 1, "deltas must be a list with one max-change per backup")
    return Q, deltas


def compare(student, P, R, terminal, gamma, tol, backup=q_backup):
    Q, deltas = run(student, P, R, terminal, gamma, tol, backup)
    Q_ref, deltas_ref = reference(P, R, terminal, gamma, tol, backup)
    expect(Q.shape == Q_ref.shape, f"returned Q of shape {Q.shape}; expected (n_states, n_actions) = {Q_ref.shape}")
    expect(len(deltas) > 0 and deltas[-1] < tol,
           f"stopped while the last change max|Q_(k+1) − Q_k| = {deltas[-1] if len(deltas) else 'n/a'} "
           f"was still ≥ tol = {tol}: keep backing up until the change is below tol")
    expect(np.all(np.asarray(deltas[:-1]) >= tol),
           "kept backing up after the change fell below tol: stop after the first backup whose delta < tol")
    expect(len(deltas) == len(deltas_ref),
           f"made {len(deltas)} backups; this MDP needs exactly {len(deltas_ref)} from Q_0 = 0 "
           f"(delta_k = max over ALL (s, a) of |Q_(k+1) − Q_k|)")
    expect(np.allclose(deltas, deltas_ref, rtol=1e-6, atol=1e-9),
           "the recorded deltas are not max_(s,a) |Q_(k+1) − Q_k| for k = 0, 1, …, starting from Q_0 = 0")
    expect(np.allclose(Q, Q_ref, rtol=1e-9, atol=1e-12),
           "returned a different Q than the last backup Q_(k+1) (the previous Q_k, or a copy taken too early?)")


@pytest.mark.public
def test_returns_q_and_deltas(student):
    """returns (Q, deltas) with Q of shape (n_states, n_actions)"""
    env = GridWorld("BookGrid")
    Q, deltas = run(student, env.P, env.R, env.terminal, 0.9, 1e-6, q_backup)
    expect(Q.shape == (env.n_states, 4), f"returned Q of shape {Q.shape}; expected {(env.n_states, 4)}")


@pytest.mark.public
def test_book_grid_converges_to_q_star(student):
    """on BookGrid (γ 0.9, noise 0.2) it converges to Q* within the tolerance"""
    env = GridWorld("BookGrid")
    compare(student, env.P, env.R, env.terminal, 0.9, 1e-6)


def test_uses_the_backup_it_is_given(student):
    """applies the backup passed as `backup`, from Q_0 = 0 (deltas 1, 1/2, 1/4, …)"""
    env = GridWorld("BookGrid")
    Q, deltas = run(student, env.P, env.R, env.terminal, 0.9, 1e-3, halving_backup)
    expect(Q.size > 0 and np.all(np.abs(Q - 2.0) < 1e-2),
           "the result is not the fixed point of the `backup` argument: call backup(Q, P, R, terminal, gamma) "
           "rather than your own function or a copy of it")
    expect(len(deltas) > 0 and abs(deltas[0] - 1.0) < 1e-9,
           f"the first delta is {deltas[0] if len(deltas) else 'missing'}; starting from Q_0 = 0 it should be "
           "max|Q_1 − Q_0| = 1 with this backup — start from zeros")
    compare(student, env.P, env.R, env.terminal, 0.9, 1e-3, halving_backup)


def test_gamma_zero_stops_after_two_backups(student):
    """with γ = 0, Q_1 is already exact: the second backup changes nothing and it stops"""
    env = GridWorld("BridgeGrid")
    compare(student, env.P, env.R, env.terminal, 0.0, 1e-6)


@pytest.mark.weight(2)
@GRADING
@given(mdp=random_mdps(dtype=np.float64), tol=st.sampled_from([1e-2, 1e-4, 1e-8]))
def test_random_mdps(student, mdp, tol):
    """matches the reference on random MDPs and tolerances"""
    _, P, R, terminal, gamma = mdp
    compare(student, P, R, terminal, gamma, tol)
