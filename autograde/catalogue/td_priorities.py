"""Student-style answers for td_priorities(td_errors, alpha, eps) -> priorities."""

import numpy as np
import torch


def under_no_grad(td_errors, alpha, eps):
    with torch.no_grad():
        return (td_errors.abs() + eps) ** alpha


def detached(td_errors, alpha, eps):
    return torch.pow(td_errors.detach().abs() + eps, alpha)


def with_torch_abs(td_errors, alpha, eps):
    delta = torch.abs(td_errors).detach()
    priority = delta + eps
    return priority.pow(alpha)


def by_sign(td_errors, alpha, eps):
    delta = td_errors.detach()
    magnitude = torch.where(delta < 0, -delta, delta)
    return (magnitude + eps) ** alpha


def through_log(td_errors, alpha, eps):
    with torch.no_grad():
        return torch.exp(alpha * torch.log(td_errors.abs() + eps))


def per_element(td_errors, alpha, eps):
    values = [(abs(float(d)) + eps) ** alpha for d in td_errors.detach().cpu()]
    return torch.tensor(values, dtype=td_errors.dtype, device=td_errors.device)


def signed(td_errors, alpha, eps):
    with torch.no_grad():
        return (td_errors + eps) ** alpha


def clamped(td_errors, alpha, eps):
    with torch.no_grad():
        return (torch.relu(td_errors) + eps) ** alpha


def eps_inside_abs(td_errors, alpha, eps):
    with torch.no_grad():
        return torch.abs(td_errors + eps) ** alpha


def eps_after_power(td_errors, alpha, eps):
    with torch.no_grad():
        return td_errors.abs() ** alpha + eps


def alpha_on_abs_only(td_errors, alpha, eps):
    return td_errors.detach().abs().pow(alpha) + eps


def no_eps(td_errors, alpha, eps):
    return td_errors.detach().abs() ** alpha


def max_with_eps(td_errors, alpha, eps):
    return torch.clamp(td_errors.detach().abs(), min=eps) ** alpha


def no_alpha(td_errors, alpha, eps):
    return td_errors.detach().abs() + eps


def times_alpha(td_errors, alpha, eps):
    return alpha * (td_errors.detach().abs() + eps)


def one_over_alpha(td_errors, alpha, eps):
    with torch.no_grad():
        return (td_errors.abs() + eps) ** (1.0 / alpha)


def squared(td_errors, alpha, eps):
    with torch.no_grad():
        return (td_errors ** 2 + eps) ** alpha


def probabilities(td_errors, alpha, eps):
    with torch.no_grad():
        p = (td_errors.abs() + eps) ** alpha
        return p / p.sum()


def keeps_gradient(td_errors, alpha, eps):
    return (td_errors.abs() + eps) ** alpha


def in_place(td_errors, alpha, eps):
    with torch.no_grad():
        td_errors.abs_().add_(eps)
        return td_errors ** alpha


def as_numpy(td_errors, alpha, eps):
    delta = td_errors.detach().cpu().numpy()
    return (np.abs(delta) + eps) ** alpha


CORRECT = [under_no_grad, detached, with_torch_abs, by_sign, through_log, per_element]
WRONG = {
    signed: "uses the signed TD error",
    clamped: "keeps only the positive TD errors",
    eps_inside_abs: "inside the absolute value",
    eps_after_power: "adds ε after the power",
    alpha_on_abs_only: "adds ε after the power",
    no_eps: "leaves out ε",
    max_with_eps: "takes max(|δ|, ε)",
    no_alpha: "leaves out the power α",
    times_alpha: "multiplies by α",
    one_over_alpha: "power 1/α",
    squared: "squares δ",
    probabilities: "normalises the priorities into probabilities",
    keeps_gradient: "carry a gradient",
    in_place: "in place",
    as_numpy: "expected a torch tensor",
}

# The wrong answers whose mistake the notebook's text names (08, exercise 2c: |δ| not δ, ε inside before the
# power, the priorities carry no gradient).
NAMED_IN_TEXT = {signed, eps_after_power, alpha_on_abs_only, no_eps, keeps_gradient}
