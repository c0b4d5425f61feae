"""Answers to linear_schedule(t, start, end, duration) -> value, written blind."""
import numpy as np


def w_no_clamp(t, start, end, duration):
    return start + (end - start) * t / duration


def w_clamp_with_max(t, start, end, duration):
    return max(end, start + (end - start) * t / duration)


def w_integer_division(t, start, end, duration):
    return start + (end - start) * min(t // duration, 1)


def w_off_by_one(t, start, end, duration):
    fraction = min(t / (duration - 1), 1.0) if duration > 1 else 1.0
    return start + fraction * (end - start)


def w_wrong_direction(t, start, end, duration):
    return start - abs(start - end) * min(t / duration, 1.0)


def w_restarts_after_duration(t, start, end, duration):
    return start + (end - start) * (t % duration) / duration


def w_reaches_end_at_t_plus_one(t, start, end, duration):
    return start + (end - start) * min((t + 1) / duration, 1.0)


def c_interp(t, start, end, duration):
    return float(np.interp(t, [0, duration], [start, end]))


def c_piecewise(t, start, end, duration):
    if t >= duration:
        return end
    slope = (end - start) / duration
    return start + slope * t


def c_clip_float32(t, start, end, duration):
    frac = np.clip(np.float32(t) / np.float32(duration), 0.0, 1.0)
    return float((1.0 - frac) * start + frac * end)


WRONG = {
    w_no_clamp: "does not stop at end after duration",
    w_clamp_with_max: "clamps with max(end, ·): wrong for increasing schedules",
    w_integer_division: "integer division t // duration: jumps instead of a line",
    w_off_by_one: "reaches end at duration - 1 (divides by duration - 1)",
    w_wrong_direction: "assumes a decaying schedule (abs): goes down even when end > start",
    w_restarts_after_duration: "restarts at start after duration (t % duration)",
    w_reaches_end_at_t_plus_one: "off by one step: uses t + 1",
}
CORRECT = [c_interp, c_piecewise, c_clip_float32]
