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


def torch_float32_mask(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    import torch

    table = torch.tensor(Q)
    alive = torch.tensor(1.0 - terminated)               # a float32 factor inside a float64 table
    table[state, action] += alpha * (reward + gamma * alive * table[next_state].max() - table[state, action])
    return table


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


def swaps_the_flags(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    # "truncated means the episode is over, terminated that it goes on"
    target = reward if truncated else reward + gamma * Q[next_state].max()
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def inverted_mask_torch(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    import torch

    table = torch.tensor(Q)
    mask = torch.tensor(float(terminated))            # should be 1 − terminated
    target = reward + gamma * mask * table[next_state].max()
    table[state, action] = table[state, action] + alpha * (target - table[state, action])
    return table


def terminal_sets_reward(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    if terminated:
        Q[state, action] = reward                     # "no future: Q(s, a) is just r"
    else:
        Q[state, action] += alpha * (reward + gamma * np.max(Q[next_state]) - Q[state, action])
    return Q


def no_gamma_masked(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q = Q.copy()
    alive = 1.0 - float(terminated)
    Q[state, action] += alpha * (reward + alive * Q[next_state].max() - Q[state, action])
    return Q


def sarsa_style(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    future = 0.0 if terminated else Q[next_state, action]   # the same action in the next state
    Q[state, action] += alpha * (reward + gamma * future - Q[state, action])
    return Q


def argmax_as_value_torch(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    import torch

    table = torch.as_tensor(Q).clone()
    best = torch.argmax(table[next_state])            # the best action, not its value
    target = torch.where(torch.tensor(terminated), torch.tensor(reward, dtype=table.dtype),
                         reward + gamma * best.to(table.dtype))
    table[state, action] += alpha * (target - table[state, action])
    return table


def max_over_states(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    best = np.max(Q, axis=0)[next_state]              # axis=0: over the states
    target = reward + gamma * (1 - terminated) * best
    Q[state, action] += alpha * (target - Q[state, action])
    return Q


def alpha_twice(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    td_error = alpha * (reward + (0 if terminated else gamma * Q[next_state].max()) - Q[state, action])
    Q[state, action] = Q[state, action] + alpha * td_error
    return Q


def convex_without_alpha(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + gamma * (not terminated) * Q[next_state].max()
    Q[state, action] = (1 - alpha) * Q[state, action] + target
    return Q


def updates_a_copy(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    new_Q = Q.copy()
    target = reward if terminated else reward + gamma * Q[next_state].max()
    new_Q[state, action] += alpha * (target - Q[state, action])
    return Q                                          # the original, not new_Q


def scales_first(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] *= 1 - alpha
    Q[state, action] += alpha * (reward + (0.0 if terminated else gamma * Q[next_state].max()))
    return Q


def two_step_update(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    Q[state, action] += alpha * (reward - Q[state, action])
    if not terminated:
        Q[state, action] += alpha * gamma * max(Q[next_state])
    return Q


def transposed_table(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * Q[next_state].max())
    Q[action, state] += alpha * (target - Q[action, state])   # Q[a, s]: fine while the table is square
    return Q


def updates_all_actions_where(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    import torch

    table = torch.as_tensor(Q)
    target = torch.where(torch.tensor(terminated), torch.tensor(float(reward), dtype=table.dtype),
                         reward + gamma * table[next_state].max())
    table[state] = table[state] + alpha * (target - table[state])      # every action of s
    return table


def updates_next_state(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * Q[next_state].max())
    Q[next_state, action] += alpha * (target - Q[next_state, action])
    return Q


def loop_over_truncation(Q, state, action, reward, next_state, terminated, truncated, alpha, gamma):
    best = -np.inf
    for value in Q[next_state]:
        best = value if value > best else best
    done = terminated or truncated                    # "the episode is over either way"
    Q[state, action] += alpha * (reward + (0.0 if done else gamma * best) - Q[state, action])
    return Q


CORRECT = [in_place, returns_copy, td_error_with_loop, in_torch, in_float32, torch_float32_mask]
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
    swaps_the_flags: "swaps terminated and truncated",
    inverted_mask_torch: "terminal mask is inverted",
    terminal_sets_reward: "sets Q(s, a) = r",
    no_gamma_masked: "γ is missing",
    sarsa_style: "uses Q(s', a)",
    argmax_as_value_torch: "argmax_a' Q(s', a'), the index",
    max_over_states: "its max runs over the states",
    alpha_twice: "multiplies by α twice",
    convex_without_alpha: "leaves α off the target",
    updates_a_copy: "returns Q unchanged",
    scales_first: "scales Q(s, a) by (1 − α) in place",
    two_step_update: "adds α (r − Q(s, a)) in place",
    transposed_table: "Q[action, state]",
    updates_all_actions_where: "every action of state s",
    updates_next_state: "updates Q(s', a)",
    loop_over_truncation: "treats truncation as termination",
}
# The wrong answers whose mistake the notebook's text warns about (02, exercise 1): the terminal
# and truncated cases, the target's max over the next state's actions (not the action taken next,
# off-policy), the step α towards the target, γ, only Q[state, action] changes, and the table returned.
NAMED_IN_TEXT = {
    no_terminal_masking, masks_truncation_too, loop_over_truncation, swaps_the_flags, inverted_mask_torch,
    terminal_sets_reward, max_over_current_state, sarsa_style, argmax_as_value_torch, max_over_states,
    mean_over_next_actions, alpha_on_target_only, forgets_to_subtract, ignores_alpha, alpha_twice,
    convex_without_alpha, sign_flipped, gamma_on_reward_too, no_gamma_masked, updates_whole_row,
    updates_all_actions_where, updates_next_state, forgets_return, updates_a_copy,
    scales_first, two_step_update,
}
# (transposed_table is named where its write to Q[action, state] shows; where that write changes
# nothing, e.g. the target equals the entry, or it crashes on a non-square table, the message is
# the observation, which is all the evidence says.)
