"""Decay schedules for exploration rates and learning rates.

A schedule is a pure function of the step counter, so a training run that resumes at step t
is at exactly the same point of its schedule: the checkpoint only needs t.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["linear_schedule", "exponential_decay", "LinearSchedule", "ExponentialSchedule"]


def linear_schedule(step: int, start: float, end: float, duration: int) -> float:
    r"""Linear interpolation from ``start`` to ``end`` over ``duration`` steps, then ``end``.

    .. math:: ε_t = ε_0 + \min(t / T, 1)\,(ε_{end} - ε_0)
    """
    if duration <= 0:
        return float(end)
    fraction = min(max(step, 0) / duration, 1.0)
    return start + fraction * (end - start)


def exponential_decay(step: int, start: float, end: float, rate: float) -> float:
    r"""Exponential decay towards ``end``: ε_t = ε_end + (ε_0 - ε_end) · rate^t, 0 < rate ≤ 1."""
    if not 0.0 < rate <= 1.0:
        raise ValueError(f"rate must lie in (0, 1], got {rate}")
    return end + (start - end) * math.pow(rate, max(step, 0))


@dataclass(frozen=True)
class LinearSchedule:
    """``LinearSchedule(1.0, 0.05, 10_000)(t)`` is :func:`linear_schedule` with these settings."""

    start: float
    end: float
    duration: int

    def __call__(self, step: int) -> float:
        return linear_schedule(step, self.start, self.end, self.duration)


@dataclass(frozen=True)
class ExponentialSchedule:
    """``ExponentialSchedule(1.0, 0.05, 0.999)(t)`` is :func:`exponential_decay` with these settings."""

    start: float
    end: float
    rate: float

    def __call__(self, step: int) -> float:
        return exponential_decay(step, self.start, self.end, self.rate)
