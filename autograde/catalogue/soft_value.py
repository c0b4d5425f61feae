"""Student-style answers for soft_value(q_values, alpha) -> v."""

import math

import torch


def with_logsumexp(q_values, alpha):
    return alpha * torch.logsumexp(q_values / alpha, dim=-1)


def manual_max_shift(q_values, alpha):
    m = q_values.max(dim=-1, keepdim=True).values
    return m.squeeze(-1) + alpha * torch.log(torch.exp((q_values - m) / alpha).sum(dim=-1))


def shift_in_units_of_alpha(q_values, alpha):
    z = q_values / alpha
    top = z.amax(dim=-1)
    return alpha * (top + torch.log(torch.sum(torch.exp(z - top.unsqueeze(-1)), dim=-1)))


def entropy_form(q_values, alpha):
    """V = E_π[Q] + α H(π) with π = softmax(Q/α): the same number, through the Boltzmann policy."""
    log_pi = torch.log_softmax(q_values / alpha, dim=-1)
    pi = log_pi.exp()
    return (pi * (q_values - alpha * log_pi)).sum(dim=-1)


def row_by_row(q_values, alpha):
    flat = q_values.reshape(-1, q_values.shape[-1])
    rows = [alpha * torch.special.logsumexp(row / alpha, dim=0) for row in flat]
    return torch.stack(rows).reshape(q_values.shape[:-1])


def in_float32(q_values, alpha):
    return float(alpha) * torch.logsumexp(q_values.float() / float(alpha), dim=-1)


def no_max_shift(q_values, alpha):
    return alpha * torch.log(torch.exp(q_values / alpha).sum(dim=-1))


def alpha_missing_outside(q_values, alpha):
    return torch.logsumexp(q_values / alpha, dim=-1)


def alpha_missing_inside(q_values, alpha):
    return alpha * torch.logsumexp(q_values, dim=-1)


def alpha_multiplies_inside(q_values, alpha):
    return alpha * torch.logsumexp(alpha * q_values, dim=-1)


def divides_outside(q_values, alpha):
    return torch.logsumexp(q_values / alpha, dim=-1) / alpha


def log_of_mean(q_values, alpha):
    m = q_values.max(dim=-1, keepdim=True).values
    return m.squeeze(-1) + alpha * torch.log(torch.exp((q_values - m) / alpha).mean(dim=-1))


def over_the_batch_axis(q_values, alpha):
    return alpha * torch.logsumexp(q_values / alpha, dim=0)


def plain_max(q_values, alpha):
    return q_values.max(dim=-1).values


def forgets_the_max_back(q_values, alpha):
    m = q_values.max(dim=-1, keepdim=True).values
    return alpha * torch.log(torch.exp((q_values - m) / alpha).sum(dim=-1))


def adds_back_max_over_alpha(q_values, alpha):
    z = q_values / alpha
    top = z.amax(dim=-1)
    return top + alpha * torch.log(torch.exp(z - top.unsqueeze(-1)).sum(dim=-1))


def batch_max_shift(q_values, alpha):
    m = q_values.max()
    return m + alpha * torch.log(torch.exp((q_values - m) / alpha).sum(dim=-1))


def expected_q_only(q_values, alpha):
    return (torch.softmax(q_values / alpha, dim=-1) * q_values).sum(dim=-1)


def mean_over_actions(q_values, alpha):
    return q_values.mean(dim=-1)


def detached(q_values, alpha):
    with torch.no_grad():
        return alpha * torch.logsumexp(q_values / alpha, dim=-1)


def with_numpy(q_values, alpha):
    from scipy.special import logsumexp
    return alpha * logsumexp(q_values.detach().cpu().numpy() / alpha, axis=-1)


def log_of_alpha_times_sum(q_values, alpha):
    """α put inside the log: log Σ α exp(Q/α) instead of α log Σ exp(Q/α)."""
    return torch.logsumexp(q_values / alpha, dim=-1) + math.log(alpha)


CORRECT = [with_logsumexp, manual_max_shift, shift_in_units_of_alpha, entropy_form, row_by_row, in_float32]
WRONG = {
    no_max_shift: "no max shift",
    alpha_missing_outside: "the α in front of the log is missing",
    alpha_missing_inside: "Q is not divided by α",
    alpha_multiplies_inside: "α multiplies Q inside",
    divides_outside: "divides by α outside the log",
    log_of_mean: "the log of the mean instead of the sum",
    over_the_batch_axis: "the actions are the LAST axis",
    plain_max: "the plain max",
    forgets_the_max_back: "forgets to add m = max_a Q back",
    adds_back_max_over_alpha: "adds back max_a Q/α",
    batch_max_shift: "the max of the whole batch",
    expected_q_only: "without its entropy bonus",
    mean_over_actions: "the mean of Q over the actions",
    detached: "carries no gradient",
    with_numpy: "expected a torch tensor",
    log_of_alpha_times_sum: "α is inside the log",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 1: the max shift,
# α outside the log, a sum over the actions of each state, the α → 0 limit).
NAMED_IN_TEXT = {no_max_shift, alpha_missing_outside, alpha_missing_inside, log_of_mean, over_the_batch_axis,
                 plain_max, batch_max_shift}
