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


CORRECT = [in_place, returns_copy, td_error_with_loop]
WRONG = {
    no_terminal_masking: "bootstrapped from a terminal next state",
    masks_truncation_too: "treated truncation as termination",
    max_over_current_state: "of the current state",
    alpha_on_target_only: "applied α to the target only",
    forgets_to_subtract: "without subtracting Q(s, a)",
    updates_whole_row: "other than (s, a)",
    forgets_return: "returned None",
}
