"""The whole grading cycle on real notebooks: nbgrader's generate_assignment, autograde,
generate_feedback and export, and the out-of-kernel grader on the same submissions."""

import html
import json
import re
import subprocess
import sys
import time

import pytest

from autograde.cycle import cross_check, gradebook_scores, run_cycle
from autograde.offline import grade_notebook
from autograde.registry import RULES, rules_for
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
    run_cycle(ASSIGNMENT, submissions, course, cell_timeout=15)
    print(f"\nnbgrader cycle for {len(KINDS)} submissions: {time.perf_counter() - started:.0f} s")
    return course, gradebook_scores(course, ASSIGNMENT, KINDS)


@pytest.fixture(scope="module")
def offline(cycle):
    course, _ = cycle
    results = {}
    for kind in KINDS:
        started = time.perf_counter()
        results[kind] = {r.rule: r for r in grade_notebook(course / "submitted" / kind / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")}
        print(f"out-of-kernel grading of {kind}: {time.perf_counter() - started:.1f} s")
    return results


def total(scores):
    return sum(scores.values())


def test_gradebook_scores_full_zero_and_partial(cycle):
    _, scores = cycle
    assert total(scores["solution"]) == MAX
    assert total(scores["release"]) == 0
    assert 0 < total(scores["half_right"]) < MAX
    assert scores["half_right"][RULES["q_backup"].grade_id] == RULES["q_backup"].points
    assert scores["half_right"][RULES["bridge_crossing"].grade_id] == 0
    assert scores["half_right"][RULES["discount_grid"].grade_id] == 3.0


@pytest.mark.parametrize("kind", ["solution", "release", "half_right"])
def test_out_of_kernel_grader_agrees_with_nbgrader(cycle, offline, kind):
    _, scores = cycle
    for rule, result in offline[kind].items():
        assert scores[kind][RULES[rule].grade_id] == pytest.approx(result.points), f"{kind}: {rule}"


def test_hostile_submission_is_graded_for_what_it_got_right(cycle, offline):
    """It hangs, floods stdout, kills its kernel and tampers with `grade`; the batch went on."""
    _, scores = cycle
    hostile = offline["hostile"]
    assert hostile["q_backup"].points == 4 and hostile["greedy_policy"].points == 2
    assert hostile["value_iteration"].points == 0 and "did not return within" in hostile["value_iteration"].diagnosis
    assert hostile["discount_grid"].points == 0 and "crashed the Python process" in hostile["discount_grid"].diagnosis
    assert hostile["bridge_crossing"].points == 0
    assert scores["hostile"][RULES["q_backup"].grade_id] == 4      # nbgrader graded it after the kernel died
    assert scores["hostile"][RULES["value_iteration"].grade_id] == 0


def test_cross_check_reports_the_tampering(cycle):
    course, _ = cycle
    warnings = cross_check(ASSIGNMENT, course)
    assert len(warnings) == 2
    assert all(w.startswith("hostile:") for w in warnings)
    assert any("bridge_crossing" in w for w in warnings) and any("discount_grid" in w for w in warnings)


@pytest.mark.parametrize("kind", KINDS)
def test_feedback_shows_diagnoses_but_no_hidden_test_code(cycle, kind):
    course, _ = cycle
    page = (course / "feedback" / kind / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "HIDDEN TESTS" not in text
    assert "import grade" not in text and 'grade("q_backup"' not in text
    assert 'check("q_backup", q_backup)' in text
    if kind == "half_right":
        assert "kept backing up after the change fell below tol" in text


def test_command_line_writes_json_and_exits_zero(cycle, tmp_path):
    course, _ = cycle
    notebook = course / "submitted" / "half_right" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    out = tmp_path / "result.json"
    run = subprocess.run([sys.executable, "-m", "autograde", str(notebook), "--json", str(out)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    results = json.loads(out.read_text())
    assert [r["rule"] for r in results] == [rule.name for rule in rules_for(ASSIGNMENT)]
    assert all({"rule", "points", "max_points", "diagnosis"} <= set(r) for r in results)
    assert "total" in run.stdout and "kept backing up" in run.stdout
