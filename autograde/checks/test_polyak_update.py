"""Checks for polyak_update(target, online, tau) -> None.

    θ' ← τ θ + (1 − τ) θ'

In place on the target network, τ the fraction of the ONLINE weights (τ = 1: a hard copy,
τ = 0: no change; DQN and DDPG use τ ≈ 0.005 to 0.01). Buffers (running statistics) follow the
online ones, averaged the same way or copied. No memory shared with the online network, no
autograd record, ``online`` unchanged.
"""

import numpy as np
import pytest
import torch

from autograde.checks.diagnosis import Differential, Mistake, Probe, fail
from autograde.checks.helpers import expect
from autograde.checks.torch_rules import call_naming_crash, check_network_update, describe_wrong_tensors, devices, \
    flat, floating_state, network_pair, untouched_target
from qlab.rules import polyak_update as reference


def _update(new_value):
    """An update that sets every floating tensor of target to ``new_value(t, o, tau)``."""
    def update(target, online, tau):
        with torch.no_grad():
            for (name, t), o in zip(target.state_dict().items(), online.state_dict().values()):
                if t.is_floating_point():
                    t.copy_(new_value(t, o, tau))
    return update


MISTAKES = {
    "τ is reversed: it computes θ' ← (1 − τ) θ + τ θ', keeping the fraction τ of the old target; here τ is the "
    "fraction of the ONLINE weights, θ' ← τ θ + (1 − τ) θ' (the lectures' τ = 0.999 is a keep fraction: 1 − τ here)":
        _update(lambda t, o, tau: (1 - tau) * o + tau * t),
    "it ignores τ and copies the online weights (a hard update): θ' ← τ θ + (1 − τ) θ'":
        _update(lambda t, o, tau: o),
    "it forgets (1 − τ) on the target's weights: θ' ← τ θ + (1 − τ) θ', not τ θ + θ'":
        _update(lambda t, o, tau: tau * o + t),
    "it forgets τ on the online weights: θ' ← τ θ + (1 − τ) θ', not θ + (1 − τ) θ'":
        _update(lambda t, o, tau: o + (1 - tau) * t),
    "it sets θ' to τ (θ − θ'), the step alone: θ' ← θ' + τ (θ − θ')":
        _update(lambda t, o, tau: tau * (o - t)),
    "it averages the two networks half and half, ignoring τ: θ' ← τ θ + (1 − τ) θ'":
        _update(lambda t, o, tau: 0.5 * (o + t)),
}


def probe(label, tau, seed):
    target, online = network_pair(seed)
    return Probe(label, (target, online, tau))


PROBES = [probe("τ = 0.25", 0.25, 10), probe("τ = 0.1", 0.1, 11), probe("τ = 0.5", 0.5, 12)]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=lambda returned, args: flat(args[0]))


def check_polyak(student, target, online, tau, buffers_copied_ok=False):
    call = f"polyak_update(target, online, tau={tau})"
    target_before, online_before = floating_state(target), floating_state(online)
    expected = {n: tau * online_before[n] + (1 - tau) * v for n, v in target_before.items()}
    returned = call_naming_crash(student, (target, online, tau), DIFFERENTIAL, call)
    wrong = check_network_update(call, target, online, target_before, online_before, expected)
    buffers = {n for n, _ in target.named_buffers()}
    if buffers_copied_ok:  # running statistics may also be copied, as Stable-Baselines3 does
        now = floating_state(target)
        wrong = [n for n in wrong if not (n in buffers and np.allclose(now[n], online_before[n]))]
    if not wrong:
        return
    untouched = untouched_target(call, target, target_before, returned,
                                 "write into the target's own tensors in place, t.lerp_(o, τ) under torch.no_grad()")
    if untouched:  # τ = 1 reversed keeps the target too: the probes tell which
        named = DIFFERENTIAL.diagnose(student)
        raise Mistake(f"{named} ({untouched})" if named else untouched)
    message = describe_wrong_tensors(call, wrong, target, target_before, expected)
    if "did not change" in message:  # biases or buffers left out: true by construction
        raise Mistake(message)
    fail(message, student, DIFFERENTIAL)


@pytest.mark.public
def test_one_update(student):
    """τ = 0.25: θ' ← 0.25 θ + 0.75 θ', in place on the target"""
    check_polyak(student, *PROBES[0].fresh())


@pytest.mark.public
def test_tau_is_the_online_fraction(student):
    """τ = 0.1 moves the target a tenth of the way towards the online network, not nine tenths"""
    check_polyak(student, *PROBES[1].fresh())


@pytest.mark.public
def test_tau_one_copies_and_tau_zero_keeps(student):
    """τ = 1 is a hard copy, τ = 0 leaves the target as it is"""
    target, online = network_pair(13)
    check_polyak(student, target, online, 1.0)
    target, online = network_pair(14)
    check_polyak(student, target, online, 0.0)


@pytest.mark.public
def test_is_not_an_alias(student):
    """the target keeps its own tensors (τ = 1 included): training the online network later leaves it alone"""
    target, online = network_pair(15)
    check_polyak(student, target, online, 1.0)
    before = floating_state(target)
    with torch.no_grad():
        for p in online.parameters():
            p.add_(1.0)
    expect(all(np.array_equal(v, before[n]) for n, v in floating_state(target).items()),
           "after polyak_update(target, online, tau=1.0), a later change to the online network also changed the "
           "target: they share memory (aliasing). Write into the target's own tensors: t.mul_(1 − τ).add_(τ o) "
           "or t.lerp_(o, τ)")


@pytest.mark.public
def test_buffers_follow(student):
    """buffers (batch normalisation's running statistics) follow the online ones, averaged or copied"""
    check_polyak(student, *network_pair(16, norm=True), 0.25, buffers_copied_ok=True)


def test_many_small_steps(student):
    """100 updates with τ = 0.05 leave (1 − τ)^100 ≈ 0.6% of the old target weights"""
    target, online = network_pair(17)
    start, goal = floating_state(target), floating_state(online)
    for _ in range(100):
        student(target, online, 0.05)
    keep = 0.95 ** 100
    now = floating_state(target)
    if not all(np.allclose(now[n], keep * start[n] + (1 - keep) * goal[n], rtol=1e-5, atol=1e-6) for n in now):
        fail("after 100 calls of polyak_update(target, online, tau=0.05) the target is not "
             "0.95^100 θ'_0 + (1 − 0.95^100) θ: each call must move it the fraction τ towards the online weights",
             student, DIFFERENTIAL)


def test_float32_on_each_device(student):
    """float32 networks on CPU and, when present, CUDA"""
    for device in devices():
        target, online = network_pair(18, dtype=torch.float32, device=device)
        check_polyak(student, target, online, 0.25)
