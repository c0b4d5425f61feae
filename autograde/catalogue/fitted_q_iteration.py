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
}
