"""Answers to polyak_update(target, online, tau) -> None, written blind."""
import torch


def w_tau_swapped(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(tau).add_((1 - tau) * o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def w_parameters_only(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(1 - tau).add_(tau * o)


def w_replaces_data(target, online, tau):
    for t, o in zip(target.parameters(), online.parameters()):
        t.data = tau * o.data + (1 - tau) * t.data
    for t, o in zip(target.buffers(), online.buffers()):
        t.data = o.data.clone()


def w_no_no_grad(target, online, tau):
    for t, o in zip(target.parameters(), online.parameters()):
        t.mul_(1 - tau)
        t.add_(tau * o)
    for t, o in zip(target.buffers(), online.buffers()):
        t.copy_(o)


def w_lerp_wrong_weight(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.lerp_(o, 1 - tau)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def w_updates_online(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            o.mul_(1 - tau).add_(tau * t)
        for t, o in zip(target.buffers(), online.buffers()):
            o.copy_(t)


def w_new_tensor_per_module(target, online, tau):
    new_state = {}
    online_state = online.state_dict()
    for key, t in target.state_dict().items():
        new_state[key] = tau * online_state[key] + (1 - tau) * t
    target.__dict__["_polyak_state"] = new_state  # computed but never loaded


def w_float_buffer_math_aliasing(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(1 - tau).add_(tau * o)
    for name, b in online.named_buffers():  # shares the online buffers with the target
        module_name, _, attr = name.rpartition(".")
        module = target.get_submodule(module_name) if module_name else target
        module._buffers[attr] = b


def c_lerp(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.lerp_(o, tau)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def c_state_dict_average(target, online, tau):
    src = online.state_dict()
    averaged = {}
    for key, t in target.state_dict().items():
        if t.is_floating_point():
            averaged[key] = tau * src[key] + (1.0 - tau) * t
        else:
            averaged[key] = src[key].clone()
    target.load_state_dict(averaged)


def c_named_add_alpha(target, online, tau):
    params, bufs = dict(online.named_parameters()), dict(online.named_buffers())
    with torch.no_grad():
        for name, p in target.named_parameters():
            p.mul_(1.0 - float(tau)).add_(params[name], alpha=float(tau))
        for name, b in target.named_buffers():
            if b.is_floating_point():
                b.mul_(1.0 - tau).add_(bufs[name], alpha=tau)
            else:
                b.copy_(bufs[name])


WRONG = {
    w_tau_swapped: "tau swapped: θ' ← τ θ' + (1 − τ) θ (tau as the fraction kept)",
    w_parameters_only: "averages the parameters but leaves the buffers",
    w_replaces_data: "assigns new tensors to .data instead of updating in place",
    w_no_no_grad: "in-place update on parameters that require grad, outside no_grad (raises)",
    w_lerp_wrong_weight: "lerp_ with weight 1 − tau: moves the target most of the way",
    w_updates_online: "updates the online network instead of the target",
    w_new_tensor_per_module: "computes the average but never writes it into the target",
    w_float_buffer_math_aliasing: "buffers shared with the online network (aliasing) instead of copied",
}
CORRECT = [c_lerp, c_state_dict_average, c_named_add_alpha]
