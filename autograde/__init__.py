"""The course's grader: hidden checks for every graded rule, run two ways.

In a notebook (what nbgrader's test cells call)::

    from autograde import check, grade
    check("q_backup", q_backup)   # the public checks, a report for the student; never raises
    grade("q_backup", q_backup)   # every check; the cell's last expression is the points earned

Out of the student's kernel, on a whole notebook::

    python -m autograde SUBMISSION.ipynb --json result.json
"""

from __future__ import annotations

import os
import tempfile

# Hypothesis keeps its files here, not in the folder of the notebook being graded.
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", os.path.join(tempfile.gettempdir(), "qlab-hypothesis"))

CALL_TIME_LIMIT = 10.0  # seconds one call of a student's function may take


def _run(rule_name: str, function, public_only: bool):
    from autograde.registry import get_rule
    from autograde.runner import run_checks_forked
    from autograde.sandbox import with_time_limit

    rule = get_rule(rule_name)
    if not callable(function):
        from autograde.runner import RuleResult

        return RuleResult(rule.name, 0.0, float(rule.points),
                          f"{rule.name} should be a function `{rule.signature}`; got {type(function).__name__}")
    return run_checks_forked(rule, with_time_limit(function, CALL_TIME_LIMIT), public_only=public_only)


def check(rule_name: str, function) -> None:
    """Run the public checks of a rule on ``function`` and print what passed and what did not."""
    result = _run(rule_name, function, public_only=True)
    passed = sum(c.passed for c in result.checks)
    print(f"{rule_name}: {passed} of {len(result.checks)} public checks pass")
    for c in result.checks:
        print(f"  [{'ok  ' if c.passed else 'FAIL'}] {c.description}")
        if not c.passed:
            print(f"         {c.diagnosis}")
    if result.checks and passed == len(result.checks):
        print("The grader runs more checks than these (random inputs, edge cases).")
    elif not result.checks:
        print(f"  {result.diagnosis}")


def grade(rule_name: str, function) -> float:
    """Run every check of a rule on ``function``, print the report and return the points."""
    result = _run(rule_name, function, public_only=False)
    print(result.report())
    return result.points
