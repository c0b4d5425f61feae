"""What the checks of the torch rules (DQN's target, loss and target-network updates) share:
reading a tensor answer, small networks to update, and the devices to run on."""

from __future__ import annotations

import re

import numpy as np
import torch
from torch import nn

from autograde.checks.diagnosis import Differential, Mistake, expect, number_pair
from autograde.sandbox.transport import HOOKS, ChannelClosed, ChannelOverflow, ChannelTimeout


def devices() -> list[str]:
    """CPU, and CUDA when this machine has it (a skipped check would count as failed)."""
    return ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


def carries_gradient(value) -> bool:
    """Whether ``value`` is a tensor that a gradient would flow back through (it requires grad or has a grad_fn)."""
    return isinstance(value, torch.Tensor) and (value.requires_grad or value.grad_fn is not None)


def tensor_answer(value, name: str, example: str, shape: tuple, device: torch.device) -> torch.Tensor:
    """The student's result as a torch tensor of ``shape`` on ``device``, or a Mistake naming what differs."""
    if value is None:
        raise Mistake(f"{name} returned None: return the result (did you forget `return`?)")
    expect(isinstance(value, torch.Tensor),
           f"{example} returned a {type(value).__name__}; expected a torch tensor (the agent computes with it)")
    expect(value.is_floating_point(), f"{example} returned a tensor of dtype {value.dtype}; expected a float tensor")
    if tuple(value.shape) != shape:
        column = column_mistake(tuple(value.shape), shape[0]) if len(shape) == 1 else None
        observed = f"{example} returned shape {tuple(value.shape)}; expected {shape if shape else 'a scalar ()'}"
        raise Mistake(f"{column} ({observed})" if column else observed)
    expect(value.device == device,
           f"{example} returned a tensor on {value.device}; expected it on {device}, where the inputs are")
    return value


COLUMN_BROADCAST = ("a (B, 1) column met a (B,) tensor and broadcast to (B, B): keep every per-sample tensor of "
                    "shape (B,) (no keepdim=True; .squeeze(1) after gather)")
COLUMN = ("it returns a (B, 1) column: keep every per-sample tensor of shape (B,) (no keepdim=True; .squeeze(1) "
          "after gather)")


def column_mistake(got: tuple, batch: int) -> str | None:
    """The headline for a per-sample result of shape (B, B) or (B, 1) where (B,) is expected."""
    if got == (batch, batch) and batch > 1:
        return COLUMN_BROADCAST
    if got == (batch, 1):
        return COLUMN
    return None


def inputs_unchanged(before: dict, after: dict, example: str) -> None:
    for name, value in before.items():
        expect(torch.equal(value, after[name].detach()),
               f"{example} changed its argument `{name}` in place; leave the inputs as they are (compute a new tensor)")


def tiny_q(norm: bool = False) -> nn.Sequential:
    """A small Q-network, optionally with batch normalisation (whose running statistics are
    buffers), built from torch's own classes: the out-of-kernel grader's sandbox can import
    those, never a class of the hidden checks."""
    layers = [nn.Linear(3, 4)] + ([nn.BatchNorm1d(4)] if norm else []) + [nn.ReLU(), nn.Linear(4, 2)]
    network = nn.Sequential()
    network.add_module("layers", nn.Sequential(*layers))
    return network


def network_pair(seed: int, norm: bool = False, dtype=torch.float64, device="cpu") -> tuple[nn.Module, nn.Module]:
    """(target, online): different random weights and, with ``norm``, different running statistics.
    As in the agent, the target network does not require grad; the online one does."""
    torch.manual_seed(seed)
    target, online = tiny_q(norm), tiny_q(norm)
    if norm:
        for net, scale in ((target, 1.0), (online, 3.0)):
            bn = net.layers[1]
            bn.running_mean.uniform_(-scale, scale)
            bn.running_var.uniform_(0.5, 2.0 * scale)
            bn.num_batches_tracked.fill_(int(10 * scale))
    with torch.no_grad():  # decimals that print exactly
        for net in (target, online):
            for p in net.parameters():
                p.copy_((p * 8).round() / 8)
    return target.to(device, dtype).requires_grad_(False), online.to(device, dtype)


def floating_state(module: nn.Module) -> dict[str, np.ndarray]:
    """The floating parameters and buffers by name (integer counters left out), as numpy copies."""
    return {name: value.detach().cpu().numpy().copy() for name, value in module.state_dict(keep_vars=True).items()
            if value.is_floating_point()}


def flat(module: nn.Module) -> np.ndarray:
    """Every floating parameter and buffer of ``module`` in one vector (the Differential compares these)."""
    return np.concatenate([v.ravel() for v in floating_state(module).values()])


def hooks_held(module: nn.Module) -> list[str]:
    """The hooks ``module`` and its submodules hold, named as "forward pre hook on layers.0"."""
    return [f"{kind.strip('_').removesuffix('s').replace('_', ' ')} on {name or 'the network'}"
            for name, submodule in module.named_modules() for kind in HOOKS if getattr(submodule, kind, None)]


def _shares_memory(a: torch.Tensor, b: torch.Tensor) -> bool:
    return a.untyped_storage().data_ptr() == b.untyped_storage().data_ptr() != 0


def check_network_update(call: str, target: nn.Module, online: nn.Module, target_before: dict, online_before: dict,
                         expected: dict, tau: float | None = None) -> list[str]:
    """The structural checks of a target-network update, which every answer must pass, then the
    names of the target's tensors whose values differ from ``expected`` (empty: all correct).

    ``target_before``/``online_before``/``expected`` are ``floating_state`` dicts; ``call`` is the
    call as text, quoted in every message.
    """
    online_now = floating_state(online)
    changed_online = [n for n, v in online_now.items() if not np.array_equal(v, online_before[n])]
    if changed_online:
        reverse = all(np.allclose(online_now[n], target_before[n]) for n in online_now)
        raise Mistake(f"{call} changed the online network ({', '.join(changed_online[:3])})"
                      + (": it copied the target into the online network; the direction is θ' ← θ, from online "
                         "into target" if reverse else "; only the target network may change"))
    target_tensors = target.state_dict(keep_vars=True)
    online_tensors = online.state_dict(keep_vars=True)
    aliased = [n for n, t in target_tensors.items() if any(_shares_memory(t, o) for o in online_tensors.values())]
    expect(not aliased, f"after {call} the target's {', '.join(aliased[:3])} share memory with the online network's "
                        "tensors (aliasing: `t.data = o.data` or assigning the online Parameter): every later step "
                        "of the online network then moves the target too, and the target network is gone. "
                        "Copy the values: t.copy_(o) under torch.no_grad()")
    tracked = [n for n, t in target_tensors.items() if carries_gradient(t)]
    expect(not tracked, f"after {call} the target's {', '.join(tracked[:3])} require grad (autograd recorded the "
                        "update, linking the target to the online network's graph, or new Parameters replaced them): do the update under "
                        "`with torch.no_grad():` (or on .data)")
    for name, network in (("target", target), ("online", online)):
        held = hooks_held(network)
        expect(not held, f"after {call} the {name} network holds a {', '.join(held[:2])}: an update only writes "
                         "values into the target's tensors and registers no hook (a hook runs at every forward "
                         "pass: one that re-copies the online weights leaves no target network at all)")
    now = floating_state(target)
    return [n for n, v in now.items() if not np.allclose(v, expected[n], rtol=1e-5, atol=1e-6)]


RETURNS_NETWORK = ("it returns a new network instead of writing into the target: the agent keeps its own target "
                   "object and ignores what the update returns; write into the target in place and return nothing")


def untouched_target(call: str, target: nn.Module, target_before: dict, returned, fix: str) -> str | None:
    """Why the target network did not change at all, from what the update returned (None: it changed)."""
    if any(not np.array_equal(v, target_before[n]) for n, v in floating_state(target).items()):
        return None
    if returned is not None:
        return f"{RETURNS_NETWORK} (after {call} the target network did not change)"
    return (f"after {call} the target network did not change: the update must write into the agent's target "
            "object (assigning `target = online`, `target = copy.deepcopy(online)` or `t = o.clone()` inside the "
            f"function only rebinds a name); {fix}")


def describe_wrong_tensors(call: str, wrong: list[str], target: nn.Module, target_before: dict, expected: dict) -> str:
    """What is wrong with the target's tensors ``wrong``: untouched ones named by kind, else the first entry."""
    now = floating_state(target)
    untouched = [n for n in wrong if np.array_equal(now[n], target_before[n])]
    buffers = {n for n, _ in target.named_buffers()}
    if untouched and len(untouched) == len(now):
        return (f"after {call} the target network did not change: update it in place (the agent keeps its target "
                "network object; rebinding `target = …` or returning a new network changes nothing for it)")
    if untouched and all(n.endswith("bias") for n in untouched) and len(untouched) == len(wrong):
        return (f"after {call} the target's biases ({', '.join(untouched)}) did not change: update every "
                "parameter, the biases too (loop over .parameters(), or use the state_dict)")
    if untouched and set(untouched) <= buffers and len(untouched) == len(wrong):
        return (f"after {call} the target's buffers ({', '.join(untouched)}: batch normalisation's running "
                "statistics) did not change: they are part of the network's state but not of .parameters(); "
                "update .buffers() too (or use the state_dict)")
    name = wrong[0]
    index = tuple(int(i) for i in np.argwhere(~np.isclose(now[name], expected[name], rtol=1e-5, atol=1e-6))[0])
    got, want = number_pair(now[name][index] + 0.0, expected[name][index] + 0.0)
    was = float(target_before[name][index]) + 0.0
    return f"after {call} the target's {name}{list(index)} is {got}; expected {want} (it was {was:g})"


def call_naming_crash(student, args: tuple, differential: Differential | None, call: str):
    """``student(*args)``; when it raises, and the differential's probes (where it runs) single out
    a classic mistake, that mistake is named with the crash as its evidence; otherwise the
    student's own error stands. Out of the kernel a returned network cannot cross back: that
    is named too."""
    try:
        return student(*args)
    except (ChannelClosed, ChannelOverflow, ChannelTimeout):
        raise
    except Exception as error:
        sandboxed = type(error).__name__ == "StudentCodeError"
        if sandboxed and re.search(r" returned a torch\.nn\.\S+, which the grader cannot accept", str(error)):
            raise Mistake(f"{RETURNS_NETWORK} ({call}: {str(error).split(',')[0]})") from error
        if sandboxed and " raised " not in str(error):
            raise  # it hung, crashed or was skipped: calling it again on the probes would cost as much
        try:
            named = differential.diagnose(student) if differential is not None else None
        except Exception:
            named = None
        if not named:
            raise
        raise Mistake(f"{named} ({call} also raised {type(error).__name__}: {' '.join(str(error).split())[:200]})") \
            from error
