"""Check-side objects expose only the contract: what a rule is handed can be called and
nothing else, it shares no memory with the checks' constants, and what runs in the grader on
the student's behalf (callbacks, repeated calls) keeps bounded memory.

Each case is graded the way it is in production: out of the kernel (``grade_notebook`` on a
submission made from the real release, only the rules concerned) and in the kernel
(``autograde._run``: the checks in a forked copy of the process, the student's function in it).
"""

import re
import tracemalloc

import numpy as np
import pytest
import torch

import autograde
import autograde.offline
from autograde.checks import continuous
from autograde.checks import test_value_iteration as value_iteration_checks
from autograde.checks.diagnosis import Mistake
from autograde.checks.helpers import repeated_calls
from autograde.registry import RULES, rules_for
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox, StudentCodeError
from qlab.continuous import random_shooting
from submissions import make

LIMITS = dict(call_timeout=5.0, cell_timeout=20.0, max_failures=2)
BOX = continuous.LOW.copy(), continuous.HIGH.copy()

SHRINKS_THE_BOX = '''
def random_shooting(critic, obs, low, high, n_samples, rng):
    rng.random()
    corner = torch.tensor([1.0, 1.0], dtype=obs.dtype)
    critic.low[:] = corner                  # the box shrinks to one point: "the best action" is it
    critic.high[:] = corner
    return corner.repeat(obs.shape[0], 1)
'''

ASKS_THE_ORACLE = {
    "random_shooting_answer": '''
def random_shooting(critic, obs, low, high, n_samples, rng):
    rng.random()
    return critic.best_action(obs)          # never samples
''',
    "cross_entropy_method_answer": '''
def cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    rng.random()
    return critic.best_action(obs)
''',
}

FEEDS_THE_BACKUP = '''
FED = []
def value_iteration(P, R, terminal, gamma, tol, backup):
    if not FED:                             # the first check only: 40 calls with an 11 MB Q
        FED.append(True)
        wide = np.zeros((P.shape[0], 2**17))
        for _ in range(40):
            try:
                backup(wide, P, R, terminal, gamma)
            except Exception:
                pass
    Q, deltas = np.zeros(P.shape[:2]), []
    while True:
        Q_next = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_next - Q).max())
        Q = Q_next
        if deltas[-1] < tol:
            return Q, deltas
'''


def grade(tmp_path, assignment, rules, answers=None, kind="hostile"):
    """Grade a submission of ``assignment`` out of the kernel, on ``rules`` only."""
    notebook = make(tmp_path / kind / f"{assignment}.ipynb", "solution" if answers is None else "hostile",
                    assignment, answers)
    only = [rule for rule in rules_for(assignment) if rule.name in rules]
    original = autograde.offline.rules_for
    autograde.offline.rules_for = lambda name: only
    try:
        return {r.rule: r for r in autograde.offline.grade_notebook(notebook, **LIMITS)}
    finally:
        autograde.offline.rules_for = original


def box_untouched():
    return np.array_equal(continuous.LOW, BOX[0]) and np.array_equal(continuous.HIGH, BOX[1])


def test_shrinking_the_critics_box_scores_nothing_and_leaves_the_next_student_whole(tmp_path):
    hostile = grade(tmp_path, "07_continuous", {"random_shooting"}, {"random_shooting_answer": SHRINKS_THE_BOX})
    assert hostile["random_shooting"].points == 0, hostile["random_shooting"].report()
    assert "can only be called; it has no attribute 'low'" in hostile["random_shooting"].diagnosis
    assert box_untouched()
    honest = grade(tmp_path, "07_continuous", {"random_shooting", "cross_entropy_method"}, kind="solution")
    assert [r.points for r in honest.values()] == [2, 3], [r.report() for r in honest.values()]


def test_in_the_kernel_the_critic_is_a_copy_that_can_only_be_called():
    def digs_deeper(critic, obs, low, high, n_samples, rng):
        rng.random()
        corner = torch.tensor([1.0, 1.0], dtype=obs.dtype)
        critic._critic.low[:] = corner      # the critic's own copy: the checks' critic keeps its box
        critic._critic.high[:] = corner
        return corner.repeat(obs.shape[0], 1)

    namespace = {"torch": torch}
    exec(SHRINKS_THE_BOX, namespace)
    result = autograde._run("random_shooting", namespace["random_shooting"], public_only=False)
    assert result.points == 0 and "the critic can only be called, critic(obs, actions)" in result.diagnosis
    assert run_checks(RULES["random_shooting"], digs_deeper).points < 2
    assert box_untouched()
    assert run_checks(RULES["random_shooting"], random_shooting).points == 2


def test_the_critics_oracle_is_out_of_reach(tmp_path):
    results = grade(tmp_path, "07_continuous", {"random_shooting", "cross_entropy_method"}, ASKS_THE_ORACLE)
    for rule in ("random_shooting", "cross_entropy_method"):
        assert results[rule].points == 0, results[rule].report()
        assert "can only be called; it has no attribute 'best_action'" in results[rule].diagnosis
        namespace = {}
        exec(ASKS_THE_ORACLE[f"{rule}_answer"], namespace)
        in_kernel = autograde._run(rule, namespace[rule], public_only=False)
        assert in_kernel.points == 0 and "it has no attribute 'best_action'" in in_kernel.diagnosis


def test_a_backup_fed_huge_arguments_keeps_the_grader_small_and_loses_the_check(tmp_path):
    tracemalloc.start()
    try:
        results = grade(tmp_path, "01_value_iteration", {"value_iteration"},
                        {"value_iteration_answer": FEEDS_THE_BACKUP})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 120 * 2**20, f"the grader's memory peaked at {peak / 2**20:.0f} MB"   # 40 kept calls: 450 MB
    result = results["value_iteration"]
    assert 0 < result.points < 3, result.report()
    assert "the grader's backup runs only on the MDP value_iteration was given" in result.diagnosis
    assert re.search(r"it was called with Q of shape \(\d+, 131072\), expected \(\d+, \d+\)", result.diagnosis)


def test_a_trace_keeps_a_bounded_number_of_backups():
    checks = value_iteration_checks
    P, R, terminal = checks.P2, checks.R2, checks.T2
    traced = checks.Traced(checks.HALVING, (P.shape[:2], P.shape, R.shape, terminal.shape))
    Q = np.zeros((2, 2))
    for _ in range(traced.MAX_BACKUPS):
        traced(Q, P, R, terminal, 0.9)
    with pytest.raises(Mistake, match="called backup more than 10,000 times"):
        traced(Q, P, R, terminal, 0.9)
    assert len(traced.calls) == traced.MAX_BACKUPS and traced.refused


BIG_RESULTS = '''
import time
import numpy as np
def big(x):
    time.sleep(0.2)
    return np.zeros(2**17)                  # 1 MB a call, 3 per round trip (0.5 s)
'''


def test_repeated_calls_keep_a_bounded_amount_of_results():
    limit = 4 * 2**20
    with Sandbox([BIG_RESULTS], call_timeout=1.0, result_limit=limit) as box:
        tracemalloc.start()
        try:
            with pytest.raises(StudentCodeError, match=r"results over \d+ calls took more than 4 MB; the grader keeps "
                                                       r"at most 4 MB"):
                list(repeated_calls(box.function("big"), 1000, 0.0))
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert peak < 4 * limit, f"the grader's memory peaked at {peak / 2**20:.0f} MB"   # 1000 results: 1 GB
        values, error = box.function("big").repeat(3, 0.0)   # under the limit: all kept
        assert len(values) == 3 and error is None
