"""Checks for double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma) -> y.

    a* = argmax_a' Q(s', a')              (the online network picks)
    y  = r + γ (1 − terminated) Q'(s', a*)   (the target network evaluates)

Torch tensors in: rewards and terminated (0/1 floats) of shape (B,), the two networks'
next-state values of shape (B, |A|); gamma a float or per-sample discounts of shape (B,)
(γ^k of n-step transitions). The result is a (B,) tensor that carries no gradient.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, as_array, call_text, close, \
    expect, fail, first_difference, unchanged
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import carries_gradient, column_mistake
from qlab.rules import double_dqn_target as reference

NAME = "double_dqn_target"


def _target(next_value):
    """A target r + γ (1 − d) v whose bootstrap value v is ``next_value(online, target)``."""
    def target(rewards, next_q_online, next_q_target, terminated, gamma):
        v = next_value(next_q_online.detach().double(), next_q_target.detach().double())
        return rewards.double() + gamma * (1 - terminated.double()) * v
    return target


def _picked(by, values):
    return values.gather(1, by.argmax(dim=1, keepdim=True)).squeeze(1)


def _masks_reward(rewards, next_q_online, next_q_target, terminated, gamma):
    done = terminated.double()
    return (1 - done) * (rewards.double() + gamma * _picked(next_q_online.double(), next_q_target.double()))


def _discounts_reward(rewards, next_q_online, next_q_target, terminated, gamma):
    future = (1 - terminated.double()) * _picked(next_q_online.double(), next_q_target.double())
    return gamma * (rewards.double() + future)


def _no_mask(rewards, next_q_online, next_q_target, terminated, gamma):
    return rewards.double() + gamma * _picked(next_q_online.double(), next_q_target.double())


def _inverted_mask(rewards, next_q_online, next_q_target, terminated, gamma):
    return rewards.double() + gamma * terminated.double() * _picked(next_q_online.double(), next_q_target.double())


MISTAKES = {
    "the roles are swapped: the target network picks a* and the online network evaluates it; Double DQN picks "
    "with the online network, a* = argmax_a' Q(s', a'), and evaluates with the target network, Q'(s', a*)":
        _target(lambda online, target: _picked(target, online)),
    "it is the plain DQN target max_a' Q'(s', a'): the target network both picks and evaluates; Double DQN picks "
    "a* with the online network and evaluates Q'(s', a*) with the target network":
        _target(lambda online, target: target.max(dim=1).values),
    "it bootstraps from max_a' Q(s', a') of the online network; the online network only picks a*, the target "
    "network evaluates it: Q'(s', a*)":
        _target(lambda online, target: online.max(dim=1).values),
    "it bootstraps from a terminal next state: where `terminated` is 1 the target is just r":
        _no_mask,
    "it takes the max over the batch of the evaluated values Q'(s', a*): every sample must bootstrap from its "
    "own next state's value (reduce over the action axis, dim=1, never over the batch)":
        _target(lambda online, target: _picked(online, target).max()),
    "it takes the smaller of the two networks' maxima (that is TD3's clipped double-Q); Double DQN evaluates the "
    "online network's choice a* with the target network: Q'(s', argmax_a' Q(s', a'))":
        _target(lambda online, target: torch.minimum(online.max(dim=1).values, target.max(dim=1).values)),
    "it averages the two networks' values; Double DQN evaluates the online network's choice a* with the target "
    "network: Q'(s', argmax_a' Q(s', a'))":
        _target(lambda online, target: _picked(online, (online + target) / 2)),
    "the terminal mask also removes the reward: a terminated step still earns r, y = r + γ (1 − terminated) Q'(s', a*)":
        _masks_reward,
    "γ also discounts the reward: the target is r + γ Q'(s', a*), not γ (r + Q'(s', a*))":
        _discounts_reward,
    "the terminal mask is inverted: multiply the bootstrap term by (1 − terminated), not by terminated":
        _inverted_mask,
}


def tensors(*rows, dtype=torch.float64):
    return torch.tensor(rows, dtype=dtype)


# Three transitions, three actions: online and target disagree about the best action, the
# target's choice is worth more to the target network (so DQN's max differs), and the
# averages, the minimum of the maxima and the batch max all give other numbers.
ONLINE = tensors([2.0, 1.0, -1.0], [0.5, 3.0, 1.0], [-2.0, -1.0, 0.5])
TARGET = tensors([1.5, 4.0, 0.25], [2.5, -1.0, 0.75], [3.0, 1.25, -0.5])
REWARDS = tensors(1.0, -0.5, 2.0)


def probe(label, terminated, gamma, rewards=REWARDS, online=ONLINE, target=TARGET):
    return Probe(label, (rewards.clone(), online.clone(), target.clone(), tensors(*terminated), gamma))


PROBES = [
    probe("online and target networks disagree on the best action", (0.0, 0.0, 0.0), 0.5),
    probe("a terminated next state", (0.0, 1.0, 0.0), 0.5),
    probe("per-sample discounts γ^k", (1.0, 0.0, 0.0), tensors(0.5, 0.25, 1.0)),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def call_example(args) -> str:
    return call_text(NAME, args, ("rewards", "next_q_online", "next_q_target", "terminated", "gamma"))


def check_target(student, rewards, next_q_online, next_q_target, terminated, gamma):
    """The student's target on these inputs is the reference's, shape (B,), inputs unchanged."""
    args = (rewards, next_q_online, next_q_target, terminated, gamma)
    example = call_example(args)
    before = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)
    expected = reference(*before).cpu().numpy()
    returned = student(*args)
    if returned is not None and not isinstance(returned, torch.Tensor):
        raise Mistake(f"{example} returned a {type(returned).__name__}; return a torch tensor of shape (batch,): "
                      "the agent's loss compares it with Q(s, a), a tensor")
    got = as_array(returned, NAME)
    batch = rewards.shape[0]
    column = column_mistake(got.shape, batch)
    if column:
        raise Mistake(f"{column} ({example} returned shape {got.shape}; expected (batch,) = ({batch},))")
    expect(got.shape == (batch,), f"{example} returned shape {got.shape}; expected (batch,) = ({batch},)")
    expect(np.issubdtype(got.dtype, np.floating), f"{example} returned dtype {got.dtype}; targets are real numbers")
    changed = unchanged(before, args)
    expect(changed is None, f"{example} changed its argument "
           f"{('rewards', 'next_q_online', 'next_q_target', 'terminated', 'gamma')[changed or 0]} in place; "
           "the inputs are read-only (the agent reuses them)")
    if not close(got, expected, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got, expected, TORCH_PRECISION)}", student, DIFFERENTIAL)


@pytest.mark.public
def test_online_picks_target_evaluates(student):
    """the online network picks a*, the target network evaluates it: r + γ Q'(s', argmax_a' Q(s', a'))"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_terminal_step_does_not_bootstrap(student):
    """where `terminated` is 1 the target is r alone"""
    check_target(student, *PROBES[1].fresh())


@pytest.mark.public
def test_per_sample_discounts(student):
    """gamma may be per-sample discounts γ^k of shape (B,) (n-step transitions)"""
    check_target(student, *PROBES[2].fresh())


@pytest.mark.public
def test_no_gradient_flows_through_the_target(student):
    """the target is a constant: no gradient flows through it

    Only gradient flow is judged here (the values and the returned type are the other checks'
    business). As in the agent, the networks' values require grad and the rewards do not: a
    target that detaches the networks' values alone is correct."""
    online, target = ONLINE.clone().requires_grad_(True), TARGET.clone().requires_grad_(True)
    y = student(REWARDS.clone(), online, target, tensors(0.0, 0.0, 0.0), 0.5)
    if carries_gradient(y):
        raise Mistake("a gradient would flow through the target: compute it under `with torch.no_grad():` "
                      "(or .detach() the networks' values); the regression Q(s, a) ≈ y treats y as a constant "
                      f"(with next_q_online and next_q_target requiring grad, {NAME} returned a tensor with "
                      f"grad_fn={type(y.grad_fn).__name__})")


@pytest.mark.public
def test_float32_batch_of_one(student):
    """float32 inputs (what the replay buffer gives) and a batch of one transition"""
    check_target(student, tensors(0.5, dtype=torch.float32), tensors([1.0, 2.0], dtype=torch.float32),
                 tensors([3.0, -1.0], dtype=torch.float32), tensors(0.0, dtype=torch.float32), 0.9)


def test_gamma_zero_and_one(student):
    """γ = 0 makes the target r; γ = 1 adds Q'(s', a*) undiscounted"""
    for gamma in (0.0, 1.0):
        check_target(student, REWARDS.clone(), ONLINE.clone(), TARGET.clone(), tensors(0.0, 1.0, 0.0), gamma)


@pytest.mark.public
def test_batch_differs_from_actions(student):
    """a batch of 5 transitions with 2 actions (the batch axis is not the action axis)"""
    online = tensors([1.0, 0.0], [0.0, 1.0], [2.5, 3.0], [-1.0, -2.0], [0.25, 0.5])
    target = tensors([-1.0, 4.0], [3.0, 0.5], [1.0, -1.0], [0.75, 2.0], [1.5, -0.5])
    check_target(student, tensors(1.0, 0.0, -1.0, 0.5, 2.0), online, target, tensors(0.0, 0.0, 1.0, 0.0, 0.0), 0.9)


def _random_inputs(data, dtype, device="cpu"):
    batch, actions = data.draw(st.integers(1, 12)), data.draw(st.integers(1, 6))
    rng = np.random.default_rng(data.draw(st.integers(0, 10_000)))

    def draw(*shape, low=-20.0, high=20.0):
        return torch.tensor(rng.uniform(low, high, size=shape).round(2), dtype=dtype, device=device)

    terminated = torch.tensor(rng.random(batch) < 0.3, dtype=dtype, device=device)
    if data.draw(st.booleans()):
        gamma = data.draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
    else:
        gamma = torch.tensor(0.99 ** rng.integers(1, 6, size=batch), dtype=dtype, device=device)
    return draw(batch), draw(batch, actions), draw(batch, actions), terminated, gamma


@pytest.mark.weight(2)
@GRADING
@given(data=st.data(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, data, dtype):
    """matches the Double DQN target on random batches (float32 and float64, float or per-sample γ)"""
    check_target(student, *_random_inputs(data, dtype))


if torch.cuda.is_available():  # collected only where there is a GPU: a skipped check would count as failed
    @GRADING
    @given(data=st.data())
    def test_cuda_batches(student, data):
        """works on CUDA tensors"""
        check_target(student, *_random_inputs(data, torch.float32, device="cuda"))
