"""Student-style answers for frame_stacks(frames, age, slots, stack) -> (obs, next_obs)."""

import numpy as np
import torch


def vectorised(frames, age, slots, stack):
    capacity = len(frames)

    def stack_at(j):
        back = np.minimum(np.arange(stack - 1, -1, -1), age[j].astype(int)[:, None])
        return frames[(j[:, None] - back) % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


def loops(frames, age, slots, stack):
    capacity = len(frames)
    obs, next_obs = [], []
    for j in slots:
        for end, out in ((j, obs), ((j + 1) % capacity, next_obs)):
            first = end - int(age[end])
            out.append(np.stack([frames[max(end - k, first) % capacity] for k in range(stack - 1, -1, -1)]))
    return np.stack(obs), np.stack(next_obs)


def one_gather_of_stack_plus_one(frames, age, slots, stack):
    """Gathers stack + 1 frames once; s and s′ are overlapping views (as qlab's buffer does)."""
    capacity = len(frames)
    nxt = (slots + 1) % capacity
    back = np.minimum(np.arange(stack, -1, -1), age[nxt].astype(int)[:, None])
    window = frames[(nxt[:, None] - back) % capacity]
    obs = window[:, :-1].copy()
    first = age[slots] == 0   # s starts an episode: every position repeats its frame
    obs[first] = frames[slots[first]][:, None]
    return obs, window[:, 1:]


def with_torch(frames, age, slots, stack):
    frames_t, age_t, slots_t = torch.as_tensor(frames), torch.as_tensor(age.astype(np.int64)), torch.as_tensor(slots)
    positions = torch.arange(stack - 1, -1, -1)

    def stack_at(j):
        back = torch.minimum(positions, age_t[j][:, None])
        return frames_t[(j[:, None] - back) % len(frames)]

    return stack_at(slots_t), stack_at((slots_t + 1) % len(frames))


def clipped_indices(frames, age, slots, stack):
    capacity = len(frames)

    def stack_at(j):
        oldest = j - age[j].astype(int)
        index = np.clip(j[:, None] - np.arange(stack - 1, -1, -1), oldest[:, None], None)
        return frames[index % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


def ignores_episode_start(frames, age, slots, stack):
    capacity = len(frames)
    index = slots[:, None] - np.arange(stack - 1, -1, -1)
    return frames[index % capacity], frames[(index + 1) % capacity]


def zero_padding(frames, age, slots, stack):
    obs, next_obs = vectorised(frames, age, slots, stack)
    for out, ends in ((obs, slots), (next_obs, (slots + 1) % len(frames))):
        out[np.arange(stack - 1, -1, -1) > age[ends].astype(int)[:, None]] = 0
    return obs, next_obs


def newest_first(frames, age, slots, stack):
    capacity = len(frames)

    def stack_at(j):
        back = np.minimum(np.arange(stack), age[j].astype(int)[:, None])
        return frames[(j[:, None] - back) % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


def same_next_obs(frames, age, slots, stack):
    obs, _ = vectorised(frames, age, slots, stack)
    return obs, obs.copy()


def next_obs_with_age_of_s(frames, age, slots, stack):
    capacity = len(frames)
    nxt = (slots + 1) % capacity
    positions = np.arange(stack - 1, -1, -1)
    obs = frames[(slots[:, None] - np.minimum(positions, age[slots].astype(int)[:, None])) % capacity]
    next_obs = frames[(nxt[:, None] - np.minimum(positions, age[slots].astype(int)[:, None])) % capacity]
    return obs, next_obs


def no_wrap_around(frames, age, slots, stack):
    obs, next_obs = [], []
    for j in slots:
        for end, out in ((j, obs), (j + 1, next_obs)):
            first = end - int(age[end])
            out.append(np.stack([frames[max(end - k, first)] for k in range(stack - 1, -1, -1)]))
    return np.stack(obs), np.stack(next_obs)


def float_frames(frames, age, slots, stack):
    obs, next_obs = vectorised(frames, age, slots, stack)
    return obs / 255.0, next_obs / 255.0


def ends_one_early(frames, age, slots, stack):
    capacity = len(frames)

    def stack_at(j):
        back = np.minimum(np.arange(stack, 0, -1), age[j].astype(int)[:, None] + 1)
        return frames[(j[:, None] - back) % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


def repeats_newest_frame(frames, age, slots, stack):
    obs, next_obs = vectorised(frames, age, slots, stack)
    for out, ends in ((obs, slots), (next_obs, (slots + 1) % len(frames))):
        before = np.arange(stack - 1, -1, -1) > age[ends].astype(int)[:, None]
        out[before] = np.broadcast_to(frames[ends][:, None], out.shape)[before]
    return obs, next_obs


def padding_one_early(frames, age, slots, stack):
    capacity = len(frames)

    def stack_at(j):
        back = np.minimum(np.arange(stack - 1, -1, -1), np.maximum(age[j].astype(int) - 1, 0)[:, None])
        return frames[(j[:, None] - back) % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


def uint8_age_underflow(frames, age, slots, stack):
    """(j - age) computed in uint8 wraps below zero instead of around the ring."""
    capacity = len(frames)

    def stack_at(j):
        oldest = (j.astype(np.uint8) - age[j]) % capacity
        index = j[:, None] - np.arange(stack - 1, -1, -1)
        index = np.maximum(index, oldest[:, None].astype(int))
        return frames[index % capacity]

    return stack_at(slots), stack_at((slots + 1) % capacity)


CORRECT = [vectorised, loops, one_gather_of_stack_plus_one, with_torch, clipped_indices]
WRONG = {
    ignores_episode_start: "crosses the episode start",
    zero_padding: "black (zeros)",
    newest_first: "newest first",
    same_next_obs: "next_obs is the same stack as obs",
    next_obs_with_age_of_s: "next_obs uses the age of s",
    no_wrap_around: "the ring wraps: the next observation of the last slot ends at slot 0",
    float_frames: "frames stay uint8",
    ends_one_early: "ends one slot early",
    repeats_newest_frame: "repeat the newest frame",
    padding_one_early: "the padding starts one frame early",
    uint8_age_underflow: "holds the frames of slots",
}

# The wrong answers whose mistake the notebook's text names (06: never reach before the
# episode's first frame (repeat it), oldest frame first, next_obs ends at slot + 1 with its own
# age, uint8, the ring wraps around at its end.)
NAMED_IN_TEXT = {
    ignores_episode_start, zero_padding, repeats_newest_frame, newest_first, same_next_obs,
    next_obs_with_age_of_s, float_frames, no_wrap_around,
}
