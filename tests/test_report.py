"""The self-grader's report: one line per rule, one line per distinct mistake naming its checks."""

from autograde.report import format_report
from autograde.runner import CheckResult, RuleResult


def test_one_line_per_distinct_mistake_with_the_check_names():
    stops_late = "kept backing up after the change fell below tol"
    results = [
        RuleResult("q_backup", 4.0, 4.0, "", [CheckResult("test_shape", "shape", 1, True)]),
        RuleResult("value_iteration", 0.5, 3.0, stops_late, [
            CheckResult("test_book_grid", "BookGrid", 1, False, stops_late),
            CheckResult("test_gamma_zero", "γ = 0", 1, True),
            CheckResult("test_random_mdps", "random MDPs", 1, False, stops_late),
            CheckResult("test_returns_deltas", "deltas", 1, False, "deltas must be a list", generic=True),
        ]),
        RuleResult("greedy_policy", 0.0, 2.0, "`greedy_policy` is not defined"),
    ]
    assert format_report(results).splitlines() == [
        "rule             points    max",
        "q_backup           4.00   4.00  all checks pass",
        "value_iteration    0.50   3.00",
        f"  - {stops_late}  [book_grid, random_mdps]",
        "  - deltas must be a list  [returns_deltas]",
        "greedy_policy      0.00   2.00",
        "  - `greedy_policy` is not defined",
        "total              4.50   9.00",
    ]
