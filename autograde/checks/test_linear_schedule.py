"""Checks for linear_schedule(t, start, end, duration) -> value.

start at t = 0, moving linearly to end at t = duration, then end for ever; decreasing
(ε from 1 to 0.05) or increasing alike.
"""

import numbers

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.helpers import GRADING, Mistake, expect
from qlab.schedules import linear_schedule as reference


def value(student, t, start, end, duration):
    got = student(t, start, end, duration)
    if not isinstance(got, numbers.Real) and not (isinstance(got, np.ndarray) and got.shape == ()):
        raise Mistake(f"linear_schedule returned {got!r}; expected one number")
    return float(got)


def expected(t, start, end, duration):
    return reference(t, start, end, duration)


def check(student, t, start, end, duration):
    got, want = value(student, t, start, end, duration), expected(t, start, end, duration)
    if np.isclose(got, want, rtol=1e-9, atol=1e-9):
        return
    fraction = min(t / duration, 1.0)
    hints = [
        (start + (t / duration) * (end - start), "it keeps changing after t = duration: clamp at `end` (min(t / duration, 1))"),
        (start + min((t + 1) / duration, 1.0) * (end - start), "off by one: at t = 0 the value is `start`"),
        (start + min(t // duration, 1) * (end - start), "integer division t // duration jumps from start to end: use t / duration"),
        (max(end, start + (t / duration) * (end - start)),
         "clamping the value with max(end, …) assumes a decreasing schedule; an increasing schedule (start < end) "
         "must work too: clamp the fraction, min(t / duration, 1)"),
        (end + fraction * (start - end), "start and end are swapped"),
    ]
    hint = next((h for v, h in hints if np.isclose(got, v, rtol=1e-9, atol=1e-9)), None)
    if hint is None and start < end:
        hint = "an increasing schedule (start < end) must work too"
    expect(False, f"linear_schedule({t}, {start}, {end}, {duration}) = {got:.6g}; expected {want:.6g}"
           + (f": {hint}" if hint else ""), generic=hint is None)


@pytest.mark.public
def test_endpoints_and_middle(student):
    """start at t = 0, halfway at t = duration / 2, end at t = duration"""
    for t in (0, 500, 1000):
        check(student, t, 1.0, 0.1, 1000)


def test_stays_at_end_after_duration(student):
    """after t = duration it stays at end"""
    for t in (1001, 5000, 10**6):
        check(student, t, 1.0, 0.1, 1000)


def test_increasing_schedules(student):
    """works when start < end (e.g. β of prioritized replay annealed to 1)"""
    for t in (0, 250, 1000, 2000):
        check(student, t, 0.4, 1.0, 1000)


@pytest.mark.weight(2)
@GRADING
@given(t=st.integers(0, 3000), start=st.floats(0, 1), end=st.floats(0, 1), duration=st.integers(1, 2000))
def test_random_schedules(student, t, start, end, duration):
    """matches the schedule for random t, start, end and duration"""
    check(student, t, start, end, duration)
