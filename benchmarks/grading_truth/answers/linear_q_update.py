"""Answers to linear_q_update(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma) -> w."""
import numpy as np
import torch


def w_ignores_terminated(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    y = reward + gamma * np.max(phi_next @ w)
    return w + alpha * (y - w @ phi_sa) * phi_sa


def w_truncated_is_terminal(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    y = reward if (terminated or truncated) else reward + gamma * (phi_next @ w).max()
    return w + alpha * (y - phi_sa @ w) * phi_sa


def w_residual_gradient(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    q_next = phi_next @ w
    best = int(np.argmax(q_next))
    y = reward + gamma * (1 - terminated) * q_next[best]
    grad = phi_sa - gamma * (1 - terminated) * phi_next[best]
    return w + alpha * (y - phi_sa @ w) * grad


def w_max_of_features(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    y = reward + gamma * (1 - terminated) * (phi_next.max(axis=0) @ w)
    return w + alpha * (y - phi_sa @ w) * phi_sa


def w_mean_over_next_actions(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    y = reward + gamma * (1 - terminated) * np.mean(phi_next @ w)
    return w + alpha * (y - phi_sa @ w) * phi_sa


def w_scales_phi_in_place(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    y = reward + gamma * (1 - terminated) * np.max(phi_next @ w)
    delta = y - w @ phi_sa
    phi_sa *= alpha * delta
    w += phi_sa
    return w


def w_sequential_components(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    w = w.copy()
    for i in range(len(w)):  # target and estimate recomputed after each component moves
        y = reward + gamma * (1 - terminated) * np.max(phi_next @ w)
        w[i] += alpha * (y - w @ phi_sa) * phi_sa[i]
    return w


def w_torch_full_gradient(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    wt = torch.tensor(w, requires_grad=True)
    y = reward + gamma * (1 - float(terminated)) * (torch.as_tensor(phi_next) @ wt).max()
    loss = 0.5 * (y - torch.as_tensor(phi_sa) @ wt) ** 2
    loss.backward()
    return (wt - alpha * wt.grad).detach().numpy()


def c_loop_copy(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    d = len(w)
    q_sa = sum(w[i] * phi_sa[i] for i in range(d))
    q_next = [sum(w[i] * row[i] for i in range(d)) for row in phi_next]
    y = reward if terminated else reward + gamma * max(q_next)
    new = np.array(w, dtype=float)
    for i in range(d):
        new[i] += alpha * (y - q_sa) * phi_sa[i]
    return new


def c_torch_detached_target(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    wt = torch.tensor(np.asarray(w, dtype=np.float64), requires_grad=True)
    with torch.no_grad():
        y = reward + gamma * (1.0 - float(terminated)) * (torch.as_tensor(phi_next, dtype=torch.float64) @ wt).max()
    loss = 0.5 * (y - torch.as_tensor(phi_sa, dtype=torch.float64) @ wt) ** 2
    loss.backward()
    return (wt - alpha * wt.grad).detach().numpy()


def c_in_place_einsum(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    bootstrap = 0.0 if terminated else np.einsum("ad,d->a", phi_next, w).max()
    td_error = reward + gamma * bootstrap - np.dot(w, phi_sa)
    w += alpha * td_error * phi_sa
    return w


WRONG = {
    w_ignores_terminated: "bootstraps on terminated (ignores the flag)",
    w_truncated_is_terminal: "treats truncated like terminated: no bootstrap at a time limit",
    w_residual_gradient: "full (residual) gradient: differentiates through the target",
    w_max_of_features: "max over features of phi_next instead of max over Q-values",
    w_mean_over_next_actions: "averages next Q-values instead of max",
    w_scales_phi_in_place: "overwrites phi_sa in place (phi_sa *= ...)",
    w_sequential_components: "updates weights one component at a time, recomputing the target",
    w_torch_full_gradient: "target not detached: autograd differentiates through y (residual gradient)",
}
CORRECT = [c_loop_copy, c_torch_detached_target, c_in_place_einsum]
