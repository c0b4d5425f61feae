"""Submissions for the grading tests, made from the real release notebook by filling its
answer cells: the solution, the untouched release, a half-right one and a hostile one."""

from __future__ import annotations

import copy
from pathlib import Path

import nbformat

from autograde.notebook import is_answer_cell

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "01_value_iteration"

HALF_RIGHT = {
    "value_iteration_answer": '''
def value_iteration(P, R, terminal, gamma, tol, backup):
    Q = np.zeros(P.shape[:2])
    deltas = []
    for _ in range(100):                       # ignores tol
        Q_next = backup(Q, P, R, terminal, gamma)
        deltas.append(np.abs(Q_next - Q).max())
        Q = Q_next
    return Q, deltas
''',
    "bridge_crossing_answer": '''
def bridge_crossing():
    return 0.99, 0.2                           # more discount does not help
''',
    "discount_grid_answer": '''
def discount_grid():
    return {"a": (0.3, 0.0, 0.0), "b": (0.3, 0.2, 0.0), "c": (0.9, 0.2, 0.0),   # c avoids the cliff
            "d": (0.9, 0.2, 0.0), "e": (0.9, 0.0, 0.0)}                          # e exits
''',
}
# The half-right submission: q_backup and greedy_policy right, value_iteration partly,
# bridge_crossing wrong, three of the five DiscountGrid behaviours right.

HOSTILE = {
    "value_iteration_answer": '''
def value_iteration(P, R, terminal, gamma, tol, backup):
    while True:                                # hangs
        pass
''',
    "greedy_policy_answer": '''
def greedy_policy(Q):
    print("spam " * 200_000)                   # a megabyte of output per call
    return np.argmax(Q, axis=1)
''',
    "bridge_crossing_answer": '''
import autograde                              # tampering with the grader in the kernel
autograde.grade = lambda rule, function: autograde.registry.RULES[rule].points
def bridge_crossing():
    return 0.9, 0.2
''',
    "discount_grid_answer": '''
def discount_grid():
    import os
    os._exit(1)                                # kills the process running it
''',
}


def make(path: Path, kind: str, assignment: str = ASSIGNMENT, answers: dict[str, str] | None = None) -> Path:
    """Write a submission of ``assignment``: 'solution', 'release', or the release with some
    answer cells replaced ('half_right' and 'hostile' of 01 by default, else ``answers``:
    {grade_id of the answer cell: source}) and the solution's answers in the others."""
    source_path = REPO / "solutions" / assignment / f"{assignment}.ipynb"
    release_path = REPO / "notebooks" / assignment / f"{assignment}.ipynb"
    if kind == "solution":
        notebook = nbformat.read(str(source_path), as_version=4)
        for cell in notebook.cells:   # a student's copy has no hidden tests
            if "BEGIN HIDDEN TESTS" in cell.source:
                cell.source = cell.source.split("### BEGIN HIDDEN TESTS")[0].rstrip()
    else:
        notebook = copy.deepcopy(nbformat.read(str(release_path), as_version=4))
        if answers is None:
            answers = {"release": {}, "half_right": HALF_RIGHT, "hostile": HOSTILE}[kind]
        solution = {c.metadata["nbgrader"]["grade_id"]: c.source
                    for c in nbformat.read(str(source_path), as_version=4).cells if is_answer_cell(c)}
        for cell in notebook.cells:
            if is_answer_cell(cell) and kind != "release":
                grade_id = cell.metadata["nbgrader"]["grade_id"]
                source = answers.get(grade_id, solution[grade_id])
                cell.source = "\n".join(line for line in source.strip().splitlines() if "### " not in line)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path
