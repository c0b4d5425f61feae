"""nbgrader configuration for this course (found through JUPYTER_CONFIG_PATH=autograde, which
the Makefile sets).

Source notebooks live in solutions/, student releases in notebooks/; the grading state (the
gradebook, submitted/, autograded/, feedback/) lives in the course folder grading/course/,
ignored by git, so a class's work never lands in the repository. nbgrader's commands find all
three from any working folder. ``make release``, ``make nbgrader-cycle`` and plain
``nbgrader`` commands use this file; ``--CourseDirectory.root=…`` on the command line moves
the course folder.
"""

from pathlib import Path

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, ClearOutput,
                                    DeduplicateIds, GetGrades, IgnorePattern, LimitOutput, OverwriteKernelspec,
                                    SaveAutoGrades)

from autograde.nbgrader.authority import OutOfKernelGrade
from autograde.nbgrader.feedback_math import RenderMath
from autograde.nbgrader.preprocessors import CapOutput, GradingExecute, RestoreHiddenTests, ScrubTracebacks

c = get_config()  # noqa: F821 - provided by traitlets when nbgrader loads this file
REPO = Path(__file__).resolve().parent.parent

COURSE = REPO / "grading" / "course"
COURSE.mkdir(parents=True, exist_ok=True)  # nbgrader works in it, and stops if it is missing
c.CourseDirectory.root = str(COURSE)
c.CourseDirectory.source_directory = str(REPO / "solutions")
c.CourseDirectory.release_directory = str(REPO / "notebooks")
# The course's name in the exchange (release_assignment, collect, the students' Assignments tab).
c.CourseDirectory.course_id = "qlab"
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", ".hypothesis", "runs"]  # runs: training output

# A cell may run for a minute: a test cell runs all of a rule's checks in that time (they are
# bounded to 50 s together, each call of the student's function to 10 s). A hang is
# interrupted, and the experiment cells after it are skipped (GradingExecute).
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True

# autograde, before running: nbgrader's own steps, putting back the hidden tests without a
# warning per test cell (RestoreHiddenTests).
c.Autograde.sanitize_preprocessors = [ClearOutput, DeduplicateIds, OverwriteKernelspec, RestoreHiddenTests,
                                      CheckCellMetadata]
# autograde, running: nbgrader's own steps, with Execute under a memory limit (GradingExecute),
# each cell's output capped by characters as well as by lines, and the kernel's scores replaced
# by the out-of-kernel grade with its diagnoses (OutOfKernelGrade).
c.Autograde.autograde_preprocessors = [GradingExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,
                                       CapOutput, SaveAutoGrades, OutOfKernelGrade, AssignLatePenalties,
                                       CheckCellMetadata]

# Feedback must not show the hidden tests (nbgrader shows them by default: jupyter/nbgrader#917),
# neither in the cells nor quoted in an error's traceback. Its math is drawn beforehand
# (RenderMath), so a page opened offline shows formulas, not the TeX MathJax would typeset.
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, ScrubTracebacks, CapOutput, RenderMath,
                                    CSSHTMLHeaderPreprocessor]
c.ClearHiddenTests.enforce_metadata = False
