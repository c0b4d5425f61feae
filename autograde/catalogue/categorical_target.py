"""Student-style answers for categorical_target(rewards, next_probs, terminated, gamma, support) -> m (B, N)."""

import math

import numpy as np
import torch
import torch.nn.functional as F


def _discount(gamma, rewards):
    """γ as a (B, 1) column (a per-sample tensor) or a float."""
    if isinstance(gamma, torch.Tensor) and gamma.ndim == 1:
        return gamma.to(rewards.dtype)[:, None]
    return float(gamma)


def _best(next_probs, support):
    q = (next_probs * support).sum(dim=2)                     # E[Z(s', a)] per action
    return next_probs[torch.arange(len(next_probs), device=next_probs.device), q.argmax(dim=1)]


def _moved(rewards, terminated, gamma, support):
    done = terminated.to(rewards.dtype)[:, None]
    return rewards[:, None] + _discount(gamma, rewards) * (1 - done) * support


# ---------------------------------------------------------------------------- correct
def scatter_with_where(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        n = support.shape[0]
        v_min, v_max = support[0], support[-1]
        dz = (v_max - v_min) / (n - 1)
        p = _best(next_probs, support)
        tz = _moved(rewards, terminated, gamma, support).clamp(v_min, v_max)
        b = (tz - v_min) / dz
        l, u = b.floor(), b.ceil()
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), torch.where(l == u, p, p * (u - b)))
        m.scatter_add_(1, u.long(), p * (b - l))
        return m


def dopamine_trick(rewards, next_probs, terminated, gamma, support):
    """The index nudge of Kaixhin's Rainbow and CleanRL: where l == u, move l down (or u up) by one."""
    with torch.no_grad():
        batch, n = rewards.shape[0], support.shape[0]
        v_min, v_max = support[0].item(), support[-1].item()
        delta_z = (v_max - v_min) / (n - 1)
        q = torch.einsum("ban,n->ba", next_probs, support)
        p = next_probs[range(batch), q.argmax(1)]
        tz = (rewards.unsqueeze(1) + _discount(gamma, rewards) * (1 - terminated.float().to(rewards.dtype)).unsqueeze(1)
              * support.unsqueeze(0)).clamp(v_min, v_max)
        b = (tz - v_min) / delta_z
        l, u = b.floor().long(), b.ceil().long()
        l[(u > 0) & (l == u)] -= 1
        u[(l < (n - 1)) & (l == u)] += 1
        m = torch.zeros(batch, n, dtype=rewards.dtype, device=rewards.device)
        offset = (torch.arange(batch, device=rewards.device) * n).unsqueeze(1).expand(batch, n)
        m.view(-1).index_add_(0, (l + offset).view(-1), (p * (u.to(b.dtype) - b)).view(-1))
        m.view(-1).index_add_(0, (u + offset).view(-1), (p * (b - l.to(b.dtype))).view(-1))
        return m


def one_hot_per_atom(rewards, next_probs, terminated, gamma, support):
    """A loop over the atoms j, each spread with one-hot rows."""
    n = support.shape[0]
    dz = (support[-1] - support[0]) / (n - 1)
    p = _best(next_probs.detach(), support)
    tz = _moved(rewards, terminated, gamma, support).clamp(support[0].item(), support[-1].item())
    m = torch.zeros_like(p)
    for j in range(n):
        b = (tz[:, j] - support[0]) / dz
        l, u = b.floor(), b.ceil()
        lower = F.one_hot(l.long(), n).to(p.dtype)
        upper = F.one_hot(u.long(), n).to(p.dtype)
        same = (l == u).to(p.dtype)
        m = m + p[:, j:j + 1] * (lower * (u - b + same)[:, None] + upper * (b - l)[:, None])
    return m.detach()


def triangular_kernel(rewards, next_probs, terminated, gamma, support):
    """Dopamine's projection: each moved atom gives atom i the share max(0, 1 − |T̂z_j − z_i| / Δz)."""
    with torch.no_grad():
        dz = support[1] - support[0]
        p = _best(next_probs, support)
        tz = _moved(rewards, terminated, gamma, support).clamp(support[0], support[-1])
        weight = (1 - (tz[:, None, :] - support[None, :, None]).abs() / dz).clamp(0, 1)   # (B, N_i, N_j)
        return (weight * p[:, None, :]).sum(dim=2)


def python_loops(rewards, next_probs, terminated, gamma, support):
    batch, n_actions, n = next_probs.shape
    z = support.tolist()
    v_min, v_max = z[0], z[-1]
    dz = (v_max - v_min) / (n - 1)
    m = torch.zeros(batch, n, dtype=rewards.dtype, device=rewards.device)
    for i in range(batch):
        probs = next_probs[i].tolist()
        means = [sum(zj * pj for zj, pj in zip(z, probs[a])) for a in range(n_actions)]
        p = probs[int(np.argmax(means))]
        g = float(gamma[i]) if isinstance(gamma, torch.Tensor) and gamma.ndim else float(gamma)
        done = float(terminated[i])
        for j in range(n):
            tz = min(max(float(rewards[i]) + g * (1 - done) * z[j], v_min), v_max)
            b = (tz - v_min) / dz
            l, u = math.floor(b), math.ceil(b)
            if l == u:
                m[i, l] += p[j]
            else:
                m[i, l] += p[j] * (u - b)
                m[i, u] += p[j] * (b - l)
    return m


def in_float32(rewards, next_probs, terminated, gamma, support):
    return scatter_with_where(rewards.float(), next_probs.float(), terminated,
                              gamma.float() if isinstance(gamma, torch.Tensor) else gamma, support.float())


# ---------------------------------------------------------------------------- wrong
def no_clamp(rewards, next_probs, terminated, gamma, support):
    """Guards its indices instead of clamping the moved atoms: what falls outside is dropped."""
    batch, n = rewards.shape[0], support.shape[0]
    dz = (support[-1] - support[0]) / (n - 1)
    p = _best(next_probs.detach(), support)
    b = ((_moved(rewards, terminated, gamma, support) - support[0]) / dz).detach()
    m = torch.zeros_like(p)
    for i in range(batch):
        for j in range(n):
            l, u = int(b[i, j].floor()), int(b[i, j].ceil())
            if l == u and 0 <= l < n:
                m[i, l] += p[i, j]
                continue
            if 0 <= l < n:
                m[i, l] += p[i, j] * (u - b[i, j])
            if 0 <= u < n:
                m[i, u] += p[i, j] * (b[i, j] - l)
    return m


def no_clamp_scatter(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        n = support.shape[0]
        dz = (support[-1] - support[0]) / (n - 1)
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support) - support[0]) / dz
        l, u = b.floor(), b.ceil()
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), torch.where(l == u, p, p * (u - b)))
        m.scatter_add_(1, u.long(), p * (b - l))
        return m


def loses_mass_when_l_equals_u(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        n = support.shape[0]
        dz = (support[-1] - support[0]) / (n - 1)
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
        l, u = b.floor(), b.ceil()
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), p * (u - b))
        m.scatter_add_(1, u.long(), p * (b - l))
        return m


def terminal_bootstraps(rewards, next_probs, terminated, gamma, support):
    return scatter_with_where(rewards, next_probs, torch.zeros_like(rewards), gamma, support)


def a_star_by_mode(rewards, next_probs, terminated, gamma, support):
    """Ranks the actions by the value of their most probable atom."""
    best = support[next_probs.argmax(dim=2)].argmax(dim=1)
    chosen = next_probs[torch.arange(len(rewards), device=rewards.device), best]
    return scatter_with_where(rewards, chosen[:, None, :].expand_as(next_probs).contiguous(), terminated, gamma,
                              support)


def a_star_by_peak(rewards, next_probs, terminated, gamma, support):
    """An argmax over the (action, atom) pairs: the action holding the single most probable atom."""
    n = support.shape[0]
    best = next_probs.flatten(1).argmax(dim=1) // n
    chosen = next_probs[torch.arange(len(rewards), device=rewards.device), best]
    return scatter_with_where(rewards, chosen[:, None, :].expand_as(next_probs).contiguous(), terminated, gamma,
                              support)


def max_over_actions_per_atom(rewards, next_probs, terminated, gamma, support):
    p = next_probs.max(dim=1).values                                  # (B, N): the "greedy" distribution
    return scatter_with_where(rewards, p[:, None, :].expand_as(next_probs).contiguous(), terminated, gamma, support)


def delta_z_over_n(rewards, next_probs, terminated, gamma, support):
    """Δz = range / N; it guards the upper index that then runs past the last atom."""
    with torch.no_grad():
        n = support.shape[0]
        dz = (support[-1] - support[0]) / n
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
        l, u = b.floor(), b.ceil()
        inside_l, inside_u = (l <= n - 1).to(p.dtype), (u <= n - 1).to(p.dtype)
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.clamp(max=n - 1).long(), inside_l * torch.where(l == u, p, p * (u - b)))
        m.scatter_add_(1, u.clamp(max=n - 1).long(), inside_u * p * (b - l))
        return m


def split_swapped(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        n = support.shape[0]
        dz = (support[-1] - support[0]) / (n - 1)
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
        l, u = b.floor(), b.ceil()
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), torch.where(l == u, p, p * (b - l)))
        m.scatter_add_(1, u.long(), p * (u - b))
        return m


def gamma_on_reward(rewards, next_probs, terminated, gamma, support):
    g = _discount(gamma, rewards)
    scaled = (g * rewards[:, None]).squeeze(1) if isinstance(g, torch.Tensor) else g * rewards
    return scatter_with_where(scaled, next_probs, terminated, gamma, support)


def no_grad_missing(rewards, next_probs, terminated, gamma, support):
    n = support.shape[0]
    dz = (support[-1] - support[0]) / (n - 1)
    p = _best(next_probs, support)
    b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
    l, u = b.floor(), b.ceil()
    m = torch.zeros_like(p)
    m = m.scatter_add(1, l.long(), torch.where(l == u, p, p * (u - b)))
    return m.scatter_add(1, u.long(), p * (b - l))


def no_offset(rewards, next_probs, terminated, gamma, support):
    """A flattened index_add_ without each row's offset i · N."""
    with torch.no_grad():
        batch, n = rewards.shape[0], support.shape[0]
        dz = (support[-1] - support[0]) / (n - 1)
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
        l, u = b.floor(), b.ceil()
        m = torch.zeros(batch * n, dtype=p.dtype, device=p.device)
        m.index_add_(0, l.long().view(-1), torch.where(l == u, p, p * (u - b)).view(-1))
        m.index_add_(0, u.long().view(-1), (p * (b - l)).view(-1))
        return m.view(batch, n)


def upper_is_lower_plus_one(rewards, next_probs, terminated, gamma, support):
    """u = l + 1 (clipped to the last atom) instead of ⌈b⌉: loses the mass that lands on v_max."""
    with torch.no_grad():
        n = support.shape[0]
        dz = (support[-1] - support[0]) / (n - 1)
        p = _best(next_probs, support)
        b = (_moved(rewards, terminated, gamma, support).clamp(support[0], support[-1]) - support[0]) / dz
        l = b.floor()
        u = (l + 1).clamp(max=n - 1)
        m = torch.zeros_like(p)
        m.scatter_add_(1, l.long(), p * (u - b))
        m.scatter_add_(1, u.long(), p * (b - l))
        return m


def a_star_without_support(rewards, next_probs, terminated, gamma, support):
    """Ranks the actions by Σ_j p_j, which is 1 for every action."""
    best = next_probs.sum(dim=2).argmin(dim=1)
    chosen = next_probs[torch.arange(len(rewards), device=rewards.device), best]
    return scatter_with_where(rewards, chosen[:, None, :].expand_as(next_probs).contiguous(), terminated, gamma,
                              support)


def indexes_a_block(rewards, next_probs, terminated, gamma, support):
    with torch.no_grad():
        best = (next_probs * support).sum(2).argmax(1)
        p = next_probs[:, best]                                         # (B, B, N)
        tz = _moved(rewards, terminated, gamma, support).clamp(support[0], support[-1])
        b = (tz - support[0]) / (support[1] - support[0])
        return p * b[:, None, :]


def numpy_answer(rewards, next_probs, terminated, gamma, support):
    return scatter_with_where(rewards, next_probs, terminated, gamma, support).cpu().numpy()


CORRECT = [scatter_with_where, dopamine_trick, one_hot_per_atom, triangular_kernel, python_loops, in_float32]
WRONG = {
    no_clamp: "mass outside [v_min, v_max] is lost",
    no_clamp_scatter: "your function raised",
    loses_mass_when_l_equals_u: "l = u",
    terminal_bootstraps: "terminal transitions still bootstrap",
    a_star_by_mode: "the mode",
    a_star_by_peak: "the single most probable atom",
    max_over_actions_per_atom: "max over the actions atom by atom",
    delta_z_over_n: "N atoms span N − 1 gaps",
    split_swapped: "the split is swapped",
    gamma_on_reward: "γ also discounts the reward",
    no_grad_missing: "the target carries a gradient",
    no_offset: "lands in the first row",
    upper_is_lower_plus_one: "sums to",
    a_star_without_support: "expected",
    indexes_a_block: "returned shape",
    numpy_answer: "expected a torch tensor",
}

# The wrong answers whose mistake the notebook's text names (08, the categorical target: mass
# outside [v_min, v_max], the l == u case, terminal transitions, a* by the target distribution's
# mean, no gradient through the target).
NAMED_IN_TEXT = {
    no_clamp, loses_mass_when_l_equals_u, terminal_bootstraps, a_star_by_mode, a_star_by_peak, no_grad_missing,
}
