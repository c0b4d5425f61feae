"""qlab.soft, the references of assignment 09, against definitions written another way; their
error messages; the policy whose samples replay; and the SAC rules graded out of the kernel."""

import copy
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.distributions import Normal, TransformedDistribution
from torch.distributions.transforms import TanhTransform

from autograde.checks import sac
from autograde.registry import RULES
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox
from qlab import soft

DTYPES = [torch.float32, torch.float64]


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 20), n_actions=st.integers(1, 6),
       alpha=st.sampled_from([0.05, 0.5, 1.0, 3.0]), dtype=st.sampled_from(DTYPES))
def test_soft_value_is_alpha_log_sum_exp(seed, batch, n_actions, alpha, dtype):
    q = torch.randn(batch, n_actions, generator=torch.Generator().manual_seed(seed), dtype=dtype) * 5
    v = soft.soft_value(q, alpha)
    for i in range(batch):
        want = alpha * math.log(sum(math.exp(x / alpha) for x in q[i].double().tolist()))
        assert v[i].item() == pytest.approx(want, rel=1e-5, abs=1e-4)
    assert v.shape == (batch,) and v.dtype == dtype


def test_soft_value_is_stable_and_has_its_limits():
    huge = torch.tensor([[1000.0, 999.0], [-1000.0, -1001.0]], dtype=torch.float32)
    v = soft.soft_value(huge, 1.0)
    assert torch.isfinite(v).all()
    assert v.tolist() == pytest.approx([1000.0 + math.log1p(math.exp(-1)), -1000.0 + math.log1p(math.exp(-1))])
    q = torch.tensor([[1.0, 2.0, -1.0]], dtype=torch.float64)
    assert soft.soft_value(q, 1e-4).item() == pytest.approx(2.0, abs=1e-3)
    assert soft.soft_value(q, 1e4).item() == pytest.approx(q.mean().item() + 1e4 * math.log(3), rel=1e-6)
    table = torch.zeros(2, 4, 3, requires_grad=True)
    soft.soft_value(table, 0.5).sum().backward()   # (..., A) -> (...), differentiable
    assert torch.allclose(table.grad, torch.full((2, 4, 3), 1 / 3))


def test_soft_q_target_masks_terminal_steps_and_carries_no_gradient():
    q = torch.tensor([[1.0, 2.0], [3.0, -1.0]], requires_grad=True)
    y = soft.soft_q_target(torch.tensor([1.0, 0.5]), q, torch.tensor([False, True]), 0.9, 0.5)
    assert not y.requires_grad
    assert y.tolist() == pytest.approx([1.0 + 0.9 * soft.soft_value(q[:1], 0.5).item(), 0.5])


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 10), dim=st.integers(1, 4), dtype=st.sampled_from(DTYPES))
def test_squashed_gaussian_is_torchs_tanh_transformed_normal(seed, batch, dim, dtype):
    g = torch.Generator().manual_seed(seed)
    mean, log_std = torch.randn(batch, dim, generator=g, dtype=dtype), torch.randn(batch, dim, generator=g, dtype=dtype)
    noise = torch.randn(batch, dim, generator=g, dtype=dtype)
    action, log_prob = soft.squashed_gaussian(mean, log_std, noise)
    squashed = TransformedDistribution(Normal(mean.double(), log_std.double().exp()), [TanhTransform(cache_size=1)])
    u = mean.double() + log_std.double().exp() * noise.double()
    want = squashed.transforms[0](u)
    assert torch.allclose(action.double(), want, atol=1e-6)
    assert torch.allclose(log_prob.double(), squashed.log_prob(want).sum(-1), rtol=1e-4, atol=1e-4)


def test_squashed_gaussian_is_finite_where_tanh_saturates_and_reparameterised():
    mean = torch.tensor([[12.0, -30.0]], requires_grad=True)
    log_std = torch.zeros(1, 2, requires_grad=True)
    action, log_prob = soft.squashed_gaussian(mean, log_std, torch.tensor([[0.5, 0.5]]))
    assert action.abs().tolist() == [[1.0, 1.0]] and torch.isfinite(log_prob).all()
    (action.sum() + log_prob.sum()).backward()
    assert mean.grad is not None and log_std.grad is not None


def test_sac_critic_target_uses_one_sample_at_next_obs_and_the_min():
    policy, critics = sac.policy(0), sac.critics(1)
    next_obs = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=torch.float64)
    rewards, terminated = torch.tensor([1.0, 2.0], dtype=torch.float64), torch.tensor([False, True])
    y = soft.sac_critic_target(rewards, next_obs, terminated, 0.9, 0.2, copy.deepcopy(policy), critics)
    action, log_prob = copy.deepcopy(policy)(next_obs)
    q = torch.minimum(critics[0](next_obs, action), critics[1](next_obs, action))
    assert not y.requires_grad
    assert y.tolist() == pytest.approx([1.0 + 0.9 * (q[0] - 0.2 * log_prob[0]).item(), 2.0])


def test_sac_actor_loss_reaches_the_policy_and_temperature_loss_moves_alpha_the_right_way():
    policy, critics = sac.policy(0), sac.critics(1)
    obs = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], dtype=torch.float64)
    soft.sac_actor_loss(obs, policy, critics, 0.2).backward()
    assert all(p.grad is not None and p.grad.any() for p in policy.parameters())
    log_alpha = torch.zeros((), requires_grad=True)
    log_probs = torch.tensor([1.0, 2.0], requires_grad=True)   # entropy −1.5 < target −1: α must rise
    soft.sac_temperature_loss(log_alpha, log_probs, -1.0).backward()
    assert log_alpha.grad.item() < 0 and log_probs.grad is None


def test_scripted_policy_draws_a_new_sample_each_call_and_a_copy_replays_them():
    policy = sac.policy(3)
    obs = torch.tensor([[0.5, -1.0, 2.0]], dtype=torch.float64)
    replay = copy.deepcopy(policy)
    first, second = policy(obs)[1], policy(obs)[1]
    assert first.item() != second.item()
    assert replay(obs)[1].item() == first.item() and replay(obs)[1].item() == second.item()
    with pytest.raises(ValueError, match=r"states of shape \(B, 3\)"):
        policy(torch.zeros(sac.MAX_BATCH + 1, 3, dtype=torch.float64))


@pytest.mark.parametrize("call, message", [
    (lambda: soft.soft_value(torch.zeros(3, 2), 0.0), "alpha .* must be a finite float > 0"),
    (lambda: soft.soft_value(torch.zeros(3, 2, dtype=torch.long), 1.0), "expected a floating dtype"),
    (lambda: soft.soft_value([[1.0, 2.0]], 1.0), "q_values must be a torch.Tensor"),
    (lambda: soft.soft_q_target(torch.zeros(3), torch.zeros(4, 2), torch.zeros(3), 0.9, 1.0),
     r"next_q_target has shape \(4, 2\); expected \(batch, n_actions\) = \(3, n_actions\)"),
    (lambda: soft.soft_q_target(torch.zeros(3), torch.zeros(3, 2), torch.zeros(3, 1), 0.9, 1.0),
     r"terminated has shape \(3, 1\); expected \(batch,\) = \(3,\)"),
    (lambda: soft.squashed_gaussian(torch.zeros(2, 3), torch.zeros(2, 2), torch.zeros(2, 3)),
     r"log_std has shape \(2, 2\); expected the shape of mean, \(2, 3\)"),
    (lambda: soft.sac_critic_target(torch.zeros(2, dtype=torch.float64), torch.zeros(2, 3, dtype=torch.float64),
                                    torch.zeros(2), 0.9, 0.2, sac.policy(0), sac.critics(1)[0]),
     "critic_targets must be a non-empty sequence"),
    (lambda: soft.sac_actor_loss(torch.zeros(3), sac.policy(0), sac.critics(1), 0.2),
     r"obs has shape \(3,\); expected \(batch, obs_dim\)"),
    (lambda: soft.sac_temperature_loss(torch.zeros(2, requires_grad=True), torch.zeros(3), -1.0),
     "expected a one-element floating tensor"),
    (lambda: soft.sac_temperature_loss(torch.zeros((), requires_grad=True), torch.zeros(3), "-1"),
     "target_entropy must be a float"),
])
def test_bad_input_is_named(call, message):
    with pytest.raises((TypeError, ValueError), match=message):
        call()


def test_the_sandbox_gives_the_sac_rules_call_only_stand_ins_and_gradients_back():
    """Out of the kernel: the critic target's policy and critics are callbacks that can only be called,
    and the actor loss's gradient reaches the grader's policy through the sample."""
    critic_target = '''
import torch
def sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    with torch.no_grad():
        a, log_pi = policy(next_obs)
        q = torch.stack([c(next_obs, a) for c in critic_targets]).min(0).values
        return rewards + gamma * (1 - terminated.float()) * (q - alpha * log_pi)
'''
    actor_loss = '''
import torch
def sac_actor_loss(obs, policy, critics, alpha):
    a, log_pi = policy(obs)
    return (alpha * log_pi - torch.stack([c(obs, a) for c in critics]).min(0).values).mean()
'''
    peeks = '''
def sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
    return policy.head.weight.sum() + rewards
'''
    for source, rule, points in ((critic_target, "sac_critic_target", 3.0), (actor_loss, "sac_actor_loss", 2.0),
                                 (peeks, "sac_critic_target", 0.0)):
        with Sandbox([source], references=RULES[rule].references, call_timeout=10) as box:
            result = run_checks(RULES[rule], box.function(rule))
        assert result.points == points, result.report()
    assert "can only be called" in result.diagnosis
