"""The self-grader's report: one line per rule, then one line per distinct mistake.

    rule             points    max
    q_backup           4.00   4.00  all checks pass
    value_iteration    1.50   3.00
      - kept backing up after the change fell below tol  [stops_at_tol, converges_on_bookgrid]
    total              5.50   7.00

Checks that fail for the same reason share one line, which names them all and shows the
smallest failing example once (``autograde.runner.distinct_mistakes`` groups them).
"""

from __future__ import annotations

from autograde.runner import RuleResult, findings, mistake_lines


def format_report(results: list[RuleResult]) -> str:
    width = max([len("total"), *(len(r.rule) for r in results)])
    lines = [f"{'rule':<{width}}  points    max"]
    for r in results:
        verdict = "" if findings(r) else "  all checks pass"
        lines.append(f"{r.rule:<{width}}  {r.points:6.2f} {r.max_points:6.2f}{verdict}")
        lines += mistake_lines(r)
    total, best = sum(r.points for r in results), sum(r.max_points for r in results)
    lines.append(f"{'total':<{width}}  {total:6.2f} {best:6.2f}")
    return "\n".join(lines)
