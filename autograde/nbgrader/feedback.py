"""Per-student feedback as JSON, beside nbgrader's HTML page.

For each rule: the points, the maximum, the plain-language diagnosis, each distinct mistake
once (``mistakes``: its smallest failing example and the descriptions of the checks that
found it), and each check's one-line description with whether it passed and why not.
Nothing else: no check's code or name, no reference implementation, no catalogue, no solution.
"""

from __future__ import annotations

import json
from pathlib import Path

from autograde.runner import RuleResult, findings


def feedback(assignment: str, student: str, results: list[RuleResult]) -> dict:
    return {
        "assignment": assignment,
        "student": student,
        "points": round(sum(r.points for r in results), 2),
        "max_points": sum(r.max_points for r in results),
        "rules": [{"rule": r.rule, "points": r.points, "max_points": r.max_points,
                   "diagnosis": r.diagnosis or "all checks pass",
                   "mistakes": [{"mistake": f.mistake, "checks": f.descriptions()} for f in findings(r)],
                   "checks": [{"check": c.description, "passed": c.passed, "diagnosis": c.diagnosis}
                              for c in r.checks]}
                  for r in results],
    }


def write_feedback(folder: Path, assignment: str, student: str, results: list[RuleResult]) -> Path:
    """Write ``<folder>/<assignment>.json`` (nbgrader's feedback folder for the student)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{assignment}.json"
    path.write_text(json.dumps(feedback(assignment, student, results), indent=2, ensure_ascii=False) + "\n")
    return path
