"""nbgrader's whole grading cycle on a folder of submissions (what ``make nbgrader-cycle`` runs).

    python -m autograde.nbgrader.cycle 01_value_iteration SUBMISSIONS [--course grading]

SUBMISSIONS holds one folder per student, with the notebook either directly inside
(``alice/01_value_iteration.ipynb``) or in nbgrader's layout
(``alice/01_value_iteration/01_value_iteration.ipynb``). The cycle runs, in a course
folder of its own: ``generate_assignment`` (from solutions/, recording the hidden tests in
the gradebook), ``autograde`` (which adds each student to the gradebook), ``generate_feedback``
and ``export``. A cell that kills the kernel costs only that cell (``autograde.nbgrader.preprocessors``);
a submission that autograde still cannot run is graded again without its experiment cells;
the others go on.

The student's code runs in the kernel that scores it, so after ``autograde`` every submission
is graded again out of the kernel and those points go into the gradebook (see
``autograde.nbgrader.authority``): the feedback and the grades CSV show them. Every rule where the two
graders disagree is listed in the CSV's ``disagreements`` column and printed. Beside each
feedback page, ``<assignment>.json`` holds the same per rule: points, maximum, diagnosis.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

from autograde.classroom.batch import grader_fingerprint
from autograde.nbgrader.authority import Disagreement, flag_in_csv, grade_out_of_kernel, make_authoritative
from autograde.nbgrader.feedback import write_feedback
from autograde.notebook import is_answer_cell, is_setup_cell
from autograde.registry import HERE, REPO, rules_for
from autograde.sandbox.process import data_files


def nbgrader(course: Path, *args: str, cell_timeout: int | None = None) -> subprocess.CompletedProcess:
    # nbgrader runs the `alembic` command: the environment's own bin/ comes first on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(HERE), PATH=path)
    # The cycle grades out of the kernel itself, after its own checks: nbgrader_config.py's
    # OutOfKernelGrade step (the same grade inside autograde) is off here.
    command = [sys.executable, "-m", "nbgrader", *args,
               f"--CourseDirectory.root={course}",
               f"--CourseDirectory.source_directory={REPO / 'solutions'}",
               "--CourseDirectory.release_directory=release",
               "--OutOfKernelGrade.enabled=False"]
    if cell_timeout is not None:
        command.append(f"--Execute.timeout={cell_timeout}")
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)


def collect(assignment: str, submissions: Path, course: Path) -> dict[str, dict[str, bytes]]:
    """Copy each student's notebook, and the data files beside it, into nbgrader's submitted/
    layout; return what was copied ({student: {path: bytes}}): the snapshot the out-of-kernel
    grade reads."""
    snapshot = {}
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        inner = folder / assignment if (folder / assignment).is_dir() else folder
        notebooks = sorted(inner.glob("*.ipynb"))
        if not notebooks:
            print(f"skipping {folder.name}: no .ipynb inside", file=sys.stderr)
            continue
        target = course / "submitted" / folder.name / assignment
        files = data_files(inner) | {f"{assignment}.ipynb" if len(notebooks) == 1 else notebook.name:
                                     notebook.read_bytes() for notebook in notebooks}
        for name, data in files.items():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(data)
        snapshot[folder.name] = files
    return snapshot


def defuse(notebook_path: Path) -> None:
    """Blank the code cells that are neither setup, answers nor tests (the experiments),
    so a notebook whose experiments kill the kernel can still be autograded."""
    notebook = nbformat.read(str(notebook_path), as_version=4)
    for cell in notebook.cells:
        graded = cell.get("metadata", {}).get("nbgrader", {}).get("grade", False)
        if cell.get("cell_type") == "code" and not (is_setup_cell(cell) or is_answer_cell(cell) or graded):
            cell.source = "# (not run while grading: this notebook stopped its kernel when run whole)"
    nbformat.write(notebook, str(notebook_path))


def gradebook_scores(course: Path, assignment: str, students: list[str]) -> dict[str, dict[str, float]]:
    """{student: {grade_id: score}} from nbgrader's gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    scores = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for student in students:
            try:
                submission = gradebook.find_submission_notebook(assignment, assignment, student)
            except MissingEntry:
                continue
            scores[student] = {grade.name: grade.score for grade in submission.grades}
    return scores


def manual_scores(course: Path, assignment: str) -> dict[tuple[str, str], float | None]:
    """{(student, grade_id): manual score} of every grade of ``assignment`` in the gradebook."""
    from nbgrader.api import Gradebook, MissingEntry

    found = {}
    if not (course / "gradebook.db").exists():
        return found
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        try:
            submissions = gradebook.find_assignment(assignment).submissions
        except MissingEntry:
            return found
        for submission in submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    found[submission.student.id, grade.name] = grade.manual_score
    return found


def refuse_manual_scores(course: Path, assignment: str, before: dict) -> list[str]:
    """Undo every manual score of ``assignment`` that appeared or changed since ``before``
    (nobody grades by hand during the cycle: only a notebook's code could have written it);
    return what was undone."""
    from nbgrader.api import Gradebook

    undone = []
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        for submission in gradebook.find_assignment(assignment).submissions:
            for notebook in submission.notebooks:
                for grade in notebook.grades:
                    old = before.get((submission.student.id, grade.name))
                    if grade.manual_score != old:
                        undone.append(f"{submission.student.id}: {grade.name} manual score {grade.manual_score} "
                                      f"(was {old})")
                        grade.manual_score = old
                        grade.needs_manual_grade = old is not None
        gradebook.db.commit()
    return undone


def restore_submissions(course: Path, assignment: str, snapshot: dict[str, dict[str, bytes]]) -> list[str]:
    """Put back every submitted file that changed since it was collected; return the students
    whose files had changed (only a notebook's code could have changed them)."""
    changed = []
    for student, files in snapshot.items():
        folder = course / "submitted" / student / assignment
        for name, data in files.items():
            path = folder / name
            if not path.is_file() or path.read_bytes() != data:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
                changed.append(student)
    return sorted(set(changed))


def run_cycle(assignment: str, submissions: Path, course: Path,
              cell_timeout: int | None = None) -> tuple[Path, list[Disagreement]]:
    """Run the cycle; returns the exported grades CSV and the rules where nbgrader's in-kernel
    score differed from the out-of-kernel one (which is the one in the gradebook and the CSV).

    A submission that nbgrader still cannot run whole (its kernel died more often than
    GradingExecute restarts it, or would not start) is autograded again with its experiment
    cells blanked (see ``defuse``). ``cell_timeout`` overrides the seconds a cell
    may run (nbgrader_config.py's Execute.timeout).

    The notebooks run in nbgrader's kernel confined (``autograde.nbgrader.kernel``); should anything
    still reach the course, the cycle does not take it on trust: the out-of-kernel grade reads
    the notebooks as collected (a submitted file that changed is put back and reported), the
    grader's files must be unchanged after ``autograde`` (else the cycle stops), and a manual
    score that appears during the cycle is undone and reported.
    """
    course.mkdir(parents=True, exist_ok=True)

    def step(*args: str, required: bool = False) -> bool:
        started = time.perf_counter()
        result = nbgrader(course, *args, cell_timeout=cell_timeout)
        outcome = "ok" if result.returncode == 0 else f"exit {result.returncode}"
        print(f"nbgrader {' '.join(args)}: {outcome} ({time.perf_counter() - started:.0f} s)")
        if result.returncode != 0:
            errors = [line for line in result.stderr.splitlines() if "ERROR" in line or "Error:" in line]
            print("\n".join(errors[-6:]) or result.stderr[-2000:], file=sys.stderr)
            if required:
                raise RuntimeError(f"nbgrader {args[0]} failed; see the messages above")
        return result.returncode == 0

    step("generate_assignment", assignment, "--force", required=True)
    snapshot = collect(assignment, submissions, course)
    students = list(snapshot)
    grader = grader_fingerprint()
    manual = manual_scores(course, assignment)
    step("autograde", assignment, "--force")
    for student in students:
        if not (course / "autograded" / student / assignment).is_dir():
            print(f"{student}: nbgrader could not run the notebook whole; grading again without its experiment cells")
            for notebook in (course / "submitted" / student / assignment).glob("*.ipynb"):
                defuse(notebook)
            step("autograde", assignment, "--force", f"--student={student}")
    if grader_fingerprint() != grader:
        raise RuntimeError(f"the grader's files in {HERE} changed while nbgrader autograded: a notebook's code reached "
                           "them. Grades are not recorded; restore the grader (git checkout autograde/) and run again")
    tampered = [s for s in restore_submissions(course, assignment, snapshot) if s in snapshot]
    for student in tampered:
        print(f"{student}: the submitted notebook changed during autograde; put back as collected")
    started = time.perf_counter()
    results = {student: grade_out_of_kernel(assignment, student, snapshot[student]) for student in students}
    print(f"graded out of the kernel: {len(students)} submissions ({time.perf_counter() - started:.0f} s)")
    disagreements = make_authoritative(f"sqlite:///{course / 'gradebook.db'}", assignment, results)
    step("generate_feedback", assignment, "--force")
    for student, student_results in results.items():
        write_feedback(course / "feedback" / student / assignment, assignment, student, student_results)
    grades = course / "grades.csv"
    undone = refuse_manual_scores(course, assignment, manual)
    for line in undone:
        print(f"a manual score written during the cycle was undone: {line}")
    step("export", "--to", str(grades), required=True)
    flag_in_csv(grades, assignment, disagreements)
    return grades, disagreements


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.nbgrader.cycle", description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--course", type=Path, default=REPO / "grading" / "cycle",
                        help="the nbgrader course folder to use (default: grading/cycle)")
    parser.add_argument("--cell-timeout", type=int, help="seconds a notebook cell may run (default: the config's)")
    args = parser.parse_args(argv)
    course = args.course.resolve()
    grades, disagreements = run_cycle(args.assignment, args.submissions.resolve(), course, args.cell_timeout)
    with open(grades) as f:
        rows = [row for row in csv.DictReader(f) if row["assignment"] == args.assignment]
    for row in rows:
        print(f"{row['student_id']:>20}  {float(row['score']):6.2f} / {float(row['max_score']):.2f}")
    print(f"grades: {grades}\nfeedback: {course / 'feedback'}")
    if disagreements:
        print("these rules scored differently in the student's kernel (tampering, a crash or a hang there); "
              "the out-of-kernel points are the ones recorded:")
        for d in disagreements:
            print(f"  {d.student}: {d}")
    else:
        print("the student's kernel and the out-of-kernel grader agree on every rule")
    return 0


if __name__ == "__main__":
    sys.exit(main())
