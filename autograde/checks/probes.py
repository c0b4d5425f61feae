"""A pasteable example for a failure first seen on a large random input (the torch rules of 08).

A random batch too large to print is described in words; the student still gets a call to paste:
the smallest of the rule's probes on which the answer also differs, compared at float32
precision like every torch rule (``TORCH_PRECISION``).
"""

from __future__ import annotations

from typing import Callable

import torch

from autograde.checks.diagnosis import TORCH_PRECISION, as_array, close, first_difference


def _size(args) -> int:
    return sum(a.numel() for a in args if isinstance(a, torch.Tensor))


def smallest_failing_probe(student, probes, reference, call: Callable, describe: Callable) -> str:
    """``"; the smallest probe it fails: <call>: <difference>"``, or "" when it answers every probe
    like the reference (or raises on those it does not). ``call(function, args)`` calls a rule
    as the checks do; ``describe(args)`` writes the call as code."""
    for probe in sorted(probes, key=lambda p: _size(p.args)):
        expected = as_array(call(reference, probe.fresh()), "reference")
        try:
            got = as_array(call(student, probe.fresh()), "answer")
        except Exception:  # noqa: BLE001 - a probe it cannot answer is no example
            continue
        if not close(got, expected, TORCH_PRECISION):
            difference = first_difference(got, expected, TORCH_PRECISION)
            return f"; the smallest probe it fails: {describe(probe.args)}: {difference}"
    return ""
