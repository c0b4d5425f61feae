"""Student-style answers for sample_indices(size, capacity, batch_size, rng) -> indices."""

import random

import numpy as np
import torch


def with_integers(size, capacity, batch_size, rng):
    return rng.integers(0, size, batch_size)


def with_choice(size, capacity, batch_size, rng):
    return rng.choice(size, size=batch_size, replace=True)


def with_a_loop(size, capacity, batch_size, rng):
    return np.array([int(rng.integers(size)) for _ in range(batch_size)])


def from_uniform(size, capacity, batch_size, rng):
    return np.floor(rng.random(batch_size) * size).astype(np.int64)


def as_torch(size, capacity, batch_size, rng):
    return torch.from_numpy(rng.integers(0, size, size=(batch_size,)))


def unfilled_slots(size, capacity, batch_size, rng):
    return rng.integers(0, capacity, batch_size)


def never_the_newest(size, capacity, batch_size, rng):
    return rng.integers(0, max(size - 1, 1), batch_size)


def starts_at_one(size, capacity, batch_size, rng):
    return rng.integers(1, size + 1, batch_size)


def without_replacement(size, capacity, batch_size, rng):
    return rng.choice(size, size=batch_size, replace=False)


def global_numpy(size, capacity, batch_size, rng):
    return np.random.randint(0, size, batch_size)


def torch_randint(size, capacity, batch_size, rng):
    return torch.randint(0, size, (batch_size,))


def python_random(size, capacity, batch_size, rng):
    return np.array([random.randrange(size) for _ in range(batch_size)])


def fixed_seed(size, capacity, batch_size, rng):
    return np.random.default_rng(0).integers(0, size, batch_size)


def float_indices(size, capacity, batch_size, rng):
    return rng.random(batch_size) * size


def newest_window(size, capacity, batch_size, rng):
    start = max(0, size - batch_size)
    return rng.integers(start, size, batch_size)


def one_index(size, capacity, batch_size, rng):
    return rng.integers(0, size)


CORRECT = [with_integers, with_choice, with_a_loop, from_uniform, as_torch]
WRONG = {
    unfilled_slots: "unfilled slots",
    never_the_newest: "newest filled slot",
    starts_at_one: "indices run 0 … size − 1",
    without_replacement: "Cannot take a larger sample",
    global_numpy: "same rng seed gave different batches",
    torch_randint: "same rng seed gave different batches",
    python_random: "same rng seed gave different batches",
    fixed_seed: "do not create a new generator",
    float_indices: "indices are integers",
    newest_window: "not a recent window",
    one_index: "expected (batch_size,)",
}
