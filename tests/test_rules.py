"""The reference update rules against loop-by-loop definitions, and their error messages."""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from qlab import rules
from qlab.networks import DDPGActor, DDPGCritic, MLP

DTYPES = [torch.float32, torch.float64]


def random_batch(seed, batch, n_actions, dtype):
    g = torch.Generator().manual_seed(seed)
    rewards = torch.randn(batch, generator=g, dtype=dtype)
    next_q = torch.randn(batch, n_actions, generator=g, dtype=dtype)
    next_q_online = torch.randn(batch, n_actions, generator=g, dtype=dtype)
    terminated = torch.rand(batch, generator=g) < 0.3
    return rewards, next_q, next_q_online, terminated


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 40), n_actions=st.integers(1, 6),
       gamma=st.floats(0.0, 1.0), dtype=st.sampled_from(DTYPES))
def test_dqn_target_matches_the_definition(seed, batch, n_actions, gamma, dtype):
    rewards, next_q, _, terminated = random_batch(seed, batch, n_actions, dtype)
    y = rules.dqn_target(rewards, next_q, terminated, gamma)
    for i in range(batch):
        bootstrap = 0.0 if terminated[i] else gamma * next_q[i].max().item()
        assert y[i].item() == pytest.approx(rewards[i].item() + bootstrap, rel=1e-5, abs=1e-5)
    assert y.shape == (batch,) and y.dtype == dtype


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 40), n_actions=st.integers(1, 6),
       gamma=st.floats(0.0, 1.0), dtype=st.sampled_from(DTYPES))
def test_double_dqn_target_selects_online_and_evaluates_target(seed, batch, n_actions, gamma, dtype):
    rewards, next_q_target, next_q_online, terminated = random_batch(seed, batch, n_actions, dtype)
    y = rules.double_dqn_target(rewards, next_q_online, next_q_target, terminated.float(), gamma)
    for i in range(batch):
        a_star = int(next_q_online[i].argmax())
        bootstrap = 0.0 if terminated[i] else gamma * next_q_target[i, a_star].item()
        assert y[i].item() == pytest.approx(rewards[i].item() + bootstrap, rel=1e-5, abs=1e-5)


def test_targets_accept_per_sample_discounts_and_carry_no_gradient():
    rewards = torch.tensor([1.0, 1.0])
    next_q = torch.tensor([[2.0, 3.0], [4.0, 0.0]], requires_grad=True)
    discounts = torch.tensor([0.5, 0.25])
    y = rules.dqn_target(rewards, next_q, torch.zeros(2), discounts)
    torch.testing.assert_close(y, torch.tensor([2.5, 2.0]))
    assert not y.requires_grad
    y2 = rules.double_dqn_target(rewards, next_q, next_q * 2, torch.zeros(2), discounts)
    torch.testing.assert_close(y2, torch.tensor([4.0, 3.0]))
    assert not y2.requires_grad


def test_target_errors_name_the_argument_and_expected_shape():
    rewards, next_q = torch.zeros(32), torch.zeros(32, 2)
    with pytest.raises(ValueError, match=r"rewards has shape \(32, 1\); expected \(batch,\)"):
        rules.dqn_target(torch.zeros(32, 1), next_q, torch.zeros(32), 0.99)
    with pytest.raises(ValueError, match=r"terminated has shape \(32, 1\); expected \(batch,\) = \(32,\)"):
        rules.dqn_target(rewards, next_q, torch.zeros(32, 1), 0.99)
    with pytest.raises(ValueError, match=r"next_q_target has shape \(32,\); expected \(batch, n_actions\)"):
        rules.dqn_target(rewards, torch.zeros(32), torch.zeros(32), 0.99)
    with pytest.raises(ValueError, match=r"gamma \(discounts\) has shape \(32, 1\)"):
        rules.dqn_target(rewards, next_q, torch.zeros(32), torch.ones(32, 1))
    with pytest.raises(ValueError, match=r"gamma must lie in \[0, 1\]"):
        rules.dqn_target(rewards, next_q, torch.zeros(32), 1.5)
    with pytest.raises(TypeError, match="floating"):
        rules.dqn_target(torch.zeros(32, dtype=torch.long), next_q, torch.zeros(32), 0.99)
    with pytest.raises(TypeError, match="torch.Tensor"):
        rules.dqn_target(np.zeros(32), next_q, torch.zeros(32), 0.99)
    with pytest.raises(ValueError, match="next_q_online has shape"):
        rules.double_dqn_target(rewards, torch.zeros(32, 3), next_q, torch.zeros(32), 0.99)


def nstep_by_loops(rewards, terminated, truncated, gamma, n):
    """The definition, one window at a time (T,) arrays."""
    T = len(rewards)
    returns, discounts, dones = np.zeros(T), np.ones(T), np.zeros(T)
    for t in range(T):
        for i in range(n):
            if t + i >= T:
                break
            returns[t] += gamma**i * rewards[t + i]
            discounts[t] *= gamma
            if terminated[t + i]:
                dones[t] = 1.0
                break
            if truncated[t + i]:
                break
    return returns, discounts, dones


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), T=st.integers(1, 30), N=st.integers(1, 3), n=st.integers(1, 6),
       gamma=st.floats(0.5, 1.0), dtype=st.sampled_from(DTYPES))
def test_nstep_returns_stop_at_episode_ends(seed, T, N, n, gamma, dtype):
    rng = np.random.default_rng(seed)
    rewards = rng.normal(size=(T, N))
    terminated = rng.random((T, N)) < 0.15
    truncated = (rng.random((T, N)) < 0.1) & ~terminated
    out = rules.nstep_returns(torch.tensor(rewards, dtype=dtype), torch.tensor(terminated),
                              torch.tensor(truncated, dtype=dtype), gamma, n)
    for j in range(N):
        expected = nstep_by_loops(rewards[:, j], terminated[:, j], truncated[:, j], gamma, n)
        for got, want in zip(out, expected):
            np.testing.assert_allclose(got[:, j].numpy(), want, rtol=1e-5, atol=1e-5)
    # a (T,) sequence is the N = 1 case
    single = rules.nstep_returns(torch.tensor(rewards[:, 0], dtype=dtype), torch.tensor(terminated[:, 0]),
                                 torch.tensor(truncated[:, 0]), gamma, n)
    for got, col in zip(single, out):
        torch.testing.assert_close(got, col[:, 0])


def test_nstep_termination_does_not_bootstrap_but_truncation_does():
    r = torch.ones(4)
    term = torch.tensor([False, True, False, False])
    trunc = torch.tensor([False, False, False, True])
    returns, discounts, dones = rules.nstep_returns(r, term, trunc, 0.5, 3)
    torch.testing.assert_close(returns, torch.tensor([1.5, 1.0, 1.5, 1.0]))
    torch.testing.assert_close(discounts, torch.tensor([0.25, 0.5, 0.25, 0.5]))
    torch.testing.assert_close(dones, torch.tensor([1.0, 1.0, 0.0, 0.0]))
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        rules.nstep_returns(r, term, trunc, 0.5, 0)
    with pytest.raises(ValueError, match=r"truncated has shape \(3,\); expected \(batch,\) = \(4,\)"):
        rules.nstep_returns(r, term, trunc[:3], 0.5, 2)


def test_td_loss_huber_mse_and_weights():
    q = torch.tensor([0.0, 0.0, 0.0], requires_grad=True)
    y = torch.tensor([0.5, 2.0, -3.0])
    huber = rules.td_loss(q, y)
    assert huber.item() == pytest.approx((0.125 + 1.5 + 2.5) / 3)
    assert rules.td_loss(q, y, kind="mse").item() == pytest.approx((0.25 + 4 + 9) / 3)
    w = torch.tensor([1.0, 0.0, 2.0])
    assert rules.td_loss(q, y, weights=w).item() == pytest.approx((0.125 + 5.0) / 3)
    huber.backward()
    torch.testing.assert_close(q.grad, torch.tensor([-0.5, -1.0, 1.0]) / 3)
    with pytest.raises(ValueError, match="targets requires grad"):
        rules.td_loss(q, y.clone().requires_grad_())
    with pytest.raises(ValueError, match=r"targets has shape \(3, 1\); expected \(batch,\) = \(3,\)"):
        rules.td_loss(q, y[:, None])
    with pytest.raises(ValueError, match="kind must be"):
        rules.td_loss(q, y, kind="l1")


def test_dqn_td_loss_gathers_the_taken_actions():
    q_values = torch.tensor([[0.0, 9.0], [7.0, 0.0], [0.0, -5.0]], requires_grad=True)
    actions = torch.tensor([0, 1, 0])
    y = torch.tensor([0.5, 2.0, -3.0])
    loss = rules.dqn_td_loss(q_values, actions, y)
    assert loss.item() == pytest.approx((0.125 + 1.5 + 2.5) / 3)
    assert rules.dqn_td_loss(q_values, actions, y, kind="mse").item() == pytest.approx((0.25 + 4 + 9) / 3)
    loss.backward()
    torch.testing.assert_close(q_values.grad, torch.tensor([[-0.5, 0.0], [0.0, -1.0], [1.0, 0.0]]) / 3)
    with pytest.raises(ValueError, match=r"actions has shape \(3, 1\)"):
        rules.dqn_td_loss(q_values, actions[:, None], y)
    with pytest.raises(TypeError, match="integer dtype"):
        rules.dqn_td_loss(q_values, actions.float(), y)
    with pytest.raises(ValueError, match=r"targets has shape \(3, 1\)"):
        rules.dqn_td_loss(q_values, actions, y[:, None])


def test_hard_and_polyak_updates_tau_is_the_online_fraction():
    torch.manual_seed(0)
    online, target = MLP(3, 2, hidden=(8,)), MLP(3, 2, hidden=(8,))
    before = copy.deepcopy(target.state_dict())
    rules.polyak_update(target, online, 0.1)
    for key, value in target.state_dict().items():
        torch.testing.assert_close(value, 0.1 * online.state_dict()[key] + 0.9 * before[key])
    rules.polyak_update(target, online, 0.0)
    for key, value in target.state_dict().items():
        torch.testing.assert_close(value, 0.1 * online.state_dict()[key] + 0.9 * before[key])
    rules.hard_update(target, online)
    for key, value in target.state_dict().items():
        assert torch.equal(value, online.state_dict()[key])
    assert all(p.grad is None for p in target.parameters())
    with pytest.raises(ValueError, match="tau must lie in"):
        rules.polyak_update(target, online, 5.0)
    with pytest.raises(ValueError, match="shape"):
        rules.hard_update(MLP(3, 2, hidden=(8,)), MLP(3, 2, hidden=(9,)))


def test_ddpg_critic_target_and_actor_loss():
    torch.manual_seed(0)
    actor, critic = DDPGActor(3, [-2.0], [2.0], hidden=(16, 16)), DDPGCritic(3, 1, hidden=(16, 16))
    rewards, next_obs, obs = torch.randn(8), torch.randn(8, 3), torch.randn(8, 3)
    terminated = torch.tensor([0, 1, 0, 0, 1, 0, 0, 0], dtype=torch.float32)
    y = rules.ddpg_critic_target(rewards, next_obs, terminated, 0.9, actor, critic)
    with torch.no_grad():
        expected = rewards + 0.9 * (1 - terminated) * critic(next_obs, actor(next_obs))
    torch.testing.assert_close(y, expected)
    assert not y.requires_grad
    loss = rules.ddpg_actor_loss(obs, actor, critic)
    torch.testing.assert_close(loss, -critic(obs, actor(obs)).mean())
    loss.backward()
    assert all(p.grad is not None for p in actor.parameters())
    with pytest.raises(ValueError, match=r"next_obs has shape \(7, 3\)"):
        rules.ddpg_critic_target(rewards, next_obs[:7], terminated, 0.9, actor, critic)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_rules_run_on_cuda_and_reject_mixed_devices():
    rewards, next_q = torch.zeros(4, device="cuda"), torch.zeros(4, 2, device="cuda")
    assert rules.dqn_target(rewards, next_q, torch.zeros(4, device="cuda"), 0.9).device.type == "cuda"
    with pytest.raises(ValueError, match="one device"):
        rules.dqn_target(rewards, next_q, torch.zeros(4), 0.9)
