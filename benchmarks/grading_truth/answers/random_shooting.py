"""Answers to random_shooting(critic, obs, low, high, n_samples, rng) -> actions (B, act_dim)."""
import numpy as np
import torch


def _uniform(rng, low, high, shape):
    return low + (high - low) * rng.random(shape)


def w_one_action_for_batch(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(_uniform(rng, low, high, (B * n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts)
    return acts[q.argmax()].expand(B, d).clone()


def w_argmin(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(_uniform(rng, low, high, (B, n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts.reshape(B * n_samples, d)).reshape(B, n_samples)
    return acts[torch.arange(B), q.argmin(dim=1)]


def w_unit_box(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(rng.random((B, n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts.reshape(-1, d)).reshape(B, n_samples)
    return acts[torch.arange(B), q.argmax(dim=1)]


def w_torch_random(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    lo, hi = torch.as_tensor(low, dtype=obs.dtype), torch.as_tensor(high, dtype=obs.dtype)
    acts = lo + (hi - lo) * torch.rand(B, n_samples, d, dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts.reshape(-1, d)).reshape(B, n_samples)
    return acts[torch.arange(B), q.argmax(dim=1)]


def w_repeat_not_interleave(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(_uniform(rng, low, high, (B, n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat(n_samples, 1), acts.reshape(-1, d)).reshape(B, n_samples)
    return acts[torch.arange(B), q.argmax(dim=1)]


def w_reshape_transposed(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(_uniform(rng, low, high, (B, n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts.reshape(-1, d)).reshape(n_samples, B).T
    return acts[torch.arange(B), q.argmax(dim=1)]


def w_returns_values(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(_uniform(rng, low, high, (B, n_samples, d)), dtype=obs.dtype)
    q = critic(obs.repeat_interleave(n_samples, 0), acts.reshape(-1, d)).reshape(B, n_samples)
    return q.max(dim=1).values.unsqueeze(1).expand(B, d)


def c_loop_per_state(critic, obs, low, high, n_samples, rng):
    out = []
    with torch.no_grad():
        for b in range(obs.shape[0]):
            cand = torch.as_tensor(low + (high - low) * rng.random((n_samples, len(low))), dtype=obs.dtype)
            q = critic(obs[b:b + 1].expand(n_samples, -1), cand)
            out.append(cand[int(torch.argmax(q))])
    return torch.stack(out)


def c_uniform_float32_tie(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], low.shape[0]
    u = rng.uniform(size=(B, n_samples, d))
    acts = torch.from_numpy(low + (high - low) * u).to(obs.dtype)
    with torch.no_grad():
        q = critic(torch.repeat_interleave(obs, n_samples, dim=0), acts.view(B * n_samples, d)).view(B, n_samples)
    best = torch.topk(q, 1, dim=1).indices.squeeze(1)
    return torch.gather(acts, 1, best.view(B, 1, 1).expand(B, 1, d)).squeeze(1)


def c_sample_major(critic, obs, low, high, n_samples, rng):
    B, d = obs.shape[0], len(low)
    acts = torch.as_tensor(low + (high - low) * rng.random((n_samples, B, d)), dtype=obs.dtype)  # sample-major
    q = critic(obs.repeat(n_samples, 1), acts.reshape(n_samples * B, d)).reshape(n_samples, B)
    return acts[q.argmax(dim=0), torch.arange(B)]


WRONG = {
    w_one_action_for_batch: "one argmax over all states' samples: the same action for the whole batch",
    w_argmin: "argmin: the worst sample",
    w_unit_box: "samples in [0, 1) without scaling to [low, high]",
    w_torch_random: "uses torch.rand instead of rng",
    w_repeat_not_interleave: "obs.repeat instead of repeat_interleave: states paired with other states' samples",
    w_reshape_transposed: "values reshaped (N, B) then transposed: wrong pairing of values and samples",
    w_returns_values: "returns the best Q-values instead of the actions",
}
CORRECT = [c_loop_per_state, c_uniform_float32_tie, c_sample_major]
