"""Checks for ddpg_actor_loss(obs, actor, critic) -> scalar loss.

    L(θ) = −(1/B) Σ_i Q_φ(s_i, μ_θ(s_i))

Minimising L ascends Q along the actor's action: the gradient flows through the critic into
the actor's parameters θ. The function returns the loss; the agent calls ``backward()`` and
steps only the actor's optimizer (it freezes the critic meanwhile), so the loss itself must
not call ``backward()``, step an optimizer or change any weights.
"""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.continuous import actor_and_critic
from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, fail, \
    number_pair
from autograde.checks.helpers import GRADING
from qlab.rules import ddpg_actor_loss as reference


def _loss(of_q):
    def loss(obs, actor, critic):
        return of_q(critic(obs, actor(obs)))
    return loss


MISTAKES = {
    "the sign is flipped: minimising +Q would push the actor towards the WORST actions; the loss is −mean Q(s, μ(s))":
        _loss(lambda q: q.mean()),
    "it sums over the batch; the loss is the mean, −(1/B) Σ_i Q(s_i, μ(s_i)) (a sum makes the step size grow with B)":
        _loss(lambda q: -q.sum()),
    "it squares Q; the actor maximises Q itself: −mean Q(s, μ(s))":
        _loss(lambda q: -(q ** 2).mean()),
    "it takes the max over the batch; the loss averages over all states: −mean Q(s, μ(s))":
        _loss(lambda q: -q.max()),
}

OBS = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 3.0, 1.0], [0.0, 0.75, -1.25]], dtype=torch.float64)


def probe(seed, obs=OBS):
    actor, critic = actor_and_critic(seed)
    return Probe(f"networks seeded {seed}", (obs.clone(), actor, critic))


PROBES = [probe(0), probe(3), probe(4, OBS[:2])]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)
EXAMPLE = "ddpg_actor_loss(obs, actor, critic)"
NO_GRADIENT = ("no gradient reaches the actor's parameters: the action μ_θ(s) must stay in the graph (do not .detach() "
               "it), so that −Q(s, μ_θ(s)) can move θ")


def gradients(module):
    return [p.grad.clone() if p.grad is not None else None for p in module.parameters()]


def check_loss(student, obs, actor, critic):
    """The loss's value, then the gradient it sends into the actor."""
    saved = copy.deepcopy((obs, actor, critic))
    example = f"{EXAMPLE} with obs = {call_text('', (obs,))[1:-1]}"
    loss = student(obs, actor, critic)
    if not isinstance(loss, torch.Tensor):
        raise Mistake(f"return the loss as a torch tensor (no .item()), so the agent can call backward() on it "
                      f"({example} returned a {type(loss).__name__})")
    expect(loss.numel() == 1, f"expected one number, the mean over the batch (a scalar tensor) ({example} returned "
                              f"shape {tuple(loss.shape)})")
    for name, before, after in (("actor", saved[1], actor), ("critic", saved[2], critic)):
        if any(not torch.equal(p, q) for p, q in zip(before.state_dict().values(), after.state_dict().values())):
            raise Mistake(f"it changed the {name}'s weights; return the loss only — the agent calls backward() and "
                          f"steps the actor's optimizer itself (in {example})")
    if any(g is not None for g in gradients(actor)):
        raise Mistake(f"it already called backward(): return the loss; the agent calls backward() and steps only the "
                      f"actor's optimizer (in {example})")
    reference_actor, reference_critic = copy.deepcopy(saved[1]), copy.deepcopy(saved[2])
    expected = reference(saved[0], reference_actor, reference_critic)
    if not close(loss.detach().numpy().reshape(()), expected.detach().numpy(), TORCH_PRECISION):
        got, want = number_pair(loss.item(), expected.item())
        fail(f"{example}: got {got}, expected {want}", student, DIFFERENTIAL)
    if not loss.requires_grad:
        if _detaches_the_action(student, saved):
            raise Mistake(f"{NO_GRADIENT} ({example}, with the critic frozen as the agent freezes it: the loss "
                          "requires no grad at all, and with a trainable critic none of its gradient reaches the actor)")
        raise Mistake(f"the loss does not require grad: no gradient can reach the actor's parameters (was it computed "
                      f"under torch.no_grad(), or from detached values?) (in {example})")
    loss.reshape(()).backward()
    expected.backward()
    for (name, p), want in zip(actor.named_parameters(), gradients(reference_actor)):
        if p.grad is None or not bool(p.grad.any()):
            raise Mistake(f"{NO_GRADIENT} ({example}: the actor's parameter `{name}` gets none)")
        expect(close(p.grad.numpy(), want.numpy(), TORCH_PRECISION),
               f"the gradient reaching the actor differs from that of −mean Q(s, μ_θ(s)) (in {example}, at its "
               f"parameter `{name}`)")


def _detaches_the_action(student, saved) -> bool:
    """With a trainable critic the loss requires grad, yet none of it reaches the actor."""
    obs, actor, critic = copy.deepcopy(saved)
    critic.requires_grad_(True)
    loss = student(obs, actor, critic)
    if not (isinstance(loss, torch.Tensor) and loss.numel() == 1 and loss.requires_grad):
        return False
    loss.reshape(()).backward()
    return all(p.grad is None or not bool(p.grad.any()) for p in actor.parameters())


@pytest.mark.public
def test_loss_is_minus_mean_q(student):
    """the loss is −mean_i Q(s_i, μ(s_i)), one number"""
    check_loss(student, *PROBES[0].fresh())


@pytest.mark.public
def test_gradient_reaches_the_actor(student):
    """its gradient flows through the critic into the actor's parameters (the action is not detached)"""
    check_loss(student, *PROBES[1].fresh())


@pytest.mark.public
def test_changes_no_weights(student):
    """it only computes the loss: no backward(), no optimizer step, no weight changed"""
    check_loss(student, *PROBES[2].fresh())


def test_frozen_critic(student):
    """works when the critic's weights are frozen, as the agent does (critic.requires_grad_(False))"""
    obs, actor, critic = PROBES[0].fresh()
    check_loss(student, obs, actor, critic.requires_grad_(False))


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 6), seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, batch, seed, dtype):
    """matches −mean Q(s, μ(s)) and its gradient on random batches (float32 and float64, batch 1)"""
    obs = torch.as_tensor(np.random.default_rng(seed).uniform(-3, 3, (batch, 3)).round(2), dtype=dtype)
    actor, critic = actor_and_critic(seed, dtype=dtype)
    check_loss(student, obs, actor, critic)
