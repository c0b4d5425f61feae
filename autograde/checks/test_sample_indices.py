"""Checks for sample_indices(size, capacity, batch_size, rng) -> indices.

``batch_size`` slot indices drawn uniformly, with replacement (batch_size may exceed size),
from the ``size`` filled slots 0 … size − 1 of a buffer of ``capacity`` slots — never from the
unfilled ones — with the numpy Generator ``rng`` (so a seed makes a run reproducible). Returns
an integer array of shape (batch_size,).

Statistical checks draw 20 000 indices; each frequency check allows 5 standard deviations
(a false fail has probability below 1e-6 per check).

Uniform marginals are not enough: the indices of a batch must be *independent* draws. The
independence checks look at one batch as a set (sorting a batch is not a mistake) and fail only
on patterns an independent uniform sample makes with probability below 1e-6 (each bound is in
the check's docstring): no repeats where repeats are all but certain (drawn without
replacement, stratified), too many repeats (one index repeated), and too many pairs the same
distance apart (a window of consecutive slots, a fixed stride).
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
        # 1 … size only when 0 … size would have shown slot 0 (it misses it with probability below 1e-6)
        if beyond == size and got.min() >= 1 and (size / (size + 1)) ** batch_size <= 1e-6:
            raise Mistake("indices run 0 … size − 1, not 1 … size: rng.integers(0, size) excludes size "
                          f"(it returned the index {size} and never 0, in {example})")
        if beyond == size and got.min() == 0:  # 0 … size, both ends seen: an upper bound one too high
            raise Mistake("the upper bound is one too high: the last filled slot is size − 1, and rng.integers(0, size) "
                          f"already excludes size (it returned the index size = {size}, in {example})")
        if beyond == size:  # too few draws to tell 1 … size from 0 … size
            raise Mistake(f"it returned the index size = {size}, one past the last filled slot: slots are "
                          f"0 … size − 1 (in {example})")
        # the unfilled slots' range(capacity) only when the indices spread over it as range(capacity) would
        unfilled_share = (capacity - size) / capacity
        spread = (beyond < capacity and beyond >= size + (capacity - size) // 2
                  and (got >= size).mean() >= unfilled_share / 2)
        headline = ("it samples the unfilled slots of the buffer too: draw from range(size), not range(capacity)"
                    if spread else "it returns indices of unfilled slots: only slots 0 … size − 1 are filled")
        raise Mistake(f"{headline} (it returned the index {beyond} with size = {size}, in {example})")
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
    indices(student, size=5, capacity=100, batch_size=128)


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
    if np.array_equal(first, second) and _window(first, 50):
        raise Mistake("two calls with the same (advancing) rng gave the same batch, one window of consecutive slots: "
                      "draw every index at random with the `rng` you are given, rng.integers(0, size, batch_size) "
                      f"(sample_indices(size=50, capacity=100, batch_size=32, rng) returned {_short(first)} twice)")
    expect(not np.array_equal(first, second),
           "two calls with the same (advancing) rng gave the same batch: use the `rng` you are given, do not "
           "create a new generator with a fixed seed inside the function")


def _window(got: np.ndarray, size: int) -> bool:
    """The batch is one stretch of distinct consecutive slots (wrapping past size − 1 to 0)."""
    slots = set(got.tolist())
    return len(slots) == len(got) and any(all((start + k) % size in slots for k in range(len(got)))
                                          for start in slots)


def _short(got: np.ndarray) -> str:
    return str(got.tolist()) if len(got) <= 10 else f"[{', '.join(map(str, got[:10].tolist()))}, … ({len(got)} indices)]"


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


# ------------------------------------------------------------------ independence
# One batch of BATCH indices from SLOTS filled slots (SLOTS is a multiple of BATCH, so its strata
# of equal width are unambiguous). Every bound below is for independent uniform draws.
SLOTS, BATCH = 1_000_000, 32


def batch_of(student, size, batch_size, seed):
    return indices(student, size, size, batch_size, seed=seed).astype(np.int64)


def _pairs(got):
    i, j = np.triu_indices(len(got), k=1)
    return got[i], got[j]


@pytest.mark.public
def test_draws_with_replacement(student):
    """with replacement, as the contract says: a batch of 30 from 30 filled slots repeats some slot

    30 independent draws from 30 slots are all different with probability 30!/30^30 < 1.3e-12."""
    got = batch_of(student, 30, 30, seed=3)
    if len(np.unique(got)) == len(got):
        if _window(got, 30):
            raise Mistake(f"{WINDOW} (a batch of 30 from 30 filled slots was {_show(got)})")
        raise Mistake("it draws without replacement: the contract is uniform *with* replacement, every index an "
                      "independent draw, rng.integers(0, size, batch_size) — not a permutation, "
                      "rng.choice(…, replace=False) or one slot per stratum (a batch of 30 from 30 filled slots "
                      f"repeated no slot, {_show(got)}; independent draws repeat one with probability > 1 − 1e-11)")


def test_not_stratified(student):
    """not one index per stratum: 32 independent draws from 1 000 000 slots fall one in each
    of 32 equal strata with probability 32!/32^32 < 2e-13"""
    got = batch_of(student, SLOTS, BATCH, seed=4)
    strata = np.bincount(got * BATCH // SLOTS, minlength=BATCH)
    if (strata == 1).all():
        raise Mistake("it draws one index per stratum (stratified or evenly spaced): the contract is independent "
                      "uniform draws, rng.integers(0, size, batch_size); a batch may hold two indices near each other "
                      f"and none in a whole region (size = {SLOTS}, batch_size = {BATCH}: each of the {BATCH} strata "
                      f"of {SLOTS // BATCH} slots got exactly one index, probability < 2e-13 for independent draws)")


@pytest.mark.public
def test_indices_are_independent(student):
    """the indices of a batch are independent draws: not one index repeated, not a window of consecutive slots,
    not a fixed stride

    32 independent draws from 1 000 000 slots: three or more equal pairs have probability
    ≤ C(32,3)/n² + C(496,3)/n³ < 1e-8; five or more pairs the same distance d ≠ 0 apart (for
    some d, circular distance) at most Σ over forests of 5 such pairs of (n/2)(2/n)⁵ plus the
    graphs holding a cycle, < 1e-9 (see test_sample_indices.py). Together below 1e-6."""
    got = batch_of(student, SLOTS, BATCH, seed=5)
    example = f"sample_indices(size={SLOTS}, capacity={SLOTS}, batch_size={BATCH}, rng) returned {_show(got)}"
    a, b = _pairs(got)
    equal = int((a == b).sum())
    values, counts = np.unique(got, return_counts=True)
    if len(values) == 1:
        raise Mistake("every index of the batch is the same slot: draw batch_size independent indices, "
                      f"rng.integers(0, size, batch_size), not one index repeated ({example})")
    if equal >= 3:
        raise Mistake(f"the same slots come up again and again within one batch: {len(got) - len(values)} of "
                      f"{BATCH} indices repeat an earlier one (most often slot {values[counts.argmax()]}, "
                      f"{counts.max()} times); independent draws from {SLOTS} slots repeat at most 2 "
                      f"(probability > 1 − 1e-8): draw every index independently ({example})")
    gap = np.abs(a - b)
    distance = np.minimum(gap, SLOTS - gap)
    distance = distance[distance > 0]
    steps, count = np.unique(distance, return_counts=True)
    if len(count) and count.max() >= 5:
        step = int(steps[count.argmax()])
        if _window(got, SLOTS):
            raise Mistake(f"{WINDOW} ({example})")
        raise Mistake(f"the indices follow a pattern: {count.max()} pairs of them are exactly {step} slots apart "
                      f"(independent draws from {SLOTS} slots make at most 4 such pairs, probability > 1 − 1e-9): "
                      f"a fixed offset or stride between the indices of a batch; draw every index independently, "
                      f"rng.integers(0, size, batch_size) ({example})")


WINDOW = ("it draws a window of consecutive slots (start, start + 1, …): the batch is then one stretch of "
          "consecutive transitions, exactly the correlated data replay is there to break; draw every index "
          "independently, rng.integers(0, size, batch_size)")


def _window(got, size) -> bool:
    """Whether the batch is a run of consecutive slots, possibly wrapping around the end: returned in
    that order, or in any order when it leaves some slots out (a batch of every slot is a window only
    in order)."""
    values = np.unique(got)
    if len(values) != len(got) or len(values) < 3:
        return False
    if (np.diff(got) % size == 1).all():
        return True
    gaps = np.diff(np.concatenate([values, [values[0] + size]]))
    return len(values) < size and int((gaps != 1).sum()) == 1


def _show(got):
    got = np.asarray(got).tolist()
    return str(got) if len(got) <= 12 else f"[{', '.join(map(str, got[:10]))}, … ({len(got)} indices)]"
