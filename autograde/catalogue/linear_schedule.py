"""Student-style answers for linear_schedule(t, start, end, duration)."""

import numpy as np


def clamped_fraction(t, start, end, duration):
    fraction = min(t / duration, 1.0)
    return start + fraction * (end - start)


def interp(t, start, end, duration):
    return float(np.interp(t, [0, duration], [start, end]))


def branch(t, start, end, duration):
    if t >= duration:
        return end
    slope = (end - start) / duration
    return start + slope * t


def no_clamp(t, start, end, duration):
    return start + (end - start) * t / duration


def clamps_with_max(t, start, end, duration):
    return max(end, start + (end - start) * t / duration)


def off_by_one(t, start, end, duration):
    return start + min((t + 1) / duration, 1.0) * (end - start)


def integer_division(t, start, end, duration):
    return start + min(t // duration, 1) * (end - start)


def swapped(t, start, end, duration):
    return end + min(t / duration, 1.0) * (start - end)


def exponential(t, start, end, duration):
    return end + (start - end) * 0.99 ** t


CORRECT = [clamped_fraction, interp, branch]
WRONG = {
    no_clamp: "clamp at `end`",
    clamps_with_max: "an increasing schedule (start < end) must work too",
    off_by_one: "off by one",
    integer_division: "integer division",
    swapped: "swapped",
    exponential: "expected",
}
