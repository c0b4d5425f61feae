"""qlab.replay: ring buffers, n-step returns, Atari frame sharing, prioritized sampling."""

import io
from collections import deque

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qlab.replay import AtariReplayBuffer, Batch, NStepReplayBuffer, PrioritizedReplayBuffer, ReplayBuffer, make_storage, \
    ring_add, sample_indices

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


def fill(buf, n, start=0):
    """Transitions i = start..start+n-1 with obs = [i, -i], action i % 3, reward i, next_obs = obs + 1."""
    for i in range(start, start + n):
        buf.add(np.array([i, -i], np.float32), i % 3, float(i), np.array([i + 1, -i - 1], np.float32), i % 5 == 4, False)


# ---- uniform ---------------------------------------------------------------------------------


def test_ring_wraps_around_and_keeps_the_newest():
    buf = ReplayBuffer(5, (2,), seed=0)
    fill(buf, 12)
    assert len(buf) == 5 and buf.capacity == 5
    assert sorted(buf.obs[:, 0]) == [7, 8, 9, 10, 11]
    batch = buf.sample(5)
    ids = batch.obs[:, 0].numpy()
    assert set(ids) <= {7, 8, 9, 10, 11}
    np.testing.assert_array_equal(batch.next_obs[:, 0].numpy(), ids + 1)
    np.testing.assert_array_equal(batch.actions.numpy(), ids.astype(np.int64) % 3)
    np.testing.assert_array_equal(batch.rewards.numpy(), ids)
    np.testing.assert_array_equal(batch.terminated.numpy(), (ids % 5 == 4).astype(np.float32))
    np.testing.assert_array_equal(buf.obs[batch.indices.numpy(), 0], ids)


def test_ring_functions_write_in_place_wrap_and_sample_filled_slots():
    storage, index, size = make_storage(3, (2,)), 0, 0
    for t in range(5):
        index, size = ring_add(storage, index, size, np.full(2, t), t % 2, float(t), np.full(2, t + 1), t == 3, t == 4)
    assert (index, size) == (2, 3)
    assert storage["rewards"].tolist() == [3.0, 4.0, 2.0] and storage["obs"][:, 0].tolist() == [3.0, 4.0, 2.0]
    assert storage["terminated"].tolist() == [1.0, 0.0, 0.0]  # the truncated step (t = 4) is not terminal
    rng = np.random.default_rng(0)
    drawn = np.concatenate([sample_indices(2, 100, 64, rng) for _ in range(50)])
    assert set(drawn.tolist()) == {0, 1}
    assert np.array_equal(sample_indices(2, 100, 8, np.random.default_rng(1)), np.random.default_rng(1).integers(0, 2, 8))
    with pytest.raises(ValueError, match="size"):
        sample_indices(0, 100, 8, rng)


def test_batch_fields_dtypes_and_shapes():
    buf = ReplayBuffer(100, (2,), gamma=0.9, seed=0)
    fill(buf, 20)
    batch = buf.sample(16)
    assert isinstance(batch, Batch)
    assert batch.obs.shape == batch.next_obs.shape == (16, 2) and batch.obs.dtype == torch.float32
    assert batch.actions.shape == (16,) and batch.actions.dtype == torch.int64
    for field in (batch.rewards, batch.terminated, batch.discounts, batch.weights):
        assert field.shape == (16,) and field.dtype == torch.float32
    assert batch.indices.dtype == torch.int64
    assert all(t.device.type == "cpu" for t in batch)
    assert torch.all(batch.discounts == torch.tensor(0.9)) and torch.all(batch.weights == 1)


def test_continuous_actions_and_add_batch_wrap():
    buf = ReplayBuffer(7, (3,), action_shape=(1,), action_dtype=np.float32, seed=0)
    for step in range(4):  # 3 envs x 4 steps = 12 > capacity 7
        obs = np.full((3, 3), step, np.float32) + np.arange(3)[:, None] * 100
        buf.add_batch(obs, obs[:, :1] / 2, obs[:, 0], obs + 1, [False, True, False], [True, False, False])
    assert len(buf) == 7 and buf.pos == 12 % 7
    batch = buf.sample(7)
    assert batch.actions.shape == (7, 1) and batch.actions.dtype == torch.float32
    torch.testing.assert_close(batch.actions[:, 0], batch.obs[:, 0] / 2)
    # env 1 terminated every step, env 0 was truncated: truncation is not termination
    torch.testing.assert_close(batch.terminated, (batch.obs[:, 0] // 100 == 1).float())


def test_uniform_sampling_distribution():
    buf = ReplayBuffer(10, (2,), seed=1)
    fill(buf, 10)
    counts = np.bincount(np.concatenate([buf.sample(10).indices.numpy() for _ in range(5000)]), minlength=10)
    expected = 5000.0  # 50_000 draws over 10 slots
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected * 0.9)), counts


def test_same_seed_same_batches():
    a, b = ReplayBuffer(50, (2,), seed=3), ReplayBuffer(50, (2,), seed=3)
    fill(a, 30), fill(b, 30)
    for _ in range(5):
        for x, y in zip(a.sample(8), b.sample(8)):
            assert torch.equal(x, y)


@CUDA
def test_batches_on_cuda_match_cpu():
    cpu, gpu = ReplayBuffer(50, (2,), seed=3), ReplayBuffer(50, (2,), seed=3, device="cuda")
    fill(cpu, 30), fill(gpu, 30)
    for x, y in zip(cpu.sample(8), gpu.sample(8)):
        assert y.device.type == "cuda" and torch.equal(x, y.cpu())
    atari = AtariReplayBuffer(64, frame_shape=(6, 6), device="cuda", seed=0)
    frames = (np.arange(36 * 20) % 251).astype(np.uint8).reshape(20, 6, 6)
    for t in range(19):
        atari.add(np.stack([frames[max(t - i, 0)] for i in (3, 2, 1, 0)]), 0, 1.0,
                  np.stack([frames[max(t + 1 - i, 0)] for i in (3, 2, 1, 0)]), False, False)
    batch = atari.sample(8)
    assert batch.obs.device.type == "cuda" and batch.obs.dtype == torch.uint8


# ---- n-step ----------------------------------------------------------------------------------


def expected_nstep(streams, n, gamma):
    """Hand-computed n-step transitions of each env's stream of (obs, a, r, next_obs, term, trunc)."""
    out = {}
    for stream in streams:
        for t in range(len(stream)):
            ret, k, end = 0.0, 0, None
            for i in range(n):
                if t + i == len(stream):
                    break
                obs, a, r, next_obs, term, trunc = stream[t + i]
                ret += gamma**i * r
                k = i + 1
                if term or trunc:
                    end = term
                    break
            if end is None and k < n:
                continue  # window still open: not emitted yet
            out[stream[t][0].tobytes()] = (stream[t][1], ret, stream[t + k - 1][3], bool(end), gamma**k)
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    n=st.integers(1, 5),
    num_envs=st.integers(1, 3),
    gamma=st.floats(0.5, 1.0),
    steps=st.lists(st.lists(st.tuples(st.integers(-3, 3), st.sampled_from(["", "", "", "term", "trunc"])),
                            min_size=3, max_size=3), min_size=1, max_size=30),
)
def test_nstep_returns_match_a_hand_computed_loop(n, num_envs, gamma, steps):
    buf = NStepReplayBuffer(1000, (2,), n_step=n, gamma=gamma, num_envs=num_envs, seed=0)
    streams = [[] for _ in range(num_envs)]
    for t, row in enumerate(steps):
        row = row[:num_envs]
        obs = np.array([[e, t] for e in range(num_envs)], np.float32)
        next_obs = obs + [0, 0.5]  # the real next (or final) observation, distinct from the next step's obs
        rewards = np.array([r for r, _ in row], np.float32)
        term, trunc = [f == "term" for _, f in row], [f == "trunc" for _, f in row]
        actions = np.arange(num_envs) + 10 * t
        if num_envs == 1:
            buf.add(obs[0], actions[0], rewards[0], next_obs[0], term[0], trunc[0])
        else:
            buf.add_batch(obs, actions, rewards, next_obs, term, trunc)
        for e in range(num_envs):
            streams[e].append((obs[e], actions[e], rewards[e], next_obs[e], term[e], trunc[e]))
    expected = expected_nstep(streams, n, gamma)
    assert len(buf) == len(expected)
    for i in range(len(buf)):
        action, ret, next_obs, term, discount = expected[buf.obs[i].tobytes()]
        assert buf.actions[i] == action
        assert buf.rewards[i] == pytest.approx(ret, rel=1e-5, abs=1e-5)
        np.testing.assert_array_equal(buf.next_obs[i], next_obs)
        assert buf.terminated[i] == term
        assert buf.discounts[i] == pytest.approx(discount, rel=1e-6)
    if len(buf):
        batch = buf.sample(len(buf))
        for row in range(len(buf)):
            _, ret, next_obs, term, discount = expected[batch.obs[row].numpy().tobytes()]
            assert batch.rewards[row].item() == pytest.approx(ret, rel=1e-5, abs=1e-5)
            assert batch.discounts[row].item() == pytest.approx(discount, rel=1e-6)
            assert batch.terminated[row].item() == term


@pytest.mark.parametrize("terminated", [True, False])
def test_nstep_episode_end_inside_the_window(terminated):
    g = 0.9
    buf = NStepReplayBuffer(10, (1,), n_step=3, gamma=g)
    buf.add([0.0], 0, 1.0, [1.0], False, False)
    assert len(buf) == 0  # window not full yet
    buf.add([1.0], 1, 2.0, [99.0], terminated, not terminated)
    assert len(buf) == 2  # the episode end flushes both partial windows
    np.testing.assert_allclose(buf.rewards[:2], [1.0 + g * 2.0, 2.0])
    np.testing.assert_allclose(buf.discounts[:2], [g**2, g])
    np.testing.assert_array_equal(buf.next_obs[:2, 0], [99.0, 99.0])
    np.testing.assert_array_equal(buf.terminated[:2], [terminated] * 2)


def test_nstep_full_window_uses_gamma_to_the_n():
    buf = NStepReplayBuffer(10, (1,), n_step=3, gamma=0.5)
    for t in range(4):
        buf.add([float(t)], t, 1.0, [t + 1.0], False, False)
    assert len(buf) == 2
    np.testing.assert_allclose(buf.rewards[:2], [1.75, 1.75])
    np.testing.assert_allclose(buf.discounts[:2], [0.125, 0.125])
    np.testing.assert_array_equal(buf.next_obs[:2, 0], [3.0, 4.0])



@pytest.mark.parametrize("terminated", [True, False])
def test_add_nstep_stores_what_the_nstep_buffer_stores(terminated):
    """An episode's windows from rules.nstep_returns, stored with add_nstep, equal the n-step buffer's."""
    from qlab.rules import nstep_returns

    n, g, T = 3, 0.9, 7
    rewards = np.arange(1.0, T + 1.0)
    ends = np.zeros(T, dtype=bool)
    ends[-1] = True
    stepwise, batched = NStepReplayBuffer(10, (1,), n_step=n, gamma=g), ReplayBuffer(10, (1,), gamma=g)
    for t in range(T):
        stepwise.add([float(t)], t, rewards[t], [t + 1.0], terminated and t == T - 1, not terminated and t == T - 1)
    returns, discounts, dones = nstep_returns(torch.tensor(rewards), torch.tensor(ends & terminated),
                                              torch.tensor(ends & (not terminated)), g, n)
    bootstrap = np.minimum(np.arange(T) + n, T)  # s_{t+k}: the next_obs of step t+k-1
    batched.add_nstep(np.arange(float(T))[:, None], np.arange(T),
                      returns.numpy(), bootstrap[:, None].astype(float), dones.numpy(), discounts.numpy())
    for name in ("obs", "actions", "rewards", "next_obs", "terminated", "discounts"):
        np.testing.assert_allclose(getattr(batched, name)[:T], getattr(stepwise, name)[:T], rtol=1e-6, err_msg=name)


def test_add_nstep_rejects_discounts_outside_0_1():
    buf = ReplayBuffer(4, (1,))
    with pytest.raises(ValueError, match="discounts"):
        buf.add_nstep([[0.0]], [0], [1.0], [[1.0]], [False], [1.5])

# ---- Atari frame sharing ------------------------------------------------------------------------

FRAME = (4, 5)


def frame(fid):
    """A small frame that encodes its id in its first 4 pixels."""
    f = np.zeros(FRAME, np.uint8)
    f[0, :4] = np.frombuffer(np.uint32(fid).tobytes(), np.uint8)
    return f


def frame_id(f):
    return int(np.frombuffer(np.ascontiguousarray(f[0, :4]).tobytes(), np.uint32)[0])


class FakeAtari:
    """Stacked frames with gymnasium's reset padding, a unique id per frame and random episode ends."""

    def __init__(self, rng, stack, first_id):
        self.rng, self.stack, self.next_id = rng, stack, first_id

    def reset(self):
        self.episode_start = self.next_id
        self.frames = deque([self.next_id] * self.stack, maxlen=self.stack)
        self.next_id += 1
        return self.obs()

    def obs(self):
        return np.stack([frame(f) for f in self.frames])

    def step(self):
        self.frames.append(self.next_id)
        self.next_id += 1
        u = self.rng.random()
        return self.obs(), float(self.rng.integers(-2, 3)), u < 0.06, 0.06 <= u < 0.1


def record(buf, num_envs, steps, seed, close=False):
    """Feed ``buf`` (truncating every episode at the last step if ``close``); return truth[newest obs frame id] = (obs ids, action, reward, next ids, term, trunc, episode start)."""
    rng = np.random.default_rng(seed)
    envs = [FakeAtari(rng, buf.stack, e * 10_000_000) for e in range(num_envs)]
    obs = [env.reset() for env in envs]
    truth = {}
    for t in range(steps):
        out = [env.step() for env in envs]
        actions = rng.integers(0, 6, num_envs)
        next_obs = np.stack([o[0] for o in out])
        term, trunc = [o[2] for o in out], [o[3] or (close and t == steps - 1) for o in out]
        rewards = [o[1] for o in out]
        if num_envs == 1:
            buf.add(obs[0], actions[0], rewards[0], next_obs[0], term[0], trunc[0])
        else:
            buf.add_batch(np.stack(obs), actions, rewards, next_obs, term, trunc)
        for e, env in enumerate(envs):
            ids = tuple(frame_id(f) for f in obs[e])
            truth[ids[-1]] = (ids, actions[e], rewards[e], tuple(frame_id(f) for f in next_obs[e]), term[e], trunc[e],
                              env.episode_start)
            obs[e] = env.reset() if term[e] or trunc[e] else next_obs[e]
    return truth


def expected_atari_nstep(truth, newest, n, gamma):
    """(return, next ids, terminated, discount, complete) of the n-step transition starting at frame ``newest``."""
    ret, ids = 0.0, newest
    for i in range(n):
        if ids not in truth:
            return None  # the window runs past the last recorded step
        _, _, r, nxt, term, trunc, _ = truth[ids]
        ret += gamma**i * r
        if term or trunc:
            return ret, nxt, term, gamma ** (i + 1)
        ids = nxt[-1]
    return ret, nxt, False, gamma**n


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 4), num_envs=st.integers(1, 3), stack=st.integers(1, 4),
       capacity=st.integers(12, 80), steps=st.integers(1, 150), seed=st.integers(0, 2**16))
def test_atari_stacks_rebuild_exactly_what_the_env_produced(n, num_envs, stack, capacity, steps, seed):
    capacity = max(capacity, (stack + n + 1) * num_envs)
    buf = AtariReplayBuffer(capacity, frame_shape=FRAME, stack=stack, gamma=0.9, n_step=n, num_envs=num_envs, seed=seed)
    truth = record(buf, num_envs, steps, seed)
    if len(buf) == 0:
        with pytest.raises(ValueError, match="empty"):
            buf.sample(1)
        return
    assert len(buf) <= buf.capacity
    seen = set()
    for _ in range(40):
        batch = buf.sample(min(16, len(buf)))
        assert batch.obs.dtype == batch.next_obs.dtype == torch.uint8
        assert batch.obs.shape[1:] == (stack, *FRAME)
        for row in range(len(batch.indices)):
            obs = tuple(frame_id(f) for f in batch.obs[row].numpy())
            ids, action, _, _, _, _, start = truth[obs[-1]]
            assert obs == ids, "obs stack differs from the one the env produced"
            assert min(obs) >= start, "a stack crossed an episode start"
            ret, nxt, term, discount = expected_atari_nstep(truth, obs[-1], n, 0.9)
            assert tuple(frame_id(f) for f in batch.next_obs[row].numpy()) == nxt
            assert batch.actions[row].item() == action
            assert batch.rewards[row].item() == pytest.approx(ret, abs=1e-5)
            assert batch.terminated[row].item() == term
            assert batch.discounts[row].item() == pytest.approx(discount, rel=1e-6)
            seen.add(obs[-1])
    # every complete transition written well after the write pointer's last lap gets sampled
    slots, newest = buf.capacity // num_envs, {}
    for _, _, _, nxt, _, _, _ in truth.values():
        newest[nxt[-1] // 10_000_000] = max(newest.get(nxt[-1] // 10_000_000, 0), nxt[-1])
    recent = [f for f in truth if f >= newest[f // 10_000_000] - slots + 2 * stack + 1]
    complete = {f for f in recent if expected_atari_nstep(truth, f, n, 0.9) is not None}
    if 40 * min(16, len(buf)) > 20 * len(buf):
        assert complete <= seen


def test_atari_sampling_is_uniform_over_valid_transitions():
    buf = AtariReplayBuffer(30, frame_shape=FRAME, seed=0)
    record(buf, 1, 200, seed=1)
    counts = np.bincount(np.concatenate([buf.sample(len(buf)).indices.numpy() for _ in range(3000)]), minlength=30)
    valid = counts[counts > 0]
    assert len(valid) == len(buf)
    mean = valid.mean()
    assert np.all(np.abs(valid - mean) < 5 * np.sqrt(mean)), counts


def test_atari_stores_each_frame_once():
    buf = AtariReplayBuffer(10_000, seed=0)
    assert buf.bytes_per_transition() <= 1.05 * 84 * 84
    assert buf.frames.nbytes == 10_000 * 84 * 84
    assert sum(a.nbytes for a in vars(buf).values() if isinstance(a, np.ndarray)) <= 1.05 * 84 * 84 * 10_000


def test_atari_next_obs_shares_frames_and_batch_is_on_device():
    buf = AtariReplayBuffer(100, frame_shape=FRAME, seed=0)
    record(buf, 1, 60, seed=0)
    batch = buf.sample(32)
    assert all(t.device.type == "cpu" for t in batch)
    assert batch.weights.dtype == torch.float32 and torch.all(batch.weights == 1)
    cont = batch.terminated == 0
    assert torch.equal(batch.obs[:, 1:][cont], batch.next_obs[:, :-1][cont])


# ---- prioritized -----------------------------------------------------------------------------


def test_prioritized_frequencies_follow_p_to_the_alpha():
    alpha = 0.7
    buf = PrioritizedReplayBuffer(16, (2,), alpha=alpha, beta=0.5, seed=0)
    fill(buf, 10)
    td = np.array([0.0, 1.0, 2.0, 4.0, 0.5, 3.0, 0.1, 8.0, 1.0, 0.0])
    buf.update_priorities(torch.arange(10), torch.tensor(td))
    p = (np.abs(td) + buf.eps) ** alpha
    probs = p / p.sum()
    draws = np.concatenate([buf.sample(10).indices.numpy() for _ in range(10_000)])
    freq = np.bincount(draws, minlength=10) / len(draws)
    sigma = np.sqrt(probs * (1 - probs) / len(draws))
    assert np.all(np.abs(freq - probs) < 5 * sigma + 1e-4), (freq, probs)


def test_prioritized_importance_weights():
    buf = PrioritizedReplayBuffer(8, (2,), alpha=1.0, beta=0.6, seed=0)
    fill(buf, 4)
    buf.update_priorities(np.arange(4), np.array([1.0, 2.0, 3.0, 4.0]))
    batch = buf.sample(4)
    p = np.abs(np.array([1.0, 2.0, 3.0, 4.0])) + buf.eps
    w = (4 * p / p.sum())[batch.indices.numpy()] ** -0.6
    np.testing.assert_allclose(batch.weights.numpy(), w / w.max(), rtol=1e-5)
    assert batch.weights.max().item() == pytest.approx(1.0)


def test_prioritized_new_transitions_get_the_max_priority():
    buf = PrioritizedReplayBuffer(8, (2,), alpha=1.0, seed=0)
    fill(buf, 2)
    buf.update_priorities([0, 1], [5.0, 0.5])
    fill(buf, 1, start=2)
    assert buf.tree.get(np.array([2]))[0] == pytest.approx(5.0 + buf.eps)
    assert buf.tree.total == pytest.approx(5.0 + 0.5 + 5.0 + 3 * buf.eps)


def test_prioritized_alpha_zero_is_uniform():
    buf = PrioritizedReplayBuffer(10, (2,), alpha=0.0, seed=2)
    fill(buf, 10)
    buf.update_priorities(np.arange(10), np.arange(10) * 100.0)
    counts = np.bincount(np.concatenate([buf.sample(10).indices.numpy() for _ in range(2000)]), minlength=10)
    assert np.all(np.abs(counts - 2000) < 5 * np.sqrt(2000)), counts


# ---- checkpoints -----------------------------------------------------------------------------


def make_filled(kind):
    if kind == "atari":
        buf = AtariReplayBuffer(40, frame_shape=FRAME, n_step=2, num_envs=2, seed=5)
        record(buf, 2, 30, seed=5, close=True)
        return buf
    buf = {
        "uniform": lambda: ReplayBuffer(20, (2,), seed=5),
        "nstep": lambda: NStepReplayBuffer(20, (2,), n_step=3, seed=5),
        "prioritized": lambda: PrioritizedReplayBuffer(20, (2,), seed=5),
    }[kind]()
    fill(buf, 27)
    if kind == "prioritized":
        buf.update_priorities(np.arange(20), np.linspace(0, 3, 20))
    return buf


@pytest.mark.parametrize("kind", ["uniform", "nstep", "prioritized", "atari"])
def test_state_dict_round_trip_is_bit_exact(kind):
    original = make_filled(kind)
    fill_more = (lambda b: record(b, 2, 7, seed=9)) if kind == "atari" else (lambda b: fill(b, 6, start=100))
    original.sample(4)  # advance the RNG before saving
    saved = io.BytesIO()
    torch.save(original.state_dict(), saved)
    saved.seek(0)
    fresh = {"uniform": lambda: ReplayBuffer(20, (2,)), "nstep": lambda: NStepReplayBuffer(20, (2,), n_step=3),
             "prioritized": lambda: PrioritizedReplayBuffer(20, (2,)),
             "atari": lambda: AtariReplayBuffer(40, frame_shape=FRAME, n_step=2, num_envs=2)}[kind]()
    fresh.load_state_dict(torch.load(saved, weights_only=True))
    for buf in (original, fresh):
        fill_more(buf)
    assert len(original) == len(fresh)
    for _ in range(3):
        for x, y in zip(original.sample(8), fresh.sample(8)):
            assert torch.equal(x, y)


def test_load_state_dict_rejects_a_different_capacity():
    with pytest.raises(ValueError, match="capacity"):
        ReplayBuffer(10, (2,)).load_state_dict(make_filled("uniform").state_dict())


# ---- bad input -------------------------------------------------------------------------------

obs2 = np.zeros(2, np.float32)
stack4 = np.zeros((4, 84, 84), np.uint8)


def full(buf):
    fill(buf, 3)
    return buf


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: ReplayBuffer(0, (2,)), ValueError, "capacity must be a positive int"),
        (lambda: ReplayBuffer(-3, (2,)), ValueError, "capacity"),
        (lambda: ReplayBuffer(2.5, (2,)), ValueError, "capacity"),
        (lambda: ReplayBuffer(10, (2,), gamma=1.5), ValueError, "gamma"),
        (lambda: ReplayBuffer(10, (2,)).add(np.zeros(3), 0, 0.0, obs2, False, False), ValueError,
         r"obs has shape \(3,\), expected \(2,\)"),
        (lambda: ReplayBuffer(10, (2,)).add(obs2, 0, 0.0, np.zeros((2, 1)), False, False), ValueError, "next_obs has shape"),
        (lambda: ReplayBuffer(10, (2,)).add(obs2, [0, 1], 0.0, obs2, False, False), ValueError, "action has shape"),
        (lambda: ReplayBuffer(10, (2,)).add(obs2, 0.5, 0.0, obs2, False, False), TypeError, "action has dtype float64"),
        (lambda: ReplayBuffer(10, (2,), obs_dtype=np.uint8).add(obs2, 0, 0.0, obs2, False, False), TypeError,
         "expected uint8"),
        (lambda: ReplayBuffer(10, (2,)).add(obs2, 0, float("nan"), obs2, False, False), ValueError, "reward must be finite"),
        (lambda: ReplayBuffer(10, (2,)).sample(1), ValueError, "empty"),
        (lambda: full(ReplayBuffer(10, (2,))).sample(4), ValueError, "holds only 3"),
        (lambda: full(ReplayBuffer(10, (2,))).sample(0), ValueError, "batch_size must be a positive int"),
        (lambda: ReplayBuffer(10, (2,)).add_batch(np.zeros((3, 2)), [0, 0], [0, 0, 0], np.zeros((3, 2)), [0] * 3, [0] * 3),
         ValueError, r"actions has shape \(2,\), expected \(3,\)"),
        (lambda: ReplayBuffer(2, (2,)).add_batch(np.zeros((3, 2)), [0] * 3, [0] * 3, np.zeros((3, 2)), [0] * 3, [0] * 3),
         ValueError, "more than capacity"),
        (lambda: ReplayBuffer(10, (2,)).add_batch(np.zeros((3, 2)), [0] * 3, [0] * 3, np.zeros((3, 2)), [0] * 2, [0] * 3),
         ValueError, "terminated has shape"),
        (lambda: NStepReplayBuffer(10, (2,), n_step=0), ValueError, "n_step must be an int >= 1"),
        (lambda: NStepReplayBuffer(10, (2,), num_envs=0), ValueError, "num_envs"),
        (lambda: NStepReplayBuffer(10, (2,), num_envs=2).add_batch(np.zeros((3, 2)), [0] * 3, [0] * 3,
                                                                   np.zeros((3, 2)), [0] * 3, [0] * 3),
         ValueError, "expected num_envs=2"),
        (lambda: NStepReplayBuffer(10, (2,), num_envs=2).add(obs2, 0, 0.0, obs2, False, False, env=2), ValueError, "env must"),
        (lambda: PrioritizedReplayBuffer(10, (2,), alpha=-0.1), ValueError, "alpha must be in"),
        (lambda: PrioritizedReplayBuffer(10, (2,), alpha=1.5), ValueError, "alpha must be in"),
        (lambda: PrioritizedReplayBuffer(10, (2,), beta=1.2), ValueError, "beta must be in"),
        (lambda: PrioritizedReplayBuffer(10, (2,), eps=0.0), ValueError, "eps must be > 0"),
        (lambda: full(PrioritizedReplayBuffer(10, (2,))).update_priorities([0, 1], [1.0]), ValueError, "one each"),
        (lambda: full(PrioritizedReplayBuffer(10, (2,))).update_priorities([0, 5], [1.0, 1.0]), ValueError,
         r"indices must be in \[0, 3\)"),
        (lambda: full(PrioritizedReplayBuffer(10, (2,))).update_priorities([0], [float("nan")]), ValueError, "finite"),
        (lambda: AtariReplayBuffer(0), ValueError, "capacity"),
        (lambda: AtariReplayBuffer(5), ValueError, "need at least"),
        (lambda: AtariReplayBuffer(100, n_step=0), ValueError, "n_step"),
        (lambda: AtariReplayBuffer(100).add(stack4.astype(np.float32), 0, 0.0, stack4, False, False), TypeError,
         "expected uint8"),
        (lambda: AtariReplayBuffer(100).add(stack4[:3], 0, 0.0, stack4, False, False), ValueError,
         r"obs has shape \(3, 84, 84\), expected \(4, 84, 84\)"),
        (lambda: AtariReplayBuffer(100).add(np.arange(4, dtype=np.uint8)[:, None, None] + stack4, 0, 0.0, stack4, False,
                                            False), ValueError, "repeat its first frame"),
        (lambda: AtariReplayBuffer(100).sample(1), ValueError, "empty"),
    ],
)
def test_bad_input_raises_a_clear_error(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_atari_rejects_an_obs_that_does_not_continue_the_episode():
    buf = AtariReplayBuffer(100, frame_shape=FRAME)
    first = np.stack([frame(1)] * 4)
    nxt = np.stack([frame(1)] * 3 + [frame(2)])
    buf.add(first, 0, 0.0, nxt, False, False)
    with pytest.raises(ValueError, match="does not continue the previous next_obs"):
        buf.add(first, 0, 0.0, nxt, False, False)  # a reset obs without an episode end in between
