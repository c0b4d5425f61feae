"""notebooks/ is exactly what `make release` (nbgrader generate_assignment) makes from
solutions/, and leaks no solution code and no hidden test; notebooks carry no outputs."""

import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from autograde.notebook import is_answer_cell
from autograde.registry import HERE, REPO, RULES, assignments

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
