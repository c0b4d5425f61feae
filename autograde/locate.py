"""Which notebook ``qlab-check`` grades: a path, an assignment (``04`` or ``04_dqn``), or the one
notebook of the current folder.

An assignment is looked up from the folder the command runs in, so the same words work in
every terminal JupyterLab opens: the course's root (``./04_dqn/04_dqn.ipynb``), the
repository (``./notebooks/04_dqn/04_dqn.ipynb``) and the notebook's own folder
(``./04_dqn.ipynb``).
"""

from __future__ import annotations

from pathlib import Path

from autograde.registry import assignments

EXAMPLE = "qlab-check 01"


class NotebookNotFound(LookupError):
    """Nothing to grade was found; the message (one line) says what to type instead."""


def find_notebook(target: str | None, here: Path) -> tuple[Path, str | None]:
    """The notebook ``qlab-check TARGET`` means in the folder ``here``, and its assignment id when
    TARGET named one (None otherwise: the grader reads it from the notebook)."""
    if target is None:
        return only_notebook(here), None
    path = Path(target)
    if path.suffix == ".ipynb" or (here / path).is_file():
        return path, None  # a file: the grader says what is wrong with it, if anything
    if (here / path).is_dir():
        return only_notebook(here / path), None
    assignment = assignment_id(target)
    return notebook_of(assignment, here), assignment


def assignment_id(name: str) -> str:
    """The assignment ``name`` means: its id (``04_dqn``) or its number (``04`` or ``4``)."""
    known = assignments()
    if name in known:
        return name
    if name.isdigit():
        for assignment in known:
            if assignment.split("_")[0] == f"{int(name):02d}":
                return assignment
    raise NotebookNotFound(f"{name!r} is neither a notebook, a folder nor an assignment; "
                           f"the assignments are {', '.join(known)} (e.g. {EXAMPLE})")


def notebook_of(assignment: str, here: Path) -> Path:
    """The student's notebook of ``assignment``, seen from ``here``."""
    name = f"{assignment}.ipynb"
    places = [Path(assignment), Path("notebooks") / assignment, Path(".")]
    for place in places:
        if (here / place / name).is_file():
            return place / name
    raise NotebookNotFound(f"no {name} in ./{assignment}, ./notebooks/{assignment} or this folder ({here}); "
                           "go to the course's folder (cd) or give the notebook's path")


def only_notebook(folder: Path) -> Path:
    """The one notebook in ``folder``; when there is none or several, say what to type."""
    notebooks = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("."))
    if len(notebooks) == 1:
        return notebooks[0]
    if not notebooks:
        raise NotebookNotFound(f"no notebook in {folder}: name the assignment (e.g. {EXAMPLE}) "
                               "or the notebook's path")
    names = ", ".join(p.name for p in notebooks)
    raise NotebookNotFound(f"{len(notebooks)} notebooks in {folder} ({names}): name one of them "
                           f"or the assignment (e.g. {EXAMPLE})")
