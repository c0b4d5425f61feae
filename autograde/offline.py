"""Grading a whole notebook out of the student's kernel.

The submission's setup and answer cells run in a sandboxed child process (see
``autograde.sandbox.process``), beside a copy of the data files in the notebook's folder; each rule's
checks run in this process and call into it. A cell that hangs or kills the process costs only
the rules that need it; qlab's reference answers of the graded rules are off limits in the
child, and an answer that is one of qlab's own functions scores 0 with a diagnosis saying so.
"""

from __future__ import annotations

from pathlib import Path

from autograde.notebook import cells_to_run, detect_assignment, read
from autograde.registry import rules_for
from autograde.runner import RuleResult, run_checks
from autograde.sandbox.process import Sandbox, StudentCodeError


def grade_notebook(path: Path, assignment: str | None = None, call_timeout: float = 10.0, *,
                   cell_timeout: float = 60.0, rule_budget: float = 300.0, isolate: bool | None = None,
                   **sandbox_options) -> list[RuleResult]:
    """Grade the notebook at ``path``: one RuleResult per graded rule of its assignment.

    ``call_timeout`` bounds one call of a student's function, ``cell_timeout`` one cell,
    ``rule_budget`` the seconds all calls of one rule may take; ``isolate`` asks for
    bubblewrap (None: use it where it works, warn where it does not). Further keyword options
    go to ``Sandbox`` (memory_limit, result_limit, max_failures, ...).
    """
    notebook = read(path)
    assignment = assignment or detect_assignment(notebook, path)
    rules = rules_for(assignment)
    sandbox = Sandbox(cells_to_run(notebook), call_timeout=call_timeout, cell_timeout=cell_timeout,
                      rule_budget=rule_budget, isolate=isolate, folder=Path(path).parent,
                      references=tuple(path for rule in rules for path in rule.references), **sandbox_options)

    def result(rule, points, diagnosis, checks=()):
        return RuleResult(rule.name, points, float(rule.points), diagnosis, list(checks), isolated=sandbox.isolated)

    try:
        sandbox.start()
        found = sandbox.inspect([rule.name for rule in rules])
    except StudentCodeError as error:
        sandbox.stop()
        return [result(rule, 0.0, str(error)) for rule in rules]
    results = []
    try:
        for rule in rules:
            info = found.get(rule.name) if isinstance(found.get(rule.name), dict) else {}
            if not info.get("callable"):
                why = f"; your cells raised: {'; '.join(sandbox.cell_errors)}" if sandbox.cell_errors else ""
                what = (f"`{rule.name}` is a {info.get('type')}, not a function" if info.get("defined")
                        else f"`{rule.name}` is not defined")
                results.append(result(rule, 0.0, f"{what}: write `{rule.signature}` in its answer cell{why}"))
            elif info.get("qlab"):
                results.append(result(rule, 0.0, f"`{rule.name}` is {info['qlab']}, the course's own code: graded "
                                                 f"answers must be your own code (write `{rule.signature}` yourself)"))
            else:
                graded = run_checks(rule, sandbox.function(rule.name))
                graded.isolated = sandbox.isolated
                results.append(graded)
    finally:
        sandbox.stop()
    return results
