"""The self-grader's report: one line per rule, one line per distinct mistake naming its checks."""

import json

import pytest

import autograde
from autograde import ChecksFailed
from autograde.__main__ import main
from autograde.nbgrader.authority import comment
from autograde.catalogue.sample_indices import starts_at_one, unfilled_slots
from autograde.nbgrader.feedback import feedback, write_feedback
from autograde.registry import RULES
from autograde.report import format_report
from autograde.runner import CheckResult, RuleResult, distinct_mistakes, run_checks


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


# A real wrong answer, graded by the real checks: the same mistake, found by every check, is
# said once everywhere a student reads it (the check cell, grade's printout, qlab-check, the
# feedback comment and JSON), with the smallest failing call once and the checks named.

UNFILLED = "it samples the unfilled slots of the buffer too"
NEVER_ZERO = "indices run 0 … size − 1"
ONE_PAST = "one past the last filled slot"


def flat(text: str) -> str:
    """The text with its line wrapping undone."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def unfilled():
    return run_checks(RULES["sample_indices"], unfilled_slots)


@pytest.fixture(scope="module")
def two_mistakes():
    return run_checks(RULES["sample_indices"], starts_at_one)


def test_one_mistake_found_by_six_checks_is_one_finding(unfilled):
    failed = [c for c in unfilled.checks if not c.passed]
    assert len(failed) >= 6 and len({c.diagnosis for c in failed}) == len(failed)   # six different examples
    [finding] = distinct_mistakes(unfilled.checks)
    assert finding.checks == failed and UNFILLED in finding.mistake
    assert finding.mistake.count("sample_indices(size=") == 1   # one example, not six


def test_the_check_cell_says_it_once_in_short_lines(capfd):
    with pytest.raises(ChecksFailed) as error:
        autograde.check("sample_indices", unfilled_slots)
    message = str(error.value)
    assert max(len(line) for line in message.splitlines()) <= 80   # nbgrader validate cuts at 90
    assert flat(message).count(UNFILLED) == 1 and message.count("sample_indices(size=") == 1
    assert message.count("\n  - ") == 1 and "found by: indices of filled slots," in flat(message)
    assert capfd.readouterr().err == ""


def test_nbgrader_autograde_printout_says_it_once(monkeypatch, capfd, unfilled):
    monkeypatch.setenv("NBGRADER_EXECUTION", "autograde")
    assert autograde.check("sample_indices", unfilled_slots) is None
    assert autograde.grade("sample_indices", unfilled_slots) == unfilled.points
    out, err = capfd.readouterr()
    # check() prints one line and leaves the mistake to grade()'s report: the cell says it once
    assert err == "" and out.count(UNFILLED) == 1
    assert out.startswith("sample_indices: 2 of 6 public checks pass (the grade below says why)\n")
    assert unfilled.report().count(UNFILLED) == 1
    failed = [c for c in unfilled.checks if not c.passed]
    assert unfilled.report().count("[FAIL]") == len(failed)   # each check listed once, by its description


def test_qlab_check_says_it_once(monkeypatch, capsys, tmp_path, unfilled):
    monkeypatch.setattr("autograde.qlab_check.find_notebook", lambda submission, cwd: (tmp_path / "x.ipynb", "04_dqn"))
    monkeypatch.setattr("autograde.qlab_check.grade_notebook", lambda *args, **kwargs: [unfilled])
    assert main(["x.ipynb", "--json", str(tmp_path / "result.json")]) == 0
    out = capsys.readouterr().out
    assert out.count(UNFILLED) == 1 and out.count("sample_indices(size=") == 1
    [line] = [line for line in out.splitlines() if line.startswith("  - ")]
    assert line.endswith("[indices_of_filled_slots, every_filled_slot_equally_likely, uses_the_rng_it_is_given, "
                         "with_replacement, size_one_and_full_buffer, not_only_the_newest]")
    [rule] = json.loads((tmp_path / "result.json").read_text())
    assert [m["mistake"] for m in rule["mistakes"]] == [line[4:line.rindex("  [")]]


def test_the_feedback_comment_and_json_say_it_once(unfilled, tmp_path):
    text = comment(unfilled, in_kernel=unfilled.points)
    head, bullets = text.split("\n\n")
    assert head == f"sample_indices: {unfilled.points:g} / 2 points."
    assert bullets.count("\n") == 0 and bullets.startswith(f"- {UNFILLED}") and bullets.count(UNFILLED) == 1
    assert bullets.count("sample_indices(size=") == 1
    assert "(found by: indices of filled slots, every filled slot equally likely," in bullets
    path = write_feedback(tmp_path, "04_dqn", "ada", [unfilled])
    [rule] = json.loads(path.read_text())["rules"]
    assert len(rule["checks"]) == len(unfilled.checks) and rule["diagnosis"].count(UNFILLED) == 1   # kept
    [mistake] = rule["mistakes"]
    assert mistake["mistake"].count(UNFILLED) == 1
    assert mistake["checks"] == [c.description for c in unfilled.checks if not c.passed]   # descriptions, never names
    assert json.dumps(rule["mistakes"], ensure_ascii=False).count(UNFILLED) == 1


def test_two_distinct_mistakes_are_two_lines_everywhere(two_mistakes, capfd, tmp_path, monkeypatch):
    findings = distinct_mistakes(two_mistakes.checks)
    assert [NEVER_ZERO in f.mistake for f in findings] == [True, False]
    assert ONE_PAST in findings[1].mistake
    assert {c.name for f in findings for c in f.checks} == {c.name for c in two_mistakes.checks if not c.passed}
    report = format_report([two_mistakes])
    assert [line.startswith("  - ") for line in report.splitlines()].count(True) == 2
    assert report.count(NEVER_ZERO) == report.count(ONE_PAST) == 1
    bullets = comment(two_mistakes, in_kernel=None).split("\n\n")[1].splitlines()
    assert len(bullets) == 2 and NEVER_ZERO in bullets[0] and ONE_PAST in bullets[1]
    assert "Your notebook's kernel did not score it" in comment(two_mistakes, in_kernel=None)
    rule = feedback("04_dqn", "ada", [two_mistakes])["rules"][0]
    assert [NEVER_ZERO in m["mistake"] for m in rule["mistakes"]] == [True, False]
    assert two_mistakes.diagnosis.count("\n") == 1
    with pytest.raises(ChecksFailed) as error:   # the public checks see both mistakes too
        autograde.check("sample_indices", starts_at_one)
    message = flat(str(error.value))
    assert message.count(NEVER_ZERO) == 1 and message.count(ONE_PAST) == 1
    assert str(error.value).count("\n  - ") == 2
