"""Answers to double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma) -> y (B,)."""
import torch


def w_plain_dqn(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_target.max(dim=1).values


def w_roles_swapped(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        a = next_q_target.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated) * next_q_online.gather(1, a).squeeze(1)


def w_online_only(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * next_q_online.max(1).values


def w_gather_not_squeezed(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        a = next_q_online.argmax(dim=1, keepdim=True)
        return rewards + gamma * (1 - terminated) * next_q_target.gather(1, a)


def w_argmax_over_batch(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        a = next_q_online.argmax(dim=0)  # (n_actions,) row indices, used as action indices
        a = a[: len(rewards)] if len(a) >= len(rewards) else a.repeat(len(rewards))[: len(rewards)]
        a = a.clamp(max=next_q_target.shape[1] - 1)
        return rewards + gamma * (1 - terminated) * next_q_target[torch.arange(len(rewards)), a]


def w_no_no_grad(rewards, next_q_online, next_q_target, terminated, gamma):
    a = next_q_online.argmax(dim=1)
    return rewards + gamma * (1 - terminated) * next_q_target[torch.arange(len(a)), a]


def w_ignores_terminated(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        a = next_q_online.argmax(1)
        return rewards + gamma * next_q_target.gather(1, a.unsqueeze(1)).squeeze(1)


def w_clipped_double_q(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        return rewards + gamma * (1 - terminated) * torch.minimum(next_q_online.max(1).values,
                                                                  next_q_target.max(1).values)


def c_index(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        best = torch.argmax(next_q_online, dim=-1)
        value = next_q_target[torch.arange(next_q_target.shape[0]), best]
        return rewards + gamma * torch.where(terminated.bool(), torch.zeros_like(value), value)


def c_detaches_networks_only(rewards, next_q_online, next_q_target, terminated, gamma):
    on, tg = next_q_online.detach().double(), next_q_target.detach().double()
    pick = torch.nn.functional.one_hot(on.argmax(1), on.shape[1]).double()
    g = gamma.double() if torch.is_tensor(gamma) else float(gamma)
    y = rewards.double() + g * (1.0 - terminated.double()) * (pick * tg).sum(1)
    return y.to(rewards.dtype)


def c_one_hot_no_grad_float64(rewards, next_q_online, next_q_target, terminated, gamma):
    with torch.no_grad():
        on, tg = next_q_online.double(), next_q_target.double()
        pick = torch.nn.functional.one_hot(on.argmax(1), on.shape[1]).double()
        g = gamma.double() if torch.is_tensor(gamma) else float(gamma)
        y = rewards.double() + g * (1.0 - terminated.double()) * (pick * tg).sum(1)
    return y.to(rewards.dtype)


def c_loop(rewards, next_q_online, next_q_target, terminated, gamma):
    out = []
    with torch.no_grad():
        for i in range(len(rewards)):
            g = gamma[i] if torch.is_tensor(gamma) and gamma.dim() > 0 else gamma
            a = int(torch.argmax(next_q_online[i]))
            future = 0.0 if float(terminated[i]) else next_q_target[i, a]
            out.append(rewards[i] + g * future)
    return torch.stack([torch.as_tensor(v, dtype=rewards.dtype) for v in out])


WRONG = {
    w_plain_dqn: "plain DQN: the target network both picks and evaluates",
    w_roles_swapped: "roles swapped: target network picks, online network evaluates",
    w_online_only: "online network picks and evaluates",
    w_gather_not_squeezed: "gather result not squeezed: (B,) + (B, 1) broadcasts to (B, B)",
    w_argmax_over_batch: "argmax over the batch axis instead of the actions",
    w_no_no_grad: "no no_grad / detach: gradient flows through the target",
    w_ignores_terminated: "bootstraps on terminated transitions",
    w_clipped_double_q: "min of the two networks' maxima (clipped double Q), not online-argmax evaluated by target",
}
CORRECT = [c_index, c_one_hot_no_grad_float64, c_loop, c_detaches_networks_only]
