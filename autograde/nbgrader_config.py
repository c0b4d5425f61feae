"""nbgrader configuration for this course (pass with --config autograde/nbgrader_config.py).

Source notebooks live in solutions/, student releases in notebooks/ (the repository root is
the course root). ``make release`` and ``make nbgrader-cycle`` use this file.
"""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,
                                    IgnorePattern, LimitOutput, SaveAutoGrades)

from autograde.feedback_math import RenderMath
from autograde.preprocessors import CapOutput, GradingExecute, ScrubTracebacks

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hypothesis", "runs"]  # runs: training output

# A cell may run for a minute: a test cell runs all of a rule's checks in that time (they are
# bounded to 50 s together, each call of the student's function to 10 s). A hang is
# interrupted, and the experiment cells after it are skipped (GradingExecute).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# autograde: nbgrader's own steps, with Execute under a memory limit (GradingExecute) and each
# cell's output capped by characters as well as by lines.
c.Autograde.autograde_preprocessors = [GradingExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       CapOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]

# Feedback must not show the hidden tests (nbgrader shows them by default: jupyter/nbgrader#917),
# neither in the cells nor quoted in an error's traceback. Its math is drawn beforehand
# (RenderMath), so a page opened offline shows formulas, not the TeX MathJax would typeset.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ScrubTracebacks, CapOutput, RenderMath,
                                    CSSHTMLHeaderPreprocessor]
c.ClearHiddenTests.enforce_metadata = False
