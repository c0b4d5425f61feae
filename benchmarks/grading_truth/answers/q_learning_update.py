"""Answers to q_learning_update(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma) -> Q."""
import numpy as np
import torch


def w_ignores_terminated(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * np.max(Q[next_state])
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def w_truncated_is_terminal(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    done = terminated or truncated
    target = reward + (0.0 if done else gamma * Q[next_state].max())
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def w_bootstraps_from_current_state(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * Q[state].max()
    Q[state, action] = Q[state, action] + alpha * (target - Q[state, action])
    return Q


def w_sarsa_same_action(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * Q[next_state, action]
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def w_no_learning_rate(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] = reward + gamma * (1 - terminated) * Q[next_state].max()
    return Q


def w_updates_whole_row(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * Q[next_state].max()
    Q[state] += alpha * (target - Q[state])
    return Q


def w_returns_none(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * Q[next_state].max()
    Q[state, action] += alpha * (target - Q[state, action])


def w_alpha_on_target_only(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * Q[next_state].max()
    Q[state, action] = Q[state, action] + alpha * target
    return Q


def c_copy(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q = Q.copy()
    if terminated:
        y = reward
    else:
        y = reward + gamma * max(Q[next_state])
    Q[state, action] = (1 - alpha) * Q[state, action] + alpha * y
    return Q


def c_python_scalars(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    s, a, s2 = int(state), int(action), int(next_state)
    best_next = float(Q[s2][0])
    for value in Q[s2]:
        best_next = max(best_next, float(value))
    y = float(reward) + float(gamma) * (0.0 if bool(terminated) else best_next)
    old = float(Q[s, a])
    Q[s, a] = old + float(alpha) * (y - old)
    return Q


def c_torch(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    t = torch.from_numpy(Q)  # shares memory: updates Q in place
    with torch.no_grad():
        y = reward + gamma * (1.0 - float(terminated)) * t[next_state].max()
        t[state, action] += alpha * (y - t[state, action])
    return Q


WRONG = {
    w_ignores_terminated: "bootstraps on terminated (ignores the terminated flag)",
    w_truncated_is_terminal: "treats truncated like terminated: no bootstrap at a time limit",
    w_bootstraps_from_current_state: "bootstraps from Q[state] instead of Q[next_state]",
    w_sarsa_same_action: "uses Q[next_state, action] (the same action) instead of max over a'",
    w_no_learning_rate: "no step size: sets Q(s,a) to the target (alpha ignored)",
    w_updates_whole_row: "updates every action of the state, not only the one taken",
    w_returns_none: "updates in place but returns None",
    w_alpha_on_target_only: "adds alpha * target without subtracting Q(s,a) (not a TD error)",
}
CORRECT = [c_copy, c_python_scalars, c_torch]
