"""Reading a submitted notebook: which assignment it is, and which cells hold the answers.

The cell helpers take nbformat's cells or the plain ones ``read`` returns.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograde.registry import REPO, assignments, rules_for


def is_answer_cell(cell) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return cell.get("cell_type") == "code" and meta.get("solution", False) and not meta.get("grade", False)


def is_setup_cell(cell) -> bool:
    return cell.get("cell_type") == "code" and "setup" in cell.get("metadata", {}).get("tags", [])


def cells_to_run(notebook) -> list[str]:
    """The setup cells (imports, given helpers) and the student's answer cells, in order.

    Experiments, plots and test cells are not run: grading needs only the answers.
    """
    return [cell["source"] for cell in notebook["cells"] if is_setup_cell(cell) or is_answer_cell(cell)]


def detect_assignment(notebook, path: Path) -> str:
    """The assignment a notebook belongs to, from its file name or its grade cells."""
    for assignment in assignments():
        if assignment in path.stem:
            return assignment
    grade_ids = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in notebook["cells"]}
    for assignment in assignments():
        if any(rule.grade_id in grade_ids for rule in rules_for(assignment)):
            return assignment
    raise ValueError(f"{path} is not one of this course's assignments ({', '.join(assignments())}): "
                     "name the assignment with --assignment")


def read(path: Path) -> dict:
    """The notebook (format 4) as plain JSON, each cell's source one string.

    Read without nbformat, whose schema validator adds over a second of imports to every
    grading; a notebook JupyterLab or nbgrader wrote is format 4.
    """
    try:
        notebook = json.loads(Path(path).read_bytes())
    except (OSError, ValueError) as error:
        raise ValueError(f"{path} is not a readable Jupyter notebook: {error}") from None
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4 or not isinstance(cells, list) \
            or not all(isinstance(cell, dict) for cell in cells):
        raise ValueError(f"{path} is not a readable Jupyter notebook: expected the JSON of a format 4 notebook "
                         "(\"nbformat\": 4 and a list of cells)")
    for cell in cells:
        source = cell.get("source", "")
        if isinstance(source, list) and all(isinstance(line, str) for line in source):
            source = "".join(source)
        if not isinstance(source, str):
            raise ValueError(f"{path} is not a readable Jupyter notebook: a cell's source is neither text nor "
                             "a list of lines")
        cell["source"] = source
    return notebook


def source_notebook(assignment: str) -> Path:
    return REPO / "solutions" / assignment / f"{assignment}.ipynb"
