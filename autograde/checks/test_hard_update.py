"""Checks for hard_update(target, online) -> None.

    θ' ← θ

In place on the target network: every parameter and buffer of ``target`` gets the value of
``online``'s, as a copy (no shared memory: the online network keeps training), without autograd
recording it; ``online`` is unchanged.
"""

import pytest
import torch

from autograde.checks.diagnosis import Mistake
from autograde.checks.torch_rules import call_naming_crash, check_network_update, describe_wrong_tensors, devices, \
    floating_state, network_pair, untouched_target

CALL = "hard_update(target, online)"
FIX = "copy the values into the target's own tensors, in place (the target network itself must change)"


def check_hard(student, target, online):
    target_before, online_before = floating_state(target), floating_state(online)
    returned = call_naming_crash(student, (target, online), None, CALL)
    wrong = check_network_update(CALL, target, online, target_before, online_before, online_before)
    if wrong:
        raise Mistake(untouched_target(CALL, target, target_before, returned, FIX)
                      or describe_wrong_tensors(CALL, wrong, target, target_before, online_before))
    with torch.no_grad():
        for tensor in online.state_dict().values():
            if tensor.is_floating_point():
                tensor.add_(1.0)
    moved = [n for n, v in floating_state(target).items() if not (v == online_before[n]).all()]
    if moved:
        raise Mistake(f"after {CALL}, a later change to the online network also changed the target's "
                      f"{', '.join(moved[:3])}: they share memory (aliasing). Copy the values: t.copy_(o)")


@pytest.mark.public
def test_copies_the_online_weights(student):
    """the target gets the online network's weights and biases, in place"""
    check_hard(student, *network_pair(0))


@pytest.mark.public
def test_is_a_copy_not_an_alias(student):
    """the target keeps its own tensors: training the online network later leaves it alone"""
    check_hard(student, *network_pair(1))


@pytest.mark.public
def test_buffers_too(student):
    """buffers (batch normalisation's running statistics) are copied too"""
    check_hard(student, *network_pair(2, norm=True))


def test_float32_on_each_device(student):
    """float32 networks on CPU and, when present, CUDA"""
    for device in devices():
        check_hard(student, *network_pair(3, dtype=torch.float32, device=device))
