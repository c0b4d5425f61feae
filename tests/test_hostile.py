"""Hostile and broken submissions against the out-of-kernel grader: each is contained, costs
only the rules it touches, and never reaches the grader's own process or files.

Each notebook is the real 01 release with some answer cells replaced (the others hold the
solution), so one grading run covers several cases; short limits keep the suite lean.
"""

import hashlib
import time

import nbformat
import numpy as np
import pytest

import autograde.runner
from autograde.sandbox.isolation import bwrap_works
from autograde.notebook import is_answer_cell
from autograde.offline import grade_notebook
from autograde.registry import HERE, RULES
from submissions import ASSIGNMENT, REPO

SOURCE = REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
RELEASE = REPO / "notebooks" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
CHECK_FILE = HERE / "checks" / "test_q_backup.py"
LIMITS = dict(call_timeout=3.0, cell_timeout=5.0, max_failures=2, memory_limit=3 * 2**30)
SOLVED = {"q_backup": 4, "value_iteration": 3, "greedy_policy": 2, "bridge_crossing": 1, "discount_grid": 5}

HANGS_AND_EXITS = {
    "q_backup": '''
def q_backup(Q, P, R, terminal, gamma):
    while True:                                   # an endless loop in a function
        pass
''',
    "value_iteration": '''
def value_iteration(P, R, terminal, gamma, tol, backup):
    import sys
    sys.exit()
''',
    "greedy_policy": '''
def greedy_policy(Q):
    import os
    os._exit(3)
''',
    "bridge_crossing": '''
while True:                                       # an endless loop at the top level of a cell
    pass
def bridge_crossing():
    return 0.9, 0.0
''',
    "discount_grid": '''
import sys, warnings
_solution_discount_grid = discount_grid_solution
def discount_grid():                              # right, but noisy on stderr
    warnings.warn("a student's warning")
    print("debugging...", file=sys.stderr)
    return _solution_discount_grid()
''',
}

KILLS_AND_FLOODS = {
    "bridge_crossing": '''
import os, sys
for _ in range(1024):                             # prints 1 GB (may run out of time: either way
    sys.stdout.write("x" * 2**20)                 # the cell is left out)
os._exit(0)                                       # kills the process at the top level
''',
    "q_backup": '''
def q_backup(Q, P, R, terminal, gamma):
    import os, signal
    os.kill(os.getpid(), signal.SIGKILL)
''',
    "value_iteration": '''
def value_iteration(P, R, terminal, gamma, tol, backup):
    return np.zeros(2**24), [0.0]                 # 128 MB back
''',
    "discount_grid": '''
def discount_grid():
    hog = []
    while True:                                   # allocates until out of memory
        hog.append(np.zeros(2**25))
''',
}

TAMPERING = {
    "q_backup": '''
import builtins, numpy, autograde, autograde.runner
numpy.allclose = numpy.array_equal = lambda *args, **kwargs: True
numpy.isclose = lambda a, b, **kwargs: numpy.ones(numpy.broadcast(a, b).shape, dtype=bool)
builtins.round = lambda *args: 0
autograde.grade = lambda rule, function: 100
autograde.runner.score = None
def q_backup(Q, P, R, terminal, gamma):
    return np.zeros_like(Q)                       # wrong
''',
    "bridge_crossing": f'''
try:
    LEAKED = open({str(CHECK_FILE)!r}).read()       # the hidden checks must not be visible
except OSError:
    LEAKED = None
try:
    open({str(CHECK_FILE)!r}, "w").write("def test_nothing(): pass\\n")
except OSError:
    pass
def bridge_crossing():
    return "leaked" if LEAKED else (0.9, 0.0)
''',
    "greedy_policy": f'''
import os
class Evil:
    def __reduce__(self):
        return (os.system, ("touch MARKER",))
def greedy_policy(Q):
    return Evil()                                 # unpickling it would run code
''',
    "discount_grid": '''
import os, time
try:
    while True:                                   # a fork bomb, held by the process limit
        if os.fork() == 0:
            time.sleep(600)
except OSError:
    pass
DISCOUNT_SOLUTION
''',
}

CHEATING_AND_BROKEN = {
    "q_backup": "from qlab.tabular.planning import q_backup",
    "value_iteration": '''
import qlab.tabular.planning
def value_iteration(P, R, terminal, gamma, tol, backup):
    return qlab.tabular.planning.value_iteration(P, R, terminal, gamma, tol, backup)
''',
    "greedy_policy": "def greedy_policy(Q)\n    return np.argmax(Q, axis=1)",
    "discount_grid": "def discount_grid_answers():\n    return {}",
}

WRONG_BACKUP = 0.0  # what `np.zeros_like(Q)` earns without any tampering (test_wrong_backup_earns_the_same_untampered)
CASES = {
    "hangs_and_exits": (HANGS_AND_EXITS, {"q_backup": (0, "did not return within 3 s"),
                                          "value_iteration": (0, "raised SystemExit"),
                                          "greedy_policy": (0, "crashed the Python process running it (exit code 3)"),
                                          "bridge_crossing": (0, "cell 5 did not finish within 5 s")}),
    "kills_and_floods": (KILLS_AND_FLOODS, {"bridge_crossing": (0, "cell 5 "),
                                            "q_backup": (0, "signal 9"),
                                            "value_iteration": (0, "the grader accepts at most 64 MB"),
                                            "discount_grid": (0, "MemoryError")}),
    "tampering": (TAMPERING, {"q_backup": (WRONG_BACKUP, "Q_next at index (0, 0): got 0, expected 0.5"),
                              "greedy_policy": (0, "returned a __main__.Evil, which the grader cannot accept")}),
    "cheating_and_broken": (CHEATING_AND_BROKEN, {
        "q_backup": (0, "qlab.tabular.planning.q_backup, the course's own code"),
        "value_iteration": (0, "graded answers must be your own code: qlab.tabular.planning.value_iteration"),
        "greedy_policy": (0, "SyntaxError"),
        "discount_grid": (0, "`discount_grid` is not defined")}),
}


def submission(path, answers: dict) -> str:
    """The release notebook with the solution's answers, some replaced by ``answers``."""
    notebook = nbformat.read(str(RELEASE), as_version=4)
    solution = {c.metadata["nbgrader"]["grade_id"].removesuffix("_answer"): c.source
                for c in nbformat.read(str(SOURCE), as_version=4).cells if is_answer_cell(c)}
    solution = {k: "\n".join(line for line in v.splitlines() if "### " not in line) for k, v in solution.items()}
    for cell in notebook.cells:
        if is_answer_cell(cell):
            rule = cell.metadata["nbgrader"]["grade_id"].removesuffix("_answer")
            source = answers.get(rule, solution[rule])
            source = source.replace("DISCOUNT_SOLUTION", solution["discount_grid"])
            if "discount_grid_solution" in source:
                source = solution["discount_grid"].replace("def discount_grid(", "def discount_grid_solution(") + source
            cell.source = source.replace("MARKER", str(path.parent / "pwned"))
    nbformat.write(notebook, str(path))
    return path


def digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("case", CASES)
def test_hostile_submission_is_contained(case, tmp_path):
    if case == "tampering" and not bwrap_works():
        pytest.skip("without bubblewrap the student's code could really rewrite the checks and fork-bomb the machine")
    answers, expected = CASES[case]
    notebook = submission(tmp_path / "01_value_iteration.ipynb", answers)
    checks_before, score = digest(CHECK_FILE), autograde.runner.score
    started = time.perf_counter()
    results = {r.rule: r for r in grade_notebook(notebook, **LIMITS)}
    elapsed = time.perf_counter() - started
    for rule, points in SOLVED.items():
        want, diagnosis = expected.get(rule, (points, ""))
        assert results[rule].points == want, f"{case}: {rule}: {results[rule].diagnosis}"
        assert diagnosis in results[rule].diagnosis, f"{case}: {rule}: {results[rule].diagnosis}"
    assert digest(CHECK_FILE) == checks_before and autograde.runner.score is score
    assert not (tmp_path / "pwned").exists()
    assert all(r.isolated == bwrap_works() for r in results.values())
    assert elapsed < 240, f"{case} took {elapsed:.0f} s"   # bounded by the limits, not a speed test
    print(f"{case}: {elapsed:.1f} s, " + ", ".join(f"{r}={results[r].points:g}" for r in SOLVED))


def test_wrong_backup_earns_the_same_untampered():
    def q_backup(Q, P, R, terminal, gamma):
        return np.zeros_like(Q)

    assert autograde.runner.run_checks(RULES["q_backup"], q_backup).points == WRONG_BACKUP


def test_the_same_submission_graded_twice_gets_identical_results(tmp_path):
    from submissions import make

    notebook = make(tmp_path / "01_value_iteration.ipynb", "half_right")
    first, second = (grade_notebook(notebook, **LIMITS) for _ in range(2))
    assert [r.to_json() for r in first] == [r.to_json() for r in second]
    assert 0 < sum(r.points for r in first) < sum(SOLVED.values())
