"""Answers to ring_add(storage, index, size, obs, action, reward, next_obs, terminated, truncated) -> (index, size)."""
import numpy as np


def w_stores_done_as_terminal_or_truncated(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated or truncated
    return (index + 1) % capacity, min(size + 1, capacity)


def w_no_wrap(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["rewards"])
    for key, value in zip(["obs", "actions", "rewards", "next_obs", "terminated"],
                          [obs, action, reward, next_obs, terminated]):
        storage[key][index] = value
    return index + 1, min(size + 1, capacity)


def w_size_unbounded(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = storage["actions"].shape[0]
    storage["obs"][index], storage["next_obs"][index] = obs, next_obs
    storage["actions"][index], storage["rewards"][index] = action, reward
    storage["terminated"][index] = terminated
    return (index + 1) % capacity, size + 1


def w_wraps_one_early(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    index = index + 1
    if index >= capacity - 1:
        index = 0
    return index, min(size + 1, capacity)


def w_next_obs_copy_paste(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = obs
    storage["terminated"][index] = terminated
    return (index + 1) % capacity, min(size + 1, capacity)


def w_returns_size_index(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    return min(size + 1, capacity), (index + 1) % capacity


def w_capacity_from_dict_len(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage)
    storage["obs"][index] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index] = next_obs
    storage["terminated"][index] = terminated
    return (index + 1) % capacity, min(size + 1, capacity)


def w_rebinds_arrays(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = len(storage["obs"])
    for key, value in [("obs", obs), ("actions", action), ("rewards", reward), ("next_obs", next_obs),
                       ("terminated", terminated)]:
        new = storage[key].copy()
        new[index] = value
        storage[key] = new
    return (index + 1) % capacity, min(size + 1, capacity)


def c_dict_loop(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    values = {"obs": obs, "actions": action, "rewards": reward, "next_obs": next_obs,
              "terminated": float(bool(terminated))}
    for key, array in storage.items():
        array[index] = values[key]
    capacity = len(storage["terminated"])
    return (index + 1) % capacity, min(size + 1, capacity)


def c_divmod(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    capacity = storage["obs"].shape[0]
    np.copyto(storage["obs"][index], np.asarray(obs), casting="unsafe")
    np.copyto(storage["next_obs"][index], np.asarray(next_obs), casting="unsafe")
    storage["actions"][index] = int(action)
    storage["rewards"][index] = float(reward)
    storage["terminated"][index] = 1.0 if terminated else 0.0
    _, next_index = divmod(index + 1, capacity)
    return int(next_index), int(size + 1 if size < capacity else capacity)


def c_if_else(storage, index, size, obs, action, reward, next_obs, terminated, truncated):
    storage["obs"][index, ...] = obs
    storage["actions"][index] = action
    storage["rewards"][index] = reward
    storage["next_obs"][index, ...] = next_obs
    storage["terminated"][index] = terminated  # truncated is deliberately not stored
    index += 1
    if index == len(storage["obs"]):
        index = 0
    if size < len(storage["obs"]):
        size += 1
    return index, size


WRONG = {
    w_stores_done_as_terminal_or_truncated: "stores terminated or truncated as the terminal flag",
    w_no_wrap: "index never wraps around to 0",
    w_size_unbounded: "size keeps growing past capacity",
    w_wraps_one_early: "wraps at capacity - 1: the last slot is never written",
    w_next_obs_copy_paste: "stores obs in next_obs (copy-paste)",
    w_returns_size_index: "returns (size, index) in the wrong order",
    w_capacity_from_dict_len: "capacity taken as len(storage), the number of keys",
    w_rebinds_arrays: "replaces the arrays in the dict with copies instead of writing in place",
}
CORRECT = [c_dict_loop, c_divmod, c_if_else]
