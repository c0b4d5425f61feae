"""Checks for sac_actor_loss(obs, policy, critics, alpha) -> scalar loss.

    L(θ) = (1/B) Σ_i (α log π_θ(a_i|s_i) − min_j Q_j(s_i, a_i)),   a_i, log π_θ(a_i|s_i) = policy(s_i)

The sample is reparameterised: the gradient reaches the policy's parameters θ through a_i
(into the critics and back) and through log π. The function returns the loss; the agent calls
``backward()`` and steps only the policy's optimizer, so the loss must not call ``backward()``,
step an optimizer or change any weights. The policy handed over (``qlab.soft.ScriptedPolicy``)
draws a new sample at each call, as a real policy does.
"""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, number_pair
from autograde.checks.helpers import GRADING
from autograde.checks.sac import critics, policy
from autograde.checks.torch_rules import devices
from qlab.soft import sac_actor_loss as reference


def _loss(of):
    def loss(obs, policy, critics, alpha):
        action, log_prob = policy(obs)
        q = torch.stack([critic(obs, action) for critic in critics])
        return of(q, log_prob, alpha, lambda: policy(obs))
    return loss


def _min(q):
    return q.min(dim=0).values


MISTAKES = {
    "it takes the max over the critics; the actor is judged by the pessimistic MIN, min_j Q_j(s, a)":
        _loss(lambda q, lp, a, again: (a * lp - q.max(dim=0).values).mean()),
    "the sign is flipped: minimising min_j Q − α log π would push the policy towards the WORST actions; the loss is "
    "mean(α log π(a|s) − min_j Q_j(s, a))":
        _loss(lambda q, lp, a, again: (_min(q) - a * lp).mean()),
    "the entropy term α log π(a|s) is missing (that is DDPG's actor loss, with no entropy bonus)":
        _loss(lambda q, lp, a, again: -_min(q).mean()),
    "the entropy term has the wrong sign: the loss is mean(+α log π(a|s) − min_j Q_j(s, a)) (minimising it raises "
    "the entropy)":
        _loss(lambda q, lp, a, again: (-a * lp - _min(q)).mean()),
    "α multiplies the Q term too: the loss is mean(α log π(a|s) − min_j Q_j(s, a)), not α mean(log π − min_j Q_j)":
        _loss(lambda q, lp, a, again: (a * (lp - _min(q))).mean()),
    "it sums over the batch; the loss is the mean (a sum makes the step size grow with B)":
        _loss(lambda q, lp, a, again: (a * lp - _min(q)).sum()),
    "it uses only the first critic; take the min over all of them, min_j Q_j(s, a)":
        _loss(lambda q, lp, a, again: (a * lp - q[0]).mean()),
    "it averages the critics; take their min, min_j Q_j(s, a)":
        _loss(lambda q, lp, a, again: (a * lp - q.mean(dim=0)).mean()),
    "it samples the policy twice: a and log π(a|s) must come from ONE call of policy(obs) (each call is a new "
    "sample)":
        _loss(lambda q, lp, a, again: (a * again()[1] - _min(q)).mean()),
}

OBS = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 3.0, 1.0], [0.0, 0.75, -1.25]], dtype=torch.float64)


def arguments(seed, alpha, obs=OBS, n_critics=2, dtype=torch.float64, device="cpu"):
    return obs.to(device, dtype), policy(seed, dtype, device), critics(seed + 1, n_critics, dtype, device), alpha


PROBES = [Probe(f"networks seeded {seed}, α = {alpha}", arguments(seed, alpha))
          for seed, alpha in ((2, 0.2), (3, 1.0), (8, 0.5))]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)
EXAMPLE = "sac_actor_loss(obs, policy, critics, alpha)"


def _grads(module):
    return [p.grad.clone() if p.grad is not None else None for p in module.parameters()]


def _gradient_models(obs, policy_copy, critic_copies, alpha):
    """The policy's gradient under the reference and under the two classic ways of cutting the graph."""
    models = {}
    for name, cut_action, cut_log_prob in (("reference", False, False), ("action", True, False),
                                           ("log_prob", False, True)):
        p, cs = copy.deepcopy(policy_copy), copy.deepcopy(critic_copies)
        action, log_prob = p(obs)
        action = action.detach() if cut_action else action
        log_prob = log_prob.detach() if cut_log_prob else log_prob
        q = torch.stack([c(obs, action) for c in cs]).min(dim=0).values
        (alpha * log_prob - q).mean().backward()
        models[name] = [g if g is not None else torch.zeros_like(w) for g, w in zip(_grads(p), p.parameters())]
    return models


def check_loss(student, obs, policy_module, critic_modules, alpha):
    """The loss's value, then the gradient it sends into the policy."""
    saved = copy.deepcopy((obs, policy_module, critic_modules))
    example = f"{EXAMPLE} with obs = {call_text('', (obs,))[1:-1]}, alpha = {alpha}"
    loss = student(obs, policy_module, critic_modules, alpha)
    if not isinstance(loss, torch.Tensor):
        raise Mistake(f"{example} returned a {type(loss).__name__}; return the loss as a torch tensor (no .item()), "
                      "so the agent can call backward() on it")
    expect(loss.numel() == 1, f"{example} returned shape {tuple(loss.shape)}; expected one number, the mean over the "
                              "batch (a scalar tensor)")
    modules = [("policy", saved[1], policy_module)] + [(f"critics[{j}]", b, a) for j, (b, a)
                                                      in enumerate(zip(saved[2], critic_modules))]
    for name, before, after in modules:
        if any(not torch.equal(p, q) for p, q in zip(before.parameters(), after.parameters())):
            raise Mistake(f"{example} changed the weights of {name}; return the loss only — the agent calls "
                          "backward() and steps the policy's optimizer itself (the critics are not stepped here)")
        if any(p.grad is not None for p in after.parameters()):
            raise Mistake(f"{example} already called backward() (the {name}'s parameters hold gradients): return the "
                          "loss; the agent calls backward() and steps only the policy's optimizer")
    expected = reference(*copy.deepcopy(saved), alpha)
    if not close(loss.detach().cpu().numpy().reshape(()), expected.detach().cpu().numpy(), TORCH_PRECISION):
        got, want = number_pair(loss.item(), expected.item())
        fail(f"{example}: got {got}, expected {want}", student, DIFFERENTIAL)
    expect(loss.requires_grad, f"{example} returned a loss that does not require grad: no gradient can reach the "
                               "policy's parameters (was it computed under torch.no_grad(), or from detached values?)")
    loss.reshape(()).backward()
    models = _gradient_models(saved[0], saved[1], saved[2], alpha)
    got = [p.grad if p.grad is not None else torch.zeros_like(p) for p in policy_module.parameters()]

    def matches(model):
        return all(close(g.cpu().numpy(), w.cpu().numpy(), TORCH_PRECISION) for g, w in zip(got, models[model]))

    if matches("reference"):
        return
    expect(not matches("action"),
           f"the action is detached: no gradient reaches the policy through a into the critics; keep "
           f"a = policy(obs)[0] in the graph (no .detach()), so that −min_j Q_j(s, a) moves θ (in {example})")
    expect(not matches("log_prob"),
           f"log π(a|s) is detached: the entropy term's gradient must reach the policy too; keep log_prob in the "
           f"graph (in {example})")
    raise Mistake(f"the gradient reaching the policy's parameters differs from that of "
                  f"mean(α log π(a|s) − min_j Q_j(s, a)) (in {example})")


@pytest.mark.public
def test_loss_value(student):
    """the loss is mean_i(α log π(a_i|s_i) − min_j Q_j(s_i, a_i)), one number"""
    check_loss(student, *PROBES[0].fresh())


@pytest.mark.public
def test_min_over_the_critics(student):
    """the pessimistic min over the critics, per state (α = 1)"""
    check_loss(student, *PROBES[1].fresh())


@pytest.mark.public
def test_gradient_reaches_the_policy_through_the_sample(student):
    """its gradient reaches the policy through a (into the critics) and through log π (reparameterised)"""
    check_loss(student, *PROBES[2].fresh())


@pytest.mark.public
def test_changes_no_weights(student):
    """it only computes the loss: no backward(), no optimizer step, no weight of the policy or critics changed"""
    check_loss(student, *arguments(4, 0.2, OBS[:2]))


def test_frozen_critics(student):
    """works when the critics' weights are frozen, as the agent may do (requires_grad_(False))"""
    obs, policy_module, critic_modules, alpha = PROBES[0].fresh()
    check_loss(student, obs, policy_module, tuple(c.requires_grad_(False) for c in critic_modules), alpha)


def test_a_list_of_critics(student):
    """critics may be a list as well as a tuple"""
    obs, policy_module, critic_modules, alpha = arguments(5, 0.5)
    check_loss(student, obs, policy_module, list(critic_modules), alpha)


def test_float32_on_each_device(student):
    """float32 inputs and networks (the agent's) on CPU and, when present, CUDA"""
    for device in devices():
        check_loss(student, *arguments(6, 0.2, dtype=torch.float32, device=device))


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 8), seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]),
       alpha=st.sampled_from([0.05, 0.2, 1.0]))
def test_random_batches(student, batch, seed, dtype, alpha):
    """matches the loss and its gradient on random batches (float32 and float64, batch 1)"""
    obs = torch.as_tensor(np.random.default_rng(seed).uniform(-3, 3, (batch, 3)).round(2), dtype=dtype)
    check_loss(student, *arguments(seed, alpha, obs, dtype=dtype))
