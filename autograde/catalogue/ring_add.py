"""Student-style answers for ring_add(storage, index, size, obs, action, reward, next_obs, terminated,
truncated) -> (index, size)."""

import copy

import numpy as np


def plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    return (index + 1) % capacity, min(size + 1, capacity)


def with_if(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    values = {"obs": obs, "actions": action, "rewards": reward, "next_obs": next_obs, "terminated": float(terminated)}
    for key, value in values.items():
        storage[key][index] = value
    index += 1
    if index == len(storage["rewards"]):
        index = 0
    if size < len(storage["rewards"]):
        size += 1
    return index, size


def with_numpy_put(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    np.copyto(storage["obs"][index], obs, casting="unsafe")
    np.copyto(storage["next_obs"][index], next_obs, casting="unsafe")
    storage["actions"][index], storage["rewards"][index] = action, reward
    storage["terminated"][index] = 1.0 if terminated else 0.0
    capacity = storage["obs"].shape[0]
    return int((index + 1) % capacity), int(min(size + 1, capacity))


def slices(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    storage["obs"][index:index + 1] = obs
    storage["next_obs"][index:index + 1] = next_obs
    storage["actions"][index:index + 1] = action
    storage["rewards"][index:index + 1] = reward
    storage["terminated"][index:index + 1] = terminated
    n = len(storage["obs"])
    return (index + 1) % n, size + (size < n)


def returns_a_list(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    n = len(storage["actions"])
    for key, value in zip(["obs", "actions", "rewards", "next_obs", "terminated"],
                          [obs, action, reward, next_obs, terminated]):
        storage[key][index] = value
    return [(index + 1) % n, min(n, size + 1)]


def no_wrap(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return index + 1, min(size + 1, len(storage["obs"]))


def wraps_late(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    index += 1
    if index > capacity:          # off by one: the last slot is capacity - 1, so index == capacity must wrap too
        index = 0
    return index, min(size + 1, capacity)


def wraps_early(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return (index + 1) % (capacity - 1) if capacity > 1 else 0, min(size + 1, capacity)


def size_unbounded(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    new_index, _ = plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return new_index, size + 1


def size_from_index(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    new_index, _ = plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return new_index, index + 1


def increments_first(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    index = (index + 1) % capacity
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    return index, min(size + 1, capacity)


def overwrites_newest(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return min(index + 1, capacity - 1), min(size + 1, capacity)


def stores_done(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    done = terminated or truncated
    return plain(storage, index, size, obs, action, reward, next_obs, done, truncated)


def swaps_obs(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    return plain(storage, index, size, next_obs, action, reward, obs, terminated, truncated)


def copies_storage(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    storage = copy.deepcopy(storage)
    return plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)


def returns_size_first(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    index, size = plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)
    return size, index


def forgets_return(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    plain(storage, index, size, obs, action, reward, next_obs, terminated, truncated)


CORRECT = [plain, with_if, with_numpy_put, slices, returns_a_list]
WRONG = {
    no_wrap: "does not wrap around at the last slot",
    wraps_late: "after slot N − 1 it returns N, past the end",
    wraps_early: "wraps one slot early",
    size_unbounded: "keeps growing past the capacity",
    size_from_index: "size follows the write index",
    increments_first: "writes into slot index + 1",
    overwrites_newest: "keeps overwriting the last slot",
    stores_done: "terminated or truncated",
    swaps_obs: "the other way round",
    copies_storage: "did not change",
    returns_size_first: "returns (size, index)",
    forgets_return: "returned None",
}

# The wrong answers whose mistake the notebook's text names (04, exercise 1a: write slot `index`
# in place, wrap to 0 after the last slot, overwrite the oldest, size stops at N, store
# `terminated` alone, return (index, size).)
NAMED_IN_TEXT = {
    no_wrap, wraps_late, wraps_early, size_unbounded, size_from_index, increments_first,
    overwrites_newest, stores_done, copies_storage, returns_size_first,
}
