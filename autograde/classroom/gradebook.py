"""Writing out-of-kernel scores into nbgrader's gradebook.

The out-of-kernel grade is the authoritative one: ``record_scores`` puts it in the gradebook
as each test cell's autograded score, so ``nbgrader export``, formgrader and
``generate_feedback`` show it. Both the batch grader and the nbgrader cycle call it.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping

from autograde.registry import rules_for


def record_scores(url: str, assignment: str, scores: Mapping[str, Mapping[str, float]],
                  notebook: str | None = None) -> None:
    """Set ``scores`` ({student id: {rule name: points}}) as the autograded scores of ``assignment``.

    ``url`` is the gradebook's database, e.g. ``sqlite:///course/gradebook.db``. The assignment
    must already be there with its grade cells (``nbgrader generate_assignment`` records them);
    students and submissions missing from the gradebook are added. ``notebook`` is the
    notebook's name in the assignment (default: the assignment id, as in this course).
    Only ``auto_score`` is written: a manual score an instructor entered still takes precedence,
    and such a grade is flagged for review as ``nbgrader autograde`` would flag it.
    """
    from nbgrader.api import Gradebook, MissingEntry
    from sqlalchemy.exc import SAWarning

    notebook = notebook or assignment
    grade_ids = {rule.name: rule.grade_id for rule in rules_for(assignment)}
    with Gradebook(url) as gradebook:
        try:
            gradebook.find_notebook(notebook, assignment)
        except MissingEntry:
            raise ValueError(f"the gradebook {url} has no notebook {notebook!r} in assignment {assignment!r}: "
                             f"record it first with `nbgrader generate_assignment {assignment}`") from None
        for student, points in scores.items():
            gradebook.update_or_create_student(student)
            try:
                gradebook.find_submission(assignment, student)
            except MissingEntry:
                with warnings.catch_warnings():  # nbgrader's add_submission sets off SQLAlchemy's autoflush warnings
                    warnings.simplefilter("ignore", SAWarning)
                    gradebook.add_submission(assignment, student)
            for rule, score in points.items():
                grade = gradebook.find_grade(grade_ids[rule], notebook, assignment, student)
                grade.auto_score = float(score)
                grade.needs_manual_grade = grade.manual_score is not None
        gradebook.db.commit()
