"""Student-style answers for linear_q_update(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma)."""

import numpy as np


def in_place(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + gamma * (1 - terminated) * np.max(phi_next @ w)
    w += alpha * (target - phi_sa @ w) * phi_sa
    return w


def returns_copy(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    q_next = phi_next.dot(w)
    target = reward if terminated else reward + gamma * q_next.max()
    td_error = target - w.dot(phi_sa)
    return w + alpha * td_error * phi_sa


def with_loops(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    def q(features):
        return sum(wi * fi for wi, fi in zip(w, features))

    best = max(q(features) for features in phi_next)
    td_error = reward + (0.0 if terminated else gamma * best) - q(phi_sa)
    return np.array([wi + alpha * td_error * fi for wi, fi in zip(w, phi_sa)])


def in_torch(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    import torch

    weights = torch.tensor(w, requires_grad=True)
    features, next_features = torch.as_tensor(phi_sa), torch.as_tensor(phi_next)
    with torch.no_grad():
        target = reward + gamma * (1 - float(terminated)) * (next_features @ weights).max()
    loss = 0.5 * (target - features @ weights) ** 2        # the semi-gradient: the target is a constant
    loss.backward()
    with torch.no_grad():
        return weights - alpha * weights.grad


def in_float32(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    w, phi_sa, phi_next = w.astype(np.float32), phi_sa.astype(np.float32), phi_next.astype(np.float32)
    target = np.float32(reward) + np.float32(gamma) * np.float32(not terminated) * np.max(phi_next @ w)
    return w + np.float32(alpha) * (target - phi_sa @ w) * phi_sa


def einsum_style(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    q_next = np.einsum("ad,d->a", phi_next, w)
    bootstrap = 0.0 if terminated else q_next[np.argmax(q_next)]
    np.add(w, alpha * (reward + gamma * bootstrap - np.einsum("d,d->", phi_sa, w)) * phi_sa, out=w)
    return w


def residual_gradient(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    # "gradient descent on the squared TD error": differentiates the target too
    best = np.argmax(phi_next @ w)
    target = reward + gamma * (1 - terminated) * phi_next[best] @ w
    gradient = -(target - phi_sa @ w) * (phi_sa - gamma * (1 - terminated) * phi_next[best])
    return w - alpha * gradient


def residual_gradient_in_torch(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    import torch

    weights = torch.tensor(w, requires_grad=True)
    target = reward + gamma * (1 - float(terminated)) * (torch.as_tensor(phi_next) @ weights).max()   # no no_grad
    loss = 0.5 * (target - torch.as_tensor(phi_sa) @ weights) ** 2
    loss.backward()
    return (weights - alpha * weights.grad).detach()


def no_terminal_masking(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + gamma * np.max(phi_next @ w)
    return w + alpha * (target - phi_sa @ w) * phi_sa


def masks_truncation_too(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    done = terminated or truncated
    target = reward + gamma * (1 - done) * np.max(phi_next @ w)
    return w + alpha * (target - phi_sa @ w) * phi_sa


def steps_along_next_features(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    best = np.argmax(phi_next @ w)
    target = reward + (0.0 if terminated else gamma * phi_next[best] @ w)
    return w + alpha * (target - phi_sa @ w) * phi_next[best]


def sign_flipped(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return w - alpha * (target - phi_sa @ w) * phi_sa


def ignores_alpha(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return w + (target - phi_sa @ w) * phi_sa


def factor_two(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return w + 2 * alpha * (target - phi_sa @ w) * phi_sa     # d/dw (y − w·φ)² = −2 (y − w·φ) φ


def max_over_features(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next, axis=0) @ w)
    return w + alpha * (target - phi_sa @ w) * phi_sa


def mean_over_next_actions(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.mean(phi_next @ w))
    return w + alpha * (target - phi_sa @ w) * phi_sa


def gamma_on_reward_too(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = gamma * (reward + (0.0 if terminated else np.max(phi_next @ w)))
    return w + alpha * (target - phi_sa @ w) * phi_sa


def returns_the_step(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return alpha * (target - phi_sa @ w) * phi_sa


def forgets_to_subtract(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return w + alpha * target * phi_sa


def row_vector(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    phi = phi_sa.reshape(1, -1)                               # "features are a row"
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    return w + alpha * (target - phi @ w) * phi


def overwrites_features(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    phi_sa *= alpha * (target - phi_sa @ w)                   # reuses the feature array for the step
    w += phi_sa
    return w


def forgets_return(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + (0.0 if terminated else gamma * np.max(phi_next @ w))
    w += alpha * (target - phi_sa @ w) * phi_sa


def two_mistakes(w, phi_sa, reward, phi_next, terminated, truncated, alpha, gamma):
    target = reward + gamma * np.max(phi_next @ w)            # no masking, and the sign flipped
    return w - alpha * (target - phi_sa @ w) * phi_sa


CORRECT = [in_place, returns_copy, with_loops, in_torch, in_float32, einsum_style]
# Each wrong answer maps to words its diagnosis must contain: the name of its mistake, or, where
# no single classic mistake explains it, the observation (e.g. "the new w").
WRONG = {
    residual_gradient: "differentiates through the target",
    residual_gradient_in_torch: "differentiates through the target",
    no_terminal_masking: "bootstraps from a terminal next state",
    masks_truncation_too: "treats truncation as termination",
    steps_along_next_features: "steps along φ(s', a*)",
    sign_flipped: "the wrong sign",
    ignores_alpha: "it ignores α",
    factor_two: "doubles the step",
    max_over_features: "feature by feature",
    mean_over_next_actions: "averages w·φ(s', ·)",
    gamma_on_reward_too: "γ also discounts the reward",
    returns_the_step: "returns only the step",
    forgets_to_subtract: "without subtracting w·φ(s, a)",
    row_vector: "a (1, d) row",
    overwrites_features: "changed its argument `phi_sa`",
    forgets_return: "returned None",
    two_mistakes: "the new w",
}

# The wrong answers whose mistake the notebook's text names (03, exercise 1: the semi-gradient
# (the target held fixed), terminated vs truncated, the step along φ(s, a), the max over next
# actions, shape (d,), phi_sa read-only.)
NAMED_IN_TEXT = {
    residual_gradient, residual_gradient_in_torch, no_terminal_masking, masks_truncation_too,
    steps_along_next_features, mean_over_next_actions, max_over_features, row_vector,
    overwrites_features,
}
