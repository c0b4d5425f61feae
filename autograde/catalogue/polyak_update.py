"""Student-style answers for polyak_update(target, online, tau) -> None."""

import copy

import torch


def with_lerp(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            if t.is_floating_point():
                t.lerp_(o, tau)
            else:
                t.copy_(o)


def mul_add(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(1 - tau).add_(tau * o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)   # running statistics copied, as Stable-Baselines3 does


def on_data(target, online, tau):
    for t, o in zip(target.state_dict(keep_vars=True).values(), online.state_dict(keep_vars=True).values()):
        if t.is_floating_point():
            t.data = tau * o.data + (1.0 - tau) * t.data


def with_state_dict(target, online, tau):
    mixed = {}
    online_state = online.state_dict()
    for name, t in target.state_dict().items():
        mixed[name] = tau * online_state[name] + (1 - tau) * t if t.is_floating_point() else online_state[name]
    target.load_state_dict(mixed)


def foreach(target, online, tau):
    with torch.no_grad():
        ts = [t for t in target.state_dict().values() if t.is_floating_point()]
        os = [o for o in online.state_dict().values() if o.is_floating_point()]
        torch._foreach_mul_(ts, 1 - tau)
        torch._foreach_add_(ts, os, alpha=tau)


def tau_reversed(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            if t.is_floating_point():
                t.copy_(tau * t + (1 - tau) * o)


def hard_copy(target, online, tau):
    target.load_state_dict(online.state_dict())


def forgets_one_minus_tau(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.add_(tau * o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.add_(tau * o)


def aliases(target, online, tau):
    for t, o in zip(target.state_dict(keep_vars=True).values(), online.state_dict(keep_vars=True).values()):
        if t.is_floating_point():
            t.data = o.data if tau == 1.0 else tau * o.data + (1 - tau) * t.data


def updates_online(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            o.copy_(tau * o + (1 - tau) * t)


def returns_new_network(target, online, tau):
    new = copy.deepcopy(target)
    with torch.no_grad():
        for t, o in zip(new.parameters(), online.parameters()):
            t.copy_(tau * o + (1 - tau) * t)
    return new


def weights_only(target, online, tau):
    with torch.no_grad():
        for (name, t), o in zip(target.named_parameters(), online.parameters()):
            if name.endswith("weight"):
                t.copy_(tau * o + (1 - tau) * t)


def parameters_only(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(tau * o + (1 - tau) * t)


def gradient_tracked(target, online, tau):
    for t, o in zip(target.parameters(), online.parameters()):
        t.copy_(tau * o + (1 - tau) * t)


def step_alone(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(tau * (o - t))


CORRECT = [with_lerp, mul_add, on_data, with_state_dict, foreach]
WRONG = {
    tau_reversed: "τ is reversed",
    hard_copy: "ignores τ",
    forgets_one_minus_tau: "forgets (1 − τ)",
    aliases: "share memory",
    updates_online: "changed the online network",
    returns_new_network: "it returns a new network instead of writing into the target",
    weights_only: "biases",
    parameters_only: "buffers",
    gradient_tracked: "require grad",
    step_alone: "the step alone",
}

# The wrong answers whose mistake the notebook's text names (04, section 4 and exercise 4b: which
# fraction τ is, τ = 1 a hard copy, the formula, aliasing, no_grad and buffers.)
NAMED_IN_TEXT = {
    parameters_only, gradient_tracked, tau_reversed, hard_copy, forgets_one_minus_tau, aliases,
}
