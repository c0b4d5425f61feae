"""The grader's own guarantees: kind messages, no stderr, partial credit that survives a
crash or a hang, and a sandbox that behaves like one process for in-place updates."""

import re
import subprocess
import sys

import numpy as np
import pytest

import autograde
from autograde import ChecksFailed, check, grade
from autograde.sandbox.process import Sandbox, StudentCodeError
from qlab.tabular.planning import q_backup as reference_backup


def not_implemented(Q, P, R, terminal, gamma):
    raise NotImplementedError()


def exits_when_gamma_is_zero(Q, P, R, terminal, gamma):
    if gamma == 0:
        import os
        os._exit(3)
    return reference_backup(Q, P, R, terminal, gamma)


def noisy(Q, P, R, terminal, gamma):
    import sys
    import warnings
    print("debugging...", file=sys.stderr)
    warnings.warn("a student's warning")
    return reference_backup(Q, P, R, terminal, gamma)


def no_terminal_masking(Q, P, R, terminal, gamma):
    return (P * (R + gamma * Q.max(axis=1))).sum(axis=2)


def test_check_stops_with_implement_first_and_names_each_failing_check(capfd):
    with pytest.raises(ChecksFailed) as error:
        check("q_backup", not_implemented)
    assert str(error.value).splitlines()[0] == "implement q_backup first"
    with pytest.raises(ChecksFailed) as error:
        check("q_backup", no_terminal_masking)
    message = str(error.value)
    assert re.match(r"q_backup: \d+ of \d+ public checks fail\n  - ", message)
    assert max(len(line) for line in message.splitlines()) <= 80   # nbgrader validate cuts at 90
    out, err = capfd.readouterr()
    assert err == "" and "[ok]" in out   # the checks that pass are printed, the failing ones raised
    assert check("q_backup", reference_backup) is None
    assert re.match(r"q_backup: all \d+ public checks pass", capfd.readouterr().out)


def test_check_never_raises_while_nbgrader_autogrades(monkeypatch, capfd):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert check("q_backup", not_implemented) is None
    out, err = capfd.readouterr()
    assert err == ""
    assert re.fullmatch(r"q_backup: 0 of \d+ public checks pass \(the grade below says why\)\n", out)
    # the hidden grade() after it in the test cell reports each mistake, once


def test_grade_returns_points_and_writes_nothing_to_stderr(capfd):
    assert grade("q_backup", noisy) == 4.0
    out, err = capfd.readouterr()
    assert err == "" and "4 / 4 points" in out


def test_a_crash_costs_only_the_checks_it_breaks(capfd):
    points = grade("q_backup", exits_when_gamma_is_zero)
    out, _ = capfd.readouterr()
    assert 0 < points < 4
    assert "ended the Python process running it (exit code 3)" in out


def test_a_hang_costs_only_the_checks_it_breaks(monkeypatch, capfd):
    monkeypatch.setattr(autograde, "CALL_TIME_LIMIT", 0.5)

    def hangs_on_terminal_states(Q, P, R, terminal, gamma):
        while terminal.any():
            pass
        return reference_backup(Q, P, R, terminal, gamma)

    points = grade("q_backup", hangs_on_terminal_states)
    assert 0 < points < 4
    assert "did not return within 0.5 s" in capfd.readouterr().out


def test_checks_run_in_a_kernel_that_already_used_torch_threads():
    """A fork does not carry torch's OpenMP pool: once the kernel has run a threaded matmul,
    the forked checks of a network rule must still finish (they hung, and scored 0)."""
    script = (
        "import torch\n"
        "torch.set_num_threads(2)\n"
        "a = torch.randn(1000, 1000); (a @ a).sum()\n"
        "from autograde.registry import get_rule\n"
        "from autograde.runner import run_checks_forked\n"
        "from qlab.soft import sac_critic_target\n"
        "result = run_checks_forked(get_rule('sac_critic_target'), sac_critic_target, timeout=60)\n"
        "print(result.points, result.max_points)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["3.0", "3.0"], done.stdout + done.stderr


def test_unknown_rule_and_non_function_answers():
    with pytest.raises(KeyError, match="unknown graded rule"):
        grade("no_such_rule", print)
    assert grade("q_backup", 42) == 0.0


CELLS = ['''
import numpy as np
def update(Q, s, a, target, alpha):
    Q[s, a] += alpha * (target - Q[s, a])
    return Q
def draw(rng):
    return rng.integers(1000)
def spam():
    print("x" * 10_000_000)
    return "done"
def unpicklable():
    return lambda: 1
def crash():
    import os
    os._exit(7)
def store(storage, i, value):
    storage["x"][i] = value
    return i + 1
import time
TALLY = []
def tally(pause):
    time.sleep(pause)
    TALLY.append(len(TALLY))
    return TALLY
def draw_until(rng, last):
    value = int(rng.integers(1000))
    if len(TALLY) >= last:
        raise ValueError("no more")
    TALLY.append(value)
    return value
def draw_then_hang(rng, last):
    while len(TALLY) >= last:
        pass
    TALLY.append(0)
    return int(rng.integers(1000))
def reset():
    TALLY.clear()
''', "this cell raises", "raise SystemExit()"]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(CELLS, call_timeout=2) as box:
        yield box


def test_sandbox_reports_cell_errors_and_defined_names(sandbox):
    assert "update" in sandbox.names and "crash" in sandbox.names
    assert any("SyntaxError" in e for e in sandbox.cell_errors) and any("SystemExit" in e for e in sandbox.cell_errors)


def test_in_place_updates_reach_the_caller(sandbox):
    Q = np.zeros((2, 2))
    returned = sandbox.function("update")(Q, 1, 0, 10.0, 0.5)
    assert Q[1, 0] == 5.0 and returned is Q


def test_random_generator_state_advances_like_in_one_process(sandbox):
    here, there = np.random.default_rng(0), np.random.default_rng(0)
    draws_here = [int(here.integers(1000)) for _ in range(3)]
    draws_there = [int(sandbox.function("draw")(there)) for _ in range(3)]
    assert draws_here == draws_there


def test_repeated_calls_are_consecutive_calls_in_one_round_trip(sandbox):
    here, there = np.random.default_rng(0), np.random.default_rng(0)
    values, error = sandbox.function("draw").repeat(50, there)
    assert error is None and values == [int(here.integers(1000)) for _ in range(50)]
    assert here.bit_generator.state == there.bit_generator.state


def test_each_repeated_result_is_read_when_its_call_returns(sandbox):
    sandbox.function("reset")()
    values, error = sandbox.function("tally").repeat(3, 0.0)
    assert error is None and values == [[0], [0, 1], [0, 1, 2]]


def test_repeated_calls_that_run_past_half_a_call_limit_come_back_in_several_round_trips(sandbox):
    sandbox.function("reset")()
    values, error = sandbox.function("tally").repeat(8, 0.5)   # 4 s in all: more than one round trip may take
    assert error is None and values[-1] == list(range(8)) and len(values) == 8


def test_a_repeated_call_that_raises_returns_the_results_before_it_and_the_error(sandbox):
    sandbox.function("reset")()
    here, there = np.random.default_rng(3), np.random.default_rng(3)
    values, error = sandbox.function("draw_until").repeat(10, there, 4)
    assert values == [int(here.integers(1000)) for _ in range(4)]
    assert isinstance(error, StudentCodeError) and "ValueError: no more" in str(error)
    here.integers(1000)   # the call that raised drew too
    assert here.bit_generator.state == there.bit_generator.state


def test_a_repeated_call_that_hangs_returns_the_results_before_its_batch_and_the_timeout(sandbox):
    sandbox.function("reset")()
    values, error = sandbox.function("draw_then_hang").repeat(10, np.random.default_rng(0), 3)
    assert values == [] and "did not return within 2 s" in str(error)   # the hung batch's results are lost
    assert sandbox.failures["draw_then_hang"] == 1


def test_arrays_in_a_dict_reach_the_caller(sandbox):
    storage = {"x": np.zeros(3), "name": "buffer"}
    assert sandbox.function("store")(storage, 1, 5.0) == 2
    assert storage["x"].tolist() == [0.0, 5.0, 0.0] and storage["name"] == "buffer"


TORCH_CELLS = ["import torch\n" + '''
def copy_in_place(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(o)
def rebind_data(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.data = 2 * o.data
def alias(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.data = o.data
def tracked(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.copy_(o)
def loss(q, y):
    return ((q[:, 0] - y) ** 2).mean()
''']


def test_torch_modules_come_back_as_the_call_left_them():
    import torch

    def pair():
        torch.manual_seed(0)
        return torch.nn.Linear(2, 2).requires_grad_(False), torch.nn.Linear(2, 2)

    with Sandbox(TORCH_CELLS, call_timeout=120) as sandbox:
        target, online = pair()
        sandbox.function("copy_in_place")(target, online)
        assert torch.equal(target.weight, online.weight.detach())
        assert target.weight.untyped_storage().data_ptr() != online.weight.untyped_storage().data_ptr()
        target, online = pair()
        sandbox.function("rebind_data")(target, online)
        assert torch.equal(target.weight, 2 * online.weight.detach())
        target, online = pair()
        sandbox.function("alias")(target, online)   # aliasing in the child is aliasing here
        assert target.weight.untyped_storage().data_ptr() == online.weight.untyped_storage().data_ptr()
        target, online = pair()
        sandbox.function("tracked")(target, online)  # autograd recorded the copy there
        assert target.weight.requires_grad
        q = torch.tensor([[1.0, 5.0], [2.0, 7.0]], requires_grad=True)
        value = sandbox.function("loss")(q, torch.tensor([0.0, 4.0]))   # a tracked result: its gradient comes back
        value.backward()
        assert value.item() == 2.5 and q.grad.tolist() == [[1.0, 0.0], [-2.0, 0.0]]


def test_output_floods_unpicklable_results_and_crashes_are_contained(sandbox):
    assert sandbox.function("spam")() == "done"
    with pytest.raises(StudentCodeError, match="returned a function, which the grader cannot accept"):
        sandbox.function("unpicklable")()
    with pytest.raises(StudentCodeError, match=r"crashed the Python process running it \(exit code 7\)"):
        sandbox.function("crash")()
    Q = np.zeros((2, 2))
    sandbox.function("update")(Q, 0, 0, 1.0, 1.0)   # restarted: the next call works
    assert Q[0, 0] == 1.0
