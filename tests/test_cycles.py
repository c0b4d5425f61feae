"""The whole nbgrader cycle for each assignment from 03 on, in one pass per assignment.

For an assignment with a ``tests/halfright/<assignment>.py`` (HALF_RIGHT: answer sources by
grade_id; HALF_RIGHT_POINTS: the points each rule must get; CLAIMS: {cell id: words its
output must contain, run with the solution}), nbgrader grades three submissions — the
solution, the untouched release and the half-right one — with the notebook's experiments at
their smoke budget (nbgrader sets NBGRADER_EXECUTION, which ``qlab.budget`` reads). The
solution's autograded notebook is the one run of the whole notebook in the suite: its
claims, its full marks and its silent stderr are checked on that output. The gradebook holds
the out-of-kernel points; nbgrader's in-kernel points must agree with them on all three.
"""

import importlib.util

import nbformat
import pytest

from autograde.nbgrader.cycle import gradebook_scores, run_cycle
from autograde.registry import REPO, RULES, rules_for
from submissions import make

pytestmark = pytest.mark.slow
HALF_RIGHT = sorted((REPO / "tests" / "halfright").glob("[0-9]*.py"))
KINDS = ["solution", "release", "half_right"]


def spec(path):
    module_spec = importlib.util.spec_from_file_location(f"halfright_{path.stem}", path)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=HALF_RIGHT, ids=lambda p: p.stem)
def cycle(request, tmp_path_factory):
    assignment, half_right = request.param.stem, spec(request.param)
    submissions = tmp_path_factory.mktemp(f"submissions-{assignment}")
    for kind in KINDS:
        make(submissions / kind / f"{assignment}.ipynb", kind, assignment,
             half_right.HALF_RIGHT if kind == "half_right" else {} if kind == "release" else None)
    course = tmp_path_factory.mktemp(f"course-{assignment}")
    _, disagreements = run_cycle(assignment, submissions, course, cell_timeout=300)
    return assignment, half_right, course, gradebook_scores(course, assignment, KINDS), disagreements


def test_scores_and_agreement(cycle):
    assignment, half_right, course, scores, disagreements = cycle
    rules = rules_for(assignment)
    assert sum(scores["solution"].values()) == sum(rule.points for rule in rules)
    assert sum(scores["release"].values()) == 0
    for rule, points in half_right.HALF_RIGHT_POINTS.items():
        assert scores["half_right"][RULES[rule].grade_id] == pytest.approx(points), rule
    assert not disagreements, [f"{d.student}: {d}" for d in disagreements]


def test_solution_runs_whole_silently_and_its_claims_hold(cycle):
    assignment, half_right, course, _, _ = cycle
    notebook = nbformat.read(str(course / "autograded" / "solution" / assignment / f"{assignment}.ipynb"), as_version=4)
    outputs = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        assert not [o for o in cell.outputs if o.output_type == "error"], f"cell {cell.id} raised"
        assert not [o for o in cell.outputs if o.get("name") == "stderr"], f"cell {cell.id} wrote to stderr"
        outputs[cell.id] = "".join(o.get("text", "") for o in cell.outputs)
    for cell_id, words in half_right.CLAIMS.items():
        assert words in outputs[cell_id], f"cell {cell_id}: {words!r} not in {outputs[cell_id]!r}"
