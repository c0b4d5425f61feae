"""Random shooting and CEM find the best action of a critic whose maximiser is known; NAF's
quadratic critic peaks where it says."""

import numpy as np
import pytest
import torch

from qlab.continuous import NAFCritic, QuadraticCritic, cross_entropy_method, random_shooting

LOW, HIGH = np.array([-2.0, -1.0]), np.array([2.0, 1.0])


@pytest.fixture
def problem():
    critic = QuadraticCritic(np.array([[0.5, -1.0, 0.2], [1.0, 0.3, -0.4]]), LOW, HIGH)
    obs = torch.tensor(np.random.default_rng(0).uniform(-3, 3, (16, 3)))
    return critic, obs


def gap(critic, obs, actions):
    return (critic(obs, critic.best_action(obs)) - critic(obs, actions)).max().item()


def test_random_shooting_stays_in_the_box_and_gets_close(problem):
    """A gap above 0.2 needs all 2000 samples outside a quarter disc of radius √0.2 around the
    best action (area ≥ π·0.2/4 of the box's 8): probability ≤ 16 (1 − 0.0196)^2000 < 1e-15."""
    critic, obs = problem
    actions = random_shooting(critic, obs, LOW, HIGH, 2000, np.random.default_rng(1))
    assert actions.shape == (16, 2) and actions.dtype == obs.dtype
    assert bool(((actions >= torch.tensor(LOW)) & (actions <= torch.tensor(HIGH))).all())
    assert gap(critic, obs, actions) < 0.2


def test_cem_beats_random_shooting_with_the_same_samples(problem):
    critic, obs = problem
    cem = cross_entropy_method(critic, obs, LOW, HIGH, 64, 6, 10, np.random.default_rng(1))
    shooting = random_shooting(critic, obs, LOW, HIGH, 640, np.random.default_rng(1))
    assert bool(((cem >= torch.tensor(LOW)) & (cem <= torch.tensor(HIGH))).all())
    assert gap(critic, obs, cem) < 1e-2 < gap(critic, obs, shooting)


def test_same_generator_state_same_actions(problem):
    critic, obs = problem
    first = cross_entropy_method(critic, obs, LOW, HIGH, 32, 4, 3, np.random.default_rng(7))
    again = cross_entropy_method(critic, obs, LOW, HIGH, 32, 4, 3, np.random.default_rng(7))
    assert torch.equal(first, again)


def test_bad_box_and_elites_are_refused(problem):
    critic, obs = problem
    with pytest.raises(ValueError, match="low < high"):
        random_shooting(critic, obs, HIGH, LOW, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="n_elites"):
        cross_entropy_method(critic, obs, LOW, HIGH, 10, 20, 2, np.random.default_rng(0))


@pytest.mark.parametrize("act_dim", [1, 3])
def test_naf_critic_peaks_at_its_best_action_with_its_value(act_dim):
    torch.manual_seed(0)
    low, high = -np.arange(1, act_dim + 1, dtype=float), np.arange(1, act_dim + 1, dtype=float) * 2
    naf = NAFCritic(4, low, high, hidden=(16,))
    obs = torch.randn(32, 4)
    value, mu, precision = naf.heads(obs)
    assert value.shape == (32,) and mu.shape == (32, act_dim) and precision.shape == (32, act_dim, act_dim)
    assert bool(((mu > torch.tensor(low, dtype=torch.float32)) & (mu < torch.tensor(high, dtype=torch.float32))).all())
    assert bool((torch.linalg.eigvalsh(precision) > 0).all())       # P positive definite
    torch.testing.assert_close(naf(obs, mu), value)                   # max_a Q(s, a) = V(s), at μ(s)
    others = mu + torch.randn(32, act_dim)
    assert bool((naf(obs, others) < value).all())
    by_hand = value - 0.5 * torch.einsum("bi,bij,bj->b", others - mu, precision, others - mu)
    torch.testing.assert_close(naf(obs, others), by_hand)


def test_naf_critic_learns_through_every_head_and_refuses_a_wrong_input():
    torch.manual_seed(0)
    naf = NAFCritic(3, [-2.0], [2.0], hidden=(8,))
    naf(torch.randn(5, 3), torch.randn(5, 1)).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in naf.parameters())
    with pytest.raises(ValueError, match=r"shape \(5, 4\); expected \(batch, 3\)"):
        naf.value(torch.randn(5, 4))
    with pytest.raises(ValueError, match="low < high"):
        NAFCritic(3, [1.0], [1.0])
