"""Answers to hard_update(target, online) -> None, written blind."""
import copy

import torch


def w_aliasing_data(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.data = o.data


def w_parameters_only(target, online):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.copy_(o)


def w_rebinds_local(target, online):
    target = copy.deepcopy(online)
    return target


def w_wrong_direction(target, online):
    online.load_state_dict(target.state_dict())


def w_no_no_grad(target, online):
    for t, o in zip(target.parameters(), online.parameters()):
        t.copy_(o)
    for t, o in zip(target.buffers(), online.buffers()):
        t.copy_(o)


def w_state_dict_assignment(target, online):
    sd = target.state_dict()
    for key, value in online.state_dict().items():
        sd[key] = value.clone()


def w_assigns_parameters(target, online):
    for (name, p), (_, o) in zip(list(target.named_parameters()), online.named_parameters()):
        module_name, _, attr = name.rpartition(".")
        module = target.get_submodule(module_name) if module_name else target
        setattr(module, attr, o)
    for t, o in zip(target.buffers(), online.buffers()):
        t.data.copy_(o.data)


def c_load_state_dict(target, online):
    target.load_state_dict(online.state_dict())


def c_named_copy(target, online):
    params, bufs = dict(online.named_parameters()), dict(online.named_buffers())
    with torch.no_grad():
        for name, t in target.named_parameters():
            t.copy_(params[name])
        for name, t in target.named_buffers():
            t.copy_(bufs[name])


def c_data_copy_state(target, online):
    source = online.state_dict()
    for key, tensor in target.state_dict().items():  # state_dict tensors share storage with the module
        tensor.data.copy_(source[key].data)


WRONG = {
    w_aliasing_data: "aliasing: t.data = o.data shares memory with the online network",
    w_parameters_only: "copies the parameters but not the buffers",
    w_rebinds_local: "rebinds the local name to a deepcopy: the caller's target is unchanged",
    w_wrong_direction: "copies target into online (direction reversed)",
    w_no_no_grad: "in-place copy on parameters that require grad, outside no_grad (raises)",
    w_state_dict_assignment: "assigns into the state_dict dict: the module is unchanged",
    w_assigns_parameters: "assigns the online Parameter objects to the target (aliasing)",
}
CORRECT = [c_load_state_dict, c_named_copy, c_data_copy_state]
