"""Feedback pages show formulas without MathJax's CDN: the math of markdown cells is drawn
beforehand (autograde.nbgrader.feedback_math), with its TeX kept as the image's alt text."""

import base64
import re
from pathlib import Path

import nbformat
from nbconvert.exporters import HTMLExporter
from traitlets.config import Config

from nbgrader.converters import GenerateFeedback

from autograde.nbgrader.feedback_math import RenderMath, render_math

REPO = Path(__file__).resolve().parents[1]


def test_inline_and_display_math_become_images_and_code_stays():
    out = render_math("the discount $\\gamma$, `price = $5`, and\n$$y = r + \\gamma\\,\\max_{a'} Q(s', a')$$\n"
                      "costs \\$3")
    assert out.count("<img") == 2 and 'alt="\\gamma"' in out
    assert "`price = $5`" in out and "costs \\$3" in out
    svg = base64.b64decode(out.split("base64,")[1].split('"')[0])
    assert svg.lstrip().startswith(b"<?xml") and b"<svg" in svg


def test_tex_that_mathtext_lacks_is_rewritten_or_shown_as_code():
    for tex in ["\\tfrac12 \\big(y - w\\big)^2", "\\mathcal N(0, 1)", "\\lVert x \\rVert \\le 1",
                "\\underbrace{r + \\gamma (1 - \\text{terminated})}_{\\text{target } y}"]:
        assert "<img" in render_math(f"${tex}$"), tex
    assert render_math("$\\begin{nonsense}x$") == "<code>\\begin{nonsense}x</code>"


def test_a_feedback_page_of_a_course_notebook_has_no_raw_tex():
    notebook = nbformat.read(REPO / "notebooks/01_value_iteration/01_value_iteration.ipynb", as_version=4)
    assert any("$" in cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    for cell in notebook.cells:
        cell.metadata.pop("nbgrader", None)       # no grades to show: the page's markdown is what counts here
    config = Config(GenerateFeedback().config)      # nbgrader's feedback template, as generate_feedback uses it
    config.HTMLExporter.preprocessors = [RenderMath]
    page, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources={"nbgrader": {
        "notebook": "01", "score": 0, "max_score": 0, "late_penalty": 0}})
    body = page.split("<body", 1)[1]
    assert body.count('src="data:image/svg+xml;base64,') > 10
    text_only = re.sub(r"<[^>]*>", "", body)                  # what a page without MathJax shows
    assert "\\gamma" not in text_only and "\\max_" not in text_only
