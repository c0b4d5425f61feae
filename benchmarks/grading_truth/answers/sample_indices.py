"""Answers to sample_indices(size, capacity, batch_size, rng) -> indices, written blind."""
import numpy as np
import torch


def w_over_capacity(size, capacity, batch_size, rng):
    return rng.integers(0, capacity, size=batch_size)


def w_without_replacement(size, capacity, batch_size, rng):
    return rng.choice(size, size=batch_size, replace=False)


def w_global_random(size, capacity, batch_size, rng):
    return np.random.randint(0, size, size=batch_size)


def w_never_last_filled(size, capacity, batch_size, rng):
    return rng.integers(0, size - 1, size=batch_size) if size > 1 else np.zeros(batch_size, dtype=np.int64)


def w_shifted_by_one(size, capacity, batch_size, rng):
    return rng.integers(1, size + 1, size=batch_size) % capacity


def w_most_recent(size, capacity, batch_size, rng):
    return np.arange(size - batch_size, size) % max(size, 1)


def w_float_indices(size, capacity, batch_size, rng):
    return rng.random(batch_size) * size


def w_torch_generator(size, capacity, batch_size, rng):
    return torch.randint(0, size, (batch_size,)).numpy()


def c_choice(size, capacity, batch_size, rng):
    return rng.choice(size, size=batch_size, replace=True)


def c_loop_floor(size, capacity, batch_size, rng):
    out = np.empty(batch_size, dtype=np.int64)
    for i in range(batch_size):
        out[i] = int(np.floor(rng.random() * size))
    return out


def c_integers_int32(size, capacity, batch_size, rng):
    return rng.integers(size, size=(batch_size,), dtype=np.int32)


WRONG = {
    w_over_capacity: "draws over the whole capacity, unfilled slots included",
    w_without_replacement: "draws without replacement",
    w_global_random: "uses the global np.random instead of rng",
    w_never_last_filled: "never draws the last filled slot (high = size - 1)",
    w_shifted_by_one: "draws 1..size: slot 0 never, slot size (unfilled) sometimes",
    w_most_recent: "returns the most recent slots, not a random draw",
    w_float_indices: "returns float indices, not integers",
    w_torch_generator: "uses torch's global generator instead of rng",
}
CORRECT = [c_choice, c_loop_floor, c_integers_int32]
