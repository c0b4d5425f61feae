"""Student-style answers for dqn_target(rewards, next_q_target, terminated, gamma) -> y."""

import numpy as np
import torch


def vectorised(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values


def with_detach(rewards, next_q_target, terminated, gamma):
    best, _ = next_q_target.detach().max(1)
    return (rewards + gamma * (1.0 - terminated) * best).detach()


def with_where(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        future = torch.where(terminated.bool(), torch.zeros_like(rewards), next_q_target.amax(dim=-1))
        return rewards + gamma * future


def with_a_loop(rewards, next_q_target, terminated, gamma):
    y = torch.empty_like(rewards)
    gammas = gamma if isinstance(gamma, torch.Tensor) and gamma.ndim else [gamma] * len(rewards)
    for i in range(len(rewards)):
        future = 0.0 if terminated[i] == 1 else float(next_q_target[i].max())
        y[i] = rewards[i].item() + float(gammas[i]) * future
    return y.detach()


def in_float32(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.float().max(dim=1).values
        return rewards.float() + torch.as_tensor(gamma, dtype=torch.float32, device=rewards.device) * (1 - terminated.float()) * best


def no_terminal_mask(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * next_q_target.max(dim=1).values


def inverted_mask(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * terminated * next_q_target.max(dim=1).values


def argmax_not_max(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.argmax(dim=1)


def mean_over_actions(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.mean(dim=1)


def keepdim_broadcasts(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.max(dim=1, keepdim=True).values   # (B, 1)
        return rewards + gamma * (1 - terminated) * best         # (B, 1) + (B,) -> (B, B)


def no_detach(rewards, next_q_target, terminated, gamma):
    return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values


def gamma_on_reward(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return gamma * (rewards + (1 - terminated) * next_q_target.max(dim=1).values)


def mask_on_reward_too(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return (1 - terminated) * (rewards + gamma * next_q_target.max(dim=1).values)


def max_over_batch(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.max(dim=0).values


def forgets_gamma(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + (1 - terminated) * next_q_target.max(dim=1).values


def adds_in_place(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        rewards += gamma * (1 - terminated) * next_q_target.max(dim=1).values
        return rewards


def numpy_answer(rewards, next_q_target, terminated, gamma):
    q = next_q_target.detach().cpu().numpy()
    return rewards.cpu().numpy() + np.asarray(gamma) * (1 - terminated.cpu().numpy()) * q.max(axis=1)


def two_mistakes(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * next_q_target.mean(dim=1)     # no mask and the mean


def float_flags(rewards, next_q_target, terminated, gamma):
    """`terminated.float()` makes the mask float32 inside a float64 batch: still correct."""
    with torch.no_grad():
        return rewards + gamma * (1 - terminated.float()) * next_q_target.max(dim=1).values


def detaches_the_network_only(rewards, next_q_target, terminated, gamma):
    """What the notebook recommends: .detach() the network's values; rewards never carry a gradient."""
    best = next_q_target.detach().max(dim=1).values
    return rewards + gamma * (1 - terminated) * best


def detached_but_unmasked(rewards, next_q_target, terminated, gamma):
    best = next_q_target.detach().max(dim=1).values          # the gradient is handled, the mask forgotten
    return rewards + gamma * best


def sparse_to_save_memory(rewards, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = next_q_target.to_sparse().max(dim=1).values    # torch has no max over a sparse tensor's rows
        return rewards + gamma * (1 - terminated) * best


CORRECT = [vectorised, with_detach, with_where, with_a_loop, in_float32, float_flags, detaches_the_network_only]
WRONG = {
    no_terminal_mask: "bootstraps from terminal next states",
    inverted_mask: "mask is inverted",
    argmax_not_max: "argmax",
    mean_over_actions: "averages Q_target(s', ·)",
    keepdim_broadcasts: "(B, 1) column",
    no_detach: "carries a gradient",
    detached_but_unmasked: "bootstraps from terminal next states",
    sparse_to_save_memory: "your function raised NotImplementedError: Could not run 'aten::max.dim'",
    gamma_on_reward: "γ also discounts the reward",
    mask_on_reward_too: "also removes the reward",
    max_over_batch: "returned shape",
    forgets_gamma: "forgets γ",
    adds_in_place: "changed its argument `rewards` in place",
    numpy_answer: "expected a torch tensor",
    two_mistakes: "at index",
}

# The wrong answers whose mistake the notebook's text names (04, exercise 2: the terminal mask
# (1 − d), no gradient through the target, the max over the action axis, (B,) + (B, 1) → (B, B).)
NAMED_IN_TEXT = {
    no_terminal_mask, inverted_mask, detached_but_unmasked, no_detach, argmax_not_max,
    mean_over_actions, max_over_batch, keepdim_broadcasts,
}
