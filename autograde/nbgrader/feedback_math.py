"""Math in feedback pages that reads without a network.

nbgrader's feedback page loads MathJax from a CDN to typeset the ``$…$`` of markdown cells;
a student who opens the page offline sees the raw TeX. ``RenderMath`` (one of
``GenerateFeedback``'s preprocessors, see nbgrader_config.py) draws each formula of the
markdown cells beforehand with matplotlib's mathtext, as an inline SVG image whose ``alt``
text is the TeX. mathtext knows most of the TeX a course uses; a few commands it lacks are
rewritten to ones it knows (``\\tfrac12`` to ``\\frac{1}{2}``, ``\\text`` to ``\\mathrm``...), and a
formula it still cannot draw is shown as its TeX in code font.
"""

from __future__ import annotations

import base64
import html
import io
import re
from functools import lru_cache

from nbgrader.preprocessors import NbGraderPreprocessor

__all__ = ["RenderMath", "render_math"]

# Code (fenced blocks, then inline spans) is left alone; math is $$…$$ or $…$, not \$.
_CODE = re.compile(r"(```.*?```|`[^`\n]*`)", re.S)
_MATH = re.compile(r"\$\$(?P<display>.+?)\$\$|(?<![\\$])\$(?!\$)(?P<inline>[^$]+?)(?<![\\$])\$", re.S)

_REWRITES = [  # (TeX mathtext lacks, what it knows instead)
    (r"\\(?:big|Big|bigg|Bigg)(?:l|r)?(?![a-zA-Z])", ""),
    (r"\\left(?![a-zA-Z])|\\right(?![a-zA-Z])", ""),
    (r"\\[lr]vert(?![a-zA-Z])", "|"),
    (r"\\[lr]Vert(?![a-zA-Z])", r"\\Vert "),
    (r"\\[td]frac(?![a-zA-Z])", r"\\frac"),
    (r"\\frac\s*([0-9a-zA-Z])\s*([0-9a-zA-Z])", r"\\frac{\1}{\2}"),
    (r"\\(mathcal|mathbb|mathrm|hat|bar|tilde|vec)\s+([a-zA-Z])", r"\\\1{\2}"),
    (r"\\le(?![a-zA-Z])", r"\\leq"),
    (r"\\ge(?![a-zA-Z])", r"\\geq"),
    (r"\\top(?![a-zA-Z])", r"\\mathsf{T}"),
    (r"\\(arg|operatorname)(?![a-zA-Z])", r"\\mathrm{arg}"),
]


class RenderMath(NbGraderPreprocessor):
    """Draw the formulas of markdown cells as inline images, so feedback reads offline."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == "markdown":
            cell.source = render_math(cell.source)
        return cell, resources


def render_math(markdown: str) -> str:
    """``markdown`` with each formula outside code replaced by an image of it (or its TeX)."""
    parts = _CODE.split(markdown)
    return "".join(part if i % 2 else _MATH.sub(_formula_html, part) for i, part in enumerate(parts))


def _formula_html(match: re.Match) -> str:
    display = match.group("display") is not None
    tex = (match.group("display") if display else match.group("inline")).strip()
    image = _svg(_mathtext(tex), 15 if display else 12)
    if image is None:
        shown = f"<code>{html.escape(tex)}</code>"
    else:
        style = "vertical-align: middle" if not display else "display: block; margin: 0.5em auto"
        shown = f'<img style="{style}" alt="{html.escape(tex, quote=True)}" src="data:image/svg+xml;base64,{image}"/>'
    return f"\n\n{shown}\n\n" if display else shown


def _mathtext(tex: str) -> str:
    """``tex`` rewritten into what mathtext draws: one line, without the commands it lacks."""
    tex = " ".join(tex.split())
    tex = re.sub(r"\\text\{([^}]*)\}", lambda m: r"\mathrm{" + m.group(1).replace(" ", r"\ ") + "}", tex)
    for pattern, replacement in _REWRITES:
        tex = re.sub(pattern, replacement, tex)
    return _underbraces(tex)


def _underbraces(tex: str) -> str:
    """``\\underbrace{x}_{y}`` (which mathtext lacks) as x underlined, with y under it."""
    start = tex.find(r"\underbrace{")
    if start < 0:
        return tex
    body_end = _closing_brace(tex, start + len(r"\underbrace{") - 1)
    label = re.match(r"\s*_\s*\{", tex[body_end + 1:])
    if body_end < 0 or label is None:
        return tex
    label_start = body_end + 1 + label.end() - 1
    label_end = _closing_brace(tex, label_start)
    if label_end < 0:
        return tex
    body, under = tex[start + len(r"\underbrace{"):body_end], tex[label_start + 1:label_end]
    return tex[:start] + rf"\underset{{{under}}}{{\underline{{{body}}}}}" + _underbraces(tex[label_end + 1:])


def _closing_brace(tex: str, opening: int) -> int:
    """The index of the brace that closes the one at ``opening``; -1 if none does."""
    depth = 0
    for i in range(opening, len(tex)):
        depth += {"{": 1, "}": -1}.get(tex[i], 0) if tex[i - 1] != "\\" else 0
        if depth == 0:
            return i
    return -1


@lru_cache(maxsize=1024)
def _svg(tex: str, size: int) -> str | None:
    """The formula as a base64 SVG, or None if mathtext cannot draw it."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.mathtext import math_to_image

    buffer = io.BytesIO()
    try:
        math_to_image(f"${tex}$", buffer, prop=FontProperties(size=size), format="svg")
    except (ValueError, RuntimeError):
        return None
    return base64.b64encode(buffer.getvalue()).decode("ascii")
