"""Checks for frame_stacks(frames, age, slots, stack) -> (obs, next_obs).

A frame-sharing replay stores each 84×84 frame once, in a ring: ``frames[j]`` is the newest
frame of the observation at slot j and ``age[j]`` the number of earlier frames of the same
episode (capped at ``stack``). Transition j goes from the observation ending at slot j to the
one ending at slot (j + 1) mod capacity. A stack never reaches before its episode's first
frame: those positions repeat the first frame. Frames oldest first; inputs are read-only.
"""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, as_array, call_text, expect, fail
from autograde.checks.helpers import GRADING
from qlab.replay.atari import frame_stacks as reference


def _rebuilt(back_of, next_slot=lambda j, cap: (j + 1) % cap, next_age=lambda age, j, n: age[n]):
    """frame_stacks whose stack ending at slot j reads frames (j − back) mod capacity."""
    def stacks(frames, age, slots, stack):
        slots, cap = np.asarray(slots), len(frames)

        def ending_at(j, ages):
            back = back_of(np.arange(stack - 1, -1, -1), ages.astype(np.int64)[:, None])
            return frames[(j[:, None] - back) % cap]

        n = next_slot(slots, cap)
        return ending_at(slots, age[slots]), ending_at(n, next_age(age, slots, n))
    return stacks


def _zero_padded(frames, age, slots, stack):
    obs, next_obs = reference(frames, age, slots, stack)
    for out, ends in ((obs, np.asarray(slots)), (next_obs, (np.asarray(slots) + 1) % len(frames))):
        before_start = np.arange(stack - 1, -1, -1) > age[ends].astype(np.int64)[:, None]
        out[before_start] = 0
    return obs, next_obs


def _newest_padded(frames, age, slots, stack):
    obs, next_obs = reference(frames, age, slots, stack)
    for out, ends in ((obs, np.asarray(slots)), (next_obs, (np.asarray(slots) + 1) % len(frames))):
        before_start = np.arange(stack - 1, -1, -1) > age[ends].astype(np.int64)[:, None]
        newest = np.broadcast_to(frames[ends][:, None], out.shape)
        out[before_start] = newest[before_start]
    return obs, next_obs


def _reversed(frames, age, slots, stack):
    obs, next_obs = reference(frames, age, slots, stack)
    return obs[:, ::-1], next_obs[:, ::-1]


MISTAKES = {
    "the stack crosses the episode start: positions before the episode's first frame (older than age[j]) must "
    "repeat that first frame, not show the previous episode":
        _rebuilt(lambda positions, age: positions),
    "positions before the episode start are black (zeros); they repeat the episode's first frame, as gymnasium's "
    "FrameStackObservation(padding_type='reset') does":
        _zero_padded,
    "positions before the episode start repeat the newest frame; they repeat the episode's FIRST frame":
        _newest_padded,
    "the frames are newest first; a stack is oldest first: (x_{j−3}, x_{j−2}, x_{j−1}, x_j)":
        _reversed,
    "the observation of slot j must END at frame j; yours ends one slot early, at j − 1":
        _rebuilt(lambda positions, age: np.minimum(positions + 1, age + 1)),
    "next_obs is the same stack as obs; s′ is the stack ending at slot j + 1 (shifted by one frame)":
        _rebuilt(lambda positions, age: np.minimum(positions, age), next_slot=lambda j, cap: j,
                 next_age=lambda age, j, n: age[j]),
    "next_obs uses the age of s (age[j]); the stack ending at slot j + 1 has age[j + 1]":
        _rebuilt(lambda positions, age: np.minimum(positions, age), next_age=lambda age, j, n: age[j]),
    "next_obs starts after obs (frames j + 1 … j + stack); s and s′ overlap: s′ is s shifted by ONE frame":
        _rebuilt(lambda positions, age: np.minimum(positions, age), next_slot=lambda j, cap: (j + 4) % cap,
                 next_age=lambda age, j, n: age[n]),
    "the padding starts one frame early: age[j] counts the frames BEFORE slot j, so a stack may reach back "
    "age[j] frames":
        _rebuilt(lambda positions, age: np.minimum(positions, np.maximum(age - 1, 0))),
}


def ring(capacity, shape=(1, 2)):
    """Frames whose pixels spell their slot: frame j is 10 j + 1, 10 j + 2, …"""
    size = int(np.prod(shape))
    return (10 * np.arange(capacity)[:, None] + 1 + np.arange(size)).reshape(capacity, *shape).astype(np.uint8)


# Episode A in slots 2–4, episode B in 5, 6, 7, 0, 1 (it wrapped around the ring's end).
AGE_8 = np.array([3, 4, 0, 1, 2, 0, 1, 2], dtype=np.uint8)
PROBES = [
    Probe("an episode's first slots, a stack across the ring's end", (ring(8), AGE_8, np.array([2, 3, 5, 7, 0]), 4)),
    Probe("stacks of 2 deep inside an episode, and the last slot of the ring", (ring(6), np.full(6, 2, np.uint8),
                                                                               np.array([5, 1, 3]), 2)),
    Probe("stacks of 3 right after an episode start", (ring(7), np.array([3, 2, 3, 0, 1, 2, 3], np.uint8),
                                                       np.array([3, 4, 6]), 3)),
]


def _read(returned, args):
    return np.stack([as_array(part, "frame_stacks") for part in returned])


DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_read)


def check_stacks(student, frames, age, slots, stack):
    args = (frames, age, slots, stack)
    saved = tuple(np.copy(a) if isinstance(a, np.ndarray) else a for a in args)
    want_obs, want_next = reference(*saved)
    example = call_text("frame_stacks", args)
    try:
        returned = student(*args)
    except Exception as error:
        past_the_end = re.search(r"index (\d+) is out of bounds for (?:axis|dimension) 0 with size (\d+)", str(error))
        if not (past_the_end and int(past_the_end[1]) == int(past_the_end[2]) == len(frames)
                and len(frames) - 1 in np.asarray(slots)):
            raise
        raise Mistake(f"the ring wraps: the next observation of the last slot ends at slot 0, (j + 1) % capacity; "
                      f"reading slot j + 1 runs past the end of the ring ({example}, with slot {len(frames) - 1} "
                      f"the last of {len(frames)}, raised IndexError: {past_the_end[0]})") from error
    if not isinstance(returned, (tuple, list)) or len(returned) != 2:
        raise Mistake(f"{example} returned {type(returned).__name__}; expected a pair (obs, next_obs)")
    obs, next_obs = (as_array(part, "frame_stacks") for part in returned)
    for name, got, want in (("obs", obs, want_obs), ("next_obs", next_obs, want_next)):
        expect(got.shape == want.shape, f"{example}: {name} has shape {got.shape}; expected (batch, stack, H, W) = "
                                        f"{want.shape}")
        expect(got.dtype == np.uint8, f"{example}: {name} has dtype {got.dtype}; frames stay uint8 (4× less "
                                      "memory than float32; the network scales them)")
    for name, before, after in zip(("frames", "age", "slots"), saved, args):
        expect(np.array_equal(before, after), f"{example} changed its input `{name}`; sampling only reads the ring")
    for name, got, want in (("obs", obs, want_obs), ("next_obs", next_obs, want_next)):
        if not np.array_equal(got, want):
            b, k = (int(i) for i in np.argwhere((got != want).reshape(len(got), got.shape[1], -1).any(-1))[0])
            fail(f"{example}: {name}[{b}] (the transition at slot {int(slots[b])}) holds the frames of slots "
                 f"{slots_of(got[b])}; expected {slots_of(want[b])} (oldest first)", student, DIFFERENTIAL)


def slots_of(stack) -> list:
    """Which slot each frame of a stack came from (frames spell their slot), 'black' for zeros."""
    return ["black" if frame.flat[0] == 0 else int(frame.flat[0]) // 10 for frame in stack]


@pytest.mark.public
def test_stacks_stop_at_the_episode_start(student):
    """a stack never reaches before its episode's first frame: those positions repeat the first frame"""
    frames, age, slots, stack = PROBES[0].fresh()
    check_stacks(student, frames, age, slots[:3], stack)


@pytest.mark.public
def test_next_obs_is_shifted_by_one_frame(student):
    """s′ is the stack ending at slot j + 1: s shifted by one frame, oldest first"""
    check_stacks(student, *PROBES[2].fresh())


@pytest.mark.public
def test_ring_wraps_around(student):
    """the ring wraps: stacks and s′ of the slots near its end read from its start"""
    check_stacks(student, *PROBES[0].fresh())
    check_stacks(student, *PROBES[1].fresh())


@pytest.mark.weight(2)
@GRADING
@given(capacity=st.integers(6, 20), stack=st.integers(1, 4), seed=st.integers(0, 10_000), batch=st.integers(1, 8))
def test_random_rings(student, capacity, stack, seed, batch):
    """matches on random rings of episodes (any stack size, batch 1, real-sized frames)"""
    rng = np.random.default_rng(seed)
    newest = int(rng.integers(capacity))
    order = (newest + 1 + np.arange(capacity)) % capacity   # slots in the order they were written
    age = np.zeros(capacity, dtype=np.uint8)
    run = int(rng.integers(0, stack + 1))
    for j in order:
        run = 0 if rng.random() < 0.25 else min(run + 1, stack)
        age[j] = run
    valid = order[:-1][age[order[1:]] > 0]   # slot j is a transition when j + 1 continues its episode
    if len(valid) == 0:
        return
    frames = ring(capacity, (84, 84) if batch == 1 else (2, 2))
    check_stacks(student, frames, age, rng.choice(valid, batch), stack)
