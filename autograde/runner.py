"""Run one rule's pytest checks against a function and turn the outcome into points.

Each check is a pytest test; ``@pytest.mark.weight(w)`` sets its share of the rule's
points (1 by default) and ``@pytest.mark.public`` marks the checks a student may run
while working. A failed check's diagnosis is the ``Mistake`` message it raised, or, when
the student's function itself raised, what it raised.
"""

from __future__ import annotations

import contextlib
import io
import os
import warnings
from dataclasses import asdict, dataclass, field

import pytest

from autograde.registry import HERE, Rule
from autograde.sandbox import StudentCodeError

CHECKS_INI = HERE / "checks" / "pytest.ini"



@dataclass
class CheckResult:
    name: str
    description: str
    weight: float
    passed: bool
    diagnosis: str = ""
    generic: bool = False  # the diagnosis only says "differs from the reference"


@dataclass
class RuleResult:
    rule: str
    points: float
    max_points: float
    diagnosis: str
    checks: list[CheckResult] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"rule": self.rule, "points": self.points, "max_points": self.max_points,
                "diagnosis": self.diagnosis, "checks": [asdict(c) for c in self.checks]}

    def report(self) -> str:
        lines = [f"{self.rule}: {self.points:g} / {self.max_points:g} points"]
        for check in self.checks:
            mark = "ok  " if check.passed else "FAIL"
            lines.append(f"  [{mark}] {check.description}")
            if not check.passed:
                lines.append(f"         {check.diagnosis}")
        return "\n".join(lines)


class _StudentFixture:
    """Provides the function under test as the ``student`` fixture."""

    def __init__(self, function):
        self.function = function

    @pytest.fixture(scope="session")
    def student(self):
        return self.function


class _Collector:
    """Records, for every check, whether it passed and why not."""

    def __init__(self):
        self.results: list[CheckResult] = []

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        failed_setup = call.when == "setup" and report.failed
        if call.when == "call" or failed_setup:
            marker = item.get_closest_marker("weight")
            weight = float(marker.args[0]) if marker else 1.0
            doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
            if hasattr(item, "callspec"):
                doc += f" [{item.callspec.id}]"
            diagnosis = "" if report.passed else describe_failure(call.excinfo)
            generic = bool(getattr(call.excinfo and call.excinfo.value, "generic", False))
            self.results.append(CheckResult(item.name, doc, weight, report.passed, diagnosis, generic))
        return report


def describe_failure(excinfo) -> str:
    """A diagnosis a student can act on, from the exception that failed a check."""
    if excinfo is None:
        return "the check failed"
    error = excinfo.value
    from autograde.checks.helpers import Mistake

    if isinstance(error, Mistake):
        return str(error)
    if isinstance(error, NotImplementedError) or "raised NotImplementedError" in str(error):
        return "not implemented yet: replace `raise NotImplementedError()` with your code"
    if isinstance(error, StudentCodeError):
        return str(error)
    return f"your function raised {type(error).__name__}: {error}"


def run_checks(rule: Rule, function, public_only: bool = False) -> RuleResult:
    """Run ``rule``'s checks with ``function`` as the student's answer.

    Never raises and never writes to stderr (nbgrader scores stderr output as 0):
    pytest's own output is captured and discarded.
    """
    collector = _Collector()
    args = [str(rule.checks), "-c", str(CHECKS_INI), "--rootdir", str(rule.checks.parent),
            "-q", "--capture=sys", "--import-mode=importlib",
            "-p", "no:cacheprovider", "-p", "no:faulthandler", "-p", "no:stepwise"]
    if public_only:
        args += ["-m", "public"]
    sink = io.StringIO()
    saved_addopts = os.environ.pop("PYTEST_ADDOPTS", None)
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exit_code = pytest.main(args, plugins=[_StudentFixture(function), collector])
    finally:
        if saved_addopts is not None:
            os.environ["PYTEST_ADDOPTS"] = saved_addopts
    checks = collector.results
    if not checks:
        return RuleResult(rule.name, 0.0, float(rule.points),
                          f"the checks could not run (pytest exit code {int(exit_code)}); please tell your instructor",
                          [])
    total = sum(c.weight for c in checks)
    earned = sum(c.weight for c in checks if c.passed)
    points = round(rule.points * earned / total, 2) if total else 0.0
    return RuleResult(rule.name, points, float(rule.points), summarise(checks), checks)


def summarise(checks: list[CheckResult]) -> str:
    """The rule's diagnosis: the distinct specific failure messages, the generic ones last."""
    failed = [c for c in checks if not c.passed]
    specific = [c.diagnosis for c in failed if not c.generic]
    distinct = list(dict.fromkeys(specific or [c.diagnosis for c in failed]))
    return "; ".join(distinct[:3])
