"""Student-style answers for hard_update(target, online) -> None."""

import copy

import torch


def with_state_dict(target, online):
    target.load_state_dict(online.state_dict())


def with_copy_loop(target, online):
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            t.copy_(o)


def params_and_buffers(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def on_data(target, online):
    for t, o in zip(list(target.parameters()) + list(target.buffers()), list(online.parameters()) + list(online.buffers())):
        t.data = o.data.clone()


def with_deepcopied_state(target, online):
    target.load_state_dict(copy.deepcopy(online.state_dict()))
    return target


def aliases(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.data = o.data
    for t, o in zip(target.buffers(), online.buffers()):
        t.data = o.data


def parameters_only(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(o)


def weights_only(target, online):
    with torch.no_grad():
        for (name, t), o in zip(target.named_parameters(), online.parameters()):
            if "weight" in name:
                t.copy_(o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def returns_a_copy(target, online):
    target = copy.deepcopy(online)
    return target


def reversed_direction(target, online):
    online.load_state_dict(target.state_dict())


def gradient_tracked(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.copy_(o)
    with torch.no_grad():
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


def first_layer_only(target, online):
    with torch.no_grad():
        first = next(m for m in target.modules() if isinstance(m, torch.nn.Linear))
        source = next(m for m in online.modules() if isinstance(m, torch.nn.Linear))
        first.weight.copy_(source.weight)
        first.bias.copy_(source.bias)


def rebinds(target, online):
    target = online  # noqa: F841 - "target now is the online network"


def returns_inside_the_loop(target, online):
    with torch.no_grad():
        for t, o in zip(target.state_dict().values(), online.state_dict().values()):
            t.copy_(o)
            return


def sets_the_storage(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.set_(o)
        for t, o in zip(target.buffers(), online.buffers()):
            t.copy_(o)


CORRECT = [with_state_dict, with_copy_loop, params_and_buffers, on_data, with_deepcopied_state]
WRONG = {
    aliases: "share memory",
    parameters_only: "buffers",
    weights_only: "biases",
    returns_a_copy: "it returns a new network instead of writing into the target",
    reversed_direction: "copied the target into the online network",
    gradient_tracked: "require grad",
    first_layer_only: "expected",
    rebinds: "only rebinds a name",
    returns_inside_the_loop: "expected",
    sets_the_storage: "share memory",
}

# The wrong answers whose mistake the notebook's text names (04, exercise 4a: the three traps
# (aliasing, no_grad, buffers), weights and biases, θ' ← θ, in place on the agent's target.)
NAMED_IN_TEXT = {
    aliases, sets_the_storage, gradient_tracked, parameters_only, weights_only,
    reversed_direction, returns_a_copy, rebinds,
}
