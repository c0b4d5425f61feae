"""Answers to nstep_returns(rewards, terminated, truncated, gamma, n) -> (returns, discounts, dones)."""
import numpy as np
import torch


def _loop(rewards, terminated, truncated, gamma, n, *, stop_term=True, stop_trunc=True, trunc_done=False,
          disc=lambda k, n: k, done_rule="window", first_power=0):
    """One-column reference-style loop with switches that turn it into the various mistakes."""
    r = rewards.detach().cpu().double().numpy()
    te, tr = terminated.cpu().numpy().astype(bool), truncated.cpu().numpy().astype(bool)
    squeeze = r.ndim == 1
    if squeeze:
        r, te, tr = r[:, None], te[:, None], tr[:, None]
    T, N = r.shape
    G, D, F = np.zeros((T, N)), np.zeros((T, N)), np.zeros((T, N))
    for e in range(N):
        for t in range(T):
            g, k, done = 0.0, 0, False
            for i in range(n):
                j = t + i
                if j >= T:
                    break
                g += gamma ** (i + first_power) * r[j, e]
                k += 1
                if stop_term and te[j, e]:
                    done = True
                    break
                if stop_trunc and tr[j, e]:
                    done = trunc_done
                    break
            G[t, e], D[t, e] = g, gamma ** disc(k, n)
            F[t, e] = float(te[t, e]) if done_rule == "own" else float(done)
    out = [torch.as_tensor(x[:, 0] if squeeze else x, dtype=rewards.dtype) for x in (G, D, F)]
    return tuple(out)


def w_crosses_episodes(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, stop_term=False, stop_trunc=False)


def w_truncation_is_termination(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, trunc_done=True)


def w_ignores_truncation(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, stop_trunc=False)


def w_discount_always_gamma_n(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, disc=lambda k, n: n)


def w_discount_k_minus_one(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, disc=lambda k, n: k - 1)


def w_done_is_own_flag(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, done_rule="own")


def w_discounts_first_reward(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n, first_power=1)


def w_only_1d(rewards, terminated, truncated, gamma, n):
    T = len(rewards)
    returns, discounts, dones = torch.zeros(T), torch.zeros(T), torch.zeros(T)
    for t in range(T):
        g, k, d = 0.0, 0, 0.0
        while k < n and t + k < T:
            g += gamma ** k * float(rewards[t + k])
            k += 1
            if bool(terminated[t + k - 1]):
                d = 1.0
                break
            if bool(truncated[t + k - 1]):
                break
        returns[t], discounts[t], dones[t] = g, gamma ** k, d
    return returns.to(rewards.dtype), discounts.to(rewards.dtype), dones.to(rewards.dtype)


def c_loop(rewards, terminated, truncated, gamma, n):
    return _loop(rewards, terminated, truncated, gamma, n)


def c_vectorised_shifts(rewards, terminated, truncated, gamma, n):
    T = rewards.shape[0]
    r = rewards.double()
    returns = torch.zeros_like(r)
    k = torch.zeros_like(r)
    dones = torch.zeros_like(r)
    alive = torch.ones_like(r, dtype=torch.bool)  # window of t still open before step t + i
    for i in range(n):
        if i >= T:
            break
        pad = (i,) + tuple(r.shape[1:])
        r_i = torch.cat([r[i:], torch.zeros(pad, dtype=r.dtype)])
        te_i = torch.cat([terminated[i:].bool(), torch.zeros(pad, dtype=torch.bool)])
        tr_i = torch.cat([truncated[i:].bool(), torch.zeros(pad, dtype=torch.bool)])
        inside = torch.cat([torch.ones((T - i,) + tuple(r.shape[1:]), dtype=torch.bool),
                            torch.zeros(pad, dtype=torch.bool)])
        take = alive & inside
        returns = returns + torch.where(take, gamma ** i * r_i, torch.zeros_like(r_i))
        k = k + take.double()
        dones = torch.where(take & te_i, torch.ones_like(dones), dones)
        alive = take & ~te_i & ~tr_i
    discounts = torch.pow(torch.full_like(k, float(gamma)), k)
    return returns.to(rewards.dtype), discounts.to(rewards.dtype), dones.to(rewards.dtype)


def c_numpy_backward(rewards, terminated, truncated, gamma, n):
    r = np.asarray(rewards.detach().cpu().numpy(), dtype=np.float64)
    te = np.asarray(terminated.cpu().numpy(), dtype=bool)
    tr = np.asarray(truncated.cpu().numpy(), dtype=bool)
    T = r.shape[0]
    returns, discounts, dones = np.zeros_like(r), np.ones_like(r), np.zeros_like(r)
    for t in range(T):
        open_ = np.ones(r.shape[1:], dtype=bool)
        for i in range(min(n, T - t)):
            j = t + i
            returns[t] += np.where(open_, gamma ** i * r[j], 0.0)
            discounts[t] = np.where(open_, discounts[t] * gamma, discounts[t])
            dones[t] = np.where(open_ & te[j], 1.0, dones[t])
            open_ = open_ & ~te[j] & ~tr[j]
    to = lambda x: torch.from_numpy(x).to(rewards.dtype)
    return to(returns), to(discounts), to(dones)


WRONG = {
    w_crosses_episodes: "windows run across episode ends (ignores terminated and truncated)",
    w_truncation_is_termination: "a window stopped by truncation is marked done",
    w_ignores_truncation: "windows run across truncations (time limits)",
    w_discount_always_gamma_n: "discount is always γ^n, not γ^k of the shortened window",
    w_discount_k_minus_one: "discount γ^(k−1) instead of γ^k (off by one)",
    w_done_is_own_flag: "dones[t] is step t's own terminated flag, not the window's",
    w_discounts_first_reward: "discounts the first reward too (γ^(i+1))",
    w_only_1d: "handles only (T,) rewards, fails on (T, N)",
}
CORRECT = [c_loop, c_vectorised_shifts, c_numpy_backward]
