"""Soft Actor-Critic: the squashed-Gaussian actor's density, one update by hand, the temperature's
direction, the rule seams, bit-exact resume, learning Pendulum (and not, with a broken rule),
and the command line."""

import numpy as np
import pytest
import torch
from torch.distributions import AffineTransform, Normal, TanhTransform, TransformedDistribution

from qlab import rules, soft
from qlab.__main__ import main
from qlab.agents import SAC
from qlab.networks import DDPGCritic, SquashedGaussianActor
from qlab.replay import Batch
from qlab.train import SACConfig, load_checkpoint, read_csv, train_sac

DEVICES = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
LOW, HIGH = [-2.0, 0.0], [2.0, 1.0]      # a box whose half-widths differ: 2 and 0.5


def make_agent(seed=0, device="cpu", **kwargs):
    torch.manual_seed(seed)
    actor = SquashedGaussianActor(3, LOW, HIGH, hidden=(16, 16), device=device)
    critics = [DDPGCritic(3, 2, hidden=(16, 16), device=device) for _ in range(2)]
    return SAC(actor, critics, seed=seed, device=device, **kwargs)


def make_batch(batch=32, seed=0, device="cpu"):
    g = torch.Generator().manual_seed(seed)
    return Batch(
        obs=torch.randn(batch, 3, generator=g).to(device),
        actions=(torch.rand(batch, 2, generator=g) * torch.tensor([4.0, 1.0]) + torch.tensor([-2.0, 0.0])).to(device),
        rewards=torch.randn(batch, generator=g).to(device),
        next_obs=torch.randn(batch, 3, generator=g).to(device),
        terminated=(torch.rand(batch, generator=g) < 0.2).to(device),
        discounts=torch.full((batch,), 0.99, device=device),
        weights=torch.ones(batch, device=device),
        indices=torch.arange(batch, device=device),
    )


@pytest.mark.parametrize("device", DEVICES)
def test_shapes_devices_and_actions_inside_the_box(device):
    agent = make_agent(device=device)
    obs = torch.randn(5, 3, device=device)
    mean, log_std = agent.actor(obs)
    assert mean.shape == log_std.shape == (5, 2) and mean.device.type == device
    action, log_prob = agent.policy(obs)
    assert action.shape == (5, 2) and log_prob.shape == (5,) and log_prob.device.type == device
    acted = agent.act(np.zeros((1000, 3), np.float32))
    assert acted.shape == (1000, 2) and acted.dtype == np.float32
    assert np.all(acted > LOW) and np.all(acted < HIGH) and acted.std(axis=0).min() > 0.05
    greedy = agent.act(np.ones((4, 3), np.float32), deterministic=True)
    with torch.no_grad():
        mean, _ = agent.actor(torch.ones(4, 3, device=device))
        expected = torch.tensor([0.0, 0.5], device=device) + torch.tensor([2.0, 0.5], device=device) * mean.tanh()
    np.testing.assert_allclose(greedy, expected.cpu().numpy(), rtol=1e-6)
    assert np.array_equal(greedy, agent.act(np.ones((4, 3), np.float32), deterministic=True))
    warmup = agent.random_actions(4000)
    assert np.all(warmup >= LOW) and np.all(warmup <= HIGH)
    np.testing.assert_allclose(warmup.mean(axis=0), [0.0, 0.5], atol=0.05)


def test_log_std_is_clamped_and_the_input_checked():
    actor = SquashedGaussianActor(3, LOW, HIGH, hidden=(8,), log_std_min=-3.0, log_std_max=1.0)
    with torch.no_grad():
        actor.log_std_head.bias.fill_(100.0)
    assert actor(torch.randn(4, 3))[1].max().item() == 1.0
    with pytest.raises(ValueError, match=r"input has shape \(4, 2\); expected \(batch, 3\)"):
        actor(torch.randn(4, 2))
    with pytest.raises(ValueError, match="need act_low < act_high"):
        SquashedGaussianActor(3, [1.0], [1.0])
    with pytest.raises(ValueError, match=r"squash returned .* shape \(4, 1\); expected \(4, 2\) and \(4,\)"):
        actor.sample(torch.randn(4, 3), torch.randn(4, 2), lambda m, s, e: (m.tanh(), (m + s)[:, :1]))


def test_log_prob_is_the_density_of_the_action_in_the_box():
    """log π(a|s) of the scaled action equals torch's own tanh-then-affine transformed Gaussian,
    and exp(log π) integrates to 1 over the box (the −Σ log h correction is there)."""
    actor = SquashedGaussianActor(3, LOW, HIGH, hidden=(16,))
    obs = torch.randn(6, 3)
    noise = torch.randn(6, 2)
    action, log_prob = actor.sample(obs, noise)
    mean, log_std = actor(obs)
    center, scale = torch.tensor([0.0, 0.5]), torch.tensor([2.0, 0.5])
    reference = TransformedDistribution(Normal(mean, log_std.exp()), [TanhTransform(), AffineTransform(center, scale)])
    torch.testing.assert_close(log_prob, reference.log_prob(action).sum(-1), rtol=1e-4, atol=1e-4)

    one = SquashedGaussianActor(1, [-2.0], [2.0], hidden=(4,))   # one dimension: integrate on a grid of u
    with torch.no_grad():
        one.mean_head.weight.zero_(), one.mean_head.bias.fill_(0.3)
        one.log_std_head.weight.zero_(), one.log_std_head.bias.fill_(-0.5)
    u = torch.linspace(-8, 8, 200_001, dtype=torch.float64)
    noise = ((u - 0.3) / np.exp(-0.5)).float()[:, None]
    action, log_prob = one.sample(torch.zeros(len(u), 1), noise)
    density, a = log_prob.double().exp(), action[:, 0].double()
    assert torch.trapezoid(density, a).item() == pytest.approx(1.0, abs=2e-3)


def test_gradient_reaches_mean_and_log_std_through_the_sample():
    actor = SquashedGaussianActor(3, LOW, HIGH, hidden=(8,))
    action, log_prob = actor.sample(torch.randn(5, 3), torch.randn(5, 2))
    (action.sum() + log_prob.sum()).backward()
    assert actor.mean_head.weight.grad.abs().sum() > 0 and actor.log_std_head.weight.grad.abs().sum() > 0


def test_update_steps_critics_then_actor_then_temperature_then_targets():
    agent = make_agent(tau=0.5, critic_lr=0.0, actor_lr=0.0, alpha_lr=0.0)
    targets_before = [p.clone() for p in agent.critic_targets.parameters()]
    with torch.no_grad():
        for p in agent.critics.parameters():
            p.add_(0.5)
    batch = make_batch()
    generator_state = agent.generator.get_state()
    with torch.no_grad():
        y = soft.sac_critic_target(batch.rewards, batch.next_obs, batch.terminated, batch.discounts, agent.alpha,
                                   agent.policy, tuple(agent.critic_targets))
        expected = sum((critic(batch.obs, batch.actions) - y).pow(2).mean() for critic in agent.critics)
    agent.generator.set_state(generator_state)          # the update draws a' with the same noise
    out = agent.update(batch)
    torch.testing.assert_close(out["critic_loss"], expected)
    assert set(out) == {"critic_loss", "actor_loss", "q_mean", "entropy", "alpha", "alpha_loss"}
    online = list(agent.critics.parameters())
    for before, theta, after in zip(targets_before, online, agent.critic_targets.parameters()):
        torch.testing.assert_close(after, 0.5 * theta + 0.5 * before)
    assert all(p.requires_grad for p in online) and not any(p.requires_grad for p in agent.critic_targets.parameters())


def test_student_rules_are_the_ones_used_in_order():
    calls = []

    def traced(name, rule):
        def call(*args):
            calls.append(name)
            return rule(*args)
        return call

    agent = make_agent(
        squash_fn=traced("squash", soft.squashed_gaussian),
        critic_target_fn=traced("target", soft.sac_critic_target),
        actor_loss_fn=traced("actor", soft.sac_actor_loss),
        temperature_loss_fn=traced("temperature", soft.sac_temperature_loss),
        target_update_fn=lambda target, online, tau: calls.append(tau),
    )
    agent.update(make_batch())
    assert calls == ["target", "squash", "actor", "squash", "squash", "temperature", 0.005, 0.005]


def test_the_actor_step_adds_nothing_to_the_critics_gradients():
    agent = make_agent()
    step, seen = agent.critic_optimizer.step, []
    agent.critic_optimizer.step = lambda: (seen.append([p.grad.clone() for p in agent.critics.parameters()]), step())
    agent.update(make_batch())
    assert all(torch.equal(g, p.grad) for g, p in zip(seen[0], agent.critics.parameters()))
    assert all(p.grad is not None for p in agent.actor.parameters())


@pytest.mark.parametrize("target_entropy, direction", [(5.0, 1), (-20.0, -1)])
def test_alpha_rises_when_the_entropy_is_below_target_and_falls_above(target_entropy, direction):
    agent = make_agent(alpha=0.2, alpha_lr=1e-2, target_entropy=target_entropy)
    for seed in range(20):
        out = agent.update(make_batch(seed=seed))
    entropy = out["entropy"].item()
    assert (entropy < target_entropy) == (direction > 0)
    assert np.sign(agent.alpha.item() - 0.2) == direction, agent.alpha.item()


def test_fixed_alpha_stays_fixed_and_needs_no_temperature_rule():
    agent = make_agent(alpha=0.05, learn_alpha=False, temperature_loss_fn=lambda *args: 1 / 0)
    out = agent.update(make_batch())
    assert agent.alpha.item() == pytest.approx(0.05) and "alpha_loss" not in out
    with pytest.raises(ValueError, match="alpha .* must be > 0, got 0"):
        make_agent(alpha=0.0)


def test_state_dict_round_trip_continues_identically():
    a, b = make_agent(seed=0), make_agent(seed=5, alpha=1.0)
    a.update(make_batch(seed=1))
    b.load_state_dict(a.state_dict())
    outs = [(agent.update(make_batch(seed=2)), agent.act(np.ones((3, 3), np.float32))) for agent in (a, b)]
    for key in outs[0][0]:
        assert torch.equal(outs[0][0][key], outs[1][0][key]), key
    assert np.array_equal(outs[0][1], outs[1][1]) and a.alpha.item() == b.alpha.item()


def test_resume_is_bit_exact(tmp_path):
    def config(out, total):
        return SACConfig(total_steps=total, hidden=(32, 32), batch_size=32, learning_starts=200, eval_every=300,
                         eval_episodes=1, log_every=100, save_buffer=True, tensorboard=False, progress=False,
                         threads=1, seed=2, out=str(out))

    straight = train_sac(config(tmp_path / "straight", 600))
    train_sac(config(tmp_path / "split", 300))
    resumed = train_sac(config(tmp_path / "split", 600), resume=tmp_path / "split" / "checkpoint.pt")
    for name in ("actor", "critics", "critic_targets"):
        for (key, x), y in zip(getattr(straight.agent, name).state_dict().items(),
                               getattr(resumed.agent, name).state_dict().values()):
            assert torch.equal(x, y), f"{name}.{key} differs"
    assert straight.agent.log_alpha.item() == resumed.agent.log_alpha.item()
    for table in ("train", "eval", "episodes"):
        assert (tmp_path / "straight" / f"{table}.csv").read_text() == (tmp_path / "split" / f"{table}.csv").read_text()
    log = read_csv(tmp_path / "split" / "train.csv")
    assert {"entropy", "alpha", "alpha_loss"} <= set(log) and len(log["step"]) == 4
    assert load_checkpoint(tmp_path / "split" / "checkpoint.pt")["algo"] == "sac"


LEARNING = dict(total_steps=4_000, hidden=(64, 64), batch_size=64, learning_starts=1_000, eval_every=4_000,
                eval_episodes=5, progress=False, seed=1, threads=1, tensorboard=False)


def test_sac_learns_pendulum_quickly():
    result = train_sac(SACConfig(**LEARNING))
    assert result.eval_returns[-1] > -400, result.eval_returns  # a random policy scores about -1200


def test_sac_with_the_actor_loss_sign_flipped_does_not_learn_pendulum():
    def wrong_sign(obs, policy, critics, alpha):   # ascends α log π − min Q: runs from the critics' best actions
        return -soft.sac_actor_loss(obs, policy, critics, alpha)

    result = train_sac(SACConfig(**LEARNING), actor_loss_fn=wrong_sign)
    assert result.eval_returns[-1] < -900, result.eval_returns


TINY = ["--total-steps", "300", "--learning-starts", "100", "--batch-size", "16", "--eval-every", "150",
        "--eval-episodes", "1", "--hidden", "16", "--no-progress", "--no-tensorboard", "--threads", "1"]


def test_command_line_trains_resumes_and_evaluates_sac(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["train", "sac", *TINY, "--alpha", "0.1", "--no-learn-alpha", "--log-every", "50"]) == 0
    out = tmp_path / "runs" / "sac_Pendulum-v1_seed1"
    assert main(["train", "sac", "--resume", str(out / "checkpoint.pt"), "--total-steps", "450"]) == 0
    log = read_csv(out / "train.csv")
    assert log["alpha"] == pytest.approx([0.1] * len(log["alpha"])) and "alpha_loss" not in log
    assert load_checkpoint(out / "checkpoint.pt")["step"] == 450
    capsys.readouterr()
    assert main(["eval", str(out / "best.pt"), "--episodes", "1"]) == 0
    assert capsys.readouterr().out.startswith("sac Pendulum-v1 step ")
