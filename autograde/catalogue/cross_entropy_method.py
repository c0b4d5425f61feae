"""Student-style answers for cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng)."""

import numpy as np
import torch


def _scores(critic, obs, candidates):
    batch, n, dim = candidates.shape
    with torch.no_grad():
        return critic(obs.repeat_interleave(n, 0), candidates.reshape(batch * n, dim)).reshape(batch, n)


def _start(obs, low, high):
    low_t, high_t = torch.as_tensor(low, dtype=obs.dtype), torch.as_tensor(high, dtype=obs.dtype)
    mean = ((low_t + high_t) / 2).repeat(obs.shape[0], 1)
    std = ((high_t - low_t) / 2).repeat(obs.shape[0], 1)
    return low_t, high_t, mean, std


def vectorised(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = torch.gather(candidates, 1, best[..., None].expand(-1, -1, len(low)))
        mean, std = elites.mean(1), elites.std(1, unbiased=False)
    return mean


def loop_over_states(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    answers = []
    for s in obs:
        mean, std = (low + high) / 2, (high - low) / 2
        for _ in range(n_iters):
            samples = np.clip(rng.normal(mean, std, size=(n_samples, len(low))), low, high)
            q = critic(s.expand(n_samples, -1), torch.as_tensor(samples, dtype=obs.dtype)).detach().numpy()
            elites = samples[np.argsort(q)[-n_elites:]]
            mean, std = elites.mean(axis=0), elites.std(axis=0)
        answers.append(mean)
    return torch.as_tensor(np.array(answers), dtype=obs.dtype)


def unbiased_std(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = (mean[:, None] + std[:, None] * noise).clamp(low_t, high_t)
        order = _scores(critic, obs, candidates).argsort(dim=1, descending=True)[:, :n_elites]
        elites = candidates[torch.arange(obs.shape[0])[:, None], order]
        mean, std = elites.mean(1), elites.std(1)   # n − 1 in the denominator: fine too
    return mean


def numpy_batched(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    batch, dim = obs.shape[0], len(low)
    mean = np.tile((low + high) / 2, (batch, 1))
    std = np.tile((high - low) / 2, (batch, 1))
    for _ in range(n_iters):
        samples = np.clip(mean[:, None] + std[:, None] * rng.standard_normal((batch, n_samples, dim)), low, high)
        q = _scores(critic, obs, torch.as_tensor(samples, dtype=obs.dtype)).numpy()
        top = np.argpartition(-q, n_elites - 1, axis=1)[:, :n_elites]
        elites = np.take_along_axis(samples, top[..., None], axis=1)
        mean, std = elites.mean(axis=1), elites.std(axis=1)
    return mean


def in_float32(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return vectorised(critic, obs.float(), low.astype(np.float32), high.astype(np.float32), n_samples, n_elites,
                      n_iters, rng)


def refit_on_all_samples(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        mean, std = candidates.mean(1), candidates.std(1)
    return mean


def worst_elites(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        order = _scores(critic, obs, candidates).argsort(dim=1)[:, :n_elites]   # ascending: the worst
        elites = candidates[torch.arange(obs.shape[0])[:, None], order]
        mean, std = elites.mean(1), elites.std(1)
    return mean


def no_clipping(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = mean[:, None] + std[:, None] * noise
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        mean, std = elites.mean(1), elites.std(1)
    return mean


def std_never_refit(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        mean = candidates[torch.arange(obs.shape[0])[:, None], best].mean(1)
    return mean


def fixed_ten_iterations(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return vectorised(critic, obs, low, high, n_samples, n_elites, 10, rng)


def one_iteration_too_few(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return vectorised(critic, obs, low, high, n_samples, n_elites, n_iters - 1, rng)


def global_numpy_random(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return vectorised(critic, obs, low, high, n_samples, n_elites, n_iters, np.random.default_rng())


def uniform_samples_every_round(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """Samples uniformly each round, so the refit μ is never used to sample."""
    mean = None
    for _ in range(n_iters):
        candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        mean = candidates[torch.arange(obs.shape[0])[:, None], best].mean(1)
    return mean


def elites_chosen_across_the_batch(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """topk over dim 0 ranks the states, not the samples of one state."""
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        flat = _scores(critic, obs, candidates).reshape(-1).topk(n_elites).indices
        elites = candidates.reshape(-1, len(low))[flat]
        mean, std = elites.mean(0).expand_as(mean), elites.std(0).expand_as(std)
    return mean


def returns_the_std(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        mean, std = elites.mean(1), elites.std(1)
    return std


CORRECT = [vectorised, loop_over_states, unbiased_std, numpy_batched, in_float32]
WRONG = {
    refit_on_all_samples: "as far as the box's centre",
    worst_elites: "median distance",
    no_clipping: "clip every sample to the box",
    std_never_refit: "median distance",
    fixed_ten_iterations: "as close as after many rounds",
    one_iteration_too_few: "one round must refit μ to the elites",
    global_numpy_random: "did not draw from `rng`",
    uniform_samples_every_round: "median distance",
    elites_chosen_across_the_batch: "median distance",
    returns_the_std: "median distance",
}
