"""Student-style answers for squashed_gaussian(mean, log_std, noise) -> (action, log_prob)."""

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch.distributions import Normal
from torch.distributions.transforms import TanhTransform


def manual(mean, log_std, noise):
    std = log_std.exp()
    u = mean + std * noise
    log_normal = -0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi)
    correction = 2 * (math.log(2) - u - F.softplus(-2 * u))
    return torch.tanh(u), (log_normal - correction).sum(dim=1)


def with_normal(mean, log_std, noise):
    normal = Normal(mean, torch.exp(log_std))
    u = mean + torch.exp(log_std) * noise
    log_prob = normal.log_prob(u) - 2 * (np.log(2) - u - F.softplus(-2 * u))
    return torch.tanh(u), log_prob.sum(-1)


def with_tanh_transform(mean, log_std, noise):
    u = mean + log_std.exp() * noise
    tanh = TanhTransform(cache_size=1)
    action = tanh(u)
    log_prob = Normal(mean, log_std.exp()).log_prob(u) - tanh.log_abs_det_jacobian(u, action)
    return action, log_prob.sum(dim=-1)


def log1p_of_symmetric(mean, log_std, noise):
    """log(1 − tanh²u) = 2 (log 2 − |u| − log1p(exp(−2|u|))), symmetric in u."""
    u = mean + log_std.exp() * noise
    a = torch.tanh(u)
    log_normal = -((u - mean) / log_std.exp()) ** 2 / 2 - log_std - math.log(math.sqrt(2 * math.pi))
    correction = 2 * (math.log(2) - u.abs() - torch.log1p(torch.exp(-2 * u.abs())))
    return a, torch.sum(log_normal - correction, dim=1)


def per_dimension_loop(mean, log_std, noise):
    u = mean + log_std.exp() * noise
    log_prob = torch.zeros(mean.shape[0], dtype=mean.dtype, device=mean.device)
    for k in range(mean.shape[1]):
        uk = u[:, k]
        log_prob = log_prob + (-0.5 * noise[:, k] ** 2 - log_std[:, k] - 0.5 * math.log(2 * math.pi))
        log_prob = log_prob - 2 * (math.log(2.0) - uk - F.softplus(-2.0 * uk))
    return torch.tanh(u), log_prob


def in_float32(mean, log_std, noise):
    mean, log_std, noise = mean.float(), log_std.float(), noise.float()
    u = mean + log_std.exp() * noise
    correction = 2 * (math.log(2) - u - F.softplus(-2 * u))
    return torch.tanh(u), (Normal(mean, log_std.exp()).log_prob(u) - correction).sum(1)


def _sample(mean, log_std, noise):
    return mean + log_std.exp() * noise


def _log_normal(mean, log_std, noise):
    return -0.5 * noise ** 2 - log_std - 0.5 * math.log(2 * math.pi)


def _stable(u):
    return 2 * (math.log(2) - u - F.softplus(-2 * u))


def correction_missing(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), Normal(mean, log_std.exp()).log_prob(u).sum(-1)


def unstable_log(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    a = torch.tanh(u)
    return a, (Normal(mean, log_std.exp()).log_prob(u) - torch.log(1 - a.pow(2))).sum(-1)


def epsilon_in_the_log(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    a = torch.tanh(u)
    return a, (Normal(mean, log_std.exp()).log_prob(u) - torch.log(1 - a.pow(2) + 1e-6)).sum(-1)


def correction_sign_flipped(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (_log_normal(mean, log_std, noise) + _stable(u)).sum(-1)


def correction_summed_over_batch(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), _log_normal(mean, log_std, noise).sum(-1) - _stable(u).sum()


def not_summed(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), _log_normal(mean, log_std, noise) - _stable(u)


def mean_over_dims(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (_log_normal(mean, log_std, noise) - _stable(u)).mean(-1)


def std_for_log_std(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    log_normal = -0.5 * noise ** 2 - log_std.exp() - 0.5 * math.log(2 * math.pi)
    return torch.tanh(u), (log_normal - _stable(u)).sum(-1)


def no_two_pi(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (-0.5 * noise ** 2 - log_std - _stable(u)).sum(-1)


def density_at_the_action(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    a = torch.tanh(u)
    return a, (Normal(mean, log_std.exp()).log_prob(a) - _stable(u)).sum(-1)


def detached_sample(mean, log_std, noise):
    u = _sample(mean, log_std, noise).detach()
    return torch.tanh(u), (_log_normal(mean, log_std, noise) - _stable(u)).sum(-1)


def tanh_before_noise(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    action = torch.tanh(mean) + log_std.exp() * noise
    return action, (_log_normal(mean, log_std, noise) - _stable(u)).sum(-1)


def log_std_as_std(mean, log_std, noise):
    u = mean + log_std * noise
    return torch.tanh(u), (Normal(mean, log_std.exp()).log_prob(u) - _stable(u)).sum(-1)


def half_stable_form(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (_log_normal(mean, log_std, noise) - (math.log(2) - u - F.softplus(-2 * u))).sum(-1)


def softplus_sign(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (_log_normal(mean, log_std, noise) - 2 * (math.log(2) - u - F.softplus(2 * u))).sum(-1)


def correction_at_the_mean(mean, log_std, noise):
    u = _sample(mean, log_std, noise)
    return torch.tanh(u), (_log_normal(mean, log_std, noise) - _stable(mean)).sum(-1)


CORRECT = [manual, with_normal, with_tanh_transform, log1p_of_symmetric, per_dimension_loop, in_float32]
WRONG = {
    correction_missing: "the change-of-variables correction is missing",
    unstable_log: "computed as written is −inf",
    epsilon_in_the_log: "adding a small ε inside the log",
    correction_sign_flipped: "the correction has the wrong sign",
    correction_summed_over_batch: "summed over the whole batch",
    not_summed: "one value per action dimension",
    mean_over_dims: "it averages over the action dimensions",
    std_for_log_std: "σ in place of log σ",
    no_two_pi: "the −log(2π)/2 of log N is missing",
    density_at_the_action: "log N is evaluated at the squashed action",
    detached_sample: "the sample is not reparameterised",
    tanh_before_noise: "tanh is applied before adding the noise",
    log_std_as_std: "log_std is used as σ in the sample",
    half_stable_form: "the factor 2 of the stable form is missing",
    softplus_sign: "softplus(2u) in place of softplus(−2u)",
    correction_at_the_mean: "the correction uses the mean",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 3: the change of
# variables and its stable form, the sum over action dimensions, the reparameterised sample).
NAMED_IN_TEXT = {correction_missing, unstable_log, not_summed, detached_sample}
