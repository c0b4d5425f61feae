"""Answers to cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng) -> (B, act_dim)."""
import numpy as np
import torch


def _cem(critic, obs, low, high, N, E, K, rng, *, largest=True, clip=True, refit_sigma=True, shared=False,
         return_best=False, sigma0=None, mu0=None, variance=False, torch_noise=False):
    B, d = obs.shape[0], len(low)
    mu = np.tile((low + high) / 2 if mu0 is None else mu0, (B, 1)).astype(np.float64)
    sigma = np.tile((high - low) / 2 if sigma0 is None else sigma0, (B, 1)).astype(np.float64)
    best = mu.copy()
    for _ in range(K):
        eps = torch.randn(B, N, d).double().numpy() if torch_noise else rng.standard_normal((B, N, d))
        a = mu[:, None, :] + sigma[:, None, :] * eps
        if clip:
            a = np.clip(a, low, high)
        with torch.no_grad():
            q = critic(obs.repeat_interleave(N, 0), torch.as_tensor(a.reshape(B * N, d), dtype=obs.dtype))
        q = q.reshape(B, N).double().numpy()
        if shared:
            flat = np.argsort(-q.ravel() if largest else q.ravel())[:E]
            el = a.reshape(B * N, d)[flat]
            mu = np.tile(el.mean(0), (B, 1))
            if refit_sigma:
                sigma = np.tile(el.std(0), (B, 1))
            continue
        order = np.argsort(-q if largest else q, axis=1)[:, :E]
        el = np.take_along_axis(a, order[:, :, None], axis=1)
        best = el[:, 0]
        mu = el.mean(1)
        if refit_sigma:
            sigma = el.var(1) if variance else el.std(1)
    out = best if return_best else mu
    return torch.as_tensor(out, dtype=obs.dtype)


def w_keeps_lowest(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, largest=False)


def w_no_clip(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, clip=False)


def w_sigma_fixed(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, refit_sigma=False)


def w_elites_across_batch(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, shared=True)


def w_returns_best_elite(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, return_best=True)


def w_mean_starts_at_zero(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, mu0=np.zeros(len(low)))


def w_variance_as_sigma(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, variance=True)


def w_torch_noise(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return _cem(critic, obs, low, high, n_samples, n_elites, n_iters, rng, torch_noise=True)


def c_torch_topk(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    B, d = obs.shape[0], low.shape[0]
    lo, hi = torch.as_tensor(low, dtype=obs.dtype), torch.as_tensor(high, dtype=obs.dtype)
    mu = ((lo + hi) / 2).expand(B, d).clone()
    sigma = ((hi - lo) / 2).expand(B, d).clone()
    for _ in range(n_iters):
        eps = torch.as_tensor(rng.normal(size=(B, n_samples, d)), dtype=obs.dtype)
        a = torch.clamp(mu.unsqueeze(1) + sigma.unsqueeze(1) * eps, lo, hi)
        with torch.no_grad():
            q = critic(obs.repeat_interleave(n_samples, 0), a.reshape(-1, d)).reshape(B, n_samples)
        idx = q.topk(n_elites, dim=1).indices
        elites = a.gather(1, idx.unsqueeze(-1).expand(B, n_elites, d))
        mu, sigma = elites.mean(1), elites.std(1, unbiased=False)
    return mu


def c_loop_per_state(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    out = []
    for b in range(obs.shape[0]):
        mu, sigma = (low + high) / 2.0, (high - low) / 2.0
        for _ in range(n_iters):
            a = np.clip(mu + sigma * rng.standard_normal((n_samples, len(low))), low, high)
            with torch.no_grad():
                q = critic(obs[b:b + 1].expand(n_samples, -1), torch.as_tensor(a, dtype=obs.dtype)).numpy()
            elites = a[np.argpartition(-q, n_elites - 1)[:n_elites]]
            mu, sigma = elites.mean(axis=0), elites.std(axis=0)
        out.append(mu)
    return torch.as_tensor(np.array(out), dtype=obs.dtype)


def c_sample_major_float64(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    B, d = obs.shape[0], len(low)
    mu = np.broadcast_to((low + high) / 2, (B, d)).copy()
    sd = np.broadcast_to((high - low) / 2, (B, d)).copy()
    for _ in range(n_iters):
        a = np.clip(mu[None] + sd[None] * rng.standard_normal((n_samples, B, d)), low, high)   # (N, B, d)
        with torch.no_grad():
            q = critic(obs.repeat(n_samples, 1), torch.as_tensor(a.reshape(n_samples * B, d), dtype=obs.dtype))
        q = q.reshape(n_samples, B).double().numpy()
        top = np.argsort(q, axis=0)[::-1][:n_elites]                                         # (E, B)
        elites = a[top, np.arange(B)[None, :]]                                                # (E, B, d)
        mu, sd = elites.mean(0), np.sqrt(((elites - elites.mean(0)) ** 2).mean(0))
    return torch.from_numpy(mu).to(obs.dtype)


WRONG = {
    w_keeps_lowest: "keeps the n_elites lowest Q (sorts ascending)",
    w_no_clip: "samples not clipped to the box",
    w_sigma_fixed: "σ never refitted (only μ moves)",
    w_elites_across_batch: "elites ranked across the whole batch: one Gaussian for all states",
    w_returns_best_elite: "returns the best elite sample instead of μ",
    w_mean_starts_at_zero: "μ starts at 0 instead of the centre of the box",
    w_variance_as_sigma: "refits σ to the variance instead of the standard deviation",
    w_torch_noise: "draws the noise with torch.randn instead of rng",
}
CORRECT = [c_torch_topk, c_loop_per_state, c_sample_major_float64]
