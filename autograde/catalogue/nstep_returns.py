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
}
