"""Checks for noisy_init(in_features, out_features, sigma0, rng) -> (weight_mu, weight_sigma, bias_mu, bias_sigma).

Fortunato et al.'s initialisation of a factorised noisy layer with p = in_features inputs and
q = out_features outputs:

    μ_w (q, p), μ_b (q,) ~ U[−1/√p, 1/√p], drawn with the numpy Generator ``rng``
    σ_w (q, p), σ_b (q,)  = σ0 / √p, every entry

all float32 torch tensors. Both bounds use p, the number of inputs.

The σ, shape and bound checks are exact. The checks of μ's distribution are statistical, on the
three tensors of μ with at least 256 entries (μ_w of a 64-input, 4-output layer; μ_w and μ_b of
a 4-input, 256-output layer); together their false-fail probability stays below 2e-7:

* the largest |μ| of n uniform draws on [−b, b] is below 0.9 b with probability 0.9^n
  (n = 256: 2e-12);
* the counts in the four quarters of [−b, b] each lie in their exact Binomial(n, 1/4) interval
  at α = 1e-8 (four quarters, three tensors: below 1.2e-7).

Whether the draws come from ``rng`` is checked deterministically: the same generator state gives
the same μ whatever the global numpy and torch generators hold, and the generator advances.
"""

from math import exp, lgamma, log, sqrt

import numpy as np
import pytest
import torch
from hypothesis import assume, given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Mistake, expect, number_pair
from autograde.checks.helpers import GRADING

NAME = "noisy_init"
PARTS = ("weight_mu", "weight_sigma", "bias_mu", "bias_sigma")
ALPHA = 1e-8
SPREAD = 0.9
# (p, q): more inputs than outputs, then more outputs than inputs, so a bound or σ that uses
# the wrong one of them shows
WIDE, TALL = (64, 4), (4, 256)
MIN_DRAWS = 256  # the statistical checks (and the naming of a wrong interval) use tensors this large


def call_text(p, q, sigma0):
    return f"{NAME}(in_features={p}, out_features={q}, sigma0={sigma0}, rng)"


def init(student, p, q, sigma0=0.5, seed=0, rng=None):
    """The student's four tensors as float64 numpy arrays, after the structural checks."""
    rng = np.random.default_rng(seed) if rng is None else rng
    example = call_text(p, q, sigma0)
    got = student(p, q, sigma0, rng)
    expect(got is not None, f"{example} returned None: return the tuple (weight_mu, weight_sigma, bias_mu, bias_sigma)")
    expect(isinstance(got, (tuple, list)) and len(got) == 4,
           f"{example} returned a {type(got).__name__}; expected a tuple of four tensors "
           "(weight_mu, weight_sigma, bias_mu, bias_sigma)")
    shapes = {"weight_mu": (q, p), "weight_sigma": (q, p), "bias_mu": (q,), "bias_sigma": (q,)}
    arrays = {}
    for name, value in zip(PARTS, got):
        expect(isinstance(value, torch.Tensor),
               f"{example} returned {name} as a {type(value).__name__}; expected a torch tensor (the layer's "
               "parameters are tensors: torch.as_tensor(..., dtype=torch.float32))")
        shape = tuple(value.shape)
        if shape != shapes[name]:
            hint = ""
            if shape == shapes[name][::-1] and len(shape) == 2:
                hint = (": the weights are transposed; like nn.Linear's, W has one row per output, "
                        "shape (out_features, in_features) = (q, p)")
            raise Mistake(f"{example} returned {name} of shape {shape}; expected {shapes[name]}{hint}")
        expect(value.dtype == torch.float32,
               f"{example} returned {name} of dtype {value.dtype}; expected torch.float32, the dtype of the "
               "network's parameters")
        arrays[name] = value.detach().cpu().double().numpy()
    return arrays


# ------------------------------------------------------------------ σ
def check_sigma(arrays, p, q, sigma0):
    example = call_text(p, q, sigma0)
    want = sigma0 / sqrt(p)
    candidates = {
        "σ uses q = out_features: σ = σ0 / √p with p = in_features, the number of inputs": sigma0 / sqrt(q),
        "σ is σ0 itself: every σ is σ0 / √p": sigma0,
        "σ is σ0 / p: every σ is σ0 / √p (the square root of p)": sigma0 / p,
        "σ is the independent-noise constant 0.017; factorised noise starts at σ0 / √p": 0.017,
    }
    for name in ("weight_sigma", "bias_sigma"):
        values = arrays[name]
        if np.allclose(values, want, rtol=1e-6, atol=1e-9):
            continue
        if np.ptp(values) > 1e-6 * max(abs(want), 1e-3):
            raise Mistake(f"{name} is not one constant: every σ starts at σ0 / √p (in {example}, {name} ranges "
                          f"from {values.min():.4g} to {values.max():.4g}; expected {want:.4g} everywhere)")
        named = [text for text, value in candidates.items() if abs(value - want) > 1e-6 * want
                 and np.allclose(values, value, rtol=1e-6, atol=1e-9)]
        got, expected = number_pair(values.flat[0], want)
        observed = f"{example}: {name} is {got} everywhere; expected σ0 / √p = {expected}"
        raise Mistake(f"{named[0]} ({observed})" if len(named) == 1 else observed, generic=not named)


# ------------------------------------------------------------------ μ
def interval(prob: float, n: int, alpha: float = ALPHA) -> tuple[int, int]:
    """The central range [lo, hi] of Binomial(n, prob) with P(X < lo) ≤ alpha/2 and P(X > hi) ≤ alpha/2."""
    pmf = [exp(lgamma(n + 1) - lgamma(k + 1) - lgamma(n - k + 1) + k * log(prob) + (n - k) * log(1 - prob))
           for k in range(n + 1)]
    lo, tail = 0, 0.0
    while tail + pmf[lo] <= alpha / 2:
        tail += pmf[lo]
        lo += 1
    hi, tail = n, 0.0
    while tail + pmf[hi] <= alpha / 2:
        tail += pmf[hi]
        hi -= 1
    return lo, hi


# Other intervals [−w, w] a half-understood init draws μ from: (diagnosis, w(p, q)).
WRONG_BOUNDS = (
    ("the bounds use q = out_features: μ ~ U[−1/√p, 1/√p] with p = in_features, the number of inputs",
     lambda p, q: 1 / sqrt(q)),
    ("the bounds are ±1/p; μ ~ U[−1/√p, 1/√p], the square root of p", lambda p, q: 1 / p),
    ("these are the bounds of independent noise, ±√(3/p); factorised noise draws μ from U[−1/√p, 1/√p]",
     lambda p, q: sqrt(3 / p)),
)


def uniform_on(values, width: float) -> bool:
    """Whether ``values`` pass for at least MIN_DRAWS uniform draws on [−width, width]: all inside, the
    largest beyond 0.9 width, each quarter's count inside its Binomial(n, 1/4) interval."""
    n, largest = values.size, float(np.abs(values).max(initial=0.0))
    if n < MIN_DRAWS or not SPREAD * width <= largest <= width * (1 + 1e-6):
        return False
    counts = np.histogram(values, bins=4, range=(-width * (1 + 1e-6), width * (1 + 1e-6)))[0]
    lo, hi = interval(0.25, n)
    return bool(((counts >= lo) & (counts <= hi)).all())


def wrong_bounds(values, p, q) -> str | None:
    """The one wrong interval of WRONG_BOUNDS that ``values`` are uniform on, else None (never a guess:
    intervals within 10% of each other, or of the right one, are not told apart)."""
    right = 1 / sqrt(p)
    named = [text for text, width in WRONG_BOUNDS
             if abs(width(p, q) - right) > 0.1 * right and uniform_on(values.ravel(), width(p, q))]
    return named[0] if len(named) == 1 else None


def check_bounds(arrays, p, q, sigma0):
    """Every μ inside [−1/√p, 1/√p] (exact; float32 rounding allowed)."""
    example = call_text(p, q, sigma0)
    bound = 1 / sqrt(p)
    for name in ("weight_mu", "bias_mu"):
        largest = float(np.abs(arrays[name]).max(initial=0.0))
        if largest <= bound * (1 + 1e-6):
            continue
        observed = f"{example}: |{name}| reaches {largest:.4g}, beyond 1/√p = {bound:.4g}"
        named = wrong_bounds(arrays[name], p, q)
        if named:
            raise Mistake(f"{named} ({observed})")
        raise Mistake(f"μ must lie in [−1/√p, 1/√p]: draw it with rng.uniform(-1/√p, 1/√p, shape) ({observed})",
                      generic=True)


def check_spread(arrays, p, q, sigma0):
    """μ fills [−1/√p, 1/√p] uniformly: it reaches near both ends and each quarter gets its share."""
    example = call_text(p, q, sigma0)
    bound = 1 / sqrt(p)
    for name in ("weight_mu", "bias_mu"):
        values = arrays[name].ravel()
        n = values.size
        if n < MIN_DRAWS:
            continue
        largest = float(np.abs(values).max(initial=0.0))
        if largest == 0.0:
            raise Mistake(f"{name} is all 0: draw it from U[−1/√p, 1/√p] like the weights (in {example})")
        if uniform_on(values, bound):
            continue
        named = wrong_bounds(values, p, q)
        if named:
            raise Mistake(f"{named} (in {example}, |{name}| stays below {largest:.4g}; 1/√p = {bound:.4g})")
        if largest < SPREAD * bound:
            raise Mistake(f"μ does not fill [−1/√p, 1/√p]: the largest of {n} uniform draws is below {SPREAD} · 1/√p "
                          f"with probability {SPREAD}^{n} (in {example}, |{name}| stays below {largest:.4g}; "
                          f"1/√p = {bound:.4g})", generic=True)
        counts = np.histogram(values, bins=4, range=(-bound * (1 + 1e-6), bound * (1 + 1e-6)))[0]
        if counts[:2].sum() == 0:
            raise Mistake(f"{name} has no negative entries: μ ~ U[−1/√p, 1/√p] is symmetric about 0 (in {example}; "
                          f"{n} uniform draws are all positive with probability 2^-{n})")
        lo, hi = interval(0.25, n)
        raise Mistake(f"μ is not uniform on [−1/√p, 1/√p]: each quarter of the interval should get between {lo} and "
                      f"{hi} of the {n} entries (in {example}, {name} falls {counts.tolist()} in the four quarters; "
                      "a normal draw crowds the middle)", generic=True)


@pytest.mark.public
def test_shapes_and_dtype(student):
    """weight_mu and weight_sigma of shape (out_features, in_features), the biases (out_features,), float32 tensors"""
    init(student, 3, 5)
    init(student, 5, 3)


@pytest.mark.public
def test_sigma_is_sigma0_over_sqrt_p(student):
    """every σ (weights and biases) is σ0 / √p, p = in_features"""
    for (p, q), sigma0 in ((WIDE, 0.5), (TALL, 0.4)):
        check_sigma(init(student, p, q, sigma0), p, q, sigma0)


@pytest.mark.public
def test_mu_within_one_over_sqrt_p(student):
    """every μ (weights and biases) lies in [−1/√p, 1/√p], p = in_features"""
    for p, q in (WIDE, TALL):
        check_bounds(init(student, p, q), p, q, 0.5)


@pytest.mark.public
def test_mu_uniform_over_the_interval(student):
    """μ_w and μ_b are uniform over [−1/√p, 1/√p] (statistical: false-fail probability below 1e-6, see above)"""
    for p, q in (WIDE, TALL):
        arrays = init(student, p, q, seed=1)
        check_bounds(arrays, p, q, 0.5)
        check_spread(arrays, p, q, 0.5)


@pytest.mark.public
@pytest.mark.weight(2)
def test_draws_from_the_rng_it_is_given(student):
    """μ comes from `rng`: the same generator state gives the same μ whatever the global random state,
    the generator advances, and the next call draws new values"""
    p, q = WIDE
    example = call_text(p, q, 0.5)
    runs = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        runs.append(init(student, p, q, seed=7))
    for name in ("weight_mu", "bias_mu"):
        expect(np.array_equal(runs[0][name], runs[1][name]),
               f"the same rng state gave a different {name}: draw with the `rng` argument "
               "(rng.uniform(-1/√p, 1/√p, shape)), not np.random.*, torch.rand or nn.init, which use the global "
               f"generators (in {example}, with the global seeds changed between the calls)")
    rng = np.random.default_rng(7)
    state = repr(rng.bit_generator.state)
    first = init(student, p, q, rng=rng)
    expect(repr(rng.bit_generator.state) != state,
           "`rng` did not advance: μ must be drawn with the generator you are given, not with a new one "
           f"(np.random.default_rng(seed) inside the function) or the global ones (in {example})")
    second = init(student, p, q, rng=rng)
    expect(not np.array_equal(first["weight_mu"], second["weight_mu"]),
           "two calls with the same (advancing) rng gave the same weight_mu: use the `rng` you are given, do not "
           f"create a new generator with a fixed seed inside the function (in {example})")


def test_sigma0_zero_and_one_input(student):
    """σ0 = 0 gives σ = 0; a layer of one input draws μ from U[−1, 1]"""
    arrays = init(student, 1, 3, 0.0)
    check_sigma(arrays, 1, 3, 0.0)
    check_bounds(arrays, 1, 3, 0.0)


@pytest.mark.weight(2)
@GRADING
@given(p=st.integers(1, 40), q=st.integers(2, 40), sigma0=st.sampled_from([0.1, 0.25, 0.5, 1.0]),
       seed=st.integers(0, 10_000))
def test_random_layer_sizes(student, p, q, sigma0, seed):
    """every layer size: shapes, float32, σ = σ0 / √p, μ within ±1/√p

    (q ≥ 2 and q ≠ p²: there σ0/√q would equal σ0 or σ0/p, and a wrong σ could not be named.)"""
    assume(q != p * p)
    arrays = init(student, p, q, sigma0, seed)
    check_sigma(arrays, p, q, sigma0)
    try:
        check_bounds(arrays, p, q, sigma0)
    except Mistake as observed:
        if observed.generic:  # too few draws to name the interval: the large layers may name it
            for big_p, big_q in (WIDE, TALL):
                check_bounds(init(student, big_p, big_q), big_p, big_q, 0.5)
        raise
