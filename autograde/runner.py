"""Run one rule's pytest checks against a function and turn the outcome into points.

Each check is a pytest test; ``@pytest.mark.weight(w)`` sets its share of the rule's
points (1 by default) and ``@pytest.mark.public`` marks the checks a student may run
while working. A failed check's diagnosis is the ``Mistake`` message it raised, or, when
the student's function itself raised, what it raised.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import select
import signal
import struct
import sys
import sysconfig
import textwrap
import time
import warnings
from collections import Counter
from dataclasses import asdict, dataclass, field

import pytest

from autograde.registry import HERE, Rule
from autograde.sandbox.process import StudentCodeError

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
    isolated: bool = True  # False: the student's code ran without bubblewrap (see autograde.sandbox.isolation)

    def to_json(self) -> dict:
        return {"rule": self.rule, "points": self.points, "max_points": self.max_points,
                "diagnosis": self.diagnosis, "checks": [asdict(c) for c in self.checks], "isolated": self.isolated,
                "mistakes": [{"mistake": f.mistake, "checks": f.names()} for f in findings(self)]}

    def report(self) -> str:
        """The points, each check once (passed or not), then each distinct mistake once with
        the checks that found it."""
        lines = [f"{self.rule}: {self.points:g} / {self.max_points:g} points"]
        lines += [f"  [{'ok  ' if check.passed else 'FAIL'}] {check.description}" for check in self.checks]
        return "\n".join(lines + mistake_lines(self))


class _StudentFixture:
    """Provides the function under test as the ``student`` fixture."""

    def __init__(self, function):
        self.function = function

    @pytest.fixture(scope="session")
    def student(self):
        return self.function


class _Collector:
    """Records, for every check, whether it passed and why not; ``on_planned`` hears the
    collected checks before any runs, ``on_result`` each result as it comes."""

    def __init__(self, on_planned=None, on_result=None):
        self.planned: list[CheckResult] = []
        self.results: list[CheckResult] = []
        self.on_planned, self.on_result = on_planned, on_result

    @staticmethod
    def _describe(item) -> CheckResult:
        marker = item.get_closest_marker("weight")
        doc = (item.function.__doc__ or item.name).strip().splitlines()[0]
        if hasattr(item, "callspec"):
            doc += f" [{item.callspec.id}]"
        return CheckResult(item.name, doc, float(marker.args[0]) if marker else 1.0, False)

    def pytest_collection_finish(self, session):
        self.planned = [self._describe(item) for item in session.items]
        if self.on_planned:
            self.on_planned(self.planned)

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item, call):
        report = yield
        if call.when == "call" or (call.when == "setup" and report.failed):
            result = self._describe(item)
            result.passed = report.passed
            if not report.passed:
                result.diagnosis = describe_failure(call.excinfo)
                result.generic = bool(getattr(call.excinfo.value, "generic", False))
            self.results.append(result)
            if self.on_result:
                self.on_result(result)
        return report


def describe_failure(excinfo) -> str:
    """A diagnosis a student can act on, from the exception that failed a check."""
    if excinfo is None:
        return "the check failed"
    error = excinfo.value
    from autograde.checks.helpers import Mistake

    if isinstance(error, Mistake):
        return str(error)
    if _still_the_stub(excinfo):
        return NOT_IMPLEMENTED
    if isinstance(error, StudentCodeError):
        return str(error)
    place = _place(excinfo)
    return f"your function raised {type(error).__name__}: {_shortened(str(error))}" + (f" ({place})" if place else "")


def _shortened(message: str, limit: int = 300) -> str:
    """An error's message, cut to ``limit`` characters (torch's dispatcher errors list every backend)."""
    message = " ".join(message.split())
    return message if len(message) <= limit else message[:limit - 1].rstrip() + "…"


NOT_IMPLEMENTED = "not implemented yet: replace `raise NotImplementedError()` with your code"
# The answer cell's stub, as the student's own frame raises it: `raise NotImplementedError()`
# (with or without a message). A NotImplementedError raised *inside* a library the student
# calls (torch's "Could not run 'aten::…' with arguments from the 'SparseCPU' backend") is an
# error in written code, not a missing answer.
_STUB = re.compile(r"^raise\s+NotImplementedError\b")
# What the out-of-kernel worker sends: "<name> raised NotImplementedError: <message> (cell N, line L: <code>)",
# the place being the innermost frame in one of the notebook's cells.
_SANDBOXED_STUB = re.compile(r"\braised NotImplementedError: .*\(cell [^,()]*, line \d+: raise\s+NotImplementedError\b")


def _library(filename: str) -> bool:
    """Whether ``filename`` is code the student did not write: Python's, an installed package's, the grader's."""
    path = os.path.realpath(filename)
    roots = {sysconfig.get_paths()[k] for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    roots |= {str(HERE), str(HERE.parent / "qlab")}
    inside = lambda root: path == root or path.startswith(root.rstrip(os.sep) + os.sep)  # noqa: E731
    return any(inside(root) for root in roots if root) and not inside(str(HERE / "catalogue"))


def _student_frames(excinfo) -> list:
    """The traceback's entries in code the student wrote, innermost last."""
    return [entry for entry in excinfo.traceback if not _library(str(entry.path))]


def _still_the_stub(excinfo) -> bool:
    """True when the answer is still the stub: the innermost frame of the traceback is the student's
    own, and its line is `raise NotImplementedError…` (never when a library the student's code
    called raised it)."""
    error = excinfo.value
    if isinstance(error, StudentCodeError):
        return bool(_SANDBOXED_STUB.search(str(error)))
    if not isinstance(error, NotImplementedError):
        return False
    innermost = excinfo.traceback[-1]
    if _library(str(innermost.path)):
        return False
    try:
        line = str(innermost.statement).strip()
    except Exception:  # noqa: BLE001 - no source (e.g. exec'd code): judge by the message alone
        return str(error) == ""
    return bool(_STUB.match(line))


def _place(excinfo) -> str:
    """Where in the student's code the error happened: "in f, line 3: y = q.max(1)", or ''."""
    frames = _student_frames(excinfo)
    if not frames:
        return ""
    entry = frames[-1]
    try:
        line = str(entry.statement).strip()
    except Exception:  # noqa: BLE001
        line = ""
    return f"in {entry.name}, line {entry.lineno + 1}" + (f": {line}" if line else "")


def _run_pytest(rule: Rule, function, public_only: bool, collector: _Collector) -> int:
    """pytest.main on the rule's check module, its output captured and discarded."""
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
            return int(pytest.main(args, plugins=[_StudentFixture(function), collector]))
    finally:
        if saved_addopts is not None:
            os.environ["PYTEST_ADDOPTS"] = saved_addopts


def score(rule: Rule, planned: list[CheckResult], results: list[CheckResult], missing: str) -> RuleResult:
    """Points from the checks' results; a planned check with no result failed for ``missing``."""
    if not planned:
        return RuleResult(rule.name, 0.0, float(rule.points), missing)
    done = {r.name: r for r in results}
    checks = [done.get(p.name) or CheckResult(p.name, p.description, p.weight, False, missing) for p in planned]
    total = sum(c.weight for c in checks)
    earned = sum(c.weight for c in checks if c.passed)
    points = round(rule.points * earned / total, 2) if total else 0.0
    return RuleResult(rule.name, points, float(rule.points), summarise(checks), checks)


def run_checks(rule: Rule, function, public_only: bool = False) -> RuleResult:
    """Run ``rule``'s checks in this process with ``function`` as the student's answer.

    Never raises and never writes to stderr (nbgrader scores stderr output as 0).
    """
    collector = _Collector()
    exit_code = _run_pytest(rule, function, public_only, collector)
    return score(rule, collector.planned, collector.results,
                 f"the checks could not run (pytest exit code {exit_code}); please tell your instructor")


def run_checks_forked(rule: Rule, function, public_only: bool = False, timeout: float = 50.0) -> RuleResult:
    """Like ``run_checks``, in a forked copy of this process (a notebook's kernel).

    ``timeout`` bounds all the checks together, so a test cell's ``check`` and ``grade``
    fit in nbgrader's cell time limit (``Execute.timeout`` in nbgrader_config.py).

    If the student's code kills the process or hangs, the kernel lives on: the checks that
    finished keep their result and the others fail with a diagnosis saying what happened.
    """
    if not hasattr(os, "fork"):
        return run_checks(rule, function, public_only)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run the checks, stream each result to the parent, never return
        try:
            os.close(read_end)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            if "torch" in sys.modules:
                # A kernel that already ran torch has an OpenMP pool, which does not survive a
                # fork: the child's first parallel matmul would hang. Stay on this one thread.
                sys.modules["torch"].set_num_threads(1)

            def send(kind, payload):
                data = json.dumps([kind, [asdict(c) for c in payload]]).encode()
                os.write(write_end, struct.pack("<Q", len(data)))
                view = memoryview(data)
                while view:
                    view = view[os.write(write_end, view):]

            collector = _Collector(on_planned=lambda p: send("planned", p), on_result=lambda r: send("result", [r]))
            _run_pytest(rule, function, public_only, collector)
        finally:
            os._exit(0)
    os.close(write_end)
    planned, results = [], []
    missing = None
    deadline = time.monotonic() + timeout
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            if not select.select([pipe], [], [], max(0.0, deadline - time.monotonic()))[0]:
                os.kill(pid, signal.SIGKILL)
                missing = f"the checks did not finish within {timeout:g} s: is your {rule.name} very slow or stuck?"
                break
            header = pipe.read(8)
            if len(header) < 8:
                break
            kind, payload = json.loads(pipe.read(struct.unpack("<Q", header)[0]))
            (planned if kind == "planned" else results).extend(CheckResult(**c) for c in payload)
    _, status = os.waitpid(pid, 0)
    if missing is None:
        if os.WIFSIGNALED(status):
            missing = f"your {rule.name} crashed the Python process running it (signal {os.WTERMSIG(status)})"
        else:
            missing = f"your {rule.name} ended the Python process running it (exit code {os.WEXITSTATUS(status)})"
    return score(rule, planned, results, missing)


_NUMBER = re.compile(r"(?<![A-Za-z_])\d+(?:\.\d+)?(?:e[-+]?\d+)?")
_LEADING_CALL = re.compile(r"[A-Za-z_][\w.]*\(")


@dataclass
class Finding:
    """One distinct mistake in a rule's failed checks: what is wrong, shown with the smallest
    failing example (once), and the checks that found it, in the order they ran."""

    mistake: str
    checks: list[CheckResult] = field(default_factory=list)

    def names(self, spaced: bool = False) -> list[str]:
        """The checks' short names (``test_`` dropped; ``spaced``: words, for prose)."""
        names = (c.name.removeprefix("test_") for c in self.checks)
        return list(dict.fromkeys(n.replace("_", " ") if spaced else n for n in names))

    def descriptions(self) -> list[str]:
        return list(dict.fromkeys(c.description for c in self.checks))


def _closing(text: str, opening: int) -> int:
    """The index just past the parenthesis that closes ``text[opening]``, or -1."""
    depth = 0
    for i in range(opening, len(text)):
        depth += {"(": 1, ")": -1}.get(text[i], 0)
        if depth == 0:
            return i + 1
    return -1


def _headline(diagnosis: str) -> str:
    """A diagnosis without its evidence: "mistake (example)" loses its final parenthesised
    group (one that follows a space: ``range(size)`` at the end is code, not evidence)."""
    text = diagnosis.rstrip()
    if not text.endswith(")"):
        return text
    depth = 0
    for i in range(len(text) - 1, -1, -1):
        depth += {")": 1, "(": -1}.get(text[i], 0)
        if depth == 0:
            if i > 0 and not text[i - 1].isspace():
                return text
            return text[:i].rstrip() or text
    return text


def _observation(check: CheckResult) -> str:
    """What a failed check observed, without its evidence and without a leading failing call
    (``rule(size=5, …) returned …``)."""
    text = _headline(check.diagnosis)
    call = _LEADING_CALL.match(text)
    if call:
        end = _closing(text, call.end() - 1)
        if end > 0 and text[end:].strip():
            text = text[end:]
    return " ".join(text.split())


def _mistake_key(check: CheckResult) -> str:
    """What a failed check says is wrong, whatever example showed it: its observation with
    every number masked. Observations that name no mistake share one key: they make one line,
    shown by the smallest example."""
    return "" if check.generic else _NUMBER.sub("#", _observation(check))


def _example(failed: list[CheckResult]) -> str:
    """The diagnosis that shows a group's mistake: the smallest failing call (the shortest
    message) among the checks that saw its most common form (``returned shape (4,)`` seen by
    five checks beats ``(1,)`` seen by two; when every check saw its own form, all of them)."""
    seen = Counter(_observation(c) for c in failed)
    most = max(seen.values())
    return min((c.diagnosis for c in failed if seen[_observation(c)] == most), key=len)


def distinct_mistakes(checks: list[CheckResult]) -> list[Finding]:
    """A rule's failed checks grouped by the mistake they found: one ``Finding`` per distinct
    mistake (named mistakes in the order they first failed, then the observations that name
    none), each shown once, by its smallest failing example."""
    groups: dict[str, list[CheckResult]] = {}
    for check in (c for c in checks if not c.passed):
        groups.setdefault(_mistake_key(check), []).append(check)
    return [Finding(_example(failed), failed) for key, failed in sorted(groups.items(), key=lambda item: item[0] == "")]


def findings(result: RuleResult) -> list[Finding]:
    """``distinct_mistakes`` of a graded rule; a rule that could not be checked at all (no
    check ran) has its diagnosis as the one finding, found by no check."""
    if result.checks:
        return distinct_mistakes(result.checks)
    return [Finding(result.diagnosis)] if result.diagnosis and result.points < result.max_points else []


def summarise(checks: list[CheckResult]) -> str:
    """The rule's diagnosis: one line per distinct mistake (the shortest example of it), with
    the checks that saw it; the observations that name no mistake come last, as one line."""
    return "\n".join(f"{f.mistake} [checks: {', '.join(f.names(spaced=True))}]" for f in distinct_mistakes(checks))


def mistake_lines(result: RuleResult, width: int | None = None, spaced: bool = False) -> list[str]:
    """One line per distinct mistake of ``result`` (its smallest failing example once), naming
    the checks that found it: ``  - mistake  [check, check]``. With ``width``, each mistake is
    wrapped to that many characters and its checks follow on a ``found by:`` line."""
    lines = []
    for finding in findings(result):
        names = ", ".join(finding.names(spaced))
        if width is None:
            lines.append(f"  - {finding.mistake}" + (f"  [{names}]" if names else ""))
            continue
        lines += textwrap.wrap(finding.mistake, width, initial_indent="  - ", subsequent_indent="    ")
        if names:
            lines += textwrap.wrap(f"found by: {names}", width, initial_indent="    ", subsequent_indent="      ")
    return lines
