"""Checks for linear_schedule(t, start, end, duration) -> value.

``start`` at t = 0, moving linearly to ``end`` at t = duration, then ``end`` for ever;
decreasing (ε from 1 to 0.05) or increasing (β from 0.4 to 1) alike, with any real start
and end. Returns one number (Python, numpy or a 0-d array/tensor).
"""

import numbers

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, call_text, close, computing_dtype, \
    fail, number_pair
from autograde.checks.helpers import GRADING
from qlab.schedules import linear_schedule as reference


MISTAKES = {
    "it keeps changing after t = duration: clamp the fraction, min(t / duration, 1), so it stays at `end`":
        lambda t, s, e, d: s + (t / d) * (e - s),
    "clamping the value with max(end, …) assumes a decreasing schedule; an increasing one (start < end) then sits "
    "at `end` from t = 0: clamp the fraction instead, min(t / duration, 1)":
        lambda t, s, e, d: max(e, s + (t / d) * (e - s)),
    "clamping the value with min(end, …) assumes an increasing schedule; a decreasing one (start > end) then sits "
    "at `end` from t = 0: clamp the fraction instead, min(t / duration, 1)":
        lambda t, s, e, d: min(e, s + (t / d) * (e - s)),
    "np.clip(value, end, start) assumes start > end; an increasing schedule then sits at `start`: clamp the "
    "fraction instead, min(t / duration, 1)":
        lambda t, s, e, d: float(np.clip(s + (t / d) * (e - s), e, s)),
    "off by one: it uses t + 1, so at t = 0 the value is not `start`":
        lambda t, s, e, d: s + min((t + 1) / d, 1.0) * (e - s),
    "the fraction is t / (duration − 1): it reaches `end` one step early; use t / duration":
        lambda t, s, e, d: s + min(t / (d - 1), 1.0) * (e - s),
    "integer division t // duration jumps from start to end: use t / duration":
        lambda t, s, e, d: s + min(t // d, 1) * (e - s),
    "start and end are swapped: it goes from `end` to `start`":
        lambda t, s, e, d: e + min(t / d, 1.0) * (s - e),
    "it moves away from `end`: start + fraction · (end − start), not start − fraction · (end − start)":
        lambda t, s, e, d: s - min(t / d, 1.0) * (e - s),
    "it starts over every `duration` steps (t % duration): after t = duration it stays at `end`":
        lambda t, s, e, d: s + (t % d) / d * (e - s),
    "it returns the fraction min(t / duration, 1), not the value start + fraction · (end − start)":
        lambda t, s, e, d: min(t / d, 1.0),
}

NAMES = ("t", "start", "end", "duration")
PROBES = [Probe(f"t = {a[0]}, {a[1]} → {a[2]} over {a[3]}", a) for a in [
    (0, 1.0, 0.1, 1000), (250, 1.0, 0.1, 1000), (1000, 1.0, 0.1, 1000), (3000, 1.0, 0.1, 1000),
    (250, 0.4, 1.0, 1000), (1500, 0.4, 1.0, 1000), (1, 2.0, 0.0, 4), (6, -1.5, 0.5, 4),
]]

# One tolerance policy for every rule: an answer computed in float32 is correct (as in 03–07).
# A schedule returns one number, often a Python float whose dtype no longer says it was computed
# in float32 (`.item()` of a float32 tensor), so every answer is compared at float32 precision;
# every classic mistake above differs by far more.
PRECISION = np.dtype(np.float32)

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=PRECISION)


def check(student, t, start, end, duration):
    args = (t, start, end, duration)
    expected = reference(*args)
    got = student(*args)
    if isinstance(got, (bool, np.bool_)) or not (isinstance(got, numbers.Real) or np.shape(as_array(got, "x")) == ()):
        raise Mistake(f"linear_schedule returned a {type(got).__name__}; expected one number "
                      f"(in {call_text('linear_schedule', args)}: it returned {got!r:.60})")
    value = as_array(got, "linear_schedule")
    if not close(value.astype(float), expected, max(computing_dtype(value), PRECISION, key=lambda d: np.finfo(d).eps)):
        a, b = number_pair(value, expected)
        fail(f"{call_text('linear_schedule', args)} = {a}; expected {b}", student, DIFFERENTIAL)


@pytest.mark.public
def test_endpoints_and_middle(student):
    """start at t = 0, a quarter of the way at t = duration / 4, end at t = duration"""
    for t in (0, 250, 500, 1000):
        check(student, t, 1.0, 0.1, 1000)


@pytest.mark.public
def test_stays_at_end_after_duration(student):
    """after t = duration it stays at end"""
    for t in (1001, 3000, 10**6):
        check(student, t, 1.0, 0.1, 1000)


@pytest.mark.public
def test_increasing_schedules(student):
    """works when start < end (e.g. β of prioritized replay annealed to 1)"""
    for t in (0, 250, 1000, 1500):
        check(student, t, 0.4, 1.0, 1000)


def test_short_and_negative_schedules(student):
    """a schedule of duration 1 and 4, and values below 0 and above 1"""
    for args in [(0, 5.0, -5.0, 1), (1, 5.0, -5.0, 1), (7, 5.0, -5.0, 1), (1, 2.0, 0.0, 4), (6, -1.5, 0.5, 4)]:
        check(student, *args)


@pytest.mark.weight(2)
@GRADING
@given(t=st.integers(0, 3000), start=st.floats(-5, 5), end=st.floats(-5, 5), duration=st.integers(1, 2000))
def test_random_schedules(student, t, start, end, duration):
    """matches the schedule for random t, start, end (beyond [0, 1], negative) and duration"""
    check(student, t, round(start, 2), round(end, 2), duration)
