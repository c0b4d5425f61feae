"""The sandbox's transport: plain data back without unpickling, hostile messages refused,
and torch arguments (tensors, modules, optimizers) behaving as in one process — in-place
updates come back and gradients flow through returned tensors to the caller's modules."""

import json
import struct

import numpy as np
import pytest
import torch

from autograde.sandbox import codec
from autograde.sandbox.process import Sandbox, StudentCodeError, with_time_limit
from qlab.networks import DDPGActor, DDPGCritic


@pytest.mark.parametrize("value", [
    None, True, 3, -2**70, 0.1, float("inf"), "text", (1, [2.5, {"a": None}]), {(1, "x"): [True]},
    np.arange(6, dtype=np.int16).reshape(2, 3), np.float32(1.5), np.bool_(True), np.zeros((0, 3)),
])
def test_plain_values_round_trip_with_their_types(value):
    back = codec.decode(codec.encode(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and np.array_equal(back, value)
    else:
        assert back == value


def test_tensors_round_trip_with_dtype_shape_and_gradient_flag():
    for tensor in [torch.arange(6.0).reshape(2, 3), torch.tensor(1.5, dtype=torch.bfloat16),
                   torch.zeros(0, 2, dtype=torch.int64), torch.ones(3, requires_grad=True) * 2]:
        back = codec.decode(codec.encode(tensor))
        assert back.dtype == tensor.dtype and back.shape == tensor.shape and torch.equal(back, tensor.detach())
        assert back.requires_grad == tensor.requires_grad


@pytest.mark.parametrize("value, named", [
    (np.array([object()]), "dtype object"), (1 + 2j, "complex"), (b"bytes", "bytes"),
    (lambda: 1, "function"), (torch.zeros(2, dtype=torch.complex64), "complex64"),
])
def test_other_values_are_refused_with_what_to_return(value, named):
    with pytest.raises(codec.CodecError, match=f"{named}.*cannot accept"):
        codec.encode(value)


def test_results_over_the_size_limit_are_refused():
    with pytest.raises(codec.CodecError, match="at most 1 MB"):
        codec.encode([np.zeros(2**16)] * 4, limit=2**20)


def message(header: dict, data: bytes = b"") -> bytes:
    raw = json.dumps(header).encode()
    return struct.pack("<I", len(raw)) + raw + data


@pytest.mark.parametrize("bad", [
    b"\x01", message({"v": {"pickle": "cos\nsystem\n"}, "b": []}),
    message({"v": {"A": ["|O", [1], 0]}, "b": [8]}, b"x" * 8), message({"v": {"A": ["<f8", [2], 0]}, "b": [8]}, b"x" * 8),
    message({"v": {"A": ["<f8", [1], 3]}, "b": [8]}, b"x" * 8),
    message({"v": {"R": 0}, "b": []}), message({"v": {"T": [1], "L": [2]}, "b": []}),
    message({"v": 1, "b": [100]}), struct.pack("<I", 10_000) + b"[" * 10_000,
])
def test_malformed_or_hostile_messages_raise_codec_errors_only(bad):
    with pytest.raises(codec.CodecError):
        codec.decode(bad)


TORCH_CELLS = ['''
import torch

def polyak_update(target, online, tau):
    with torch.no_grad():
        for t, o in zip(target.parameters(), online.parameters()):
            t.mul_(1 - tau).add_(tau * o)

def actor_loss(actor, critic, states):
    return -critic(states, actor(states)).mean()

def detached_target(critic, states, actions, rewards, gamma):
    with torch.no_grad():
        return rewards + gamma * critic(states, actions)

def leaky_target(critic, states, actions, rewards, gamma):
    return rewards + gamma * critic(states, actions)

def sgd_step(critic, optimizer, states, actions):
    optimizer.zero_grad()
    critic(states, actions).pow(2).mean().backward()
    optimizer.step()

def keep(backup):
    global KEPT
    KEPT = backup
    return backup(1.0)

def use_kept():
    return KEPT(2.0)

def evil():
    class Evil:
        def __reduce__(self):
            import os
            return (os.system, ("echo pwned",))
    return Evil()
''']


@pytest.fixture(scope="module")
def torch_box():
    with Sandbox(TORCH_CELLS, call_timeout=20) as box:
        yield box


def nets(seed=0):
    torch.manual_seed(seed)
    return DDPGActor(3, [-2.0], [2.0], hidden=(8,)), DDPGCritic(3, 1, hidden=(8,))


def test_module_arguments_are_updated_in_place(torch_box):
    _, target = nets(0)
    _, online = nets(1)
    expected = [0.9 * t + 0.1 * o for t, o in zip(target.parameters(), online.parameters())]
    assert torch_box.function("polyak_update")(target, online, 0.1) is None
    assert all(torch.allclose(p, e) for p, e in zip(target.parameters(), expected))


def test_gradients_flow_through_a_returned_loss_to_the_callers_modules(torch_box):
    actor, critic = nets()
    states = torch.randn(5, 3)
    loss = torch_box.function("actor_loss")(actor, critic, states)
    assert loss.requires_grad and loss.grad_fn is not None
    loss.backward()
    local_actor, local_critic = nets()
    (-local_critic(states, local_actor(states)).mean()).backward()
    assert torch.allclose(loss.detach(), -local_critic(states, local_actor(states)).mean().detach())
    for here, there in zip([*local_actor.parameters(), *local_critic.parameters()],
                           [*actor.parameters(), *critic.parameters()]):
        assert torch.allclose(here.grad, there.grad, atol=1e-6)


def test_a_target_with_no_gradient_is_told_from_one_that_leaks(torch_box):
    _, critic = nets()
    args = (critic, torch.randn(4, 3), torch.randn(4, 1), torch.randn(4), 0.99)
    detached = torch_box.function("detached_target")(*args)
    assert not detached.requires_grad and detached.grad_fn is None
    leaky = torch_box.function("leaky_target")(*args)
    assert leaky.requires_grad and leaky.grad_fn is not None
    leaky.sum().backward()
    assert critic.net[-1].bias.grad is not None and critic.net[-1].bias.grad.item() == pytest.approx(4 * 0.99)


def test_optimizer_steps_and_their_state_come_back(torch_box):
    _, critic = nets()
    optimizer = torch.optim.Adam(critic.parameters(), lr=0.01)
    states, actions = torch.randn(4, 3), torch.randn(4, 1)
    _, local = nets()
    local_optimizer = torch.optim.Adam(local.parameters(), lr=0.01)
    for _ in range(2):
        torch_box.function("sgd_step")(critic, optimizer, states, actions)
        local_optimizer.zero_grad()
        local(states, actions).pow(2).mean().backward()
        local_optimizer.step()
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(critic.parameters(), local.parameters()))
    assert optimizer.state_dict()["state"][0]["step"] == 2


def test_functions_passed_by_the_checks_run_here_and_only_during_their_call(torch_box):
    calls = []

    def backup(x):
        calls.append(x)
        return x * 10

    assert torch_box.function("keep")(backup) == 10.0 and calls == [1.0]
    with pytest.raises(StudentCodeError, match="can only be called during that call"):
        torch_box.function("use_kept")()


def test_a_value_that_would_run_code_when_unpickled_is_refused(torch_box):
    with pytest.raises(StudentCodeError, match="returned a .*Evil, which the grader cannot accept"):
        torch_box.function("evil")()


def test_the_in_kernel_guard_gives_every_call_the_same_limit_and_a_bounded_total():
    def sometimes_slow(x):
        while x:
            pass
        return "done"

    guarded = with_time_limit(sometimes_slow, 0.2, max_timeouts=2)
    for _ in range(2):
        with pytest.raises(StudentCodeError, match="did not return within 0.2 s"):
            guarded(True)
    with pytest.raises(StudentCodeError, match="skipped: sometimes_slow ran out of time 2 times"):
        guarded(True)   # refused at once, not after another 0.2 s
