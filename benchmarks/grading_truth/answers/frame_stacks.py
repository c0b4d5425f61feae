"""Answers to frame_stacks(frames, age, slots, stack) -> (obs, next_obs), written blind."""
import numpy as np
import torch


def _build(frames, age, slots, stack, *, use_age=True, newest_first=False, wrap=True, pad_zero=False,
           extra_reach=0, next_age=None):
    cap = len(frames)
    slots = np.asarray(slots)
    obs_list, nxt_list = [], []
    for s in slots:
        for j, a, out in ((int(s), int(age[int(s)]), obs_list),
                          ((int(s) + 1) % cap if wrap else int(s) + 1, None, nxt_list)):
            if a is None:
                a = int(age[j]) if next_age is None else next_age(int(s))
            a = min(a + extra_reach, stack - 1) if use_age else stack - 1
            idx = []
            for pos in range(stack):
                back = stack - 1 - pos
                if pad_zero and back > a:
                    idx.append(None)
                else:
                    idx.append((j - min(back, a)) % cap)
            st = np.stack([np.zeros_like(frames[0]) if i is None else frames[i] for i in idx])
            out.append(st[::-1] if newest_first else st)
    return np.stack(obs_list), np.stack(nxt_list)


def w_ignores_age(frames, age, slots, stack):
    return _build(frames, age, slots, stack, use_age=False)


def w_newest_first(frames, age, slots, stack):
    return _build(frames, age, slots, stack, newest_first=True)


def w_next_slot_not_wrapped(frames, age, slots, stack):
    return _build(frames, age, slots, stack, wrap=False)


def w_zero_padding(frames, age, slots, stack):
    return _build(frames, age, slots, stack, pad_zero=True)


def w_reaches_one_too_far(frames, age, slots, stack):
    return _build(frames, age, slots, stack, extra_reach=1)


def w_next_uses_obs_age(frames, age, slots, stack):
    return _build(frames, age, slots, stack, next_age=lambda s: int(age[s]) + 1)


def w_next_is_shifted_obs(frames, age, slots, stack):
    obs, _ = _build(frames, age, slots, stack)
    newest = frames[(np.asarray(slots) + 1) % len(frames)][:, None]
    return obs, np.concatenate([obs[:, 1:], newest], axis=1)


def w_float_output(frames, age, slots, stack):
    obs, nxt = _build(frames, age, slots, stack)
    return obs.astype(np.float32) / 255.0, nxt.astype(np.float32) / 255.0


def c_vectorised(frames, age, slots, stack):
    cap = len(frames)
    slots = np.asarray(slots, dtype=np.int64)
    back = np.arange(stack - 1, -1, -1)                                     # (stack,) oldest first
    def stacks(ends):
        reach = np.minimum(back[None, :], np.asarray(age)[ends][:, None])   # (B, stack)
        return frames[(ends[:, None] - reach) % cap]
    return stacks(slots), stacks((slots + 1) % cap)


def c_torch(frames, age, slots, stack):
    f = torch.as_tensor(np.asarray(frames))
    ag = torch.as_tensor(np.asarray(age), dtype=torch.long)
    s = torch.as_tensor(np.asarray(slots), dtype=torch.long)
    cap = f.shape[0]
    offsets = torch.arange(stack - 1, -1, -1)
    def stacks(ends):
        reach = torch.minimum(offsets.unsqueeze(0), ag[ends].unsqueeze(1))
        return f[torch.remainder(ends.unsqueeze(1) - reach, cap)]
    return stacks(s).numpy(), stacks((s + 1) % cap).numpy()


def c_loops_preallocated(frames, age, slots, stack):
    cap, H, W = frames.shape[0], frames.shape[1], frames.shape[2]
    B = len(slots)
    obs = np.empty((B, stack, H, W), dtype=np.uint8)
    nxt = np.empty((B, stack, H, W), dtype=np.uint8)
    for b, j in enumerate(slots):
        for out, end in ((obs, int(j)), (nxt, (int(j) + 1) % cap)):
            first = end - int(age[end])                                     # the episode's first slot (unwrapped)
            for pos in range(stack):
                want = end - (stack - 1 - pos)
                out[b, pos] = frames[max(want, first) % cap]
    return obs, nxt


WRONG = {
    w_ignores_age: "ignores age: stacks reach into the previous episode",
    w_newest_first: "newest frame first instead of oldest first",
    w_next_slot_not_wrapped: "next slot not wrapped around the ring (slots[b] + 1 without % capacity)",
    w_zero_padding: "pads before the episode start with zeros instead of repeating the first frame",
    w_reaches_one_too_far: "off by one: reaches one frame before the episode's first frame",
    w_next_uses_obs_age: "next_obs uses age[slot] + 1 instead of the next slot's own age",
    w_next_is_shifted_obs: "next_obs = obs shifted by one frame, ignoring the next slot's age",
    w_float_output: "returns float frames scaled to [0, 1] instead of uint8",
}
CORRECT = [c_vectorised, c_torch, c_loops_preallocated]
