"""Student-style answers for soft_q_target(rewards, next_q_target, terminated, gamma, alpha) -> y."""

import torch


def with_logsumexp(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        v = alpha * torch.logsumexp(next_q_target / alpha, dim=1)
        return rewards + gamma * (1 - terminated.float()) * v


def manual_shift_detached(rewards, next_q_target, terminated, gamma, alpha):
    q = next_q_target.detach()
    m = q.max(dim=1).values
    v = m + alpha * torch.log(torch.exp((q - m[:, None]) / alpha).sum(dim=1))
    return rewards + gamma * (1.0 - terminated.to(rewards.dtype)) * v


def with_where(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        v = alpha * torch.logsumexp(next_q_target / alpha, dim=-1)
        return rewards + gamma * torch.where(terminated.bool(), torch.zeros_like(v), v)


def with_a_loop(rewards, next_q_target, terminated, gamma, alpha):
    y = torch.empty_like(rewards)
    gammas = gamma if isinstance(gamma, torch.Tensor) and gamma.ndim else [gamma] * len(rewards)
    for i in range(len(rewards)):
        future = 0.0 if bool(terminated[i]) else float(alpha * torch.logsumexp(next_q_target[i].detach() / alpha, 0))
        y[i] = rewards[i].item() + float(gammas[i]) * future
    return y.detach()


def in_float32(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        v = alpha * torch.logsumexp(next_q_target.float() / alpha, dim=1)
        discount = torch.as_tensor(gamma, dtype=torch.float32, device=rewards.device)
        return rewards.float() + discount * (~terminated.bool()).float() * v


def entropy_form(rewards, next_q_target, terminated, gamma, alpha):
    """V(s') = E_π[Q'] − α E_π[log π] with π = softmax(Q'/α)."""
    with torch.no_grad():
        log_pi = torch.log_softmax(next_q_target / alpha, dim=1)
        v = (log_pi.exp() * (next_q_target - alpha * log_pi)).sum(dim=1)
        return rewards + gamma * (1 - terminated.to(rewards.dtype)) * v


def _soft(q, alpha):
    return alpha * torch.logsumexp(q / alpha, dim=1)


def no_terminal_mask(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * _soft(next_q_target, alpha)


def inverted_mask(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * terminated.float() * _soft(next_q_target, alpha)


def hard_max(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated.float()) * next_q_target.max(dim=1).values


def no_grad_missing(rewards, next_q_target, terminated, gamma, alpha):
    return rewards + gamma * (1 - terminated.float()) * _soft(next_q_target, alpha)


def alpha_missing_outside(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated.float()) * torch.logsumexp(next_q_target / alpha, dim=1)


def alpha_missing_inside(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated.float()) * alpha * torch.logsumexp(next_q_target, dim=1)


def log_of_mean(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        n = next_q_target.shape[1]
        v = alpha * torch.logsumexp(next_q_target / alpha, dim=1) - alpha * torch.log(torch.tensor(float(n)))
        return rewards + gamma * (1 - terminated.float()) * v


def mean_over_actions(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated.float()) * next_q_target.mean(dim=1)


def expected_q_only(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        pi = torch.softmax(next_q_target / alpha, dim=1)
        return rewards + gamma * (1 - terminated.float()) * (pi * next_q_target).sum(dim=1)


def masks_the_reward(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return (1 - terminated.float()) * (rewards + gamma * _soft(next_q_target, alpha))


def discounts_the_reward(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        return gamma * (rewards + (1 - terminated.float()) * _soft(next_q_target, alpha))


def no_max_shift(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        v = alpha * torch.log(torch.exp(next_q_target / alpha).sum(dim=1))
        return rewards + gamma * (1 - terminated.float()) * v


def keepdim_broadcasts(rewards, next_q_target, terminated, gamma, alpha):
    with torch.no_grad():
        v = alpha * torch.logsumexp(next_q_target / alpha, dim=1, keepdim=True)   # (B, 1)
        return rewards + gamma * (1 - terminated.float()) * v


CORRECT = [with_logsumexp, manual_shift_detached, with_where, with_a_loop, in_float32, entropy_form]
WRONG = {
    no_terminal_mask: "it bootstraps from terminal next states",
    inverted_mask: "the terminal mask is inverted",
    hard_max: "hard max",
    no_grad_missing: "the target carries a gradient",
    alpha_missing_outside: "the α in front of the log is missing",
    alpha_missing_inside: "not divided by α",
    log_of_mean: "the log of the mean",
    mean_over_actions: "it averages Q'(s', ·) over the next actions",
    expected_q_only: "without the entropy bonus",
    masks_the_reward: "it masks the reward too",
    discounts_the_reward: "γ also discounts the reward",
    no_max_shift: "no max shift",
    keepdim_broadcasts: "broadcast to (B, B)",
}

# The wrong answers whose mistake the notebook's text names (09, exercise 2: terminal vs
# truncated, the soft value in place of the max, α, the target is a constant).
NAMED_IN_TEXT = {no_terminal_mask, hard_max, no_grad_missing, alpha_missing_outside, no_max_shift}
