"""Random shooting and CEM find the best action of a critic whose maximiser is known."""

import numpy as np
import pytest
import torch

from qlab.continuous import QuadraticCritic, cross_entropy_method, random_shooting

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

