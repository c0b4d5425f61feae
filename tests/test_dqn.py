"""The DQN agent: ε-greedy acting, one update step by hand, pluggable rules, learning CartPole."""

import numpy as np
import pytest
import torch

from qlab import rules
from qlab.agents import DQN
from qlab.networks import MLP, NatureCNN
from qlab.replay import Batch
from qlab.train import DQNConfig, train_dqn


def make_batch(batch=16, obs_dim=4, n_actions=2, seed=0):
    g = torch.Generator().manual_seed(seed)
    return Batch(
        obs=torch.randn(batch, obs_dim, generator=g),
        actions=torch.randint(0, n_actions, (batch,), generator=g),
        rewards=torch.randn(batch, generator=g),
        next_obs=torch.randn(batch, obs_dim, generator=g),
        terminated=(torch.rand(batch, generator=g) < 0.3).float(),
        discounts=torch.full((batch,), 0.9),
        weights=torch.ones(batch),
        indices=torch.arange(batch),
    )


class Exploding(torch.nn.Module):
    def forward(self, x):
        raise AssertionError("the forward pass should have been skipped")


def test_fully_random_actions_skip_the_forward_pass():
    agent = DQN(MLP(4, 3), n_actions=3, seed=0)
    agent.q_net = Exploding()
    actions = agent.act(np.zeros((1000, 4), np.float32), epsilon=1.0)
    assert actions.shape == (1000,) and set(actions) == {0, 1, 2}


def test_greedy_and_epsilon_greedy_actions():
    torch.manual_seed(0)
    agent = DQN(MLP(4, 3), n_actions=3, seed=0)
    obs = np.random.default_rng(0).normal(size=(2000, 4)).astype(np.float32)
    greedy = agent.q_net(torch.from_numpy(obs)).argmax(1).numpy()
    state = agent.rng.bit_generator.state
    assert np.array_equal(agent.act(obs, 0.0), greedy)
    assert agent.rng.bit_generator.state == state  # ε = 0 draws nothing
    differs = (agent.act(obs, 0.3) != greedy).mean()
    assert differs == pytest.approx(0.3 * 2 / 3, abs=0.04)  # a random action is greedy 1/3 of the time
    assert agent.act(obs.astype(np.float64)[:5], 0.0).shape == (5,)


def test_update_is_one_gradient_step_on_the_reference_loss():
    torch.manual_seed(0)
    q_net = MLP(4, 2, hidden=(16,))
    agent = DQN(q_net, n_actions=2, lr=0.1, max_grad_norm=None, target_update_every=1000)
    reference = MLP(4, 2, hidden=(16,))
    reference.load_state_dict(q_net.state_dict())
    batch = make_batch()
    with torch.no_grad():
        y = rules.dqn_target(batch.rewards, reference(batch.next_obs), batch.terminated, batch.discounts)
    q_values = reference(batch.obs)
    q = q_values.gather(1, batch.actions[:, None]).squeeze(1)
    loss = rules.dqn_td_loss(q_values, batch.actions, y)
    loss.backward()
    out = agent.update(batch)
    torch.testing.assert_close(out["loss"], loss.detach())
    torch.testing.assert_close(out["q_mean"], q.detach().mean())
    for p_ref, p in zip(reference.parameters(), agent.q_net.parameters()):
        # Adam's first step moves every weight by lr * sign(grad)
        torch.testing.assert_close(p.detach(), p_ref.detach() - 0.1 * torch.sign(p_ref.grad), atol=1e-5, rtol=0)
    assert all(p.grad is None for p in agent.target_net.parameters())


def test_hard_target_update_every_c_updates_and_polyak_every_update():
    torch.manual_seed(0)
    agent = DQN(MLP(4, 2, hidden=(8,)), n_actions=2, target_update="hard", target_update_every=3)
    initial = [p.clone() for p in agent.target_net.parameters()]
    for _ in range(2):
        agent.update(make_batch())
    assert all(torch.equal(a, b) for a, b in zip(initial, agent.target_net.parameters()))
    agent.update(make_batch())
    assert all(torch.equal(a, b) for a, b in zip(agent.q_net.parameters(), agent.target_net.parameters()))

    calls = []
    agent = DQN(MLP(4, 2, hidden=(8,)), n_actions=2, target_update="polyak", target_update_every=1, tau=0.3,
                target_update_fn=lambda target, online, tau: calls.append(tau))
    agent.update(make_batch())
    agent.update(make_batch())
    assert calls == [0.3, 0.3]


def test_student_rules_are_the_ones_used():
    seen = {}

    def my_double_target(rewards, next_q_online, next_q_target, terminated, gamma):
        seen["target"] = gamma
        return rules.double_dqn_target(rewards, next_q_online, next_q_target, terminated, gamma)

    def my_loss(q_values, actions, targets, kind="huber", weights=None):
        seen["loss"], seen["weights"] = kind, weights
        return rules.dqn_td_loss(q_values, actions, targets, kind, weights)

    agent = DQN(MLP(4, 2), n_actions=2, double=True, loss="mse", target_fn=my_double_target, loss_fn=my_loss)
    batch = make_batch()
    agent.update(batch)
    assert seen["loss"] == "mse" and torch.equal(seen["target"], batch.discounts)
    assert seen["weights"] is batch.weights


def test_a_loss_without_weights_is_called_without_them():
    seen = {}

    def unweighted_loss(q_values, actions, targets, kind="huber"):
        seen["shapes"] = (tuple(q_values.shape), tuple(actions.shape), tuple(targets.shape))
        return rules.dqn_td_loss(q_values, actions, targets, kind)

    DQN(MLP(4, 2), n_actions=2, loss_fn=unweighted_loss).update(make_batch(batch=16))
    assert seen["shapes"] == ((16, 2), (16,), (16,))


def test_state_dict_round_trip_continues_identically():
    torch.manual_seed(0)
    a = DQN(MLP(4, 2), n_actions=2, seed=3)
    a.update(make_batch(seed=1))
    a.act(np.zeros((4, 4), np.float32), 0.5)
    b = DQN(MLP(4, 2), n_actions=2, seed=99)
    b.load_state_dict(a.state_dict())
    for agent in (a, b):
        agent.out = agent.update(make_batch(seed=2))
        agent.actions = agent.act(np.ones((50, 4), np.float32), 0.5)
    assert torch.equal(a.out["loss"], b.out["loss"]) and np.array_equal(a.actions, b.actions)
    for p, q in zip(a.q_net.parameters(), b.q_net.parameters()):
        assert torch.equal(p, q)


def test_a_checkpoint_of_a_channels_first_network_continues_the_same_updates():
    """NatureCNN runs channels-last. A checkpoint of one laid out channels-first (qlab before that
    change) must go on with the same updates: fused Adam pairs its moments with the weights in
    memory order, so the loaded moments must take the new network's layout."""
    g = torch.Generator().manual_seed(0)
    frames = lambda: torch.randint(0, 256, (4, 4, 84, 84), dtype=torch.uint8, generator=g)  # noqa: E731
    batches = [Batch(obs=frames(), actions=torch.randint(0, 6, (4,), generator=g), rewards=torch.randn(4, generator=g),
                     next_obs=frames(), terminated=torch.zeros(4), discounts=torch.full((4,), 0.99),
                     weights=torch.ones(4), indices=torch.arange(4)) for _ in range(3)]
    torch.manual_seed(0)
    old_net = NatureCNN(6)
    old_net.features.to(memory_format=torch.contiguous_format)
    old = DQN(old_net, n_actions=6, lr=1e-3)
    for batch in batches[:2]:
        old.update(batch)
    new = DQN(NatureCNN(6), n_actions=6, lr=1e-3)
    new.load_state_dict(old.state_dict())
    conv = new.q_net.features[0]
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    assert new.optimizer.state[conv.weight]["exp_avg"].stride() == conv.weight.stride()
    for agent in (old, new):
        agent.update(batches[2])
    for p, q in zip(old.q_net.parameters(), new.q_net.parameters()):
        torch.testing.assert_close(p, q)  # the layouts round differently, by ~1e-8; a mispairing moves weights by ~lr


def test_bad_options_are_rejected():
    with pytest.raises(ValueError, match="target_update"):
        DQN(MLP(4, 2), 2, target_update="soft")
    with pytest.raises(ValueError, match="loss"):
        DQN(MLP(4, 2), 2, loss="l1")


# ---- learning: the tuned defaults solve CartPole fast; a broken target does not --------------------

LEARNING = dict(total_steps=10_000, eval_every=1_000, eval_episodes=5, stop_at_return=475, progress=False,
                seed=1, threads=1)


def test_dqn_solves_cartpole_within_10k_steps():
    result = train_dqn(DQNConfig(**LEARNING))
    assert result.eval_returns[-1] >= 475, result.eval_returns  # random play scores about 22
    assert result.eval_steps[-1] <= 8_000


def test_dqn_without_terminal_masking_does_not_solve_cartpole():
    def no_terminal_masking(rewards, next_q_online, next_q_target, terminated, gamma):
        return rules.double_dqn_target(rewards, next_q_online, next_q_target, torch.zeros_like(terminated), gamma)

    result = train_dqn(DQNConfig(**LEARNING), target_fn=no_terminal_masking)
    assert max(result.eval_returns) < 400, result.eval_returns
    assert result.eval_returns[-1] < 100, result.eval_returns  # and it ends up worse than where it started


def test_epsilon_schedules():
    from qlab.schedules import ExponentialSchedule, LinearSchedule, exponential_decay, linear_schedule

    assert [linear_schedule(t, 1.0, 0.1, 10) for t in (0, 5, 10, 50)] == pytest.approx([1.0, 0.55, 0.1, 0.1])
    assert LinearSchedule(1.0, 0.1, 10)(5) == linear_schedule(5, 1.0, 0.1, 10)
    assert linear_schedule(3, 1.0, 0.1, 0) == 0.1
    assert exponential_decay(2, 1.0, 0.0, 0.5) == pytest.approx(0.25)
    assert ExponentialSchedule(1.0, 0.1, 0.9)(10_000) == pytest.approx(0.1)
    with pytest.raises(ValueError, match="rate"):
        exponential_decay(1, 1.0, 0.1, 1.5)
