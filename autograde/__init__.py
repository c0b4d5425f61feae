"""The course's grader: hidden checks for every graded rule, run two ways.

In a notebook (what nbgrader's test cells call)::

    from autograde import check, grade
    check("q_backup", q_backup)   # the public checks: a report, and an error if any fails
    grade("q_backup", q_backup)   # every check; the cell's last expression is the points earned

Out of the student's kernel, on a whole notebook::

    qlab-check SUBMISSION.ipynb --json result.json
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
    from autograde.sandbox.process import with_time_limit

    rule = get_rule(rule_name)
    if not callable(function):
        from autograde.runner import RuleResult

        return RuleResult(rule.name, 0.0, float(rule.points),
                          f"{rule.name} should be a function `{rule.signature}`; got {type(function).__name__}")
    return run_checks_forked(rule, with_time_limit(function, CALL_TIME_LIMIT), public_only=public_only)


class ChecksFailed(AssertionError):
    """A public check failed: Run All stops here, and ``nbgrader validate`` reports the rule."""

    @classmethod
    def not_implemented(cls, name: str) -> "ChecksFailed":
        return cls(f"implement {name} first\n  (its answer cell still says `raise NotImplementedError()`)")

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the message alone (the frames are the grader's)."""
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def check(rule_name: str, function) -> None:
    """Run the public checks of a rule on ``function``: print the checks that pass, and raise
    :class:`ChecksFailed` with each distinct mistake once, naming the checks that found it.

    While nbgrader autogrades it never raises (nor writes to stderr) and prints one line: the
    hidden ``grade`` after it in the same test cell must still run, and its report (every
    check, each mistake once) is the one the feedback shows.
    """
    result = _run(rule_name, function, public_only=True)
    passed = [c for c in result.checks if c.passed]
    if result.checks and len(passed) == len(result.checks):
        print(f"{rule_name}: all {len(passed)} public checks pass")
        for c in passed:
            print(f"  [ok] {c.description}")
        print("The grader runs more checks than these (random inputs, edge cases).")
        return
    if os.environ.get("NBGRADER_EXECUTION") == "autograde":
        print(f"{rule_name}: {len(passed)} of {len(result.checks)} public checks pass (the grade below says why)")
        return
    for c in passed:
        print(f"  [ok] {c.description}")
    raise _failure(rule_name, result) from None


def _failure(rule_name: str, result) -> ChecksFailed:
    """The error for failed public checks: "implement X first", or one entry per distinct
    mistake (its smallest failing call once) naming the checks that found it, in lines short
    enough for ``nbgrader validate`` (which cuts lines at 90 characters)."""
    from autograde.runner import mistake_lines

    failed = [c for c in result.checks if not c.passed]
    if not failed:
        return ChecksFailed(f"{rule_name}: {result.diagnosis}")
    if all(c.diagnosis.startswith("not implemented yet") for c in failed):
        return ChecksFailed.not_implemented(rule_name)
    lines = [f"{rule_name}: {len(failed)} of {len(result.checks)} public checks fail"]
    return ChecksFailed("\n".join(lines + mistake_lines(result, width=76, spaced=True)))


def grade(rule_name: str, function) -> float:
    """Run every check of a rule on ``function``, print the report and return the points."""
    result = _run(rule_name, function, public_only=False)
    print(result.report())
    return result.points


def _install_hints() -> None:
    """In a notebook, a NameError for a graded rule says to run its answer cell first."""
    from autograde.hints import install

    install()


_install_hints()
