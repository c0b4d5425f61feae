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


def sorted_batch(size, capacity, batch_size, rng):
    return np.sort(rng.integers(0, size, batch_size))          # "sorted reads are faster": still independent draws


def choice_of_a_range(size, capacity, batch_size, rng):
    return rng.choice(np.arange(size), batch_size)


def consecutive_window(size, capacity, batch_size, rng):
    start = rng.integers(0, max(size - batch_size, 0) + 1)     # a random window: every slot still comes up equally often
    return (start + np.arange(batch_size)) % size


def wrapped_window(size, capacity, batch_size, rng):
    return (rng.integers(0, size) + np.arange(batch_size)) % size


def replace_only_when_needed(size, capacity, batch_size, rng):
    return rng.choice(size, size=batch_size, replace=batch_size > size)


def permutation_then_cycle(size, capacity, batch_size, rng):
    return np.resize(rng.permutation(size), batch_size)


def stratified(size, capacity, batch_size, rng):
    edges = np.linspace(0, size, batch_size + 1)              # one index from each of batch_size equal strata
    return np.floor(edges[:-1] + rng.random(batch_size) * (edges[1:] - edges[:-1])).astype(np.int64)


def evenly_spaced(size, capacity, batch_size, rng):
    step = max(size // batch_size, 1)                         # systematic sampling: a random start, a fixed stride
    return (rng.integers(0, size) + step * np.arange(batch_size)) % size


def one_index_repeated(size, capacity, batch_size, rng):
    return np.full(batch_size, rng.integers(0, size))


def pairs_of_neighbours(size, capacity, batch_size, rng):
    first = rng.integers(0, size, (batch_size + 1) // 2)      # each index and the transition after it
    return np.stack([first, (first + 1) % size], axis=1).ravel()[:batch_size]


def each_drawn_twice(size, capacity, batch_size, rng):
    return np.repeat(rng.integers(0, size, (batch_size + 1) // 2), 2)[:batch_size]


def upper_bound_plus_one(size, capacity, batch_size, rng):
    return rng.integers(0, size + 1, batch_size)               # "integers excludes the end, so add one"


CORRECT = [with_integers, with_choice, with_a_loop, from_uniform, as_torch, sorted_batch, choice_of_a_range]
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
    consecutive_window: "window of consecutive slots",
    wrapped_window: "window of consecutive slots",
    replace_only_when_needed: "draws without replacement",
    permutation_then_cycle: "draws without replacement",
    stratified: "one index per stratum",
    evenly_spaced: "one index per stratum",
    one_index_repeated: "every index of the batch is the same slot",
    pairs_of_neighbours: "pairs of them are exactly 1 slots apart",
    each_drawn_twice: "the same slots come up again and again",
    upper_bound_plus_one: "the upper bound is one too high",
}

# The wrong answers whose mistake the notebook's text names (04, exercise 1b: uniform with
# replacement over the filled slots 0 … size − 1 (never the unfilled ones), drawn with `rng`,
# i.i.d. (not consecutive), shape (batch_size,).) Not upper_bound_plus_one: where a check's few
# draws show the index size but never 0, 0 … size cannot be told from 1 … size, so that check observes.
NAMED_IN_TEXT = {
    unfilled_slots, replace_only_when_needed, permutation_then_cycle,
    global_numpy, torch_randint, python_random, wrapped_window, pairs_of_neighbours,
    each_drawn_twice, one_index,
}
