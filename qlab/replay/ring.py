"""The ring replay buffer as two plain functions: write one transition, draw a batch of slots.

    storage = {"obs": (N, *obs_shape), "actions": (N,), "rewards": (N,),
               "next_obs": (N, *obs_shape), "terminated": (N,)}   # preallocated numpy arrays

:func:`ring_add` writes a transition into slot ``index`` of every array, in place, and returns
the next write position and the new number of filled slots: once all N slots are filled the
write position wraps around to 0 and the oldest transition is overwritten. :func:`sample_indices`
draws slots uniformly, with replacement, among the ``size`` filled ones. These are the
references of the course's graded buffer functions; :class:`qlab.replay.ReplayBuffer` is the
fast, validated buffer the training loops use.
"""

from __future__ import annotations

import numpy as np

__all__ = ["FIELDS", "make_storage", "ring_add", "sample_indices"]

FIELDS = ("obs", "actions", "rewards", "next_obs", "terminated")


def make_storage(capacity: int, obs_shape: tuple[int, ...], obs_dtype=np.float32) -> dict[str, np.ndarray]:
    """Preallocated, zeroed storage arrays for ``capacity`` transitions."""
    return {
        "obs": np.zeros((capacity, *obs_shape), dtype=obs_dtype),
        "actions": np.zeros(capacity, dtype=np.int64),
        "rewards": np.zeros(capacity, dtype=np.float32),
        "next_obs": np.zeros((capacity, *obs_shape), dtype=obs_dtype),
        "terminated": np.zeros(capacity, dtype=np.float32),
    }


def ring_add(storage: dict, index: int, size: int, obs, action, reward, next_obs, terminated,
             truncated) -> tuple[int, int]:
    """Write (s, a, r, s', d) into slot ``index``; return the next ``(index, size)``.

    d is ``terminated`` alone: a truncated step (a time limit) is not terminal, its s' still
    bootstraps, so ``truncated`` changes nothing that is stored.
    """
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    return (index + 1) % capacity, min(size + 1, capacity)


def sample_indices(size: int, capacity: int, batch_size: int, rng: np.random.Generator) -> np.ndarray:
    """``batch_size`` slots drawn uniformly with replacement from the ``size`` filled ones
    (0 … size − 1), with the random generator ``rng``; an int64 array of shape (batch_size,)."""
    if not 0 < size <= capacity:
        raise ValueError(f"size must be in 1..capacity={capacity}, got {size}")
    return rng.integers(0, size, batch_size)
