"""The out-of-kernel grade is the grade: write it into nbgrader's gradebook.

nbgrader scores a test cell by what the student's own kernel printed and returned, and the
student's code ran in that kernel first: it can monkeypatch numpy, pytest, builtins or
``autograde.grade`` and keep full marks. The out-of-kernel grader (``autograde.offline``)
cannot be reached from the notebook, so after ``nbgrader autograde`` its points replace the
kernel's as each grade cell's ``auto_score`` (``autograde.classroom.gradebook.record_scores``: what
``export``, ``generate_feedback`` and the formgrader read; a human grader's ``manual_score``
still takes precedence), and each rule's diagnosis becomes the automatic comment on its
answer cell (shown in the feedback). Every rule where the two graders disagree is returned,
to be flagged.

``OutOfKernelGrade`` does the same inside nbgrader's own ``autograde`` (nbgrader_config.py
runs it right after ``SaveAutoGrades``), so plain ``nbgrader autograde`` records the
authoritative points and diagnoses, and ``generate_feedback`` shows them.
"""

from __future__ import annotations

import copy
import csv
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbgrader.preprocessors import NbGraderPreprocessor

from autograde.classroom.batch import Limits, grade_submission
from autograde.nbgrader.feedback import write_feedback
from autograde.classroom.gradebook import record_scores
from autograde.registry import RULES, rules_for
from autograde.runner import CheckResult, RuleResult, findings
from autograde.sandbox.process import data_files

COLUMN = "disagreements"  # the grades CSV column that flags them
NBGRADER_FILES = {"timestamp.txt", "submission_secret.txt"}  # nbgrader's bookkeeping, not the student's data


@dataclass(frozen=True)
class Disagreement:
    student: str
    rule: str
    in_kernel: float | None  # None: the kernel never scored the cell (it died or timed out first)
    out_of_kernel: float

    def __str__(self) -> str:
        kernel = "not scored" if self.in_kernel is None else f"{self.in_kernel:g}"
        return f"{self.rule}: {kernel} in the kernel, {self.out_of_kernel:g} out of it"


def comment(result: RuleResult, in_kernel: float | None) -> str:
    """The answer cell's automatic comment (Markdown, as nbgrader's feedback page shows it): the
    authoritative points, then one bullet per distinct mistake with the checks that found it."""
    found = findings(result)
    text = f"{result.rule}: {result.points:g} / {result.max_points:g} points."
    if not found:
        text += " All checks pass."
    if in_kernel is None or abs(in_kernel - result.points) > 0.005:
        kernel = "did not score it" if in_kernel is None else f"reported {in_kernel:g}"
        text += (f" (Your notebook's kernel {kernel}; these points come from running the checks again outside "
                 "your notebook, where nothing it does can change them.)")
    bullets = []
    for finding in found:
        names = ", ".join(finding.names(spaced=True))
        bullets.append(f"- {' '.join(finding.mistake.split())}" + (f" (found by: {names})" if names else ""))
    return "\n\n".join([text, "\n".join(bullets)]) if bullets else text


def make_authoritative(db_url: str, assignment: str, results: dict[str, list[RuleResult]],
                       notebook: str | None = None) -> list[Disagreement]:
    """Write each student's out-of-kernel points into the gradebook (``record_scores``) and each
    rule's diagnosis as its answer cell's comment; return where the kernel had scored otherwise."""
    from nbgrader.api import Gradebook, MissingEntry

    notebook = notebook or assignment
    disagreements = []
    with Gradebook(db_url) as gradebook:
        in_kernel = {}
        for student, rule_results in results.items():
            for result in rule_results:
                try:
                    score = gradebook.find_grade(RULES[result.rule].grade_id, notebook, assignment, student).auto_score
                except MissingEntry:
                    score = None
                in_kernel[student, result.rule] = score
                if score is None or abs(score - result.points) > 0.005:
                    disagreements.append(Disagreement(student, result.rule, score, result.points))
    record_scores(db_url, assignment, {student: {r.rule: r.points for r in rule_results}
                                       for student, rule_results in results.items()}, notebook)
    with Gradebook(db_url) as gradebook:
        for student, rule_results in results.items():
            for result in rule_results:
                try:
                    answer = gradebook.find_comment(f"{result.rule}_answer", notebook, assignment, student)
                except MissingEntry:
                    continue
                answer.auto_comment = comment(result, in_kernel[student, result.rule])
        gradebook.db.commit()
    return disagreements


def flag_in_csv(grades: Path, assignment: str, disagreements: list[Disagreement]) -> None:
    """Add the ``disagreements`` column to nbgrader's exported grades CSV (filled in on the
    rows of ``assignment``)."""
    with open(grades, newline="") as f:
        rows = list(csv.DictReader(f))
    by_student: dict[str, list[str]] = {}
    for d in disagreements:
        by_student.setdefault(d.student, []).append(str(d))
    fields = list(rows[0].keys()) if rows else ["student_id"]
    fields += [] if COLUMN in fields else [COLUMN]
    for row in rows:
        if row.get("assignment") == assignment or COLUMN not in row:
            row[COLUMN] = "; ".join(by_student.get(row.get("student_id", ""), [])) if row.get("assignment") == assignment else ""
    with open(grades, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def submitted_bytes(nb) -> bytes:
    """The notebook as nbgrader read it from the submission (its answers, the locked cells as
    released), without the outputs the kernel just wrote."""
    clean = copy.deepcopy(nb)
    for cell in clean.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(clean).encode()


def grade_out_of_kernel(assignment: str, student: str, files: dict[str, bytes],
                        limits: Limits = Limits()) -> list[RuleResult]:
    """The out-of-kernel grade of a student's notebook (its bytes as collected), in a process
    of its own under the batch grader's limits; zero, with the reason, when it is cut short."""
    name = f"{assignment}.ipynb" if f"{assignment}.ipynb" in files else next(n for n in files if n.endswith(".ipynb"))
    graded = grade_submission(student, files[name], assignment, limits,
                              {n: data for n, data in files.items() if not n.endswith(".ipynb")})
    by_rule = {r["rule"]: r for r in graded.results}
    results = []
    for rule in rules_for(assignment):
        found = by_rule.get(rule.name)
        if found is None:
            results.append(RuleResult(rule.name, 0.0, float(rule.points),
                                      graded.cut_short or "the grader returned no result for this rule"))
            continue
        checks = [CheckResult(**c) for c in found.get("checks", [])]
        results.append(RuleResult(rule.name, found["points"], found["max_points"], found["diagnosis"], checks,
                                  found.get("isolated", True)))
    return results



class OutOfKernelGrade(NbGraderPreprocessor):
    """nbgrader autograde's last word: grade the notebook again out of the student's kernel.

    Runs after ``SaveAutoGrades`` has stored the kernel's scores: the notebook's cells as
    submitted, with the data files beside it, are graded in a process of their own under the
    batch grader's limits; those points replace the kernel's in the gradebook and each rule's
    diagnosis becomes its answer cell's comment (``make_authoritative``). Every rule where the
    kernel had scored otherwise is logged as a warning. ``<assignment>.json`` (points, maximum
    and diagnosis per rule) is written beside the autograded notebook, and ``generate_feedback``
    copies it into the student's feedback folder.

    ``make nbgrader-cycle`` turns this step off (``--OutOfKernelGrade.enabled=False``): it runs
    the same grade itself, after checking what the kernel may have touched.
    """

    def preprocess(self, nb, resources):
        info = resources["nbgrader"]
        student, assignment, notebook = info["student"], info["assignment"], info["notebook"]
        if notebook != assignment or not rules_for(assignment):
            return nb, resources  # not one of the course's graded notebooks
        folder = Path(resources["metadata"]["path"])
        files = {name: data for name, data in data_files(folder).items() if name not in NBGRADER_FILES}
        files[f"{assignment}.ipynb"] = submitted_bytes(nb)
        results = grade_out_of_kernel(assignment, student, files)
        for disagreement in make_authoritative(info["db_url"], assignment, {student: results}, notebook):
            self.log.warning("%s: %s; the out-of-kernel points are recorded", student, disagreement)
        write_feedback(folder, assignment, student, results)
        return nb, resources
