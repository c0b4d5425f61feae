"""Checks for importance_weights(probs, size, beta) -> weights.

    w_i = (N · P(i))^−β / max_j (N · P(j))^−β

probs holds P(i) of the sampled batch (a 1-D numpy array), size is N, the number of stored
transitions, β ∈ [0, 1]. The max is over the sampled batch (Schaul et al., Algorithm 1): the
largest weight is 1, so the weights only scale updates down. β = 0 gives all ones; β = 1 makes
w_i · P(i) the same for every sample, the full correction of the sampling bias. The result is
a numpy array of the shape of probs; probs is left unchanged.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, call_text, close, computing_dtype, expect, fail, \
    first_difference
from autograde.checks.helpers import GRADING
from qlab.rainbow.prioritized import importance_weights as reference


def _scaled(weights, by):
    """Weights (N·P)^exponent(β), then divided by ``by(w, N·P)``."""
    def rule(probs, size, beta):
        w = weights(size * probs, beta)
        return w / by(w, size * probs)
    return rule


def _max(w, np_):
    return w.max()


MISTAKES = {
    "it raises N·P(i) to the power +β; the weight is (N·P(i))^−β (rarely sampled transitions, small P(i), get the "
    "large weights)":
        _scaled(lambda x, b: x ** b, _max),
    "it uses 1 − β as the exponent; the weight is (N·P(i))^−β (β = 0 is no correction, β = 1 the full one)":
        _scaled(lambda x, b: x ** -(1 - b), _max),
    "it ignores β and always corrects fully, (N·P(i))^−1; the exponent is −β":
        _scaled(lambda x, b: 1 / x, _max),
    "the weights are not divided by their max over the batch: w_i = (N·P(i))^−β / max_j w_j, so the largest is 1":
        _scaled(lambda x, b: x ** -b, lambda w, x: 1.0),
    "it clips the weights at 1; divide them by their max over the batch, max_j w_j (the largest becomes 1 and the "
    "ratios between them stay)":
        lambda probs, size, beta: np.minimum((size * probs) ** -beta, 1.0),
    "it divides by the sum of the weights; divide by their max over the batch, max_j w_j":
        _scaled(lambda x, b: x ** -b, lambda w, x: w.sum()),
    "it divides by the mean of the weights; divide by their max over the batch, max_j w_j":
        _scaled(lambda x, b: x ** -b, lambda w, x: w.mean()),
    "it divides by the smallest weight, min_j w_j; divide by the largest, max_j w_j, so the weights only scale "
    "updates down":
        _scaled(lambda x, b: x ** -b, lambda w, x: w.min()),
    "it divides by max_j N·P(j), the largest sampling ratio; divide by the largest weight, max_j w_j":
        _scaled(lambda x, b: x ** -b, lambda w, x: x.max()),
    "it multiplies by the largest weight; divide by it, w_i / max_j w_j":
        _scaled(lambda x, b: x ** -b, lambda w, x: 1 / w.max()),
}

NAMES = ("probs", "size", "beta")

PROBES = [
    Probe("β = 0.5", (np.array([0.1, 0.25, 0.05, 0.4]), 10, 0.5)),
    Probe("β = 1", (np.array([0.02, 0.5, 0.125]), 8, 1.0)),
    Probe("β = 0.4, larger buffer", (np.array([0.2, 0.01, 0.03, 0.05]), 20, 0.4)),
    Probe("β = 0", (np.array([0.25, 0.5]), 4, 0.0)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def check_weights(student, probs, size, beta):
    args = (probs, size, beta)
    example = call_text("importance_weights", args, NAMES)
    before = probs.copy()
    expected = reference(probs.copy(), size, beta)
    got = student(*args)
    expect(np.array_equal(probs, before),
           f"importance_weights changed its input probs in place; leave it as it is (compute a new array) ({example})")
    if got is None:
        raise Mistake(f"importance_weights returned None: return the weights (did you forget `return`?) ({example})")
    expect(isinstance(got, np.ndarray), f"importance_weights returned a {type(got).__name__}; expected a numpy array "
                                        f"of the shape of probs (the buffer hands it on as one) ({example})")
    expect(got.shape == probs.shape, f"importance_weights returned shape {got.shape}; expected {probs.shape}, one "
                                     f"weight per sampled transition ({example})")
    expect(np.issubdtype(got.dtype, np.floating), f"importance_weights returned dtype {got.dtype}; expected floats "
                                                  f"({example})")
    dtype = computing_dtype(probs, got)
    if not close(got, expected, dtype):
        fail(f"{example}: {first_difference(got, expected, dtype)}", student, DIFFERENTIAL)
    return got


@pytest.mark.public
def test_largest_weight_is_one(student):
    """divided by the max over the sampled batch: the largest weight is 1, the others smaller"""
    check_weights(student, *PROBES[0].fresh())
    check_weights(student, *PROBES[2].fresh())


@pytest.mark.public
def test_beta_zero_gives_ones(student):
    """β = 0: no correction, every weight is 1"""
    check_weights(student, *PROBES[3].fresh())
    check_weights(student, np.array([0.02, 0.3, 0.1]), 30, 0.0)


@pytest.mark.public
def test_beta_one_corrects_fully(student):
    """β = 1: w_i ∝ 1 / (N·P(i)), so w_i · P(i) is the same for every sample"""
    check_weights(student, *PROBES[1].fresh())


@pytest.mark.public
def test_probs_unchanged(student):
    """probs is only read; the result is a new numpy array of its shape"""
    check_weights(student, np.array([0.5, 0.125, 0.125, 0.25]), 4, 0.6)


def test_batch_of_one(student):
    """a batch of one sample: weight 1"""
    check_weights(student, np.array([0.2]), 5, 0.7)


def test_float32_probs_and_numpy_size(student):
    """float32 probabilities, and N as a numpy integer (as the buffer counts)"""
    probs, size, beta = PROBES[0].fresh()
    check_weights(student, probs.astype(np.float32), size, beta)
    check_weights(student, probs, np.int64(size), beta)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), size=st.integers(1, 10_000), seed=st.integers(0, 10_000),
       beta=st.sampled_from([0.0, 0.1, 0.4, 0.5, 0.75, 1.0]), dtype=st.sampled_from([np.float32, np.float64]))
def test_random_batches(student, batch, size, seed, beta, dtype):
    """random batches (float32 and float64, N from 1, β from 0 to 1, repeated probabilities among them)"""
    rng = np.random.default_rng(seed)
    probs = rng.integers(1, 100, batch) / 100 * rng.choice([1.0, 0.01], batch)
    check_weights(student, probs.astype(dtype), size, beta)
