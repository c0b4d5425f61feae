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


def sample_major_draws(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """Draws the noise sample-major, (N, B, d), and scores it with obs.repeat(N, 1): another draw order."""
    batch, dim = obs.shape[0], len(low)
    mean, std = np.tile((low + high) / 2, (batch, 1)), np.tile((high - low) / 2, (batch, 1))
    for _ in range(n_iters):
        x = np.clip(mean + std * rng.standard_normal((n_samples, batch, dim)), low, high)     # (N, B, d)
        q = critic(obs.repeat(n_samples, 1), torch.as_tensor(x.reshape(-1, dim), dtype=obs.dtype))
        q = q.reshape(n_samples, batch).T.numpy()
        top = np.argsort(q, axis=1)[:, ::-1][:, :n_elites]
        elites = x.transpose(1, 0, 2)[np.arange(batch)[:, None], top]
        mean, std = elites.mean(axis=1), elites.std(axis=1, ddof=1)
    return torch.as_tensor(mean, dtype=obs.dtype)


def per_state_normal_unbiased(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """One state at a time, one dimension at a time, rng.normal(μ, σ) and np.std(ddof=1)."""
    out = []
    for s in obs:
        mu, sigma = (low + high) / 2, (high - low) / 2
        for _ in range(n_iters):
            columns = [np.clip(rng.normal(mu[j], sigma[j], n_samples), low[j], high[j]) for j in range(len(low))]
            samples = np.stack(columns, axis=1)
            values = critic(s[None], torch.as_tensor(samples, dtype=obs.dtype)).numpy()
            elites = samples[np.argsort(values)[::-1][:n_elites]]
            mu, sigma = np.mean(elites, axis=0), np.std(elites, axis=0, ddof=1)
        out.append(mu)
    return torch.tensor(np.array(out), dtype=obs.dtype)


def torch_sort_index_select(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        eps = torch.from_numpy(rng.normal(size=(obs.shape[0], n_samples, len(low)))).to(obs.dtype)
        candidates = torch.max(torch.min(mean.unsqueeze(1) + std.unsqueeze(1) * eps, high_t), low_t)
        _, order = torch.sort(_scores(critic, obs, candidates), dim=1, descending=True)
        elites = torch.stack([candidates[b].index_select(0, order[b, :n_elites]) for b in range(obs.shape[0])])
        mean = elites.mean(dim=1)
        std = torch.sqrt(((elites - mean[:, None]) ** 2).sum(dim=1) / (n_elites - 1))
    return mean


def returns_the_best_sample(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """Keeps the best sample seen in the last round and returns it ("the action with the largest Q")."""
    answers = []
    for s in obs:
        mean, std = (low + high) / 2, (high - low) / 2
        for _ in range(n_iters):
            samples = np.clip(mean + std * rng.standard_normal((n_samples, len(low))), low, high)
            q = critic(s[None], torch.as_tensor(samples, dtype=obs.dtype)).numpy()
            order = np.argsort(-q)
            best = samples[order[0]]
            mean, std = samples[order[:n_elites]].mean(0), samples[order[:n_elites]].std(0)
        answers.append(best)
    return torch.as_tensor(np.array(answers), dtype=obs.dtype)


def starts_from_the_full_width(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    batch, dim = obs.shape[0], len(low)
    mean = np.tile((low + high) / 2, (batch, 1))
    std = np.tile(high - low, (batch, 1))                       # "σ covers the box"
    for _ in range(n_iters):
        samples = np.clip(mean[:, None] + std[:, None] * rng.standard_normal((batch, n_samples, dim)), low, high)
        q = _scores(critic, obs, torch.as_tensor(samples, dtype=obs.dtype)).numpy()
        elites = np.take_along_axis(samples, np.argsort(-q, axis=1)[:, :n_elites, None], axis=1)
        mean, std = elites.mean(axis=1), elites.std(axis=1)
    return torch.as_tensor(mean, dtype=obs.dtype)


def starts_from_a_standard_normal(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    mean = torch.zeros(obs.shape[0], len(low), dtype=obs.dtype)
    std = torch.ones(obs.shape[0], len(low), dtype=obs.dtype)
    low_t, high_t = torch.as_tensor(low, dtype=obs.dtype), torch.as_tensor(high, dtype=obs.dtype)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = (mean[:, None] + std[:, None] * noise).clamp(low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        mean, std = elites.mean(1), elites.std(1, unbiased=False)
    return mean


def variance_for_sigma(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        mean, std = elites.mean(1), elites.var(1)                  # var: σ², not σ
    return mean


def returns_the_mean_it_sampled_from(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        answer = mean                                              # the μ this round sampled from
        mean, std = elites.mean(1), elites.std(1)
    return answer


def one_elite_too_few(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    answers = []
    for s in obs:
        mean, std = (low + high) / 2, (high - low) / 2
        for _ in range(n_iters):
            samples = np.clip(rng.normal(mean, std, size=(n_samples, len(low))), low, high)
            q = critic(s.expand(n_samples, -1), torch.as_tensor(samples, dtype=obs.dtype)).numpy()
            elites = samples[np.argsort(q)[-n_elites:-1]]          # off by one: drops the best
            mean, std = elites.mean(axis=0), elites.std(axis=0)
        answers.append(mean)
    return torch.as_tensor(np.array(answers), dtype=obs.dtype)


def clips_the_mean_not_the_samples(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = mean[:, None] + std[:, None] * noise
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]
        mean, std = elites.mean(1).clamp(low_t, high_t), elites.std(1)
    return mean


def refits_to_every_scored_sample(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    """Scores and ranks the samples, then refits to `candidates` instead of `elites`."""
    low_t, high_t, mean, std = _start(obs, low, high)
    for _ in range(n_iters):
        noise = torch.as_tensor(rng.standard_normal((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
        candidates = torch.clamp(mean[:, None] + std[:, None] * noise, low_t, high_t)
        best = _scores(critic, obs, candidates).topk(n_elites, dim=1).indices
        elites = candidates[torch.arange(obs.shape[0])[:, None], best]  # noqa: F841 - computed, then not used
        mean, std = candidates.mean(1), candidates.std(1, unbiased=False)
    return mean


def one_round_too_many(critic, obs, low, high, n_samples, n_elites, n_iters, rng):
    return vectorised(critic, obs, low, high, n_samples, n_elites, n_iters + 1, rng)


CORRECT = [vectorised, loop_over_states, unbiased_std, numpy_batched, in_float32, sample_major_draws,
           per_state_normal_unbiased, torch_sort_index_select]
WRONG = {
    refit_on_all_samples: "never calls the critic",
    refits_to_every_scored_sample: "all n_samples samples",
    worst_elites: "smallest Q",
    no_clipping: "clip every sample to the box",
    std_never_refit: "σ is never refitted",
    fixed_ten_iterations: "does not run n_iters rounds",
    one_iteration_too_few: "one round fewer than n_iters",
    global_numpy_random: "did not draw from `rng`",
    uniform_samples_every_round: "uniformly in the box",
    elites_chosen_across_the_batch: "whole batch",
    returns_the_std: "returns σ",
    returns_the_best_sample: "best sample of the last round",
    starts_from_the_full_width: "the box's width",
    starts_from_a_standard_normal: "μ = 0, σ = 1",
    variance_for_sigma: "variance",
    returns_the_mean_it_sampled_from: "the last round sampled from",
    one_elite_too_few: "n_elites − 1",
    clips_the_mean_not_the_samples: "clip every sample to the box",
    one_round_too_many: "one round more than n_iters",
}

# The wrong answers whose mistake the notebook's text names (07, exercise 2: σ starts at the
# half-width, clip the samples, n_elites, n_iters rounds, return μ, draws from `rng`.)
NAMED_IN_TEXT = {
    no_clipping, clips_the_mean_not_the_samples, global_numpy_random, returns_the_best_sample,
    starts_from_the_full_width, one_elite_too_few, one_round_too_many,
}
