"""`qlab-check 04` and plain `qlab-check` find the student's notebook from every folder a lab
terminal may start in; when nothing fits, one line says what to type, never a traceback."""

import shutil
from pathlib import Path

import pytest

from autograde.__main__ import main as self_check
from autograde.locate import NotebookNotFound, find_notebook
from autograde.registry import REPO

RELEASE = REPO / "notebooks" / "01_value_iteration" / "01_value_iteration.ipynb"


@pytest.fixture
def course(tmp_path):
    """A repository-like folder: notebooks/01_value_iteration/01_value_iteration.ipynb and 04's."""
    for assignment in ("01_value_iteration", "04_dqn"):
        folder = tmp_path / "notebooks" / assignment
        folder.mkdir(parents=True)
        (folder / f"{assignment}.ipynb").write_text("{}")
    return tmp_path


@pytest.mark.parametrize("where, target, found", [
    ("", "04", "notebooks/04_dqn/04_dqn.ipynb"),                 # the repository (make lab's own folder)
    ("notebooks", "04", "04_dqn/04_dqn.ipynb"),                  # the lab's root
    ("notebooks", "4", "04_dqn/04_dqn.ipynb"),
    ("notebooks/04_dqn", "04", "04_dqn.ipynb"),                  # the notebook's folder
    ("notebooks/04_dqn", None, "{here}/04_dqn.ipynb"),           # plain qlab-check there
    ("notebooks", "04_dqn", "{here}/04_dqn/04_dqn.ipynb"),      # its folder: that folder's notebook
    ("notebooks", "01_value_iteration/", "{here}/01_value_iteration/01_value_iteration.ipynb"),
    ("notebooks", "elsewhere/mine.ipynb", "elsewhere/mine.ipynb"),  # a path is taken as it is
])
def test_an_assignment_or_nothing_finds_the_notebook(course, where, target, found):
    here = course / where
    path, _ = find_notebook(target, here)
    assert str(path) == found.format(here=here)


def test_an_assignment_by_number_is_graded_as_that_assignment(course):
    assert find_notebook("4", course) == (Path("notebooks/04_dqn/04_dqn.ipynb"), "04_dqn")
    assert find_notebook(None, course / "notebooks" / "04_dqn")[1] is None  # read from the notebook


@pytest.mark.parametrize("where, target, says", [
    ("notebooks", "99", "'99' is neither a notebook, a folder nor an assignment; the assignments are 01_value_iteration,"),
    ("notebooks", "dqn", "'dqn' is neither a notebook, a folder nor an assignment"),
    ("notebooks", "02", "no 02_q_learning.ipynb in ./02_q_learning, ./notebooks/02_q_learning or this folder"),
    ("notebooks", None, "no notebook in {here}: name the assignment (e.g. qlab-check 01) or the notebook's path"),
    ("two", None, "2 notebooks in {here} (a.ipynb, b.ipynb): name one of them or the assignment (e.g. qlab-check 01)"),
])
def test_nothing_found_says_what_to_type_in_one_line(course, monkeypatch, capsys, where, target, says):
    (course / "two").mkdir()
    for name in ("a", "b"):
        (course / "two" / f"{name}.ipynb").write_text("{}")
    here = course / where
    with pytest.raises(NotebookNotFound):
        find_notebook(target, here)
    monkeypatch.chdir(here)
    assert self_check([] if target is None else [target]) == 2
    error = capsys.readouterr().err
    assert error.startswith("qlab-check: " + says.format(here=here)) and error.count("\n") == 1, error


@pytest.mark.slow
def test_qlab_check_01_grades_the_release_from_its_folder(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "01_value_iteration"
    folder.mkdir()
    shutil.copy(RELEASE, folder)
    monkeypatch.chdir(folder)
    assert self_check(["01", "--no-isolation"]) == 0
    report = capsys.readouterr().out
    assert "q_backup" in report and "total" in report
