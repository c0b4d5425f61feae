"""Reading a submitted notebook: which assignment it is, and which cells hold the answers."""

from __future__ import annotations

from pathlib import Path

import nbformat

from autograde.registry import REPO, assignments, rules_for


def is_answer_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.cell_type == "code" and meta.get("solution", False) and not meta.get("grade", False)


def is_setup_cell(cell) -> bool:
    return cell.cell_type == "code" and "setup" in cell.get("metadata", {}).get("tags", [])


def cells_to_run(notebook) -> list[str]:
    """The setup cells (imports, given helpers) and the student's answer cells, in order.

    Experiments, plots and test cells are not run: grading needs only the answers.
    """
    return [cell.source for cell in notebook.cells if is_setup_cell(cell) or is_answer_cell(cell)]


def detect_assignment(notebook, path: Path) -> str:
    """The assignment a notebook belongs to, from its file name or its grade cells."""
    for assignment in assignments():
        if assignment in path.stem:
            return assignment
    grade_ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook.cells}
    for assignment in assignments():
        if any(rule.grade_id in grade_ids for rule in rules_for(assignment)):
            return assignment
    raise ValueError(f"{path} is not one of this course's assignments ({', '.join(assignments())}): "
                     "name the assignment with --assignment")


def read(path: Path):
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as error:
        raise ValueError(f"{path} is not a readable Jupyter notebook: {error}") from None


def source_notebook(assignment: str) -> Path:
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"
