"""How a check turns a wrong answer into a diagnosis a student can act on.

A check compares the student's answer with the reference. When they differ, the message
always says what was *observed* — the smallest input that shows it, the student's output
and the expected one, printed with enough digits to differ — and it *names* a classic
mistake only when the evidence singles it out: a ``Differential`` runs the student's
function on a few probes chosen to tell the rule's classic mistakes apart, and a mistake
is named only if it reproduces the student's output on every probe and no other mistake
does. Otherwise the message stays an observation; it never guesses.

Read ``autograde/checks/README.md`` before writing the checks of a new rule.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


class Mistake(AssertionError):
    """A failed check, with a message that says what is wrong. ``generic`` marks a message
    that names no mistake (an observation only); the rule's summary lists those last."""

    def __init__(self, message: str, generic: bool = False):
        super().__init__(message)
        self.generic = generic


def expect(condition, message: str, generic: bool = False) -> None:
    if not condition:
        raise Mistake(message, generic)


# ------------------------------------------------------------------ reading answers
def _is_torch(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def as_array(value, name: str) -> np.ndarray:
    """The student's return value as a numpy array (numpy, torch on any device, Python or
    numpy scalars, lists), or a Mistake saying what came back instead."""
    if value is None:
        raise Mistake(f"{name} returned None: return the result (did you forget `return`?)")
    if _is_torch(value):
        return value.detach().cpu().numpy()
    try:
        array = np.asarray(value)
    except Exception:
        raise Mistake(f"{name} returned a {type(value).__name__}, which is not array-like") from None
    if array.dtype == object:
        raise Mistake(f"{name} returned a {type(value).__name__} that is not a plain array of numbers")
    return array


def computing_dtype(*values) -> np.dtype:
    """The floating dtype a computation ran in: the least precise float among the inputs and
    the output (float32 data or a float32 answer means float32 rounding)."""
    dtypes = []
    for value in values:
        dtype = getattr(value, "dtype", None)
        if dtype is None:
            continue
        dtype = np.dtype(str(dtype).replace("torch.", ""))
        if np.issubdtype(dtype, np.floating):
            dtypes.append(dtype)
    return max(dtypes, key=lambda d: np.finfo(d).eps, default=np.dtype(np.float64))


# Torch rules are compared at float32 precision whatever the batch's dtype: `terminated.float()`
# and friends make float32 intermediates inside a float64 batch (a correct answer), and every
# classic mistake differs by far more.
TORCH_PRECISION = np.dtype(np.float32)


def tolerance(dtype, scale: float = 1.0) -> dict:
    """rtol/atol for comparing results computed in ``dtype``; ``scale`` is the size of the
    values involved (errors of sums grow with the terms)."""
    eps = np.finfo(np.dtype(dtype)).eps if np.issubdtype(np.dtype(dtype), np.floating) else np.finfo(np.float64).eps
    tol = 1e-9 if eps < 1e-10 else 2e-5 if eps < 1e-5 else 2e-2
    return {"rtol": tol, "atol": tol * max(1.0, float(scale))}


def close(got, expected, dtype=None) -> bool:
    """Same shape and equal within the tolerance of the dtype the answer was computed in."""
    got, expected = np.asarray(got), np.asarray(expected)
    if got.shape != expected.shape:
        return False
    if got.dtype == bool or expected.dtype == bool or not np.issubdtype(got.dtype, np.number):
        return bool(np.array_equal(got, expected))
    dtype = dtype if dtype is not None else computing_dtype(got, expected)
    scale = float(np.max(np.abs(expected[np.isfinite(expected)]), initial=1.0))
    return bool(np.allclose(got, expected, equal_nan=True, **tolerance(dtype, scale)))


# ------------------------------------------------------------------ printing values
def number_pair(got: float, expected: float) -> tuple[str, str]:
    """``got`` and ``expected`` printed with the fewest significant digits (at least 4) at
    which they differ, so a message never reads "got 0.4, expected 0.4"."""
    got, expected = float(got), float(expected)
    for digits in range(4, 18):
        a, b = f"{got:.{digits}g}", f"{expected:.{digits}g}"
        if a != b:
            return a, b
    return repr(got), repr(expected)


def literal(value) -> str:
    """A Python literal a student can paste into a cell to reproduce an input."""
    if _is_torch(value):
        array = literal(value.detach().cpu().numpy())
        return f"torch.tensor({array[len('np.array('):].split(', dtype=')[0].rstrip(')')}, dtype={value.dtype})"
    if isinstance(value, np.ndarray):
        body = np.array2string(value, separator=", ", threshold=10_000, max_line_width=10_000,
                               floatmode="unique")
        body = re.sub(r"\s+", " ", body).replace("[ ", "[").replace(" ]", "]").replace(" ,", ",")
        dtype = "" if value.dtype in (np.float64, np.int64, bool) else f", dtype=np.{value.dtype}"
        return f"np.array({body}{dtype})"
    if isinstance(value, (float, np.floating)):
        return repr(float(value))
    if isinstance(value, (bool, np.bool_)):
        return repr(bool(value))
    if isinstance(value, (int, np.integer)):
        return repr(int(value))
    return repr(value)


def call_text(name: str, args: tuple, names: tuple[str, ...] = ()) -> str:
    """``name(arg, …)`` as code, with keyword names where given: the failing example."""
    parts = [f"{n}={literal(a)}" if n else literal(a) for a, n in zip(args, list(names) + [""] * len(args))]
    return f"{name}({', '.join(parts)})"


def first_difference(got, expected, dtype=None) -> str:
    """Where ``got`` first differs from ``expected``, with both values."""
    got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    if got.shape != expected.shape:
        return f"shape {got.shape}, expected shape {expected.shape}"
    if got.ndim == 0:
        a, b = number_pair(got, expected)
        return f"got {a}, expected {b}"
    dtype = dtype if dtype is not None else computing_dtype(got, expected)
    scale = float(np.max(np.abs(expected[np.isfinite(expected)]), initial=1.0))
    bad = np.argwhere(~np.isclose(got, expected, equal_nan=True, **tolerance(dtype, scale)))
    index = tuple(int(i) for i in bad[0])
    a, b = number_pair(got[index], expected[index])
    where = index[0] if len(index) == 1 else index
    more = f" ({len(bad)} entries differ)" if len(bad) > 1 else ""
    return f"at index {where}: got {a}, expected {b}{more}"


# ------------------------------------------------------------------ probes and the differential
@dataclass
class Probe:
    """One input for the rule, described in the lecture's terms.

    ``args`` are copied before every call, so neither the student nor a modelled mistake
    sees another's changes; ``may_change`` lists the argument positions the contract lets
    the function change in place (e.g. the Q table of a tabular update).
    """

    label: str
    args: tuple
    may_change: tuple[int, ...] = ()

    def fresh(self) -> tuple:
        return copy.deepcopy(self.args)


def unchanged(before: tuple, after: tuple, may_change=()) -> int | None:
    """The position of the first argument the call changed although it must not, or None."""
    for i, (b, a) in enumerate(zip(before, after)):
        if i in may_change:
            continue
        if isinstance(b, np.ndarray) and not np.array_equal(b, a, equal_nan=True):
            return i
        if _is_torch(b) and not bool((b.detach() == a.detach()).all() | (b.isnan() & a.isnan()).all()):
            return i
    return None


@dataclass
class Differential:
    """A rule's classic mistakes and the probes that tell them apart.

    ``mistakes`` maps a diagnosis (what the student did, and the fix) to a function with the
    rule's signature that makes exactly that mistake. ``read(returned, args)`` turns what a
    function returned (and the arguments it got, for in-place rules) into the array that is
    compared. The project's tests assert that the probes separate every mistake from the
    reference and from every other mistake (``ambiguities`` is empty).
    """

    reference: Callable
    mistakes: dict[str, Callable]
    probes: list[Probe]
    read: Callable[[Any, tuple], Any] = lambda returned, args: returned
    dtype: Any = None  # compare at this dtype's precision (None: the dtype the answers are in)
    _seen: dict = field(default_factory=dict, repr=False)

    def outputs(self, function) -> list:
        """``function``'s answers on the probes: an array, or None where it raised or returned nothing."""
        answers = []
        for probe in self.probes:
            args = probe.fresh()
            try:
                answers.append(as_array(self.read(function(*args), args), "answer"))
            except Exception:  # noqa: BLE001 - a probe it cannot answer explains nothing
                answers.append(None)
        return answers

    def _reproduces(self, answers, model) -> bool:
        return all(a is not None and m is not None and close(a, m, self.dtype) for a, m in zip(answers, model))

    def diagnose(self, student) -> str | None:
        """The one mistake that explains ``student``'s answers on every probe, or None."""
        if self._seen.get("student") is not student:  # (by identity: a later student may reuse an id)
            answers = self.outputs(student)
            named = [name for name, wrong in self.mistakes.items() if self._reproduces(answers, self.outputs(wrong))]
            self._seen.update(student=student, named=named[0] if len(named) == 1 else None)
        return self._seen["named"]

    def ambiguities(self) -> list[str]:
        """Pairs the probes cannot tell apart (must be empty for a trustworthy diagnosis)."""
        models = {"the reference": self.outputs(self.reference)}
        models.update({name: self.outputs(wrong) for name, wrong in self.mistakes.items()})
        names = list(models)
        return [f"{a!r} and {b!r}" for i, a in enumerate(names) for b in names[i + 1:]
                if self._reproduces(models[a], models[b])]


def fail(observed: str, student=None, differential: Differential | None = None):
    """Fail a check: the named mistake when the probes single one out, else the observation."""
    named = differential.diagnose(student) if differential is not None else None
    if named:
        raise Mistake(f"{named} ({observed})")
    raise Mistake(observed, generic=True)
