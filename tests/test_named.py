"""Every mistake the notebook's text warns about is *named* where it occurs, not only observed.

For the rules below, each catalogue (autograde/catalogue/<rule>.py) lists in NAMED_IN_TEXT the
wrong answers whose mistake the notebook's text names (terminal vs truncated, the max over the
next state, windows that stop at episode ends, frozen targets, …), written in different styles
(loops, masks, torch.where, in place or not). Each must lose points, and every check it fails
must say which mistake it made, in the headline of its diagnosis (the part before the example),
not just "got X, expected Y". A crash on an input the student's code cannot handle (an
IndexError) is reported as such.
"""

import importlib

import pytest

from autograde.registry import RULES
from autograde.runner import _headline, run_checks

RULES_WITH_TEXT = ("q_learning_update", "nstep_returns", "fitted_q_iteration")


def catalogue(rule_name):
    return importlib.import_module(f"autograde.catalogue.{rule_name}")


NAMED = [(rule, fn, catalogue(rule).WRONG[fn]) for rule in RULES_WITH_TEXT
         for fn in sorted(catalogue(rule).NAMED_IN_TEXT, key=lambda f: f.__name__)]


@pytest.mark.parametrize("rule_name", RULES_WITH_TEXT)
def test_named_in_text_are_catalogue_mistakes(rule_name):
    module = catalogue(rule_name)
    assert module.NAMED_IN_TEXT <= set(module.WRONG), "NAMED_IN_TEXT lists wrong answers of the catalogue"
    assert len(module.NAMED_IN_TEXT) >= 10


@pytest.mark.parametrize("rule_name, answer, words", NAMED, ids=[f"{r}-{f.__name__}" for r, f, _ in NAMED])
def test_mistake_named_in_the_text_is_named_in_every_check_it_fails(rule_name, answer, words):
    result = run_checks(RULES[rule_name], answer)
    failed = [c for c in result.checks if not c.passed]
    assert failed and result.points < result.max_points, result.report()
    crashed = [c for c in failed if c.diagnosis.startswith("your function raised")]
    unnamed = [c for c in failed if c not in crashed and (c.generic or words not in _headline(c.diagnosis))]
    assert not unnamed, f"these checks do not name {words!r}:\n{result.report()}"
    assert len(crashed) < len(failed), f"only crashes, never named:\n{result.report()}"


def test_nstep_parts_tell_their_mistakes_apart():
    """nstep_returns names a mistake from one output alone only when that output singles it out."""
    checks = importlib.import_module("autograde.checks.test_nstep_returns")
    for part in checks.PARTS.values():
        assert part.mistakes and part.ambiguities() == []
