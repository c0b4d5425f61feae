"""Answers to q_backup(Q, P, R, terminal, gamma) -> Q_next, written blind (see ../README.md)."""
import numpy as np
import torch


def w_no_terminal_mask(Q, P, R, terminal, gamma):
    V = Q.max(axis=1)
    return (P * (R + gamma * V[None, None, :])).sum(axis=2)


def w_gauss_seidel_in_place(Q, P, R, terminal, gamma):
    nS, nA = Q.shape
    for s in range(nS):
        if terminal[s]:
            Q[s] = 0.0
            continue
        for a in range(nA):
            total = 0.0
            for s2 in range(nS):
                if P[s, a, s2] > 0:
                    future = 0.0 if terminal[s2] else Q[s2].max()
                    total += P[s, a, s2] * (R[s, a, s2] + gamma * future)
            Q[s, a] = total
    return Q


def w_mean_over_actions(Q, P, R, terminal, gamma):
    V = Q.mean(axis=1) * (1 - terminal)
    out = (P * (R + gamma * V)).sum(axis=2)
    out[terminal] = 0
    return out


def w_reward_not_weighted(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, Q.max(axis=1))
    out = R.sum(axis=2) + gamma * P @ V
    out[terminal] = 0
    return out


def w_discounts_reward_too(Q, P, R, terminal, gamma):
    V = np.where(terminal, 0.0, Q.max(axis=1))
    out = gamma * np.einsum("ijk,ijk->ij", P, R + V)
    out[terminal] = 0
    return out


def w_max_over_states_axis(Q, P, R, terminal, gamma):
    V = Q.max(axis=0)  # (n_actions,) -- broadcasts only when n_actions == n_states, so tile it
    V = np.resize(V, Q.shape[0]) * (1 - terminal)
    out = (P * (R + gamma * V)).sum(axis=2)
    out[terminal] = 0
    return out


def w_masks_source_not_next(Q, P, R, terminal, gamma):
    V = Q.max(axis=1)
    out = (P * (R + gamma * V)).sum(axis=2)
    out[terminal] = 0.0
    return out


def c_loops(Q, P, R, terminal, gamma):
    nS, nA = Q.shape
    new = np.zeros((nS, nA))
    for s in range(nS):
        if terminal[s]:
            continue
        for a in range(nA):
            for s2 in range(nS):
                v = 0.0 if terminal[s2] else max(Q[s2])
                new[s, a] += P[s, a, s2] * (R[s, a, s2] + gamma * v)
    return new


def c_torch_einsum(Q, P, R, terminal, gamma):
    q, p, r = (torch.as_tensor(np.asarray(x), dtype=torch.float64) for x in (Q, P, R))
    d = torch.as_tensor(np.asarray(terminal, dtype=bool))
    v = torch.where(d, torch.zeros(()), q.amax(dim=1).to(torch.float64))
    out = torch.einsum("sat,sat->sa", p, r) + gamma * torch.einsum("sat,t->sa", p, v)
    out[d] = 0.0
    return out.numpy()


def c_matmul_copy(Q, P, R, terminal, gamma):
    terminal = np.asarray(terminal, dtype=bool)
    V = Q.max(axis=1).copy()
    V[terminal] = 0.0
    expected_r = np.sum(P * R, axis=-1)
    out = expected_r + gamma * (P @ V)
    return np.where(terminal[:, None], 0.0, out)


WRONG = {
    w_no_terminal_mask: "ignores terminal: bootstraps from terminal next states and backs up terminal states",
    w_gauss_seidel_in_place: "updates Q in place (Gauss-Seidel, not synchronous): later states see new values",
    w_mean_over_actions: "averages over next actions instead of taking the max",
    w_reward_not_weighted: "sums the rewards over s' without weighting them by P",
    w_discounts_reward_too: "multiplies the reward by gamma as well as the future value",
    w_max_over_states_axis: "max over the wrong axis (over states instead of actions)",
    w_masks_source_not_next: "zeroes terminal states' rows but still bootstraps from terminal next states",
}
CORRECT = [c_loops, c_torch_einsum, c_matmul_copy]
