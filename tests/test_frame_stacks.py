"""The student's seam of the Atari replay (``stacks_fn``) samples exactly what the buffer's own
gather does, with the reference ``frame_stacks``."""

import numpy as np
import pytest
import torch

from qlab.replay.atari import AtariReplayBuffer, frame_stacks


def fill(buffer, steps, seed=0):
    rng = np.random.default_rng(seed)
    frame = lambda: rng.integers(0, 255, (6, 6), dtype=np.uint8)  # noqa: E731
    first = frame()
    obs = np.stack([first] * 4)
    for t in range(steps):
        next_obs = np.concatenate([obs[1:], frame()[None]])
        terminated = rng.random() < 0.08
        buffer.add(obs, int(rng.integers(4)), float(rng.normal()), next_obs, terminated, False)
        if terminated:
            first = frame()
            obs = np.stack([first] * 4)
        else:
            obs = next_obs


def test_stacks_fn_samples_the_same_batches():
    plain = AtariReplayBuffer(40, (6, 6), stack=4, seed=3)
    seamed = AtariReplayBuffer(40, (6, 6), stack=4, seed=3, stacks_fn=frame_stacks)
    fill(plain, 130)
    fill(seamed, 130)
    for _ in range(5):
        a, b = plain.sample(16), seamed.sample(16)
        for name in ("obs", "next_obs", "actions", "rewards", "terminated", "discounts"):
            assert torch.equal(getattr(a, name), getattr(b, name)), name


def test_stacks_fn_needs_one_ring_and_one_step():
    with pytest.raises(ValueError, match="num_envs=1 and n_step=1"):
        AtariReplayBuffer(40, (6, 6), n_step=3, stacks_fn=frame_stacks)
