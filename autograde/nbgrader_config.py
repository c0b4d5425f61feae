"""nbgrader configuration for this course (pass with --config autograde/nbgrader_config.py).

Source notebooks live in solutions/, student releases in notebooks/ (the repository root is
the course root). ``make release`` and ``make grade`` use this file.
"""

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from autograde.feedback import ScrubTracebacks

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file

c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "notebooks"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hypothesis"]

# Grading runs every check of a rule in its test cell: allow it time, and interrupt a hang.
c.Execute.timeout = 120
c.Execute.interrupt_on_timeout = True

# Feedback must not show the hidden tests (nbgrader shows them by default: jupyter/nbgrader#917),
# neither in the cells nor quoted in an error's traceback.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ScrubTracebacks, CSSHTMLHeaderPreprocessor]
c.ClearHiddenTests.enforce_metadata = False
