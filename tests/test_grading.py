"""The whole grading cycle on real notebooks: nbgrader's generate_assignment, autograde,
generate_feedback and export, with the out-of-kernel grade written into the gradebook."""

import ast
import csv
import html
import json
import re
import subprocess
import sys
import time

import nbformat
import pytest

from autograde.nbgrader.cycle import gradebook_scores, run_cycle
from autograde.registry import HERE, REPO, RULES, rules_for
from submissions import ASSIGNMENT, make

pytestmark = pytest.mark.slow
KINDS = ["solution", "release", "half_right", "hostile"]
MAX = sum(rule.points for rule in rules_for(ASSIGNMENT))


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    submissions = tmp_path_factory.mktemp("submissions")
    for kind in KINDS:
        make(submissions / kind / f"{ASSIGNMENT}.ipynb", kind)
    course = tmp_path_factory.mktemp("course")
    started = time.perf_counter()
    grades, disagreements = run_cycle(ASSIGNMENT, submissions, course, cell_timeout=15)
    print(f"\nnbgrader cycle for {len(KINDS)} submissions: {time.perf_counter() - started:.0f} s")
    with open(grades) as f:
        rows = {row["student_id"]: row for row in csv.DictReader(f)}
    return course, gradebook_scores(course, ASSIGNMENT, KINDS), disagreements, rows


def feedback_json(course, kind):
    return json.loads((course / "feedback" / kind / ASSIGNMENT / f"{ASSIGNMENT}.json").read_text())


@pytest.fixture(scope="module")
def offline(cycle):
    """The out-of-kernel results the cycle recorded, per kind and rule (from the feedback JSON)."""
    course = cycle[0]
    return {kind: {r["rule"]: r for r in feedback_json(course, kind)["rules"]} for kind in KINDS}


def total(scores):
    return sum(scores.values())


def test_gradebook_scores_full_zero_and_partial(cycle):
    _, scores, _, _ = cycle
    assert total(scores["solution"]) == MAX
    assert total(scores["release"]) == 0
    assert 0 < total(scores["half_right"]) < MAX
    assert scores["half_right"][RULES["q_backup"].grade_id] == RULES["q_backup"].points
    assert scores["half_right"][RULES["bridge_crossing"].grade_id] == 0
    assert scores["half_right"][RULES["discount_grid"].grade_id] == 3.0


@pytest.mark.parametrize("kind", ["solution", "release", "half_right"])
def test_kernel_and_out_of_kernel_grader_agree_on_honest_submissions(cycle, offline, kind):
    _, scores, disagreements, rows = cycle
    assert not [d for d in disagreements if d.student == kind]
    assert rows[kind]["disagreements"] == ""
    for rule, result in offline[kind].items():
        assert scores[kind][RULES[rule].grade_id] == pytest.approx(result["points"]), f"{kind}: {rule}"


def test_hostile_submission_is_graded_for_what_it_got_right(cycle, offline):
    """It hangs, floods stdout, kills its kernel and tampers with `grade`; the batch went on."""
    course, scores, _, _ = cycle
    hostile = offline["hostile"]
    assert hostile["q_backup"]["points"] == 4 and hostile["greedy_policy"]["points"] == 2
    assert hostile["value_iteration"]["points"] == 0 and "did not return within" in hostile["value_iteration"]["diagnosis"]
    assert hostile["discount_grid"]["points"] == 0 and "crashed the Python process" in hostile["discount_grid"]["diagnosis"]
    assert hostile["bridge_crossing"]["points"] == 0
    assert scores["hostile"] == {RULES[rule].grade_id: result["points"] for rule, result in hostile.items()}
    page = course / "feedback" / "hostile" / ASSIGNMENT / f"{ASSIGNMENT}.html"
    assert page.stat().st_size < 2_000_000   # its megabytes of output were cut


def test_tampering_keeps_no_points_and_is_flagged(cycle):
    """`autograde.grade` patched in the kernel scored full marks there; the gradebook, the CSV
    and the feedback hold the out-of-kernel points, and the CSV names each disagreement."""
    course, scores, disagreements, rows = cycle
    assert {(d.student, d.rule, d.in_kernel, d.out_of_kernel) for d in disagreements} == {
        ("hostile", "bridge_crossing", 1.0, 0.0), ("hostile", "discount_grid", 5.0, 0.0)}
    assert scores["hostile"][RULES["bridge_crossing"].grade_id] == 0
    assert float(rows["hostile"]["score"]) == sum(scores["hostile"].values()) == 6
    assert rows["hostile"]["disagreements"] == ("bridge_crossing: 1 in the kernel, 0 out of it; "
                                                "discount_grid: 5 in the kernel, 0 out of it")
    page = html.unescape((course / "feedback" / "hostile" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text())
    assert "Score: 6.0 / 15.0" in page and "Your notebook's kernel reported 5" in page


def secret_lines(submitted: str) -> list[str]:
    """Lines of code a student must never see in feedback: the checks' and the catalogues'
    function bodies and the solution, less what the student's own notebook already holds."""
    lines = []
    for path in [*(HERE / "checks").glob("*.py"), *(HERE / "catalogue").glob("*.py")]:
        source = path.read_text().splitlines()
        for node in ast.walk(ast.parse("\n".join(source))):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if isinstance(node.body[0], ast.Expr) else node.body
                if body:   # not a docstring alone
                    lines += [line.strip() for line in source[body[0].lineno - 1:node.end_lineno]]
    solution = nbformat.read(str(REPO / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
    for region in re.findall(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", "\n".join(c.source for c in solution.cells),
                             flags=re.S):
        lines += [line.strip() for line in region.splitlines()]
    return sorted({line for line in lines if len(line) > 20 and line[0] not in "\"'f+)]}" and line not in submitted})


@pytest.mark.parametrize("kind", KINDS)
def test_feedback_shows_diagnoses_but_no_hidden_test_code(cycle, kind):
    course = cycle[0]
    page = (course / "feedback" / kind / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "HIDDEN TESTS" not in text
    assert "import grade" not in text and 'grade("q_backup"' not in text
    assert 'check("q_backup", q_backup)' in text
    as_json = json.dumps(feedback_json(course, kind), ensure_ascii=False)
    assert [r["rule"] for r in feedback_json(course, kind)["rules"]] == [rule.name for rule in rules_for(ASSIGNMENT)]
    if kind == "half_right":
        for shown in (text, as_json):
            assert "kept backing up after the change fell below tol" in shown
            assert "does not cross to the +10 exit" in shown            # bridge_crossing's diagnosis
        notebook = nbformat.read(str(course / "submitted" / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"), as_version=4)
        secrets = secret_lines("\n".join(cell.source for cell in notebook.cells))
        assert len(secrets) > 100
        for shown in (text, as_json):
            leaked = [line for line in secrets if line in shown]
            assert not leaked, leaked[:5]


def test_command_line_writes_json_and_exits_zero(cycle, tmp_path):
    course = cycle[0]
    notebook = course / "submitted" / "half_right" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    out = tmp_path / "result.json"
    run = subprocess.run([sys.executable, "-m", "autograde", str(notebook), "--json", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert [r["rule"] for r in results] == [rule.name for rule in rules_for(ASSIGNMENT)]
    assert all({"rule", "points", "max_points", "diagnosis"} <= set(r) for r in results)
    assert "total" in run.stdout and "kept backing up" in run.stdout
