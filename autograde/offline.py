"""Grading a whole notebook out of the student's kernel.

The submission's setup and answer cells run in a sandboxed child process (see
``autograde.sandbox``); each rule's checks run in this process and call into it.
"""

from __future__ import annotations

from pathlib import Path

from autograde.notebook import cells_to_run, detect_assignment, read
from autograde.registry import rules_for
from autograde.runner import RuleResult, run_checks
from autograde.sandbox import Sandbox, StudentCodeError


def grade_notebook(path: Path, assignment: str | None = None, call_timeout: float = 10.0) -> list[RuleResult]:
    notebook = read(path)
    assignment = assignment or detect_assignment(notebook, path)
    rules = rules_for(assignment)
    sandbox = Sandbox(cells_to_run(notebook), call_timeout=call_timeout)
    try:
        sandbox.start()
    except StudentCodeError as error:
        return [RuleResult(rule.name, 0.0, float(rule.points), str(error)) for rule in rules]
    results = []
    try:
        for rule in rules:
            if rule.name not in sandbox.names:
                why = f"; your cells raised: {'; '.join(sandbox.cell_errors)}" if sandbox.cell_errors else ""
                results.append(RuleResult(rule.name, 0.0, float(rule.points),
                                          f"`{rule.name}` is not defined: write `{rule.signature}` in its answer cell{why}"))
                continue
            results.append(run_checks(rule, sandbox.function(rule.name)))
    finally:
        sandbox.stop()
    return results


def format_table(results: list[RuleResult]) -> str:
    width = max(len(r.rule) for r in results)
    lines = [f"{'rule':<{width}}  points    max  diagnosis"]
    for r in results:
        lines.append(f"{r.rule:<{width}}  {r.points:6.2f} {r.max_points:6.2f}  {r.diagnosis or 'all checks pass'}")
    total, best = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(f"{'total':<{width}}  {total:6.2f} {best:6.2f}")
    return "\n".join(lines)
