"""Checks for ring_add(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
-> (index, size).

``storage`` is a dict of preallocated numpy arrays of capacity N ("obs", "actions", "rewards",
"next_obs", "terminated"). The transition goes into slot ``index`` of each, in place; only
``terminated`` is stored as the terminal flag (a truncated step still bootstraps). The next
index is index + 1, wrapping around to 0 after the last slot (the oldest transition is
overwritten next); size grows by one until it reaches N and then stays there.
"""

import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, expect, fail
from autograde.checks.helpers import GRADING
from qlab.replay.ring import FIELDS, make_storage, ring_add as reference

CAPACITY = 4


def _write(storage, index, obs, action, reward, next_obs, terminated):
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated


def _add(slot, next_position, write=_write):
    """A ring_add that writes into ``slot(index, size, N)`` and returns ``next_position(index, size, N)``."""
    def add(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
        n = len(storage["obs"])
        write(storage, slot(index, size, n), obs, action, reward, next_obs, terminated)
        return next_position(index, size, n)
    return add


def _right(index, size, n):
    return (index + 1) % n, min(size + 1, n)


def _writes(**changes):
    def write(storage, index, obs, action, reward, next_obs, terminated):
        values = dict(obs=obs, action=action, reward=reward, next_obs=next_obs, terminated=terminated)
        values.update({k: f(values) for k, f in changes.items()})
        _write(storage, index, **values)
    return write


def _masks_truncation(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    n = len(storage["obs"])
    _write(storage, index, obs, action, reward, next_obs, terminated or truncated)
    return _right(index, size, n)


MISTAKES = {
    # (a bound one too high, `if index > N` or (index + 1) % (N + 1), gives the same answers on every valid
    # index: after the last slot it hands back N too, so this names what is observed, not `never`)
    "the index does not wrap around at the last slot: after slot N − 1 it returns N, past the end; the next "
    "index is 0, (index + 1) % N":
        _add(lambda i, s, n: i, lambda i, s, n: (i + 1, min(s + 1, n))),
    "the index wraps one slot early, (index + 1) % (N − 1): the last slot is never written":
        _add(lambda i, s, n: i, lambda i, s, n: ((i + 1) % (n - 1), min(s + 1, n))),
    "size keeps growing past the capacity: it stops at N, min(size + 1, N)":
        _add(lambda i, s, n: i, lambda i, s, n: ((i + 1) % n, s + 1)),
    "size follows the write index: once the buffer has wrapped around it is still full, size = min(size + 1, N)":
        _add(lambda i, s, n: i, lambda i, s, n: ((i + 1) % n, (i + 1) % n if (i + 1) % n else n)),
    "it writes into slot index + 1: the transition goes into slot `index`, then the index moves on":
        _add(lambda i, s, n: (i + 1) % n, _right),
    "once full it keeps overwriting the last slot (the newest transition); a ring buffer overwrites the oldest: "
    "the index wraps around to 0":
        _add(lambda i, s, n: i, lambda i, s, n: (min(i + 1, n - 1), min(s + 1, n))),
    "it stores `terminated or truncated` as the terminal flag: a truncated step (a time limit) is not terminal, "
    "its next state still bootstraps; store `terminated` alone":
        _masks_truncation,
    "it stores s and s' the other way round: obs is the state the action was taken in, next_obs the one it led to":
        _add(lambda i, s, n: i, _right, _writes(obs=lambda v: v["next_obs"], next_obs=lambda v: v["obs"])),
    "it stores obs as next_obs too: next_obs is the state the action led to":
        _add(lambda i, s, n: i, _right, _writes(next_obs=lambda v: v["obs"])),
    "it returns (size, index); the contract is (index, size)":
        _add(lambda i, s, n: i, lambda i, s, n: tuple(reversed(_right(i, s, n)))),
}

OBS, NEXT_OBS = np.array([0.5, -1.0, 2.0]), np.array([1.5, 0.25, -3.0])


def filled(size, index):
    """A storage of capacity 4 with ``size`` earlier transitions written around ``index``."""
    storage = make_storage(CAPACITY, (3,), obs_dtype=np.float64)
    for k in range(size):
        slot = (index - 1 - k) % CAPACITY
        storage["obs"][slot] = 10 + k
        storage["next_obs"][slot] = 20 + k
        storage["actions"][slot] = k % 2
        storage["rewards"][slot] = 1.0 + k
    return storage


def probe(label, index, size, terminated=False, truncated=False, action=1, reward=-0.75):
    return Probe(label, (filled(size, index), index, size, OBS.copy(), action, reward, NEXT_OBS.copy(),
                         terminated, truncated), may_change=(0,))


PROBES = [
    probe("the first transition", 0, 0),
    probe("a middle slot", 1, 1, terminated=True),
    probe("the last slot of a filling buffer", 3, 3),
    probe("the last slot of a full buffer", 3, 4, truncated=True),
    probe("a full buffer, overwriting", 1, 4, action=0, reward=2.0),
]


def _read(returned, args):
    index, size = returned
    storage = args[0]
    return np.concatenate([[float(index), float(size)], *(np.ravel(storage[f]).astype(float) for f in FIELDS)])


DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_read)


def returned_pair(value, example):
    expect(value is not None, f"{example} returned None: return the next (index, size)")
    expect(isinstance(value, (tuple, list)) and len(value) == 2,
           f"{example} returned {value!r}; expected a pair (index, size)")
    for name, number in zip(("index", "size"), value):
        expect(isinstance(number, (int, np.integer)) and not isinstance(number, (bool, np.bool_)),
               f"{example} returned {name} = {number!r} ({type(number).__name__}); expected an int")
    return int(value[0]), int(value[1])


def check_add(student, storage, index, size, obs, action, reward, next_obs, terminated, truncated, label=""):
    args = (storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    example = (f"ring_add(storage, index={index}, size={size}, obs, action={action}, reward={reward}, next_obs, "
               f"terminated={terminated}, truncated={truncated}) with capacity N = {len(storage['obs'])}")
    before = {k: v.copy() for k, v in storage.items()}
    expected_storage = {k: v.copy() for k, v in storage.items()}
    expected = reference(expected_storage, index, size, obs.copy(), action, reward, next_obs.copy(), terminated, truncated)
    transition = (obs.copy(), next_obs.copy())
    got = returned_pair(student(*args), example)
    expect(np.array_equal(obs, transition[0]) and np.array_equal(next_obs, transition[1]),
           f"{example} changed obs or next_obs: leave the transition as it is")
    wrong_fields = [f for f in FIELDS if not np.array_equal(storage[f], expected_storage[f])]
    if got == expected and not wrong_fields:
        return got
    if all(np.array_equal(storage[f], before[f]) for f in FIELDS):
        raise Mistake(f"{example}: the storage arrays did not change: write the transition into them in place "
                      "(storage[\"obs\"][index] = obs, …), do not copy them")
    what = [f"returned (index, size) = {got}; expected {expected}"] if got != expected else []
    what += [f"storage[{f!r}] became {_show(storage[f])}; expected {_show(expected_storage[f])}" for f in wrong_fields[:2]]
    fail(f"{example}: " + "; ".join(what), student, DIFFERENTIAL)


def _show(array):
    return re.sub(r"\s+", " ", np.array2string(np.asarray(array), separator=", ", max_line_width=10_000))


@pytest.mark.public
def test_first_transition(student):
    """into an empty buffer: slot 0 holds (s, a, r, s', terminated); returns (1, 1)"""
    check_add(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminated_is_stored_and_truncated_is_not(student):
    """terminated = True is stored as 1; a truncated step is stored as not terminal (it bootstraps)"""
    check_add(student, *PROBES[1].fresh())
    check_add(student, *PROBES[3].fresh())


@pytest.mark.public
def test_wraps_around(student):
    """after the last slot the index wraps around to 0; size stops at the capacity"""
    check_add(student, *PROBES[2].fresh())
    check_add(student, *PROBES[3].fresh())


@pytest.mark.public
def test_overwrites_the_oldest(student):
    """a full buffer overwrites the slot at `index`, the oldest transition"""
    check_add(student, *PROBES[4].fresh())


@pytest.mark.weight(2)
def test_filling_past_capacity(student):
    """ten transitions into a buffer of capacity 4, threading (index, size) through: the last four are kept"""
    storage = make_storage(CAPACITY, (3,), obs_dtype=np.float64)
    index = size = 0
    for t in range(10):
        obs = np.full(3, float(t))
        index, size = check_add(student, storage, index, size, obs, t % 2, float(t), obs + 0.5, t % 3 == 0, t % 4 == 0)
    expect(sorted(storage["rewards"].tolist()) == [6.0, 7.0, 8.0, 9.0],
           f"after 10 transitions into capacity 4 the rewards stored are {storage['rewards'].tolist()}; expected the "
           "last four, 6 to 9")


@GRADING
@given(capacity=st.integers(1, 6), steps=st.integers(1, 14), seed=st.integers(0, 10_000),
       obs_dtype=st.sampled_from([np.float32, np.float64, np.uint8]))
def test_random_streams(student, capacity, steps, seed, obs_dtype):
    """random streams of transitions into buffers of capacity 1 to 6 (float and uint8 observations)"""
    rng = np.random.default_rng(seed)
    storage = make_storage(capacity, (2,), obs_dtype=obs_dtype)
    index = size = 0
    for _ in range(steps):
        obs, next_obs = (rng.integers(0, 50, 2).astype(obs_dtype) for _ in range(2))
        index, size = check_add(student, storage, index, size, obs, int(rng.integers(0, 3)),
                                float(rng.integers(-4, 5)) / 2, next_obs, bool(rng.random() < 0.3),
                                bool(rng.random() < 0.3))
