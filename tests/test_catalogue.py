"""Every graded rule's hidden checks bite, and say true things.

For each rule, its catalogue (autograde/catalogue/<rule>.py) holds plausible WRONG answers,
each with the words its diagnosis must contain, and CORRECT variants in different styles.
This module proves: every correct variant gets full marks; every wrong answer loses points
with its diagnosis; no diagnosis names a classic mistake other than the one made; and the
probes of each rule's differential tell every classic mistake apart; and, for rules whose
checks observe the student's calls, the same holds when the student runs in another process.
The rates are printed at the end of the run (tests/conftest.py).
"""

import importlib
import pickle
import re

import numpy as np
import pytest

from autograde.registry import RULES
from autograde.runner import _headline, run_checks

RATES = {}  # rule -> list of (answer, kind, outcome); read by the summary in conftest.py


def catalogue(rule_name):
    return importlib.import_module(f"autograde.catalogue.{rule_name}")


def checks(rule_name):
    return importlib.import_module(f"autograde.checks.test_{rule_name}")


def mistake_names(rule_name) -> list[str]:
    differential = getattr(checks(rule_name), "DIFFERENTIAL", None)
    return list(differential.mistakes) if differential else []


# A headline that only reports what came out ("got …, expected …") or a crash names no mistake.
CRASHES = ("your function raised", "not implemented yet", "the checks could not run", "the checks did not finish")
BARE = re.compile(r"^(got|expected|returned|your function returned|wrong)\b[^a-z]*((got|expected|instead of|but|not|vs)\b[^a-z]*)*$")


def names_in_headline(check, words: str) -> bool:
    """A failed check names the mistake ``words`` describe: they are in its headline (the
    diagnosis less its evidence), it is not generic, and it is neither a crash report nor a
    bare observation."""
    headline = _headline(check.diagnosis)
    return (not check.passed and not check.generic and words in headline
            and not check.diagnosis.lower().startswith(CRASHES) and not BARE.match(headline.strip().lower()))


CORRECT = [(name, fn) for name in RULES for fn in catalogue(name).CORRECT]
WRONG = [(name, fn, words) for name in RULES for fn, words in catalogue(name).WRONG.items()]


def test_every_rule_has_a_catalogue():
    for name in RULES:
        module = catalogue(name)
        assert len(module.CORRECT) >= 5, f"{name}: at least five correct variants"
        assert len(module.WRONG) >= 10, f"{name}: at least ten plausible wrong answers"


@pytest.mark.parametrize("rule_name", [n for n in RULES if mistake_names(n)])
def test_probes_tell_the_classic_mistakes_apart(rule_name):
    assert checks(rule_name).DIFFERENTIAL.ambiguities() == []


@pytest.mark.parametrize("rule_name, answer", CORRECT, ids=[f"{n}-{f.__name__}" for n, f in CORRECT])
def test_correct_variant_gets_full_marks(rule_name, answer):
    result = run_checks(RULES[rule_name], answer)
    RATES.setdefault(rule_name, []).append((answer.__name__, "correct", "full" if result.points == result.max_points else "FALSE FAIL"))
    assert result.points == result.max_points, result.report()
    assert result.diagnosis == ""


@pytest.mark.parametrize("rule_name, answer, words", WRONG, ids=[f"{n}-{f.__name__}" for n, f, _ in WRONG])
def test_wrong_answer_loses_points_with_its_diagnosis(rule_name, answer, words, graded):
    result = graded(rule_name, answer)
    diagnoses = [c.diagnosis for c in result.checks if not c.passed]
    names = mistake_names(rule_name)
    named = [n for n in names if any(n in d for d in diagnoses)]
    wrong_names = [n for n in named if words not in n]
    if result.points == result.max_points:
        outcome = "NOT CAUGHT"
    elif wrong_names:
        outcome = "MISNAMED"
    elif any(words in n for n in named) or any(names_in_headline(c, words) for c in result.checks):
        outcome = "named"
    else:
        outcome = "observed" if words in result.diagnosis else "other"
    RATES.setdefault(rule_name, []).append((answer.__name__, "wrong", outcome))
    assert result.points < result.max_points, result.report()
    assert not wrong_names, f"diagnosed {wrong_names} for a different mistake:\n{result.report()}"
    assert words in result.diagnosis, f"diagnosis should mention {words!r}:\n{result.report()}"


def as_if_sandboxed(function):
    """``function`` called the way the out-of-kernel grader calls it: its arguments pickled
    (a traced argument then loses its record), in-place changes to arrays copied back."""
    def call(*args):
        copies = pickle.loads(pickle.dumps(args))
        result = function(*copies)
        for original, copy in zip(args, copies):
            if isinstance(original, np.ndarray):
                original[...] = copy
        return pickle.loads(pickle.dumps(result))
    call.__name__ = function.__name__
    return call


SANDBOXED = [(name, fn, getattr(catalogue(name), "OUT_OF_KERNEL", {}).get(fn, words))
             for name, fn, words in WRONG if hasattr(catalogue(name), "OUT_OF_KERNEL")]
SANDBOXED_CORRECT = [(name, fn) for name, fn in CORRECT if hasattr(catalogue(name), "OUT_OF_KERNEL")]


@pytest.mark.parametrize("rule_name, answer", SANDBOXED_CORRECT,
                         ids=[f"{n}-{f.__name__}" for n, f in SANDBOXED_CORRECT])
def test_correct_variant_gets_full_marks_out_of_the_kernel(rule_name, answer):
    result = run_checks(RULES[rule_name], as_if_sandboxed(answer))
    assert result.points == result.max_points, result.report()


@pytest.mark.parametrize("rule_name, answer, words", SANDBOXED, ids=[f"{n}-{f.__name__}" for n, f, _ in SANDBOXED])
def test_wrong_answer_diagnosis_out_of_the_kernel(rule_name, answer, words):
    """Rules whose checks observe the student's calls (a traced argument) judge by the result
    when the student runs in another process; the diagnosis stays true."""
    result = run_checks(RULES[rule_name], as_if_sandboxed(answer))
    named = [n for n in mistake_names(rule_name) if n in result.diagnosis]
    assert result.points < result.max_points, result.report()
    assert all(words in n for n in named), f"diagnosed {named} for a different mistake:\n{result.report()}"
    assert words in result.diagnosis, f"diagnosis should mention {words!r}:\n{result.report()}"
