"""Student-style answers for random_shooting(critic, obs, low, high, n_samples, rng)."""

import numpy as np
import torch


def vectorised(critic, obs, low, high, n_samples, rng):
    batch, dim = obs.shape[0], len(low)
    candidates = torch.as_tensor(rng.uniform(low, high, (batch, n_samples, dim)), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, dim)).reshape(batch, n_samples)
    return candidates[torch.arange(batch), values.argmax(1)]


def loop_over_states(critic, obs, low, high, n_samples, rng):
    chosen = []
    for s in obs:
        actions = torch.as_tensor(low + (high - low) * rng.random((n_samples, len(low))), dtype=obs.dtype)
        q = critic(s.expand(n_samples, -1), actions)
        chosen.append(actions[torch.argmax(q)])
    return torch.stack(chosen)


def shared_samples(critic, obs, low, high, n_samples, rng):
    """One set of N candidates shared by all states: still the best of N uniform actions per state."""
    candidates = torch.as_tensor(rng.uniform(low, high, (n_samples, len(low))), dtype=obs.dtype)
    q = torch.stack([critic(obs, candidates[i].expand(obs.shape[0], -1)) for i in range(n_samples)], dim=1)
    return candidates[q.argmax(dim=1)]


def numpy_answer(critic, obs, low, high, n_samples, rng):
    batch = obs.shape[0]
    candidates = rng.uniform(low, high, size=(batch, n_samples, len(low)))
    with torch.no_grad():
        q = critic(obs.repeat_interleave(n_samples, 0), torch.as_tensor(candidates.reshape(batch * n_samples, -1)))
    best = q.numpy().reshape(batch, n_samples).argmax(axis=1)
    return candidates[np.arange(batch), best]


def in_float32(critic, obs, low, high, n_samples, rng):
    obs32 = obs.float()
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=torch.float32)
    values = critic(obs32.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


def unit_interval(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.random((obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


def symmetric_unit_box(critic, obs, low, high, n_samples, rng):
    """As if every action box were [-1, 1] (true of many MuJoCo tasks, not of this one)."""
    candidates = torch.as_tensor(rng.uniform(-1, 1, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


def argmin(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmin(1)]


def global_numpy_random(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(np.random.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


def fresh_seeded_generator(critic, obs, low, high, n_samples, rng):
    rng = np.random.default_rng(0)   # "for reproducibility"
    return vectorised(critic, obs, low, high, n_samples, rng)


def first_sample(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    return candidates[:, 0]


def best_over_the_batch(critic, obs, low, high, n_samples, rng):
    """argmax over the flattened (state, sample) values: every state gets one state's best action."""
    batch = obs.shape[0]
    candidates = torch.as_tensor(rng.uniform(low, high, (batch, n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low)))
    best = candidates.reshape(-1, len(low))[values.argmax()]
    return best.expand(batch, -1)


def repeat_instead_of_repeat_interleave(critic, obs, low, high, n_samples, rng):
    """obs.repeat pairs sample i of state b with the wrong state."""
    batch = obs.shape[0]
    candidates = torch.as_tensor(rng.uniform(low, high, (batch, n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat(n_samples, 1), candidates.reshape(-1, len(low))).reshape(batch, n_samples)
    return candidates[torch.arange(batch), values.argmax(1)]


def returns_q_values(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return values.max(1).values


def integer_actions(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.integers(low, high, (obs.shape[0], n_samples, len(low)), endpoint=True),
                                 dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


CORRECT = [vectorised, loop_over_states, shared_samples, numpy_answer, in_float32]
WRONG = {
    unit_interval: "sample uniformly in the whole box",
    symmetric_unit_box: "sample uniformly in the whole box",
    argmin: "lower on average than uniformly random",
    global_numpy_random: "did not draw from `rng`",
    fresh_seeded_generator: "did not draw from `rng`",
    first_sample: "a Q gap above 0.1",
    best_over_the_batch: "a Q gap above 0.1",
    repeat_instead_of_repeat_interleave: "a Q gap above 0.1",
    returns_q_values: "did you return Q instead of the action?",
    integer_actions: "a Q gap above 0.1",
}
