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


def best_value_in_every_coordinate(critic, obs, low, high, n_samples, rng):
    best = []
    for s in obs:
        candidates = torch.as_tensor(rng.uniform(low, high, (n_samples, len(low))), dtype=obs.dtype)
        q = critic(s.expand(n_samples, -1), candidates)
        best.append(q.max().expand(len(low)))
    return torch.stack(best)


def integer_actions(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.integers(low, high, (obs.shape[0], n_samples, len(low)), endpoint=True),
                                 dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return candidates[torch.arange(obs.shape[0]), values.argmax(1)]


def transposed_layout(critic, obs, low, high, n_samples, rng):
    """Candidates drawn sample-major, (N, B, d), each paired with obs.repeat(N, 1): the same pairing."""
    batch, dim = obs.shape[0], len(low)
    candidates = torch.as_tensor(rng.uniform(low, high, (n_samples, batch, dim)), dtype=obs.dtype)
    values = critic(obs.repeat(n_samples, 1), candidates.reshape(-1, dim)).reshape(n_samples, batch)
    return candidates[values.argmax(0), torch.arange(batch)]


def one_state_against_its_samples(critic, obs, low, high, n_samples, rng):
    """critic(obs[b:b+1], actions) broadcasts one state against its N candidates."""
    out = np.empty((obs.shape[0], len(low)))
    for b in range(obs.shape[0]):
        u = rng.random((n_samples, len(low)))
        actions = low + (high - low) * u
        q = critic(obs[b:b + 1], torch.as_tensor(actions, dtype=obs.dtype)).numpy()
        out[b] = actions[np.argmax(q)]
    return torch.as_tensor(out, dtype=obs.dtype)


def sample_major_but_repeat_interleave(critic, obs, low, high, n_samples, rng):
    """Draws (N, B, d) but pairs the flattened rows with obs.repeat_interleave: sample i of state b
    is scored with another state."""
    batch, dim = obs.shape[0], len(low)
    candidates = torch.as_tensor(rng.uniform(low, high, (n_samples, batch, dim)), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, dim)).reshape(batch, n_samples)
    return candidates.permute(1, 0, 2)[torch.arange(batch), values.argmax(1)]


def sorts_ascending_takes_first(critic, obs, low, high, n_samples, rng):
    """np.argsort sorts ascending: [0] is the worst sample."""
    batch, dim = obs.shape[0], len(low)
    candidates = rng.uniform(low, high, (batch, n_samples, dim))
    q = critic(obs.repeat_interleave(n_samples, 0), torch.as_tensor(candidates.reshape(-1, dim))).numpy()
    order = np.argsort(q.reshape(batch, n_samples), axis=1)
    return torch.as_tensor(candidates[np.arange(batch), order[:, 0]], dtype=obs.dtype)


def running_max_never_updated(critic, obs, low, high, n_samples, rng):
    """A loop that keeps the best so far, but forgets to update best_q: it keeps the last
    sample that beats the first one."""
    chosen = []
    for s in obs:
        actions = torch.as_tensor(rng.uniform(low, high, (n_samples, len(low))), dtype=obs.dtype)
        q = critic(s.expand(n_samples, -1), actions)
        best_q, best = q[0], actions[0]
        for i in range(1, n_samples):
            if q[i] > best_q:
                best = actions[i]
        chosen.append(best)
    return torch.stack(chosen)


def returns_the_index(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return values.argmax(1)


def one_sample_short(critic, obs, low, high, n_samples, rng):
    """range(1, n_samples): one candidate fewer than asked."""
    chosen = []
    for s in obs:
        actions = [rng.uniform(low, high) for _ in range(1, n_samples)]
        q = critic(s.expand(len(actions), -1), torch.as_tensor(np.array(actions), dtype=obs.dtype))
        chosen.append(torch.as_tensor(actions[int(q.argmax())], dtype=obs.dtype))
    return torch.stack(chosen)


CORRECT = [vectorised, loop_over_states, shared_samples, numpy_answer, in_float32, transposed_layout,
           one_state_against_its_samples]
WRONG = {
    unit_interval: "scale u ~ U[0, 1) to the box",
    symmetric_unit_box: "outside the box",
    argmin: "smallest Q",
    global_numpy_random: "did not draw from `rng`",
    fresh_seeded_generator: "did not draw from `rng`",
    first_sample: "never calls the critic",
    best_over_the_batch: "whole batch",
    repeat_instead_of_repeat_interleave: "wrong state",
    returns_q_values: "did you return Q instead of the action?",
    best_value_in_every_coordinate: "best Q-value in place of the action",
    integer_actions: "whole numbers",
    sample_major_but_repeat_interleave: "wrong state",
    sorts_ascending_takes_first: "smallest Q",
    running_max_never_updated: "the sample with the largest Q(s, a) among the ones scored with it",
    returns_the_index: "did you return the index of the best sample",
    one_sample_short: "exactly n_samples actions",
}

# The wrong answers whose mistake the notebook's text names (07, exercise 1: N samples, every
# random number from `rng`.)
NAMED_IN_TEXT = {
    global_numpy_random, fresh_seeded_generator, one_sample_short,
}
