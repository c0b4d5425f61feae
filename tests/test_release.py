"""notebooks/ is exactly what `make release` (nbgrader generate_assignment) makes from
solutions/, and leaks no solution code and no hidden test; notebooks carry no outputs.
`make release` never overwrites or deletes anyone's work in notebooks/."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde.notebook import is_answer_cell
from autograde.registry import HERE, REPO, RULES, assignments
from autograde.classroom.release import WorkAtRisk, is_work, release

SOURCES = sorted((REPO / "solutions").glob("*/*.ipynb"))
RELEASES = sorted((REPO / "notebooks").glob("*/*.ipynb"))


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    course = tmp_path_factory.mktemp("release")
    for assignment in sorted(p.parent.name for p in SOURCES):
        subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", assignment, "--no-db", "--force",
                        f"--CourseDirectory.root={course}", f"--CourseDirectory.source_directory={REPO / 'solutions'}",
                        "--CourseDirectory.release_directory=release"],
                       check=True, capture_output=True, env={"JUPYTER_CONFIG_PATH": str(HERE),
                                                             "PATH": str(Path(sys.executable).parent)})
    return course / "release"


def test_every_assignment_with_rules_has_a_source_and_a_release():
    for assignment in assignments():
        assert (REPO / "solutions" / assignment / f"{assignment}.ipynb").exists()
        assert (REPO / "notebooks" / assignment / f"{assignment}.ipynb").exists()


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.parent.name)
def test_release_is_up_to_date(release, regenerated):
    fresh = regenerated / release.parent.name / release.name
    assert json.loads(release.read_text()) == json.loads(fresh.read_text()), \
        f"{release} is stale: run `make release` and commit notebooks/"


@pytest.mark.parametrize("release", RELEASES, ids=lambda p: p.parent.name)
def test_release_leaks_no_solution_and_no_hidden_test(release):
    text = release.read_text()
    for marker in ["BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "import grade"]:
        assert marker not in text
    source = nbformat.read(str(REPO / "solutions" / release.parent.name / release.name), as_version=4)
    released = "\n".join(c.source for c in nbformat.read(str(release), as_version=4).cells)
    pattern = r"### BEGIN SOLUTION\n(.*?)### END SOLUTION"
    given = {line.strip() for c in source.cells for line in re.sub(pattern, "", c.source, flags=re.S).splitlines()}
    for cell in source.cells:
        for region in re.findall(pattern, cell.source, flags=re.S):
            for line in region.splitlines():
                if len(line.strip()) > 12 and line.strip() not in given:  # lines the notebook shows anyway are no leak
                    assert line.strip() not in released, f"solution line leaked into {release}: {line.strip()!r}"


@pytest.mark.parametrize("path", SOURCES + RELEASES, ids=lambda p: f"{p.parts[-3]}/{p.parent.name}")
def test_notebooks_are_source_code(path):
    notebook = nbformat.read(str(path), as_version=4)
    nbformat.validate(notebook)
    ids = [cell.id for cell in notebook.cells]
    assert len(ids) == len(set(ids)), "cell ids must be unique"
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, f"{path}: cell {cell.id} has outputs"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.parent.name)
def test_every_graded_rule_has_an_answer_and_a_test_cell_worth_its_points(source):
    notebook = nbformat.read(str(source), as_version=4)
    test_cells = {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells
                  if c.get("metadata", {}).get("nbgrader", {}).get("grade")}
    answers = "\n".join(c.source for c in notebook.cells if is_answer_cell(c))
    rules = [rule for rule in RULES.values() if rule.assignment == source.parent.name]
    assert {rule.grade_id for rule in rules} == set(test_cells)
    for rule in rules:
        cell = test_cells[rule.grade_id]
        assert cell.metadata["nbgrader"]["points"] == rule.points
        assert f'check("{rule.name}", {rule.name})' in cell.source
        assert cell.source.rstrip().endswith("### END HIDDEN TESTS")
        assert f'grade("{rule.name}", {rule.name})' in cell.source.split("### BEGIN HIDDEN TESTS")[1]
        assert f"def {rule.name}(" in answers


ASSIGNMENT = "01_value_iteration"


def commit(folder: Path, message: str) -> None:
    for command in (["add", "-A"], ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", message]):
        subprocess.run(["git", *command], cwd=folder, check=True, capture_output=True)


@pytest.fixture
def checkout(tmp_path):
    """A git checkout whose notebooks/ holds the assignment's release as committed."""
    notebooks = tmp_path / "notebooks"
    shutil.copytree(REPO / "notebooks" / ASSIGNMENT, notebooks / ASSIGNMENT)
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    commit(tmp_path, "release")
    (tmp_path / "course").mkdir()
    return notebooks


def release_into(notebooks: Path) -> list[str]:
    return release([ASSIGNMENT], notebooks, course=notebooks.parent / "course",
                   record=notebooks.parent / "released.json")


def test_release_keeps_what_it_does_not_make(checkout):
    """A trained agent under runs/ (or any file the release does not make) stays."""
    agent = checkout / ASSIGNMENT / "runs" / "agent.pt"
    agent.parent.mkdir()
    agent.write_bytes(b"weights")
    assert release_into(checkout) == []
    assert agent.read_bytes() == b"weights"


def test_release_refuses_to_overwrite_a_students_edits_and_changes_nothing(checkout):
    notebook = checkout / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    edited = notebook.read_text().replace("# YOUR CODE HERE", "return 42  # my answer", 1)
    notebook.write_text(edited)
    with pytest.raises(WorkAtRisk, match=f"{ASSIGNMENT}.ipynb"):
        release_into(checkout)
    assert notebook.read_text() == edited


def test_release_updates_what_git_or_the_last_release_wrote(checkout):
    notebook = checkout / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    fresh = notebook.read_bytes()
    notebook.write_text(notebook.read_text().replace("value iteration", "an older wording"))
    commit(checkout.parent, "a stale release")
    assert release_into(checkout) == [f"wrote {notebook}"]
    assert notebook.read_bytes() == fresh
    released = json.loads((checkout.parent / "released.json").read_text())
    assert not is_work(notebook, released), "what the last release wrote is the release's to replace"
    notebook.write_bytes(fresh + b"\n")
    assert is_work(notebook, released)
