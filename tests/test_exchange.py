"""nbgrader's exchange cycle on this course, as a class on a JupyterHub runs it: the instructor
releases, a student fetches and submits, the instructor collects, autogrades, generates and
releases feedback, the student fetches it. Plain nbgrader commands with the course's
configuration, a temporary exchange and a temporary course folder; the student's copy is
half right and tampers with the grader in its kernel, so the feedback must show the
out-of-kernel points and diagnoses."""

import copy
import html
import logging
import os
import subprocess
import sys
from types import SimpleNamespace

import nbformat
import pytest
from traitlets.config.loader import PyFileConfigLoader

from autograde.registry import HERE, REPO, RULES, rules_for
from submissions import ASSIGNMENT, HALF_RIGHT, HOSTILE, make

STUDENT = "alice"
RULES_OF_01 = rules_for(ASSIGNMENT)
# q_backup 4, value_iteration 0, greedy_policy 2, bridge_crossing 0 (though its kernel claims 1), discount_grid 3
EXPECTED = {"q_backup": 4, "value_iteration": 0, "greedy_policy": 2, "bridge_crossing": 0, "discount_grid": 3}


def git_status() -> str:
    return subprocess.run(["git", "status", "--porcelain", "--ignored=no"], cwd=REPO, capture_output=True,
                          text=True, check=True).stdout


def nbgrader(cwd, *args, config=True):
    """One nbgrader command; the instructor's run with the course's configuration, the student's without."""
    env = dict(os.environ, PATH=os.pathsep.join([str(os.path.dirname(sys.executable)), os.environ["PATH"]]),
               JUPYTER_CONFIG_PATH=str(HERE) if config else str(cwd))
    result = subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=cwd, env=env, capture_output=True,
                            text=True)
    assert result.returncode == 0, f"nbgrader {args[0]} failed:\n{result.stderr[-4000:]}"
    return result.stderr


@pytest.fixture(scope="module")
def cycle(tmp_path_factory):
    root = tmp_path_factory.mktemp("exchange-cycle")
    course, exchange, home = root / "course", root / "exchange", root / STUDENT
    for folder in (course, exchange, home):
        folder.mkdir()
    exchange.chmod(0o777)   # nbgrader's exchange is shared by every user
    before = git_status()
    where = [f"--CourseDirectory.root={course}", "--CourseDirectory.release_directory=release",
             f"--Exchange.root={exchange}"]
    student = [f"--Exchange.root={exchange}", "--course=qlab", f"--student={STUDENT}"]

    def instructor(*args):
        return nbgrader(REPO, *args, *where)

    def as_student(*args):
        return nbgrader(home, *args, *student, config=False)

    instructor("generate_assignment", ASSIGNMENT, "--force")
    instructor("release_assignment", ASSIGNMENT)
    as_student("fetch_assignment", ASSIGNMENT)
    fetched = home / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert fetched.is_file()
    make(fetched, "half_right", answers={**HALF_RIGHT, "bridge_crossing_answer": HOSTILE["bridge_crossing_answer"]})
    as_student("submit", ASSIGNMENT)
    instructor("collect", ASSIGNMENT)
    autograde_log = instructor("autograde", ASSIGNMENT)
    instructor("generate_feedback", ASSIGNMENT)
    instructor("release_feedback", ASSIGNMENT)
    as_student("fetch_feedback", ASSIGNMENT)
    return SimpleNamespace(course=course, home=home, autograde_log=autograde_log, git_before=before,
                           git_after=git_status())


@pytest.mark.slow
def test_the_student_fetches_feedback_with_the_out_of_kernel_points(cycle):
    pages = list((cycle.home / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
    assert len(pages) == 1, "fetch_feedback brought back one feedback page"
    page = html.unescape(pages[0].read_text())
    assert f"Score: {sum(EXPECTED.values()):.1f} / 15.0" in page
    assert "bridge_crossing: 0 / 1 points." in page and "Your notebook's kernel reported 1" in page
    assert "BEGIN HIDDEN TESTS" not in page and "from autograde import grade" not in page


@pytest.mark.slow
def test_the_gradebook_holds_the_out_of_kernel_points(cycle):
    from autograde.nbgrader.cycle import gradebook_scores

    scores = gradebook_scores(cycle.course, ASSIGNMENT, [STUDENT])[STUDENT]
    assert scores == {RULES[rule].grade_id: float(points) for rule, points in EXPECTED.items()}
    feedback = (cycle.course / "feedback" / STUDENT / ASSIGNMENT / f"{ASSIGNMENT}.json").read_text()
    assert '"points": 9.0' in feedback


@pytest.mark.slow
def test_autograde_reports_the_tampering_and_no_false_alarm(cycle):
    assert "bridge_crossing: 1 in the kernel, 0 out of it" in cycle.autograde_log
    assert "has changed!" not in cycle.autograde_log   # the hidden tests come back without a warning per cell


@pytest.mark.slow
def test_a_class_cycle_leaves_the_repository_clean(cycle):
    assert cycle.git_after == cycle.git_before


def test_grading_state_goes_to_an_ignored_course_folder():
    """With the course's configuration as shipped, every path nbgrader writes a class's work to
    is in grading/course/, which git ignores."""
    from nbgrader.coursedir import CourseDirectory

    config = PyFileConfigLoader("nbgrader_config.py", path=str(HERE)).load_config()
    coursedir = CourseDirectory(config=config)
    assert coursedir.root == str(REPO / "grading" / "course")
    assert coursedir.db_url == f"sqlite:///{REPO / 'grading' / 'course' / 'gradebook.db'}"
    written = [coursedir.format_path(step, STUDENT, ASSIGNMENT) + f"/{ASSIGNMENT}.ipynb"
               for step in (coursedir.submitted_directory, coursedir.autograded_directory,
                            coursedir.feedback_directory)]
    written.append(coursedir.db_url.removeprefix("sqlite:///"))
    for path in written:
        ignored = subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=REPO)
        assert ignored.returncode == 0, f"{path} is not ignored by git"


@pytest.fixture(scope="module")
def gradebook(tmp_path_factory):
    """A course whose gradebook holds the assignment (its test cells with their hidden tests)."""
    course = tmp_path_factory.mktemp("course")
    nbgrader(REPO, "generate_assignment", ASSIGNMENT, "--force", f"--CourseDirectory.root={course}",
             "--CourseDirectory.release_directory=release")
    return f"sqlite:///{course / 'gradebook.db'}"


def restore(preprocessor_class, notebook, db_url, caplog):
    resources = {"nbgrader": {"notebook": ASSIGNMENT, "assignment": ASSIGNMENT, "db_url": db_url}}
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="restore"):
        restored, _ = preprocessor_class(log=logging.getLogger("restore")).preprocess(notebook, resources)
    return restored, [r.getMessage() for r in caplog.records]


def test_hidden_tests_come_back_without_a_warning_per_test_cell(gradebook, tmp_path, caplog):
    """nbgrader warns "Attribute 'checksum' … has changed!" for every test cell of every
    submission, because the release has the hidden tests cut out; RestoreHiddenTests restores
    the same cells and warns only about a locked cell the student really edited."""
    from nbgrader.preprocessors import OverwriteCells

    from autograde.nbgrader.preprocessors import RestoreHiddenTests

    submission = nbformat.read(str(make(tmp_path / "s.ipynb", "half_right")), as_version=4)
    by_nbgrader, nbgrader_warnings = restore(OverwriteCells, copy.deepcopy(submission), gradebook, caplog)
    assert len([w for w in nbgrader_warnings if "'checksum'" in w]) == len(RULES_OF_01)
    ours, warnings = restore(RestoreHiddenTests, copy.deepcopy(submission), gradebook, caplog)
    assert warnings == []
    assert [c.source for c in ours.cells] == [c.source for c in by_nbgrader.cells]
    assert sum("### BEGIN HIDDEN TESTS" in c.source for c in ours.cells) == len(RULES_OF_01)

    test_cell = next(c for c in submission.cells if c.metadata.get("nbgrader", {}).get("grade"))
    test_cell.source = "pass  # a student's edit of a locked cell"
    ours, warnings = restore(RestoreHiddenTests, submission, gradebook, caplog)
    assert len(warnings) == 1 and "has changed!" in warnings[0]
    assert "### BEGIN HIDDEN TESTS" in next(c for c in ours.cells if c.metadata.get("nbgrader", {}).get("grade")).source
