"""Student-style answers for nstep_returns(rewards, terminated, truncated, gamma, n)."""

import numpy as np
import torch


def each_environment(one_sequence):
    """Apply a function written for one sequence (T,) to each column of a (T, N) batch."""
    def function(rewards, terminated, truncated, gamma, n):
        if rewards.ndim == 1:
            return one_sequence(rewards, terminated, truncated, gamma, n)
        columns = [one_sequence(rewards[:, j], terminated[:, j], truncated[:, j], gamma, n)
                   for j in range(rewards.shape[1])]
        return tuple(torch.stack(parts, dim=1) for parts in zip(*columns))
    function.__name__ = one_sequence.__name__
    return function


@each_environment
def loops(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    T = rewards.shape[0]
    for t in range(T):
        for i in range(n):
            if t + i >= T:
                break
            returns[t] += gamma ** i * rewards[t + i]
            discounts[t] *= gamma
            if terminated[t + i]:
                dones[t] = 1.0
                break
            if truncated[t + i]:
                break
    return returns, discounts, dones


def per_environment_numpy(rewards, terminated, truncated, gamma, n):
    r = rewards.numpy().reshape(len(rewards), -1)
    term = terminated.numpy().reshape(r.shape)
    ended = term | truncated.numpy().reshape(r.shape)
    returns, discounts, dones = np.zeros_like(r), np.zeros_like(r), np.zeros(r.shape, dtype=bool)
    for env in range(r.shape[1]):
        for t in range(len(r)):
            k = 0
            while k < n and t + k < len(r):
                k += 1
                if ended[t + k - 1, env]:
                    break
            returns[t, env] = sum(gamma ** i * r[t + i, env] for i in range(k))
            discounts[t, env] = gamma ** k
            dones[t, env] = term[t + k - 1, env]
    shape = tuple(rewards.shape)
    return returns.reshape(shape), discounts.reshape(shape), dones.reshape(shape)


@each_environment
def backwards_recursion(rewards, terminated, truncated, gamma, n):
    """G_t = r_t + γ G_{t+1} would need whole episodes; with windows, build k step by step from the end."""
    T = rewards.shape[0]
    returns, discounts, dones = [None] * T, [None] * T, [None] * T
    for t in reversed(range(T)):
        G, k, done = 0.0, 0, False
        for i in range(min(n, T - t)):
            G = G + gamma ** i * rewards[t + i]
            k += 1
            if terminated[t + i] or truncated[t + i]:
                done = bool(terminated[t + i])
                break
        returns[t], discounts[t], dones[t] = G, gamma ** k, done
    as_tensor = lambda values, dtype: torch.stack([torch.as_tensor(v, dtype=dtype) for v in values])
    return as_tensor(returns, rewards.dtype), as_tensor(discounts, rewards.dtype), as_tensor(dones, torch.bool)


def vectorised(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    returns, dones = torch.zeros_like(rewards), torch.zeros_like(rewards)
    discounts = torch.ones_like(rewards)
    collecting = torch.ones_like(rewards, dtype=torch.bool)
    for i in range(min(n, T)):
        valid = torch.zeros_like(collecting)
        valid[: T - i] = True
        collecting &= valid
        r, term, trunc = (torch.zeros_like(x) for x in (rewards, terminated, truncated))
        r[: T - i], term[: T - i], trunc[: T - i] = rewards[i:], terminated[i:], truncated[i:]
        returns += torch.where(collecting, discounts * r, 0.0)
        discounts = torch.where(collecting, discounts * gamma, discounts)
        dones = torch.where(collecting & term, 1.0, dones)
        collecting &= ~(term | trunc)
    return returns, discounts, dones


def in_float32(rewards, terminated, truncated, gamma, n):
    return loops(rewards.float(), terminated, truncated, np.float32(gamma), n)


@each_environment
def crosses_episode_end(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    for t in range(rewards.shape[0]):
        for i in range(min(n, rewards.shape[0] - t)):
            returns[t] += gamma ** i * rewards[t + i]
            discounts[t] *= gamma
            dones[t] = torch.maximum(dones[t], terminated[t + i].to(rewards.dtype))
    return returns, discounts, dones


def truncation_as_termination(rewards, terminated, truncated, gamma, n):
    return loops(rewards, terminated | truncated, torch.zeros_like(truncated), gamma, n)


def gamma_to_the_n(rewards, terminated, truncated, gamma, n):
    returns, _, dones = loops(rewards, terminated, truncated, gamma, n)
    return returns, torch.full_like(rewards, gamma ** n), dones


def n_plus_one_rewards(rewards, terminated, truncated, gamma, n):
    return loops(rewards, terminated, truncated, gamma, n + 1)


@each_environment
def n_minus_one_rewards(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    T = rewards.shape[0]
    for t in range(T):
        for i in range(1, n):                    # range(1, n): n − 1 rewards
            if t + i - 1 >= T:
                break
            returns[t] += gamma ** (i - 1) * rewards[t + i - 1]
            discounts[t] *= gamma
            if terminated[t + i - 1]:
                dones[t] = 1.0
                break
            if truncated[t + i - 1]:
                break
    return returns, discounts, dones


def powers_from_one(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = loops(rewards, terminated, truncated, gamma, n)
    return gamma * returns, discounts, dones


def bootstrap_one_late(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = loops(rewards, terminated, truncated, gamma, n)
    return returns, discounts * gamma, dones


def done_of_first_step(rewards, terminated, truncated, gamma, n):
    returns, discounts, _ = loops(rewards, terminated, truncated, gamma, n)
    return returns, discounts, terminated.to(rewards.dtype)


def rolls_around(rewards, terminated, truncated, gamma, n):
    returns, dones = torch.zeros_like(rewards), torch.zeros_like(rewards)
    discounts = torch.ones_like(rewards)
    open_ = torch.ones_like(rewards, dtype=torch.bool)
    for i in range(n):
        r, term, trunc = (torch.roll(x, -i, dims=0) for x in (rewards, terminated, truncated))
        returns += torch.where(open_, discounts * r, 0.0)
        discounts = torch.where(open_, discounts * gamma, discounts)
        dones = torch.where(open_ & term, 1.0, dones)
        open_ &= ~(term | trunc)
    return returns, discounts, dones


def full_windows_only(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = loops(rewards, terminated, truncated, gamma, n)
    tail = max(rewards.shape[0] - n + 1, 0)
    returns[tail:], discounts[tail:], dones[tail:] = 0.0, 0.0, 0.0
    return returns, discounts, dones


def time_axis_last(rewards, terminated, truncated, gamma, n):
    if rewards.ndim == 1:
        return loops(rewards, terminated, truncated, gamma, n)
    outputs = [loops(rewards[t], terminated[t], truncated[t], gamma, n) for t in range(rewards.shape[0])]  # rows
    return tuple(torch.stack(parts) for parts in zip(*outputs))


def no_return(rewards, terminated, truncated, gamma, n):
    loops(rewards, terminated, truncated, gamma, n)


def returns_only(rewards, terminated, truncated, gamma, n):
    return loops(rewards, terminated, truncated, gamma, n)[0]


@each_environment
def never_looks_at_flags(rewards, terminated, truncated, gamma, n):
    """Windows of min(n, T − t) rewards whatever happens inside; dones from the window's last step."""
    T = rewards.shape[0]
    returns, discounts, dones = torch.zeros_like(rewards), torch.zeros_like(rewards), torch.zeros_like(rewards)
    for t in range(T):
        k = min(n, T - t)
        returns[t] = sum(gamma ** i * rewards[t + i] for i in range(k))
        discounts[t] = gamma ** k
        dones[t] = terminated[t + k - 1].to(rewards.dtype)
    return returns, discounts, dones


def convolved_returns(rewards, terminated, truncated, gamma, n):
    """Returns and discounts by a sliding sum; dones by the lesson's rule."""
    T = rewards.shape[0]
    weights = gamma ** torch.arange(n, dtype=rewards.dtype)
    padded = torch.cat([rewards, torch.zeros((n - 1,) + tuple(rewards.shape[1:]), dtype=rewards.dtype)])
    returns = torch.stack([(weights.reshape((n,) + (1,) * (rewards.ndim - 1)) * padded[t:t + n]).sum(0)
                           for t in range(T)])
    k = torch.clamp(T - torch.arange(T), max=n).to(rewards.dtype)
    discounts = (gamma ** k).reshape((T,) + (1,) * (rewards.ndim - 1)).expand_as(rewards).clone()
    _, _, dones = loops(rewards, terminated, truncated, gamma, n)
    return returns, discounts, dones


@each_environment
def forgets_break_after_termination(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    T = rewards.shape[0]
    for t in range(T):
        for i in range(min(n, T - t)):
            returns[t] += gamma ** i * rewards[t + i]
            discounts[t] *= gamma
            if terminated[t + i]:
                dones[t] = 1.0                      # … and no break: the window goes on
            if truncated[t + i]:
                break
    return returns, discounts, dones


def stops_only_at_termination(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    returns, dones, discounts = torch.zeros_like(rewards), torch.zeros_like(rewards), torch.ones_like(rewards)
    open_ = torch.ones_like(rewards, dtype=torch.bool)
    for i in range(min(n, T)):
        still = open_[: T - i]
        returns[: T - i] += torch.where(still, discounts[: T - i] * rewards[i:], 0.0)
        discounts[: T - i] = torch.where(still, discounts[: T - i] * gamma, discounts[: T - i])
        dones[: T - i] = torch.where(still & terminated[i:], 1.0, dones[: T - i])
        open_[: T - i] = still & ~terminated[i:]   # truncated forgotten
    return returns, discounts, dones


@each_environment
def horner_forwards(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    returns, discounts, dones = torch.zeros_like(rewards), torch.ones_like(rewards), torch.zeros_like(rewards)
    for t in range(T):
        G = torch.zeros((), dtype=rewards.dtype)
        for i in range(min(n, T - t)):
            G = gamma * G + rewards[t + i]          # Horner's rule, but going forwards
            discounts[t] *= gamma
            if terminated[t + i] or truncated[t + i]:
                dones[t] = float(terminated[t + i])
                break
        returns[t] = G
    return returns, discounts, dones


def counts_in_discounts(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = loops(rewards, terminated, truncated, gamma, n)
    k = torch.round(torch.log(discounts) / np.log(gamma)) if 0 < gamma < 1 else None
    if k is None:   # γ = 0 or 1: count the window the slow way
        k = torch.tensor(per_environment_numpy(torch.ones_like(rewards), terminated, truncated, 1.0, n)[0])
    return returns, k, dones                       # "discounts: how many steps to discount"


def not_done_mask(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = vectorised(rewards, terminated, truncated, gamma, n)
    return returns, discounts, 1.0 - dones          # "the factor that multiplies the bootstrap"


@each_environment
def dones_never_set(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    returns, discounts = torch.zeros_like(rewards), torch.ones_like(rewards)
    for t in range(T):
        for i in range(min(n, T - t)):
            returns[t] += gamma ** i * rewards[t + i]
            discounts[t] *= gamma
            if terminated[t + i] or truncated[t + i]:
                break
    return returns, discounts, torch.zeros_like(rewards)


def discount_zero_at_termination(rewards, terminated, truncated, gamma, n):
    returns, discounts, dones = loops(rewards, terminated, truncated, gamma, n)
    return returns, torch.where(dones.bool(), torch.zeros_like(discounts), discounts), dones


def where_done_flags(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    returns, dones, discounts = torch.zeros_like(rewards), torch.zeros_like(rewards), torch.ones_like(rewards)
    open_ = torch.ones_like(rewards, dtype=torch.bool)
    ended = terminated | truncated
    for i in range(min(n, T)):
        still = open_[: T - i]
        returns[: T - i] += torch.where(still, discounts[: T - i] * rewards[i:], 0.0)
        discounts[: T - i] = torch.where(still, discounts[: T - i] * gamma, discounts[: T - i])
        dones[: T - i] = torch.where(still & ended[i:], 1.0, dones[: T - i])   # either end counts as done
        open_[: T - i] = still & ~ended[i:]
    return returns, discounts, dones


CORRECT = [loops, per_environment_numpy, backwards_recursion, vectorised, in_float32]
WRONG = {
    crosses_episode_end: "run past an episode end",
    truncation_as_termination: "treats truncation as termination",
    gamma_to_the_n: "always γ^n",
    n_plus_one_rewards: "n + 1 rewards",
    n_minus_one_rewards: "n − 1 rewards",
    powers_from_one: "powers of γ start at 1",
    bootstrap_one_late: "γ^(k+1)",
    done_of_first_step: "dones copies terminated[t]",
    rolls_around: "wrap around",
    full_windows_only: "leaves the last n − 1 steps",
    time_axis_last: "nstep_returns(rewards=",
    no_return: "returned None",
    returns_only: "return the three tensors",
    never_looks_at_flags: "run past an episode end",
    convolved_returns: "run past an episode end",
    forgets_break_after_termination: "run past a termination",
    stops_only_at_termination: "run past a truncation",
    horner_forwards: "powers of γ run backwards",
    counts_in_discounts: "discounts holds k",
    not_done_mask: "dones is inverted",
    dones_never_set: "dones is always 0",
    discount_zero_at_termination: "folds (1 − dones) into discounts",
    where_done_flags: "treats truncation as termination",
}
# The wrong answers whose mistake the notebook's text warns about (05, exercise 2): windows stop at
# a termination (dones 1), at a truncation (still bootstrapping, γ^k) and at the sequence's end
# (k = T − t); returns Σ γ^i r_{t+i}, discounts γ^k, dones the window's termination.
NAMED_IN_TEXT = {
    crosses_episode_end, truncation_as_termination, gamma_to_the_n, n_plus_one_rewards, n_minus_one_rewards,
    powers_from_one, bootstrap_one_late, done_of_first_step, rolls_around, full_windows_only,
    never_looks_at_flags, convolved_returns, forgets_break_after_termination, stops_only_at_termination,
    horner_forwards, counts_in_discounts, not_done_mask, dones_never_set, discount_zero_at_termination,
    where_done_flags,
}
