"""What the grader and the student's process exchange besides values: framed messages on a
pair of pipes, and the arguments a call may change in place.

A call's *mutable arguments* are found the same way on both sides (depth first through
tuples, lists and dicts): numpy arrays and Generators, torch tensors, modules, generators
and optimizers. After a call the student's process sends back the state of those that
changed, as plain data, and the grader writes it into its own objects, so an in-place
update behaves as it would in one process.
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


def mutable_arguments(args: tuple, kwargs: dict) -> list:
    """The objects a call may change in place, in an order both sides agree on."""
    found, seen = [], set()

    def visit(value, depth):
        if id(value) in seen or depth > 8:
            return
        if _is_leaf(value):
            seen.add(id(value))
            found.append(value)
        elif isinstance(value, (tuple, list)):
            for item in value:
                visit(item, depth + 1)
        elif isinstance(value, dict):
            for item in value.values():
                visit(item, depth + 1)

    visit(list(args) + [kwargs[k] for k in sorted(kwargs)], 0)
    return found


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


def state_of(leaf):
    """The plain-data state of a mutable argument (in the student's process)."""
    torch = _torch()
    if isinstance(leaf, np.ndarray):
        return leaf
    if isinstance(leaf, np.random.Generator):
        return leaf.bit_generator.state
    if isinstance(leaf, torch.Tensor):
        return {"data": leaf.detach(), "grad": leaf.grad}
    if isinstance(leaf, torch.nn.Module):
        tensors = leaf.state_dict(keep_vars=True)
        return {"state": {k: v.detach() for k, v in tensors.items()},
                "grads": {k: p.grad for k, p in leaf.named_parameters()}, "training": leaf.training,
                "tracked": [k for k, v in tensors.items() if v.grad_fn is not None]}
    if isinstance(leaf, torch.Generator):
        return leaf.get_state()
    return leaf.state_dict()  # an optimizer


def shared_memory(leaves: list) -> dict:
    """For each module argument, its tensors that share memory with another argument's tensor
    after the call (e.g. a "hard update" that assigned the online network's parameters):
    {leaf index: {name: [other leaf index, other name]}}."""
    torch = _torch()
    if torch is None:
        return {}
    owners, tensors = {}, {}
    for i, leaf in enumerate(leaves):
        if isinstance(leaf, torch.nn.Module):
            tensors[i] = leaf.state_dict(keep_vars=True)
        elif isinstance(leaf, torch.Tensor):
            tensors[i] = {"": leaf}
        for name, tensor in tensors.get(i, {}).items():
            if tensor.untyped_storage().data_ptr():
                owners.setdefault(tensor.untyped_storage().data_ptr(), []).append([i, name])
    found = {}
    for i, leaf in enumerate(leaves):
        if not isinstance(leaf, torch.nn.Module):
            continue
        for name, tensor in tensors[i].items():
            others = [o for o in owners.get(tensor.untyped_storage().data_ptr(), []) if o[0] != i]
            if others:
                found.setdefault(i, {})[name] = others[0]
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
    elif isinstance(leaf, torch.nn.Module):
        own = leaf.state_dict(keep_vars=True)
        for name, value in state["state"].items():
            if name in own:
                _copy_tensor(own[name], value)
        for name, parameter in leaf.named_parameters():
            _copy_grad(parameter, state["grads"].get(name))
        leaf.train(bool(state["training"]))
        for name in state.get("tracked", []):  # autograd recorded the change there
            tensor = own.get(name)
            if tensor is not None and tensor.is_floating_point() and tensor.is_leaf:
                tensor.requires_grad_(True)
        for name, (j, other) in (state.get("aliases") or {}).items():  # memory shared there is shared here
            source = _tensor_of(leaves[j], other) if 0 <= j < len(leaves) else None
            target = own.get(name)
            if source is not None and target is not None and source.shape == target.shape:
                target.data = source.data
    elif isinstance(leaf, torch.Generator):
        leaf.set_state(state)
    else:
        leaf.load_state_dict(state)


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
