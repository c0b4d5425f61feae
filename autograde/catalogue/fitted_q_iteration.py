"""Student-style answers for fitted_q_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations)."""

import numpy as np


def with_lstsq(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def normal_equations(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    gram = phi.T @ phi
    for _ in range(n_iterations):
        q_next = np.einsum("nad,d->na", phi_next, w)
        y = np.where(terminated, rewards, rewards + gamma * q_next.max(axis=1))
        w = np.linalg.solve(gram, phi.T @ y)
    return w


def pseudo_inverse_loop(phi, rewards, phi_next, terminated, gamma, n_iterations):
    pinv = np.linalg.pinv(phi)
    w_frozen = np.zeros(phi.shape[1])
    for k in range(n_iterations):
        y = np.empty(len(rewards))
        for i in range(len(rewards)):
            best = max(features @ w_frozen for features in phi_next[i])
            y[i] = rewards[i] + (0.0 if terminated[i] else gamma * best)
        w_frozen = pinv @ y
    return w_frozen


def in_torch(phi, rewards, phi_next, terminated, gamma, n_iterations):
    import torch

    phi, rewards, phi_next = torch.as_tensor(phi), torch.as_tensor(rewards), torch.as_tensor(phi_next)
    alive = 1.0 - torch.as_tensor(terminated, dtype=phi.dtype)
    w = torch.zeros(phi.shape[1], dtype=phi.dtype)
    for _ in range(n_iterations):
        y = rewards + gamma * alive * (phi_next @ w).max(dim=1).values
        w = torch.linalg.lstsq(phi, y.unsqueeze(1)).solution.squeeze(1)
    return w


def in_float32(phi, rewards, phi_next, terminated, gamma, n_iterations):
    phi, rewards, phi_next = phi.astype(np.float32), rewards.astype(np.float32), phi_next.astype(np.float32)
    w = np.zeros(phi.shape[1], dtype=np.float32)
    for _ in range(n_iterations):
        y = rewards + np.float32(gamma) * (~terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def qr_solver(phi, rewards, phi_next, terminated, gamma, n_iterations):
    q, r = np.linalg.qr(phi)
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        frozen = w.copy()
        y = rewards + gamma * np.logical_not(terminated) * (phi_next @ frozen).max(-1)
        w = np.linalg.solve(r, q.T @ y)
    return w


def one_too_many(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations + 1):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def one_too_few(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(1, n_iterations):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def targets_once(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)     # outside the loop
    for _ in range(n_iterations):
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def until_convergence(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    while True:
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w_new = np.linalg.lstsq(phi, y, rcond=None)[0]
        if np.allclose(w_new, w, rtol=0, atol=1e-14):
            return w_new
        w = w_new


def bellman_residual(phi, rewards, phi_next, terminated, gamma, n_iterations):
    # "the target depends on w too, so put it on the left-hand side of the regression"
    w = np.zeros(phi.shape[1])
    rows = np.arange(len(rewards))
    for _ in range(n_iterations):
        best = np.argmax(phi_next @ w, axis=1)
        inputs = phi - gamma * (1 - terminated)[:, None] * phi_next[rows, best]
        w = np.linalg.lstsq(inputs, rewards, rcond=None)[0]
    return w


def no_terminal_masking(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        w = np.linalg.lstsq(phi, rewards + gamma * np.max(phi_next @ w, axis=1), rcond=None)[0]
    return w


def max_over_features(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * (np.max(phi_next, axis=1) @ w)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def one_max_for_all(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def mean_over_next_actions(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * np.mean(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def gamma_on_reward_too(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = gamma * (rewards + (1 - terminated) * np.max(phi_next @ w, axis=1))
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def regresses_next_features(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    rows = np.arange(len(rewards))
    for _ in range(n_iterations):
        q_next = phi_next @ w
        y = rewards + gamma * (1 - terminated) * q_next.max(axis=1)
        w = np.linalg.lstsq(phi_next[rows, q_next.argmax(axis=1)], y, rcond=None)[0]
    return w


def column_targets(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros((phi.shape[1], 1))
    for _ in range(n_iterations):
        q_next = (phi_next @ w)[..., 0]                                        # (N, A)
        y = (rewards + gamma * (1 - terminated) * q_next.max(axis=1)).reshape(-1, 1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def one_gradient_step(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w = w + 0.5 * phi.T @ (y - phi @ w) / len(y)                          # a step, not the regression
    return w


def returns_targets(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return y


def masks_in_place(phi, rewards, phi_next, terminated, gamma, n_iterations):
    phi_next[terminated] = 0.0                                                 # "no future": zero its features
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        w = np.linalg.lstsq(phi, rewards + gamma * np.max(phi_next @ w, axis=1), rcond=None)[0]
    return w


def no_gamma_einsum(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        q_next = np.einsum("nad,d->na", phi_next, w)
        y = rewards + np.where(terminated, 0.0, q_next.max(axis=1))          # γ forgotten
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def inverted_mask_where(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * np.where(terminated, np.max(phi_next @ w, axis=1), 0.0)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def masks_reward_torch(phi, rewards, phi_next, terminated, gamma, n_iterations):
    import torch

    phi, rewards, phi_next = torch.as_tensor(phi), torch.as_tensor(rewards), torch.as_tensor(phi_next)
    alive = (~torch.as_tensor(terminated)).to(phi.dtype)
    w = torch.zeros(phi.shape[1], dtype=phi.dtype)
    for _ in range(n_iterations):
        y = alive * (rewards + gamma * (phi_next @ w).amax(dim=1))         # the reward masked too
        w = torch.linalg.lstsq(phi, y.unsqueeze(1)).solution.squeeze(1)
    return w


def argmax_as_value_loop(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = np.empty(len(rewards))
        for i in range(len(rewards)):
            best = np.argmax([features @ w for features in phi_next[i]])   # the best action, not its value
            y[i] = rewards[i] + (0.0 if terminated[i] else gamma * best)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def first_action_value(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * (phi_next @ w)[:, 0]
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
    return w


def no_masking_torch(phi, rewards, phi_next, terminated, gamma, n_iterations):
    import torch

    phi, rewards, phi_next = torch.as_tensor(phi), torch.as_tensor(rewards), torch.as_tensor(phi_next)
    w = torch.zeros(phi.shape[1], dtype=phi.dtype)
    for _ in range(n_iterations):
        y = rewards + gamma * (phi_next @ w).max(dim=1).values
        w = torch.linalg.pinv(phi) @ y
    return w


def targets_before_loop_pinv(phi, rewards, phi_next, terminated, gamma, n_iterations):
    pinv, w = np.linalg.pinv(phi), np.zeros(phi.shape[1])
    y = np.where(terminated, rewards, rewards + gamma * (phi_next @ w).max(axis=1))
    for _ in range(n_iterations):
        w = pinv @ y                                  # y never sees the new w
    return w


def starts_counting_at_one(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w, k = np.zeros(phi.shape[1]), 1
    while k < n_iterations:
        y = rewards + gamma * ~terminated * np.max(phi_next @ w, axis=1)
        w = np.linalg.solve(phi.T @ phi, phi.T @ y)
        k += 1
    return w


def residual_normal_equations(phi, rewards, phi_next, terminated, gamma, n_iterations):
    # "w appears on both sides: solve for it" — the target is not frozen
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        greedy = phi_next[np.arange(len(phi)), (phi_next @ w).argmax(axis=1)]
        a = phi - gamma * (~terminated)[:, None] * greedy
        w = np.linalg.solve(a.T @ a, a.T @ rewards)
    return w


def max_over_features_loop(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        best_features = phi_next.max(axis=1)          # feature by feature
        y = rewards + gamma * (1 - terminated) * (best_features @ w)
        w = np.linalg.pinv(phi) @ y
    return w


CORRECT = [with_lstsq, normal_equations, pseudo_inverse_loop, in_torch, in_float32, qr_solver]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or, where
# no single classic mistake explains it, the observation (e.g. "w_K").
WRONG = {
    one_too_many: "one regression too many",
    one_too_few: "one regression too few",
    targets_once: "computes the targets once",
    until_convergence: "ignores n_iterations",
    bellman_residual: "minimises the Bellman residual",
    no_terminal_masking: "bootstraps from terminal next states",
    max_over_features: "feature by feature",
    one_max_for_all: "one max over the whole dataset",
    mean_over_next_actions: "average w·φ(s', ·)",
    gamma_on_reward_too: "γ also discounts the reward",
    regresses_next_features: "regresses on the next state's features",
    column_targets: "a column (d, 1)",
    one_gradient_step: "w_K",
    returns_targets: "the targets? return the weights",
    masks_in_place: "changed its argument `phi_next`",
    no_gamma_einsum: "γ is missing",
    inverted_mask_where: "terminal mask is inverted",
    masks_reward_torch: "zeroes the reward of terminal transitions",
    argmax_as_value_loop: "argmax_a' w·φ(s', a'), the index",
    first_action_value: "the first next action's value",
    no_masking_torch: "bootstraps from terminal next states",
    targets_before_loop_pinv: "computes the targets once",
    starts_counting_at_one: "one regression too few",
    residual_normal_equations: "minimises the Bellman residual",
    max_over_features_loop: "feature by feature",
}
# The wrong answers whose mistake the notebook's text warns about (03, exercise 2): targets from the
# frozen w_k, recomputed every iteration; the (1 − terminated) mask; max over each next state's
# actions; γ; the regression on φ(s_i, a_i); exactly n_iterations regressions from w_0 = 0; w_K of
# shape (d,); the data read-only.
NAMED_IN_TEXT = {
    one_too_many, one_too_few, targets_once, until_convergence, bellman_residual, no_terminal_masking,
    max_over_features, one_max_for_all, mean_over_next_actions, gamma_on_reward_too, regresses_next_features,
    column_targets, returns_targets, masks_in_place, no_gamma_einsum, inverted_mask_where, masks_reward_torch,
    argmax_as_value_loop, no_masking_torch, targets_before_loop_pinv, starts_counting_at_one,
    residual_normal_equations, max_over_features_loop,
}
