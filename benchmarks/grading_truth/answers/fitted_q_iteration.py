"""Answers to fitted_q_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations) -> w."""
import numpy as np
import torch


def _lstsq(A, y):
    return np.linalg.lstsq(A, y, rcond=None)[0]


def w_one_extra_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations + 1):
        y = rewards + gamma * (1 - terminated) * (phi_next @ w).max(axis=1)
        w = _lstsq(phi, y)
    return w


def w_one_fewer_iteration(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for k in range(1, n_iterations):
        y = rewards + gamma * (1 - terminated) * (phi_next @ w).max(axis=1)
        w = _lstsq(phi, y)
    return w


def w_ignores_terminated(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        w = _lstsq(phi, rewards + gamma * np.max(phi_next @ w, axis=1))
    return w


def w_gradient_steps(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * (phi_next @ w).max(axis=1)
        for _ in range(20):
            w = w - 0.1 * phi.T @ (phi @ w - y) / len(y)
    return w


def w_max_over_features(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * (phi_next.max(axis=1) @ w)
        w = _lstsq(phi, y)
    return w


def w_ridge(phi, rewards, phi_next, terminated, gamma, n_iterations):
    d = phi.shape[1]
    w = np.zeros(d)
    for _ in range(n_iterations):
        y = rewards + gamma * (1 - terminated) * (phi_next @ w).max(axis=1)
        w = np.linalg.solve(phi.T @ phi + 1.0 * np.eye(d), phi.T @ y)
    return w


def w_online_targets(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        for i in range(len(rewards)):  # target of each sample from weights already moved this round
            y = rewards[i] + gamma * (1 - terminated[i]) * np.max(phi_next[i] @ w)
            w = w + 0.5 * (y - phi[i] @ w) * phi[i]
    return w


def w_modifies_rewards(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w = np.zeros(phi.shape[1])
    base = rewards
    for _ in range(n_iterations):
        y = base
        y += gamma * (1 - terminated) * (phi_next @ w).max(axis=1)
        w = _lstsq(phi, y)
    return w


def c_pinv_loop(phi, rewards, phi_next, terminated, gamma, n_iterations):
    pinv = np.linalg.pinv(phi)
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        v_next = np.array([max(row) for row in phi_next @ w])
        w = pinv @ (rewards + gamma * np.where(terminated, 0.0, v_next))
    return w


def c_torch_lstsq(phi, rewards, phi_next, terminated, gamma, n_iterations):
    X = torch.as_tensor(np.asarray(phi), dtype=torch.float64)
    Xn = torch.as_tensor(np.asarray(phi_next), dtype=torch.float64)
    r = torch.as_tensor(np.asarray(rewards), dtype=torch.float64)
    live = 1.0 - torch.as_tensor(np.asarray(terminated), dtype=torch.float64)
    w = torch.zeros(X.shape[1], dtype=torch.float64)
    for _ in range(n_iterations):
        y = r + gamma * live * torch.einsum("nad,d->na", Xn, w).amax(dim=1)
        w = torch.linalg.lstsq(X, y.unsqueeze(1), driver="gelsd").solution.squeeze(1)
    return w.numpy()


def c_while_counter(phi, rewards, phi_next, terminated, gamma, n_iterations):
    w, k = np.zeros(phi.shape[-1]), 0
    mask = ~np.asarray(terminated, dtype=bool)
    while k < n_iterations:
        frozen = w.copy()
        y = np.array(rewards, dtype=float)
        y[mask] += gamma * np.max(phi_next[mask] @ frozen, axis=-1)
        w = np.linalg.lstsq(phi, y, rcond=None)[0]
        k += 1
    return w


WRONG = {
    w_one_extra_iteration: "runs n_iterations + 1 regressions",
    w_one_fewer_iteration: "runs n_iterations - 1 regressions",
    w_ignores_terminated: "bootstraps on terminated transitions",
    w_gradient_steps: "a few gradient steps instead of an exact least-squares fit",
    w_max_over_features: "max over next actions of the features, not of the Q-values",
    w_ridge: "ridge regression (adds λI) instead of ordinary least squares",
    w_online_targets: "online SGD over the samples: targets not frozen, no least squares",
    w_modifies_rewards: "adds the bootstrap into the rewards array in place (y aliases rewards)",
}
CORRECT = [c_pinv_loop, c_torch_lstsq, c_while_counter]
