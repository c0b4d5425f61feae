"""Student-style answers for linear_schedule(t, start, end, duration)."""

import numpy as np


def clamped_fraction(t, start, end, duration):
    fraction = min(t / duration, 1.0)
    return start + fraction * (end - start)


def interp(t, start, end, duration):
    return np.interp(t, [0, duration], [start, end])


def branch(t, start, end, duration):
    if t >= duration:
        return end
    slope = (end - start) / duration
    return start + slope * t


def in_torch(t, start, end, duration):
    import torch

    fraction = torch.clamp(torch.tensor(t / duration), max=1.0)      # a 0-d float32 tensor
    return start + fraction * (end - start)


def in_float32(t, start, end, duration):
    fraction = np.float32(min(t, duration)) / np.float32(duration)
    return np.float32(start) + fraction * (np.float32(end) - np.float32(start))


def weighted_average(t, start, end, duration):
    w = min(t, duration) / duration
    return (1 - w) * start + w * end


def no_clamp(t, start, end, duration):
    return start + (end - start) * t / duration


def clamps_with_max(t, start, end, duration):
    return max(end, start + (end - start) * t / duration)


def clamps_with_min(t, start, end, duration):
    return min(end, start + (end - start) * t / duration)


def clips_between(t, start, end, duration):
    return float(np.clip(start + (end - start) * t / duration, end, start))


def off_by_one(t, start, end, duration):
    return start + min((t + 1) / duration, 1.0) * (end - start)


def fraction_of_duration_minus_one(t, start, end, duration):
    return start + min(t / (duration - 1), 1.0) * (end - start) if duration > 1 else end


def integer_division(t, start, end, duration):
    return start + min(t // duration, 1) * (end - start)


def swapped(t, start, end, duration):
    return end + min(t / duration, 1.0) * (start - end)


def sign_error(t, start, end, duration):
    return start - min(t / duration, 1.0) * (end - start)


def wraps_around(t, start, end, duration):
    return start + (t % duration) / duration * (end - start)


def returns_fraction(t, start, end, duration):
    return min(t / duration, 1.0)


def exponential(t, start, end, duration):
    return end + (start - end) * 0.99 ** t


def returns_list(t, start, end, duration):
    return [start + min(t / duration, 1.0) * (end - start)]


def float32_item(t, start, end, duration):
    import torch

    fraction = torch.clamp(torch.tensor(t) / duration, max=1.0)     # float32, then a Python float: 0.40000001
    return (start + fraction * (end - start)).item()


def float32_as_python_float(t, start, end, duration):
    fraction = np.float32(min(t / duration, 1.0))
    return float(start + fraction * np.float32(end - start))


CORRECT = [clamped_fraction, interp, branch, in_torch, in_float32, weighted_average, float32_item,
           float32_as_python_float]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or the
# observation where no single classic mistake explains it.
WRONG = {
    no_clamp: "keeps changing after t = duration",
    clamps_with_max: "with max(end, …) assumes a decreasing schedule",
    clamps_with_min: "with min(end, …) assumes an increasing schedule",
    clips_between: "np.clip(value, end, start)",
    off_by_one: "off by one",
    fraction_of_duration_minus_one: "t / (duration − 1)",
    integer_division: "integer division",
    swapped: "swapped",
    sign_error: "moves away from `end`",
    wraps_around: "starts over every `duration` steps",
    returns_fraction: "returns the fraction",
    exponential: "expected",
    returns_list: "linear_schedule returned a list; expected one number",
}

# The wrong answers whose mistake the notebook's text names (02, exercise 3: start at t = 0, end
# at t = duration, then end for ever, increasing schedules too.)
NAMED_IN_TEXT = {
    no_clamp, clamps_with_max, clamps_with_min, clips_between, off_by_one,
    fraction_of_duration_minus_one, wraps_around,
}
