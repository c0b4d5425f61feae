"""Student-style answers for noisy_init(in_features, out_features, sigma0, rng)
-> (weight_mu, weight_sigma, bias_mu, bias_sigma)."""

import math

import numpy as np
import torch


def _as_float32(*arrays):
    return tuple(torch.as_tensor(a, dtype=torch.float32) for a in arrays)


# ---------------------------------------------------------------------------- correct
def with_uniform(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(in_features)
    weight_mu = rng.uniform(-bound, bound, size=(out_features, in_features))
    bias_mu = rng.uniform(-bound, bound, size=out_features)
    sigma = sigma0 / math.sqrt(in_features)
    return _as_float32(weight_mu, np.full((out_features, in_features), sigma), bias_mu, np.full(out_features, sigma))


def from_random(in_features, out_features, sigma0, rng):
    p, q = in_features, out_features
    bound = p ** -0.5
    bias_mu = torch.from_numpy(rng.random(q) * 2 * bound - bound).float()       # the bias first
    weight_mu = torch.from_numpy(rng.random((q, p)) * 2 * bound - bound).float()
    return weight_mu, torch.full((q, p), sigma0 / p ** 0.5), bias_mu, torch.full((q,), sigma0 / p ** 0.5)


def transposed_draw(in_features, out_features, sigma0, rng):
    """Draws (p, q) and transposes: still uniform, one row per output."""
    bound = 1 / np.sqrt(in_features)
    weight_mu = torch.tensor(rng.uniform(-bound, bound, (in_features, out_features)).T, dtype=torch.float32)
    bias_mu = torch.tensor(rng.uniform(-bound, bound, out_features), dtype=torch.float32)
    sigma = torch.ones(out_features, in_features) * (sigma0 / np.sqrt(in_features))
    return weight_mu, sigma, bias_mu, torch.ones(out_features) * (sigma0 / np.sqrt(in_features))


def one_draw_split(in_features, out_features, sigma0, rng):
    p, q = in_features, out_features
    draws = rng.uniform(-1.0, 1.0, q * p + q) / math.sqrt(p)
    mu = torch.tensor(draws, dtype=torch.float32)
    sigma = torch.full((q * p + q,), sigma0 / math.sqrt(p), dtype=torch.float32)
    return mu[: q * p].view(q, p), sigma[: q * p].view(q, p), mu[q * p:], sigma[q * p:]


def torch_generator_seeded_from_rng(in_features, out_features, sigma0, rng):
    """A torch Generator seeded from `rng`: every draw still comes from the rng it is given."""
    generator = torch.Generator().manual_seed(int(rng.integers(2 ** 62)))
    bound = 1 / math.sqrt(in_features)
    weight_mu = torch.empty(out_features, in_features).uniform_(-bound, bound, generator=generator)
    bias_mu = torch.empty(out_features).uniform_(-bound, bound, generator=generator)
    weight_sigma = torch.empty(out_features, in_features).fill_(sigma0 / math.sqrt(in_features))
    bias_sigma = torch.empty(out_features).fill_(sigma0 / math.sqrt(in_features))
    return weight_mu, weight_sigma, bias_mu, bias_sigma


def with_a_loop(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(in_features)
    weight_mu = torch.zeros(out_features, in_features)
    bias_mu = torch.zeros(out_features)
    for i in range(out_features):
        for j in range(in_features):
            weight_mu[i, j] = float(rng.uniform(-bound, bound))
        bias_mu[i] = float(rng.uniform(-bound, bound))
    sigma = sigma0 / math.sqrt(in_features)
    return weight_mu, torch.full_like(weight_mu, sigma), bias_mu, torch.full_like(bias_mu, sigma)


# ---------------------------------------------------------------------------- wrong
def sigma_over_sqrt_q(in_features, out_features, sigma0, rng):
    w_mu, _, b_mu, _ = with_uniform(in_features, out_features, sigma0, rng)
    sigma = sigma0 / math.sqrt(out_features)
    return w_mu, torch.full_like(w_mu, sigma), b_mu, torch.full_like(b_mu, sigma)


def sigma_is_sigma0(in_features, out_features, sigma0, rng):
    w_mu, _, b_mu, _ = with_uniform(in_features, out_features, sigma0, rng)
    return w_mu, torch.full_like(w_mu, sigma0), b_mu, torch.full_like(b_mu, sigma0)


def sigma_over_p(in_features, out_features, sigma0, rng):
    w_mu, _, b_mu, _ = with_uniform(in_features, out_features, sigma0, rng)
    return w_mu, torch.full_like(w_mu, sigma0 / in_features), b_mu, torch.full_like(b_mu, sigma0 / in_features)


def bounds_one_over_p(in_features, out_features, sigma0, rng):
    bound = 1 / in_features
    _, w_sigma, _, b_sigma = with_uniform(in_features, out_features, sigma0, rng)
    return (torch.tensor(rng.uniform(-bound, bound, (out_features, in_features)), dtype=torch.float32), w_sigma,
            torch.tensor(rng.uniform(-bound, bound, out_features), dtype=torch.float32), b_sigma)


def bounds_one_over_sqrt_q(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(out_features)
    _, w_sigma, _, b_sigma = with_uniform(in_features, out_features, sigma0, rng)
    return (torch.tensor(rng.uniform(-bound, bound, (out_features, in_features)), dtype=torch.float32), w_sigma,
            torch.tensor(rng.uniform(-bound, bound, out_features), dtype=torch.float32), b_sigma)


def independent_noise_init(in_features, out_features, sigma0, rng):
    """The paper's other init, for independent (not factorised) noise: ±√(3/p) and σ = 0.017."""
    bound = math.sqrt(3 / in_features)
    return _as_float32(rng.uniform(-bound, bound, (out_features, in_features)),
                       np.full((out_features, in_features), 0.017), rng.uniform(-bound, bound, out_features),
                       np.full(out_features, 0.017))


def global_numpy_rng(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(in_features)
    sigma = sigma0 / math.sqrt(in_features)
    return _as_float32(np.random.uniform(-bound, bound, (out_features, in_features)),
                       np.full((out_features, in_features), sigma), np.random.uniform(-bound, bound, out_features),
                       np.full(out_features, sigma))


def global_torch_rng(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(in_features)
    weight_mu = torch.nn.init.uniform_(torch.empty(out_features, in_features), -bound, bound)
    bias_mu = (torch.rand(out_features) * 2 - 1) * bound
    sigma = sigma0 / math.sqrt(in_features)
    return weight_mu, torch.full_like(weight_mu, sigma), bias_mu, torch.full_like(bias_mu, sigma)


def fixed_seed(in_features, out_features, sigma0, rng):
    return with_uniform(in_features, out_features, sigma0, np.random.default_rng(0))


def bias_mu_zero(in_features, out_features, sigma0, rng):
    w_mu, w_sigma, _, b_sigma = with_uniform(in_features, out_features, sigma0, rng)
    return w_mu, w_sigma, torch.zeros(out_features), b_sigma


def normal_mu(in_features, out_features, sigma0, rng):
    scale = 1 / math.sqrt(in_features)
    sigma = sigma0 * scale
    return _as_float32(rng.normal(0, scale, (out_features, in_features)), np.full((out_features, in_features), sigma),
                       rng.normal(0, scale, out_features), np.full(out_features, sigma))


def clipped_normal_mu(in_features, out_features, sigma0, rng):
    """A normal clipped to the bounds: inside them, but not uniform."""
    bound = 1 / math.sqrt(in_features)
    sigma = sigma0 * bound
    weight_mu = rng.normal(0, 0.4 * bound, (out_features, in_features)).clip(-bound, bound)
    bias_mu = rng.normal(0, 0.4 * bound, out_features).clip(-bound, bound)
    return _as_float32(weight_mu, np.full((out_features, in_features), sigma), bias_mu, np.full(out_features, sigma))


def positive_only(in_features, out_features, sigma0, rng):
    bound = 1 / math.sqrt(in_features)
    sigma = sigma0 * bound
    return _as_float32(rng.uniform(0, bound, (out_features, in_features)), np.full((out_features, in_features), sigma),
                       rng.uniform(0, bound, out_features), np.full(out_features, sigma))


def returns_float64(in_features, out_features, sigma0, rng):
    return tuple(t.double() for t in with_uniform(in_features, out_features, sigma0, rng))


def transposed_shapes(in_features, out_features, sigma0, rng):
    w_mu, w_sigma, b_mu, b_sigma = with_uniform(in_features, out_features, sigma0, rng)
    return w_mu.T.contiguous(), w_sigma.T.contiguous(), b_mu, b_sigma


def numpy_arrays(in_features, out_features, sigma0, rng):
    return tuple(t.numpy() for t in with_uniform(in_features, out_features, sigma0, rng))


CORRECT = [with_uniform, from_random, transposed_draw, one_draw_split, torch_generator_seeded_from_rng, with_a_loop]
WRONG = {
    sigma_over_sqrt_q: "σ uses q = out_features",
    sigma_is_sigma0: "σ is σ0 itself",
    sigma_over_p: "σ is σ0 / p",
    bounds_one_over_p: "the bounds are ±1/p",
    bounds_one_over_sqrt_q: "the bounds use q = out_features",
    independent_noise_init: "independent",
    global_numpy_rng: "the same rng state gave a different",
    global_torch_rng: "the same rng state gave a different",
    fixed_seed: "did not advance",
    bias_mu_zero: "bias_mu is all 0",
    normal_mu: "beyond 1/√p",
    clipped_normal_mu: "not uniform",
    positive_only: "no negative entries",
    returns_float64: "expected torch.float32",
    transposed_shapes: "the weights are transposed",
    numpy_arrays: "expected a torch tensor",
}

# The wrong answers whose mistake the notebook's text names (08, the noisy layer's init: p is the
# number of inputs in both 1/√p and σ0/√p; μ drawn from the rng it is given).
NAMED_IN_TEXT = {sigma_over_sqrt_q, bounds_one_over_p, bounds_one_over_sqrt_q, global_numpy_rng, global_torch_rng}
