"""`nbgrader validate` (and the Validate button, which runs it) tells the truth: it names
every rule whose public checks fail, with the failing checks in a few clean lines, and says
"Success!" only when they all pass (the solution's Success is implied by its full marks in
tests/test_grading.py: the same cells, and check() passes silently when all public checks pass)."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from autograde.registry import HERE, rules_for
from submissions import ASSIGNMENT, make

pytestmark = pytest.mark.slow
RULES = [rule.name for rule in rules_for(ASSIGNMENT)]


def validate(notebook: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "nbgrader", "validate", str(notebook)], capture_output=True,
                          text=True, env={"JUPYTER_CONFIG_PATH": str(HERE), "PATH": str(Path(sys.executable).parent),
                                          "PYTHONPATH": str(HERE.parent)}, timeout=600)
    return done.stdout


def failed_rules(report: str) -> set[str]:
    return {rule for rule in RULES if f'check("{rule}", {rule})' in report}


@pytest.mark.parametrize("kind", ["release", "half_right"])
def test_validate_reports_exactly_the_failing_rules(kind, tmp_path):
    report = validate(make(tmp_path / f"{ASSIGNMENT}.ipynb", kind))
    assert "VALIDATION FAILED" in report and "Traceback" not in report
    if kind == "release":
        assert failed_rules(report) == set(RULES)
        assert all(f"ChecksFailed: implement {rule} first" in report for rule in RULES)
    else:  # q_backup and greedy_policy are right; value_iteration ignores tol, which a public check catches
        failed = failed_rules(report)
        assert "value_iteration" in failed and failed <= {"value_iteration", "bridge_crossing", "discount_grid"}
        assert re.search(r"ChecksFailed: value_iteration: \d+ of \d+ public checks fail", report)
        assert "kept backing up" in report
