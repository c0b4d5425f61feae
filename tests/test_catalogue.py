"""Every graded rule's hidden checks bite: each plausible wrong answer in its catalogue loses
points with a diagnosis that names the mistake, and each correct variant gets full marks."""

import importlib

import pytest

from autograde.registry import RULES
from autograde.runner import run_checks


def catalogue(rule_name):
    return importlib.import_module(f"autograde.catalogue.{rule_name}")


CORRECT = [(name, fn) for name in RULES for fn in catalogue(name).CORRECT]
WRONG = [(name, fn, words) for name in RULES for fn, words in catalogue(name).WRONG.items()]


def test_every_rule_has_a_catalogue():
    for name in RULES:
        module = catalogue(name)
        assert len(module.CORRECT) >= 3, f"{name}: at least three correct variants"
        assert len(module.WRONG) >= 5, f"{name}: at least five plausible wrong answers"


@pytest.mark.parametrize("rule_name, answer", CORRECT, ids=[f"{n}-{f.__name__}" for n, f in CORRECT])
def test_correct_variant_gets_full_marks(rule_name, answer):
    result = run_checks(RULES[rule_name], answer)
    assert result.points == result.max_points, result.report()
    assert result.diagnosis == ""


@pytest.mark.parametrize("rule_name, answer, words", WRONG, ids=[f"{n}-{f.__name__}" for n, f, _ in WRONG])
def test_wrong_answer_loses_points_with_its_diagnosis(rule_name, answer, words):
    result = run_checks(RULES[rule_name], answer)
    assert result.points < result.max_points, result.report()
    assert words in result.diagnosis, f"diagnosis should mention {words!r}:\n{result.report()}"
