"""nbgrader's whole grading cycle on a folder of submissions (what ``make grade`` runs).

    python -m autograde.cycle 01_value_iteration SUBMISSIONS [--course grading]

SUBMISSIONS holds one folder per student, with the notebook either directly inside
(``alice/01_value_iteration.ipynb``) or in nbgrader's layout
(``alice/01_value_iteration/01_value_iteration.ipynb``). The cycle runs, in a course
folder of its own: ``generate_assignment`` (from solutions/, recording the hidden tests in
the gradebook), ``db student add``, ``autograde``, ``generate_feedback`` and ``export``.
A submission that breaks its kernel is graded for what ran; the others go on.
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

from autograde.registry import HERE, REPO


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    # nbgrader runs the `alembic` command: the environment's own bin/ comes first on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = dict(os.environ, JUPYTER_CONFIG_PATH=str(HERE), PATH=path)
    command = [sys.executable, "-m", "nbgrader", *args,
               f"--CourseDirectory.root={course}",
               f"--CourseDirectory.source_directory={REPO / 'solutions'}",
               "--CourseDirectory.release_directory=release"]
    return subprocess.run(command, cwd=course, env=env, capture_output=True, text=True)


def collect(assignment: str, submissions: Path, course: Path) -> list[str]:
    """Copy each student's notebook into nbgrader's submitted/ layout; return the student ids."""
    students = []
    for folder in sorted(p for p in submissions.iterdir() if p.is_dir()):
        inner = folder / assignment if (folder / assignment).is_dir() else folder
        notebooks = sorted(inner.glob("*.ipynb"))
        if not notebooks:
            print(f"skipping {folder.name}: no .ipynb inside", file=sys.stderr)
            continue
        target = course / "submitted" / folder.name / assignment
        target.mkdir(parents=True, exist_ok=True)
        for notebook in notebooks:
            shutil.copy(notebook, target / f"{assignment}.ipynb" if len(notebooks) == 1 else target / notebook.name)
        students.append(folder.name)
    return students


def run_cycle(assignment: str, submissions: Path, course: Path) -> Path:
    """Run the cycle; returns the path of the exported grades CSV."""
    course.mkdir(parents=True, exist_ok=True)
    steps = [("generate_assignment", assignment, "--force")]
    students = collect(assignment, submissions, course)
    steps += [("db", "student", "add", student) for student in students]
    steps += [("autograde", assignment, "--force"), ("generate_feedback", assignment, "--force"),
              ("export", "--to", str(course / "grades.csv"))]
    for step in steps:
        result = nbgrader(course, *step)
        status = "ok" if result.returncode == 0 else f"exit {result.returncode}"
        print(f"nbgrader {' '.join(step)}: {status}")
        if result.returncode != 0:
            errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
            print("\n".join(errors[-10:]) or result.stderr[-2000:], file=sys.stderr)
            if step[0] in ("generate_assignment", "export"):
                raise RuntimeError(f"nbgrader {step[0]} failed; see the messages above")
    return course / "grades.csv"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograde.cycle", description=__doc__.splitlines()[0])
    parser.add_argument("assignment")
    parser.add_argument("submissions", type=Path)
    parser.add_argument("--course", type=Path, default=REPO / "grading", help="the nbgrader course folder to use")
    args = parser.parse_args(argv)
    grades = run_cycle(args.assignment, args.submissions.resolve(), args.course.resolve())
    with open(grades) as f:
        rows = [row for row in csv.DictReader(f) if row["assignment"] == args.assignment]
    for row in rows:
        print(f"{row['student_id']:>20}  {float(row['score']):6.2f} / {float(row['max_score']):.2f}")
    print(f"grades: {grades}\nfeedback: {args.course.resolve() / 'feedback'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
