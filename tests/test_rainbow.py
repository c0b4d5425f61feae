"""Rainbow's pieces in the library (assignment 08's seams): the dueling head, the sum tree and
the prioritized buffer with replaceable rules, noisy layers, the categorical network and the
DQN agent's distributional and noisy options."""

import numpy as np
import pytest
import torch

from qlab.agents.dqn import DQN
from qlab.networks import DuelingQNetwork
from qlab.rainbow import prioritized
from qlab.rainbow.dueling import dueling_q
from qlab.rainbow.networks import NoisyLinear, RainbowQNetwork
from qlab.replay import PrioritizedReplayBuffer
from qlab.replay.prioritized import SumTree
from qlab.train.dqn import DQNConfig, train_dqn

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])


class Recorder:
    """Wraps a rule and counts its calls."""

    def __init__(self, fn):
        self.fn, self.calls = fn, 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        return self.fn(*args, **kwargs)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("dueling, noisy, n_atoms", [(False, False, None), (True, False, None), (False, True, None),
                                                     (False, False, 11), (True, True, 11)])
def test_rainbow_network_shapes_and_device(dueling, noisy, n_atoms, device):
    net = RainbowQNetwork(4, 3, hidden=(16, 8), dueling=dueling, noisy=noisy, n_atoms=n_atoms, v_min=-5, v_max=5,
                          seed=0, device=device)
    x = torch.randn(7, 4, device=device)
    q, logits = net(x), net.logits(x)
    assert q.shape == (7, 3) and q.device.type == device and q.dtype == torch.float32
    assert logits.shape == (7, 3, n_atoms or 1)
    if n_atoms:
        probs = net.probs(x)
        torch.testing.assert_close(probs.sum(dim=2), torch.ones(7, 3, device=device))
        assert net.support.device.type == device and net.support[0] == -5 and net.support[-1] == 5
        torch.testing.assert_close(q, (probs * net.support).sum(dim=2))
    else:
        torch.testing.assert_close(q, logits.squeeze(2))
    with pytest.raises(ValueError, match=r"expected \(batch, 4\)"):
        net(torch.zeros(7, 5, device=device))


def test_dueling_heads_aggregate_through_the_given_rule():
    recorded = Recorder(dueling_q)
    net = DuelingQNetwork(4, 3, hidden=(16,), head_hidden=8, aggregate_fn=recorded)
    x = torch.randn(5, 4)
    value, advantages = net.streams(x)
    torch.testing.assert_close(net(x), value + advantages - advantages.mean(dim=1, keepdim=True))
    assert recorded.calls == 1
    # C51 with dueling: one aggregation per atom, the mean over actions taken atom by atom
    net = RainbowQNetwork(4, 3, hidden=(16, 8), dueling=True, n_atoms=5, v_min=0, v_max=4, aggregate_fn=recorded)
    value, advantages = net.streams(x)
    assert value.shape == (5, 5) and advantages.shape == (5, 3, 5)
    expected = value[:, None, :] + advantages - advantages.mean(dim=1, keepdim=True)
    torch.testing.assert_close(net.logits(x), expected)
    assert recorded.calls == 2


def test_noisy_layer_resamples_in_training_and_is_noise_free_in_eval():
    layer = NoisyLinear(6, 4, sigma0=0.5, seed=1)
    x = torch.randn(3, 6)
    first = layer(x)
    layer.reset_noise()
    assert not torch.equal(first, layer(x)), "fresh noise must change the output in training"
    assert layer.weight_sigma.eq(0.5 / 6 ** 0.5).all()
    layer.eval()
    mean_output = x @ layer.weight_mu.T + layer.bias_mu
    torch.testing.assert_close(layer(x), mean_output)
    layer.reset_noise()
    torch.testing.assert_close(layer(x), mean_output)
    # gradient reaches μ and σ
    layer.train()
    layer(x).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in layer.parameters())


def test_noisy_layer_uses_the_given_rules_and_checks_their_shapes():
    from qlab.rainbow.noisy import noisy_init, noisy_linear

    forward, init = Recorder(noisy_linear), Recorder(noisy_init)
    layer = NoisyLinear(5, 2, forward_fn=forward, init_fn=init, seed=0)
    layer(torch.randn(4, 5))
    assert (forward.calls, init.calls) == (1, 1)
    with pytest.raises(ValueError, match=r"init_fn returned weight_mu of shape \(5, 2\); expected \(2, 5\)"):
        NoisyLinear(5, 2, init_fn=lambda p, q, s, rng: (torch.zeros(p, q), torch.zeros(q, p), torch.zeros(q),
                                                        torch.zeros(q)))


def test_agent_resamples_noise_every_step_and_evaluates_without_it():
    net = RainbowQNetwork(4, 2, hidden=(16, 16), noisy=True, seed=0)
    agent = DQN(net, 2, seed=0)
    obs = np.zeros((1, 4), dtype=np.float32)
    seen = set()
    for _ in range(5):
        agent.act(obs, 0.0)
        seen.add(tuple(net.head[0].eps_in.tolist()))
    assert len(seen) == 5, "act must draw fresh noise at every step"
    net.eval()
    eps = net.head[0].eps_in.clone()
    agent.act(obs, 0.0)
    assert torch.equal(eps, net.head[0].eps_in), "no noise is drawn in eval mode"
    # the target network draws from streams of its own
    agent.target_net.reset_noise()
    net.train()
    net.reset_noise()
    assert not torch.equal(agent.target_net.head[0].eps_in, net.head[0].eps_in)


@pytest.mark.parametrize("capacity", [1, 5, 8, 13])
def test_sum_tree_with_the_rules_matches_the_vectorised_tree(capacity):
    rng = np.random.default_rng(capacity)
    update, find = Recorder(prioritized.sum_tree_update), Recorder(prioritized.sum_tree_find)
    fast, seams = SumTree(capacity), SumTree(capacity, update_fn=update, find_fn=find)
    for _ in range(3):
        index = rng.choice(capacity, size=max(1, capacity // 2), replace=False)
        values = rng.random(len(index))
        values[rng.random(len(index)) < 0.3] = 0.0  # empty leaves: never found
        fast.set(index, values)
        seams.set(index, values)
    fast.set_one(capacity - 1, 0.5)
    seams.set_one(capacity - 1, 0.5)
    np.testing.assert_allclose(seams.nodes, fast.nodes)
    prefix = rng.random(64) * fast.total
    np.testing.assert_array_equal(seams.find(prefix), fast.find(prefix))
    assert update.calls > 0 and find.calls == 64


def test_prioritized_buffer_sets_priorities_and_weights_through_the_rules():
    priorities, weights = Recorder(prioritized.td_priorities), Recorder(prioritized.importance_weights)
    buffer = PrioritizedReplayBuffer(16, (2,), seed=0, alpha=0.5, beta=0.4, priorities_fn=priorities,
                                     weights_fn=weights, tree_update_fn=prioritized.sum_tree_update,
                                     tree_find_fn=prioritized.sum_tree_find)
    for i in range(10):
        buffer.add(np.full(2, i, np.float32), i % 2, 1.0, np.full(2, i + 1, np.float32), False, False)
    batch = buffer.sample(4)
    assert weights.calls == 1 and batch.weights.max().item() == pytest.approx(1.0)
    td = torch.tensor([3.0, -1.0, 0.0, 0.5])
    buffer.update_priorities(batch.indices, td)
    assert priorities.calls == 1
    expected = (td.double().abs() + buffer.eps) ** 0.5
    np.testing.assert_allclose(buffer.tree.get(batch.indices.numpy()), expected.numpy())
    buffer.priorities_fn = lambda td_errors, alpha, eps: td_errors ** 2  # forgets ε: p = 0 for δ = 0
    with pytest.raises(ValueError, match="one positive priority per TD error"):
        buffer.update_priorities([0], [0.0])


def test_training_loop_calls_every_rule(tmp_path):
    rules = {name: Recorder(getattr(prioritized, name)) for name in
             ("sum_tree_update", "sum_tree_find", "td_priorities", "importance_weights")}
    aggregate = Recorder(dueling_q)
    cfg = DQNConfig(total_steps=300, learning_starts=200, batch_size=16, buffer_size=300, n_step=1, hidden=(16, 16),
                    dueling=True, noisy=True, prioritized=True, distributional=True, n_atoms=11, eval_every=0,
                    tensorboard=False, progress=False, threads=1)
    result = train_dqn(cfg, aggregate_fn=aggregate, tree_update_fn=rules["sum_tree_update"],
                       tree_find_fn=rules["sum_tree_find"], priorities_fn=rules["td_priorities"],
                       weights_fn=rules["importance_weights"])
    assert isinstance(result.agent.q_net, RainbowQNetwork) and result.agent.noisy and result.agent.distributional
    assert all(rule.calls > 0 for rule in rules.values()) and aggregate.calls > 0
    assert rules["importance_weights"].calls == rules["td_priorities"].calls == result.agent.n_updates == 100


def _skips_the_bellman_shift(rewards, next_probs, terminated, gamma, support):
    """A "projection" that hands back p(s', a*) unmoved: no r, no γ, no terminal mask."""
    best = (next_probs * support).sum(dim=2).argmax(dim=1)
    return next_probs[torch.arange(len(rewards)), best]


@pytest.mark.parametrize("target_fn, learns", [(None, True), (_skips_the_bellman_shift, False)],
                         ids=["reference", "no-bellman-shift"])
def test_c51_agent_learns_cartpole_unless_the_projection_is_broken(target_fn, learns):
    """A fixed seed and budget (1,500 steps): the reference projection balances the pole for 100+
    steps; without the shift r + γ(1 − d) z the distributions learn nothing about the return."""
    cfg = DQNConfig(total_steps=1_500, seed=1, hidden=(64, 64), n_step=3, learning_starts=300, buffer_size=1_500,
                    batch_size=64, eps_decay_steps=750, eval_every=1_500, eval_episodes=3, distributional=True,
                    n_atoms=51, v_min=0.0, v_max=100.0, tensorboard=False, progress=False, threads=1)
    result = train_dqn(cfg, target_fn=target_fn)
    if learns:
        assert result.eval_returns[-1] >= 100, result.eval_returns
    else:
        assert result.eval_returns[-1] < 40, result.eval_returns
