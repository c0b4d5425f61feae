"""The self-grader's report: one line per rule, then one line per distinct mistake.

    rule             points    max
    q_backup           4.00   4.00  all checks pass
    value_iteration    1.50   3.00
      - kept backing up after the change fell below tol  [stops_at_tol, converges_on_bookgrid]
    total              5.50   7.00

Checks that fail for the same reason share one line, which names them all.
"""

from __future__ import annotations

from autograde.runner import RuleResult


def format_report(results: list[RuleResult]) -> str:
    width = max([len("total"), *(len(r.rule) for r in results)])
    lines = [f"{'rule':<{width}}  points    max"]
    for r in results:
        mistakes = distinct_mistakes(r)
        verdict = "  all checks pass" if not mistakes else ""
        lines.append(f"{r.rule:<{width}}  {r.points:6.2f} {r.max_points:6.2f}{verdict}")
        for diagnosis, names in mistakes.items():
            lines.append(f"  - {diagnosis}" + (f"  [{', '.join(names)}]" if names else ""))
    total, best = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(f"{'total':<{width}}  {total:6.2f} {best:6.2f}")
    return "\n".join(lines)


def distinct_mistakes(result: RuleResult) -> dict[str, list[str]]:
    """{diagnosis: names of the checks that failed with it}, in the order they first failed;
    a rule that could not be checked at all has its diagnosis with no check names."""
    failed = [c for c in result.checks if not c.passed]
    if not result.checks:
        return {result.diagnosis: []} if result.points < result.max_points else {}
    mistakes: dict[str, list[str]] = {}
    for check in failed:
        mistakes.setdefault(check.diagnosis, []).append(check.name.removeprefix("test_"))
    return mistakes
