"""Checks for sample_indices(size, capacity, batch_size, rng) -> indices.

``batch_size`` slot indices drawn uniformly, with replacement (batch_size may exceed size),
from the ``size`` filled slots 0 … size − 1 of a buffer of ``capacity`` slots — never from the
unfilled ones — with the numpy Generator ``rng`` (so a seed makes a run reproducible). Returns
an integer array of shape (batch_size,).

Statistical checks draw 20 000 indices; each frequency check allows 5 standard deviations
(a false fail has probability below 1e-6 per check).
"""

import numpy as np
import pytest
import torch

from autograde.checks.diagnosis import Mistake, expect

DRAWS = 20_000


def indices(student, size, capacity, batch_size, seed=0, rng=None):
    rng = np.random.default_rng(seed) if rng is None else rng
    example = f"sample_indices(size={size}, capacity={capacity}, batch_size={batch_size}, rng)"
    got = student(size, capacity, batch_size, rng)
    expect(got is not None, f"{example} returned None: return the array of indices")
    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().numpy()
    got = np.asarray(got)
    expect(np.issubdtype(got.dtype, np.integer),
           f"{example} returned {got.dtype} values; indices are integers (rng.integers, not rng.random() * size)")
    expect(got.shape == (batch_size,), f"{example} returned shape {got.shape}; expected (batch_size,) = ({batch_size},)")
    expect(got.min(initial=0) >= 0, f"{example} returned the index {got.min()}; slots are 0 … size − 1")
    if got.max(initial=0) >= size:
        beyond = int(got.max())
        if beyond == size and got.min() >= 1 and batch_size >= 32:
            raise Mistake(f"{example} returned the index {size} and never 0: indices run 0 … size − 1 "
                          "(rng.integers(0, size) excludes size)")
        raise Mistake(f"{example} returned the index {beyond}, but only slots 0 … {size - 1} are filled"
                      + (": it samples the unfilled slots of the buffer too; draw from range(size), not range(capacity)"
                         if beyond < capacity else ""))
    return got


def frequencies(student, size, capacity, batch_size):
    rng = np.random.default_rng(1)
    counts = np.zeros(size)
    for _ in range(DRAWS // batch_size):
        counts += np.bincount(indices(student, size, capacity, batch_size, rng=rng), minlength=size)
    return counts / counts.sum()


def uniform_within(freq, size):
    n = DRAWS
    sd = np.sqrt((1 / size) * (1 - 1 / size) / n)
    return np.abs(freq - 1 / size) <= 5 * sd


@pytest.mark.public
def test_indices_of_filled_slots(student):
    """a batch of int indices, shape (batch_size,), all among the filled slots 0 … size − 1"""
    indices(student, size=5, capacity=100, batch_size=64)


@pytest.mark.public
def test_every_filled_slot_equally_likely(student):
    """every filled slot, the first and the newest included, comes up 1/size of the time"""
    size = 6
    freq = frequencies(student, size, 10, 50)
    never = [i for i in range(size) if freq[i] == 0]
    if never:
        raise Mistake(f"in {DRAWS} draws with size = {size} slot(s) {never} never came up"
                      + (": the newest filled slot is size − 1; rng.integers(0, size) excludes size, not size − 1"
                         if never == [size - 1] else "")
                      + (": slot 0 is a filled slot too; indices start at 0" if never == [0] else ""))
    expect(uniform_within(freq, size).all(),
           f"in {DRAWS} draws with size = {size} the slots came up {', '.join(f'{f:.1%}' for f in freq)}; "
           f"each should be {1 / size:.1%} (uniform)")


@pytest.mark.public
@pytest.mark.weight(2)
def test_uses_the_rng_it_is_given(student):
    """draws from `rng` only: the same seed gives the same batch, whatever the global random state"""
    batches = []
    for global_seed in (1, 2):
        np.random.seed(global_seed)
        torch.manual_seed(global_seed)
        batches.append(indices(student, 50, 100, 32, seed=7))
    expect(np.array_equal(*batches),
           "the same rng seed gave different batches: draw with the `rng` argument (rng.integers(0, size, "
           "batch_size)), not np.random.*, torch.randint or the random module")
    rng = np.random.default_rng(7)
    first, second = indices(student, 50, 100, 32, rng=rng), indices(student, 50, 100, 32, rng=rng)
    expect(not np.array_equal(first, second),
           "two calls with the same (advancing) rng gave the same batch: use the `rng` you are given, do not "
           "create a new generator with a fixed seed inside the function")


@pytest.mark.public
def test_with_replacement(student):
    """batch_size may exceed size (a buffer just past its first batch): draws are with replacement"""
    indices(student, size=3, capacity=10, batch_size=8)


def test_size_one_and_full_buffer(student):
    """size = 1 gives only slot 0; a full buffer (size = capacity) uses every slot"""
    got = indices(student, size=1, capacity=4, batch_size=5)
    expect((got == 0).all(), f"with size = 1 it returned {got.tolist()}; only slot 0 is filled")
    freq = frequencies(student, 4, 4, 40)
    expect(uniform_within(freq, 4).all(),
           f"with a full buffer (size = capacity = 4) the slots came up {', '.join(f'{f:.1%}' for f in freq)}; "
           "each should be 25%")


def test_not_only_the_newest(student):
    """the batch is a uniform sample of the whole buffer, not the most recent transitions"""
    freq = frequencies(student, 40, 64, 8)
    expect(uniform_within(freq, 40).all(),
           f"with size = 40 and batch_size = 8 the slots came up unevenly (slot 0: {freq[0]:.1%}, slot 39: "
           f"{freq[39]:.1%}; each should be 2.5%): sample uniformly over all filled slots, not a recent window")
