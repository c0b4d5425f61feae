"""One wrong answer through every place a student reads the result (issue 18's evidence).

A 01_value_iteration submission whose q_backup bootstraps from terminal next states (the rest
the solution's) goes through the check cell (``autograde.check``, as a student runs it), through
``qlab-check`` and through nbgrader's whole cycle (autograde, generate_feedback), whose feedback
page and JSON (``autograde/nbgrader/feedback.py``) are kept here in part. Usage::

    PYTHONPATH=. python benchmarks/grading_truth/evidence.py [OUT]   # default: benchmarks/grading_truth/evidence
"""

from __future__ import annotations

import contextlib
import html
import io
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

import numpy as np  # noqa: E402

from autograde import ChecksFailed, check  # noqa: E402
from autograde.nbgrader.cycle import run_cycle  # noqa: E402
from submissions import make  # noqa: E402

ASSIGNMENT = "01_value_iteration"
WRONG = '''
def q_backup(Q, P, R, terminal, gamma):
    Q_next = (P * (R + gamma * Q.max(axis=1))).sum(axis=2)   # the future of every next state
    Q_next[terminal] = 0
    return Q_next
'''


def check_cell() -> str:
    """What the check cell shows: check("q_backup", q_backup) with the wrong answer."""
    scope = {"np": np}
    exec(WRONG, scope)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            check("q_backup", scope["q_backup"])
        except ChecksFailed as failure:
            return out.getvalue() + f"ChecksFailed: {failure}\n"
    return out.getvalue()


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "check_cell.txt").write_text(check_cell())
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        submission = make(tmp / "submitted" / "student" / f"{ASSIGNMENT}.ipynb", "wrong",
                          answers={"q_backup_answer": WRONG})
        report = subprocess.run([sys.executable, "-m", "autograde", str(submission)],
                                capture_output=True, text=True, cwd=REPO)
        (out / "qlab_check.txt").write_text(f"$ qlab-check {ASSIGNMENT}.ipynb\n{report.stdout}{report.stderr}")
        course = tmp / "course"
        run_cycle(ASSIGNMENT, tmp / "submitted", course, cell_timeout=15)
        feedback = json.loads((course / "feedback" / "student" / ASSIGNMENT / f"{ASSIGNMENT}.json").read_text())
        rule = next(r for r in feedback["rules"] if r["rule"] == "q_backup")
        (out / "feedback_q_backup.json").write_text(json.dumps(rule, indent=2, ensure_ascii=False) + "\n")
        page = (course / "feedback" / "student" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
        text = html.unescape(re.sub(r"<[^>]+>", "", page))
        start = text.find('check("q_backup", q_backup)')
        end = text.find("Exercise", start + 1)
        (out / "feedback_page_q_backup.txt").write_text(
            "The q_backup test cell of the feedback page (generate_feedback's HTML, tags stripped):\n\n"
            + "\n".join(line for line in text[start:end].splitlines() if line.strip()) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE / "evidence")
