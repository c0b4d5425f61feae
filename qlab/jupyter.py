"""How the student lab saves notebooks: a widget's output keeps only its plain-text line.

A widget lives in the running kernel; JupyterLab saves only a reference to it, which after
reopening shows "Error displaying widget: model not found" until the cell runs again. The
student lab (``autograde/student_lab/jupyter_server_config.py``) runs ``drop_widget_views``
before each save, so a reopened notebook shows the widget's text instead (for qlab's widgets:
"run this cell to show it again"). The notebook in the browser keeps its live widgets.
"""

from __future__ import annotations

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def drop_widget_views(model: dict, **_) -> None:
    """A jupyter_server pre-save hook: remove widget views from the outputs of a notebook about
    to be saved (``model["content"]``, nbformat JSON), keeping their other forms; an output
    left with none is removed. Other files and outputs are left as they are."""
    if model.get("type") != "notebook" or not isinstance(model.get("content"), dict):
        return
    for cell in model["content"].get("cells", []):
        if cell.get("outputs"):
            cell["outputs"] = [output for output in map(without_widget_view, cell["outputs"]) if output is not None]


def without_widget_view(output: dict) -> dict | None:
    """``output`` without its widget view; None when nothing else was in it."""
    data = output.get("data")
    if not isinstance(data, dict) or WIDGET_VIEW not in data:
        return output
    rest = {mime: value for mime, value in data.items() if mime != WIDGET_VIEW}
    return {**output, "data": rest} if rest else None
