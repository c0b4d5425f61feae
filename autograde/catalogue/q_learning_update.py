"""Student-style answers for q_learning_update(Q, s, a, r, s2, terminated, truncated, alpha, gamma)."""

import numpy as np


def in_place(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * np.max(Q[next_state])
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def returns_copy(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q = Q.copy()
    target = reward if terminated else reward + gamma * Q[next_state].max()
    Q[state, action] = (1 - alpha) * Q[state, action] + alpha * target
    return Q


def td_error_with_loop(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    best = -np.inf
    for a in range(Q.shape[1]):
        best = max(best, Q[next_state, a])
    td_error = reward + (0.0 if terminated else gamma * best) - Q[state, action]
    Q[state, action] = Q[state, action] + alpha * td_error
    return Q


def no_terminal_masking(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] += alpha * (reward + gamma * Q[next_state].max() - Q[state, action])
    return Q


def masks_truncation_too(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    done = terminated or truncated
    Q[state, action] += alpha * (reward + gamma * (1 - done) * Q[next_state].max() - Q[state, action])
    return Q


def max_over_current_state(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[state].max()
    Q[state, action] += alpha * (reward + gamma * future - Q[state, action])
    return Q


def alpha_on_target_only(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[next_state].max()
    Q[state, action] = alpha * (reward + gamma * future)
    return Q


def forgets_to_subtract(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[next_state].max()
    Q[state, action] += alpha * (reward + gamma * future)
    return Q


def updates_whole_row(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[next_state].max()
    Q[state] += alpha * (reward + gamma * future - Q[state, action])
    return Q


def forgets_return(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[next_state].max()
    Q[state, action] += alpha * (reward + gamma * future - Q[state, action])


def in_torch(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    import torch

    table = torch.as_tensor(Q)
    future = torch.tensor(0.0, dtype=table.dtype) if terminated else table[next_state].max()
    table[state, action] += alpha * (reward + gamma * future - table[state, action])
    return table


def in_float32(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q = Q.astype(np.float32)
    target = np.float32(reward) + np.float32(gamma) * np.float32(not terminated) * Q[next_state].max()
    Q[state, action] += np.float32(alpha) * (target - Q[state, action])
    return Q


def sign_flipped(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * Q[next_state].max())
    Q[state, action] -= alpha * (target - Q[state, action])
    return Q


def mean_over_next_actions(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * Q[next_state].mean())
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def gamma_on_reward_too(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = gamma * (reward + (0.0 if terminated else Q[next_state].max()))
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def ignores_alpha(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] = reward + (0.0 if terminated else gamma * Q[next_state].max())
    return Q


def integer_table(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q = Q.astype(int)   # "Q-values are counts": the rounding loses the update
    target = reward + (0.0 if terminated else gamma * Q[next_state].max())
    Q[state, action] += int(alpha * (target - Q[state, action]))
    return Q


def two_mistakes(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] += alpha * (reward + gamma * Q[state].max() - Q[state, action])   # no masking, current state
    return Q


CORRECT = [in_place, returns_copy, td_error_with_loop, in_torch, in_float32]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or, where
# no single classic mistake explains it, the observation (e.g. "became").
WRONG = {
    no_terminal_masking: "bootstraps from a terminal next state",
    masks_truncation_too: "treats truncation as termination",
    max_over_current_state: "of the current state",
    alpha_on_target_only: "to α · target",
    forgets_to_subtract: "without subtracting Q(s, a)",
    updates_whole_row: "it changes other entries than Q(s, a)",
    forgets_return: "returned None",
    sign_flipped: "the wrong sign",
    mean_over_next_actions: "averages Q(s', ·)",
    gamma_on_reward_too: "γ also discounts the reward",
    ignores_alpha: "it ignores α",
    integer_table: "dtype int64",
    two_mistakes: "became",
}
