"""What the grader and the student's process exchange besides values: framed messages on a
pair of pipes, and the arguments a call may change in place.

A call's *mutable arguments* are found the same way on both sides (depth first through
tuples, lists and dicts): numpy arrays and Generators, torch tensors, modules, generators
and optimizers. After a call the student's process sends back the state of those that
changed, as plain data, and the grader writes it into its own objects, so an in-place
update behaves as it would in one process. For a module that state is all a check can
inspect: values, gradients, ``requires_grad``, which parameters and buffers were replaced by
new objects (the grader replaces them too), and how many hooks each submodule holds (the
grader's copy holds as many inert ones). The lists and dicts among the arguments come back
too when an entry was rebound (``storage[key] = new_array``), their unchanged entries as the
grader's own objects.
"""

from __future__ import annotations

import os
import select
import struct
import sys
import time

import numpy as np

HEADER = struct.Struct("<Q")


class ChannelTimeout(Exception):
    pass


class ChannelClosed(Exception):
    pass


class ChannelOverflow(Exception):
    pass


def write_message(fd: int, data: bytes, deadline: float | None = None) -> None:
    view = memoryview(HEADER.pack(len(data)) + data)
    while view:
        if deadline is not None and not select.select([], [fd], [], max(0.0, deadline - time.monotonic()))[1]:
            raise ChannelTimeout()
        try:
            view = view[os.write(fd, view[: 1 << 20]):]
        except BrokenPipeError:
            raise ChannelClosed() from None


def _read_exactly(fd: int, size: int, deadline: float | None) -> bytes:
    chunks, left = [], size
    while left:
        if deadline is not None and not select.select([fd], [], [], max(0.0, deadline - time.monotonic()))[0]:
            raise ChannelTimeout()
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise ChannelClosed()
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_message(fd: int, deadline: float | None = None, limit: int | None = None) -> bytes:
    (size,) = HEADER.unpack(_read_exactly(fd, HEADER.size, deadline))
    if limit is not None and size > limit:
        raise ChannelOverflow(size)
    return _read_exactly(fd, size, deadline)


def _torch():
    return sys.modules.get("torch")


def _is_leaf(value) -> bool:
    if isinstance(value, (np.ndarray, np.random.Generator)):
        return True
    torch = _torch()
    return torch is not None and isinstance(value, (torch.Tensor, torch.nn.Module, torch.Generator,
                                                    torch.optim.Optimizer))


def _walk(args: tuple, kwargs: dict) -> tuple[list, list]:
    """(mutable arguments, the lists and dicts holding them), each in an order both sides agree on."""
    leaves, containers, seen = [], [], set()

    def visit(value, depth):
        if id(value) in seen or depth > 8:
            return
        if _is_leaf(value):
            seen.add(id(value))
            leaves.append(value)
        elif isinstance(value, (tuple, list, dict)):
            if not isinstance(value, tuple):
                seen.add(id(value))
                containers.append(value)
            for item in value.values() if isinstance(value, dict) else value:
                visit(item, depth + 1)

    for value in list(args) + [kwargs[k] for k in sorted(kwargs)]:
        visit(value, 1)
    return leaves, containers


def mutable_arguments(args: tuple, kwargs: dict) -> list:
    """The objects a call may change in place, in an order both sides agree on."""
    return _walk(args, kwargs)[0]


def containers(args: tuple, kwargs: dict) -> list:
    """The lists and dicts among a call's arguments (at any depth), in an order both sides agree on."""
    return _walk(args, kwargs)[1]


def entries(container) -> list:
    """What a list or dict holds, by identity: it differs after an entry was rebound, added or removed."""
    if isinstance(container, dict):
        return [(key, id(value)) for key, value in container.items()]
    return [id(value) for value in container]


def restore_entries(container, contents) -> None:
    """Make the grader's list or dict hold ``contents`` (sent back by the student's process)."""
    if isinstance(container, dict) and isinstance(contents, dict):
        container.clear()
        container.update(contents)
    elif isinstance(container, list) and isinstance(contents, list):
        container[:] = contents
    else:
        raise TypeError(f"a {type(container).__name__} cannot hold a {type(contents).__name__}")


def gradient_inputs(leaves: list) -> list:
    """Tensors a returned tensor may be differentiated by: arguments that require a gradient
    and the parameters of module arguments."""
    torch = _torch()
    if torch is None:
        return []
    inputs = []
    for leaf in leaves:
        if isinstance(leaf, torch.Tensor) and leaf.requires_grad:
            inputs.append(leaf)
        elif isinstance(leaf, torch.nn.Module):
            inputs.extend(p for p in leaf.parameters() if p.requires_grad)
    return inputs


HOOKS = ("_forward_hooks", "_forward_pre_hooks", "_backward_hooks", "_backward_pre_hooks", "_state_dict_hooks",
         "_state_dict_pre_hooks", "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")
HOOK_LIMIT = 100  # hooks of one kind on one submodule that the grader copies


def tensors(leaf) -> dict:
    """A module's parameters and buffers by name, the objects themselves (empty for other arguments)."""
    torch = _torch()
    return dict(leaf.state_dict(keep_vars=True)) if torch is not None and isinstance(leaf, torch.nn.Module) else {}


def hooks(module) -> dict:
    """How many hooks of each kind each submodule holds: {submodule name: {kind: count}}."""
    counts = {}
    for name, submodule in module.named_modules():
        held = {kind: len(getattr(submodule, kind, {})) for kind in HOOKS if getattr(submodule, kind, None)}
        if held:
            counts[name] = held
    return counts


def state_of(leaf, given: dict | None = None):
    """The plain-data state of a mutable argument (in the student's process); ``given``: the
    module's ``tensors`` when the call began, to tell which were replaced by new objects."""
    torch = _torch()
    if isinstance(leaf, np.ndarray):
        return leaf
    if isinstance(leaf, np.random.Generator):
        return leaf.bit_generator.state
    if isinstance(leaf, torch.Tensor):
        return {"data": leaf.detach(), "grad": leaf.grad, "requires_grad": leaf.requires_grad}
    if isinstance(leaf, torch.nn.Module):
        now = tensors(leaf)
        return {"state": {k: v.detach() for k, v in now.items()},
                "grads": {k: p.grad for k, p in leaf.named_parameters()}, "training": leaf.training,
                "requires_grad": [k for k, v in now.items() if v.requires_grad],
                "replaced": [k for k, v in now.items() if given is not None and given.get(k) is not v],
                "hooks": hooks(leaf)}
    if isinstance(leaf, torch.Generator):
        return leaf.get_state()
    return leaf.state_dict()  # an optimizer


def shared_memory(leaves: list) -> dict:
    """For each module argument, its tensors that share memory with another argument's tensor
    after the call (e.g. a "hard update" that assigned the online network's parameters):
    {leaf index: {name: [other leaf index, other name, whether it is that very tensor]}}."""
    torch = _torch()
    if torch is None:
        return {}
    owners, named = {}, {}
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, torch.nn.Module):
            named[i] = tensors(leaf)
        elif isinstance(leaf, torch.Tensor):
            named[i] = {"": leaf}
        for name, tensor in named.get(i, {}).items():
            if tensor.untyped_storage().data_ptr():
                owners.setdefault(tensor.untyped_storage().data_ptr(), []).append([i, name])
    found = {}
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, torch.nn.Module):
            continue
        for name, tensor in named[i].items():
            others = [o for o in owners.get(tensor.untyped_storage().data_ptr(), []) if o[0] != i]
            if others:
                j, other = others[0]
                found.setdefault(i, {})[name] = [j, other, tensor is named[j][other]]
    return found


def _tensor_of(leaf, name: str):
    torch = _torch()
    if isinstance(leaf, torch.nn.Module):
        return leaf.state_dict(keep_vars=True).get(name)
    return leaf if isinstance(leaf, torch.Tensor) and name == "" else None


def restore(leaf, state, leaves: list = ()) -> None:
    """Write a state sent back by the student's process into the grader's own object
    (``leaves``: all the call's mutable arguments, for aliasing between them)."""
    torch = _torch()
    if isinstance(leaf, np.ndarray):
        if isinstance(state, np.ndarray) and state.shape == leaf.shape and leaf.flags.writeable:
            np.copyto(leaf, state, casting="unsafe")
    elif isinstance(leaf, np.random.Generator):
        leaf.bit_generator.state = state
    elif isinstance(leaf, torch.Tensor):
        _copy_tensor(leaf, state["data"])
        _copy_grad(leaf, state["grad"])
        _set_requires_grad(leaf, state.get("requires_grad") is True)
    elif isinstance(leaf, torch.nn.Module):
        _restore_module(leaf, state, leaves)
    elif isinstance(leaf, torch.Generator):
        leaf.set_state(state)
    else:
        leaf.load_state_dict(state)


def _restore_module(module, state: dict, leaves: list) -> None:
    """A module as the student's process left it: replaced tensors replaced here too (by the
    other argument's very tensor where it was that one), values, gradients, mode,
    ``requires_grad``, memory shared with other arguments, and inert stand-ins for its hooks."""
    aliases = state.get("aliases") or {}
    replaced = set(state.get("replaced", []))
    for name in replaced:
        j, other, same = aliases.get(name, (-1, "", False))
        source = _tensor_of(leaves[j], other) if same and 0 <= j < len(leaves) else None
        value = state["state"].get(name) if source is None else source
        if isinstance(value, _torch().Tensor):
            _replace(module, name, value, is_parameter=name in state["grads"])
    own = tensors(module)
    for name, value in state["state"].items():
        if name in own and name not in replaced:
            _copy_tensor(own[name], value)
    for name, parameter in module.named_parameters():
        _copy_grad(parameter, state["grads"].get(name))
    module.train(bool(state["training"]))
    wanted = set(state.get("requires_grad", []))
    for name, tensor in own.items():
        _set_requires_grad(tensor, name in wanted)
    for name, (j, other, _) in aliases.items():  # memory shared there is shared here
        source = _tensor_of(leaves[j], other) if 0 <= j < len(leaves) else None
        target = own.get(name)
        if source is not None and target is not None and source is not target and source.shape == target.shape:
            target.data = source.data
    _match_hooks(module, state.get("hooks") or {})


def _replace(module, name: str, value, is_parameter: bool) -> None:
    """Put ``value`` where the parameter or buffer ``name`` was, as the student's code did."""
    torch = _torch()
    prefix, _, attribute = name.rpartition(".")
    owner = module.get_submodule(prefix)
    if is_parameter:
        if not isinstance(value, torch.nn.Parameter):
            value = torch.nn.Parameter(value, requires_grad=False)
        owner._parameters[attribute] = value
    else:
        owner._buffers[attribute] = value


def _set_requires_grad(tensor, wanted: bool) -> None:
    if tensor.is_leaf and tensor.requires_grad != wanted and tensor.is_floating_point():
        tensor.requires_grad_(wanted)


def inert_hook(*args, **kwargs) -> None:
    """Stands in for a hook the student's code registered: it is there, and does nothing."""


def _match_hooks(module, counts: dict) -> None:
    """Give each submodule as many hooks of each kind as it holds in the student's process."""
    from torch.utils.hooks import RemovableHandle

    for name, submodule in module.named_modules():
        held = counts.get(name) if isinstance(counts.get(name), dict) else {}
        for kind in HOOKS:
            hooks_of_kind = getattr(submodule, kind, None)
            count = held.get(kind, 0)
            if hooks_of_kind is None or type(count) is not int:
                continue
            while len(hooks_of_kind) > max(count, 0):
                hooks_of_kind.popitem()
            while len(hooks_of_kind) < min(count, HOOK_LIMIT):
                hooks_of_kind[RemovableHandle(hooks_of_kind).id] = inert_hook


def _copy_tensor(target, value) -> None:
    torch = _torch()
    if isinstance(value, torch.Tensor) and value.shape == target.shape:
        with torch.no_grad():
            target.copy_(value.detach())


def _copy_grad(target, grad) -> None:
    torch = _torch()
    if grad is None:
        target.grad = None
    elif isinstance(grad, torch.Tensor) and grad.shape == target.shape:
        target.grad = grad.detach().to(device=target.device, dtype=target.dtype)
