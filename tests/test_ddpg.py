"""The DDPG agent: bounded noisy actions, one update by hand, Polyak targets, learning Pendulum."""

import numpy as np
import pytest
import torch

from qlab import rules
from qlab.agents import DDPG
from qlab.networks import DDPGActor, DDPGCritic
from qlab.replay import Batch
from qlab.train import DDPGConfig, train_ddpg


def make_agent(seed=0, **kwargs):
    torch.manual_seed(seed)
    actor = DDPGActor(3, [-2.0], [2.0], hidden=(16, 16))
    critic = DDPGCritic(3, 1, hidden=(16, 16))
    return DDPG(actor, critic, [-2.0], [2.0], seed=seed, **kwargs)


def make_batch(batch=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    return Batch(
        obs=torch.randn(batch, 3, generator=g),
        actions=torch.rand(batch, 1, generator=g) * 4 - 2,
        rewards=torch.randn(batch, generator=g),
        next_obs=torch.randn(batch, 3, generator=g),
        terminated=torch.zeros(batch),
        discounts=torch.full((batch,), 0.99),
        weights=torch.ones(batch),
        indices=torch.arange(batch),
    )


def test_actions_are_noisy_around_the_policy_and_clipped_to_the_box():
    agent = make_agent(exploration_noise=0.1)
    obs = np.zeros((5000, 3), np.float32)
    mean = agent.act(obs, noise=False)
    noisy = agent.act(obs)
    assert noisy.shape == (5000, 1) and noisy.dtype == np.float32
    assert (noisy - mean).std() == pytest.approx(0.1 * 2.0, rel=0.1)  # σ times the half-width
    loud = make_agent(exploration_noise=10.0).act(obs)
    assert loud.min() == -2.0 and loud.max() == 2.0
    warmup = agent.random_actions(5000)
    assert warmup.min() >= -2 and warmup.max() <= 2 and warmup.std() == pytest.approx(4 / 12**0.5, rel=0.05)


def test_update_steps_critic_then_actor_then_polyak_targets():
    agent = make_agent(tau=0.5, critic_lr=0.0, actor_lr=0.0)
    target_before = [p.clone() for p in agent.critic_target.parameters()]
    with torch.no_grad():
        for p in agent.critic.parameters():
            p.add_(1.0)
    batch = make_batch()
    with torch.no_grad():
        y = rules.ddpg_critic_target(batch.rewards, batch.next_obs, batch.terminated, batch.discounts,
                                     agent.actor_target, agent.critic_target)
        expected_loss = (agent.critic(batch.obs, batch.actions) - y).pow(2).mean()
    out = agent.update(batch)
    torch.testing.assert_close(out["critic_loss"], expected_loss)
    for before, online, after in zip(target_before, agent.critic.parameters(), agent.critic_target.parameters()):
        torch.testing.assert_close(after, 0.5 * online + 0.5 * before)


def test_student_rules_are_the_ones_used():
    calls = []
    agent = make_agent(
        critic_target_fn=lambda *args: (calls.append("target"), rules.ddpg_critic_target(*args))[1],
        actor_loss_fn=lambda *args: (calls.append("actor"), rules.ddpg_actor_loss(*args))[1],
        target_update_fn=lambda t, o, tau: calls.append(tau),
    )
    agent.update(make_batch())
    assert calls == ["target", "actor", 0.005, 0.005]


def test_state_dict_round_trip_continues_identically():
    a, b = make_agent(seed=0), make_agent(seed=5)
    a.update(make_batch(seed=1))
    b.load_state_dict(a.state_dict())
    outs = [(agent.update(make_batch(seed=2))["actor_loss"], agent.act(np.ones((3, 3), np.float32))) for agent in (a, b)]
    assert torch.equal(outs[0][0], outs[1][0]) and np.array_equal(outs[0][1], outs[1][1])


LEARNING = dict(total_steps=4_000, hidden=(64, 64), batch_size=64, learning_starts=1_000, eval_every=4_000,
                eval_episodes=5, progress=False, seed=1, threads=1)


def test_ddpg_learns_pendulum_quickly():
    result = train_ddpg(DDPGConfig(**LEARNING))
    assert result.eval_returns[-1] > -400, result.eval_returns  # a random policy scores about -1200


def test_ddpg_descending_q_does_not_learn_pendulum():
    def wrong_sign(obs, actor, critic):
        return -rules.ddpg_actor_loss(obs, actor, critic)

    result = train_ddpg(DDPGConfig(**LEARNING), actor_loss_fn=wrong_sign)
    assert result.eval_returns[-1] < -900, result.eval_returns
