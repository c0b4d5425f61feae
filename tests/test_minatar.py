"""MinAtar as gymnasium environments (qlab.envs.minatar) and the MinAtar paper's network."""

import gymnasium as gym
import numpy as np
import pytest
import torch
from gymnasium.utils.env_checker import check_env

import qlab.envs  # noqa: F401 - registers qlab/MinAtar-<Game>-v0
from qlab.envs.minatar import GAMES, MinAtar
from qlab.networks import MinAtarCNN
from qlab.train.dqn import make_q_network

pytest.importorskip("minatar")


@pytest.mark.parametrize("game", sorted(GAMES))
def test_every_game_passes_gymnasiums_checker(game):
    env = gym.make(f"qlab/MinAtar-{game}-v0")
    check_env(env.unwrapped)
    obs, _ = env.reset(seed=0)
    assert obs.dtype == np.uint8 and obs.shape[1:] == (10, 10) and set(np.unique(obs)) <= {0, 1}


def test_same_seed_same_game():
    def play(seed):
        env = gym.make("qlab/MinAtar-Breakout-v0")
        obs, _ = env.reset(seed=seed)
        frames = [obs]
        for t in range(200):
            obs, reward, terminated, truncated, _ = env.step(t % 3)
            frames.append(obs)
            if terminated:
                obs, _ = env.reset()
        return np.stack(frames)

    assert np.array_equal(play(3), play(3))
    assert not np.array_equal(play(3), play(4))


def test_breakout_screen_channels_and_picture():
    env = MinAtar("Breakout", render_mode="rgb_array")
    obs, _ = env.reset(seed=0)
    paddle, ball, trail, bricks = obs
    assert paddle.sum() == 1 and ball.sum() == 1 and bricks[1:4].all()
    picture = env.render()
    assert picture.shape == (160, 160, 3) and picture.dtype == np.uint8
    assert env.action_space.n == 3  # the minimal action set: no-op, left, right


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="game must be one of"):
        MinAtar("Pong")
    with pytest.raises(ValueError, match="sticky_action_prob"):
        MinAtar("Breakout", sticky_action_prob=2.0)


def test_the_network_checks_its_input_and_dqn_picks_it():
    net = make_q_network("qlab/MinAtar-Breakout-v0", (4, 10, 10), 3)
    assert isinstance(net, MinAtarCNN)
    assert net(torch.zeros(5, 4, 10, 10, dtype=torch.uint8)).shape == (5, 3)
    with pytest.raises(ValueError, match=r"expected \(batch, 4, 10, 10\)"):
        net(torch.zeros(5, 10, 10, 4, dtype=torch.uint8))
    dueling = make_q_network("qlab/MinAtar-Breakout-v0", (4, 10, 10), 3, dueling=True)
    assert dueling(torch.ones(2, 4, 10, 10, dtype=torch.uint8)).shape == (2, 3)


@pytest.mark.slow
def test_dqn_learns_breakout_from_its_pixels():
    """06's CPU track, shorter: 10,000 steps of qlab's DQN lift MinAtar Breakout's greedy score
    far above a random policy's (about 0.2 points per game); a DQN that does not learn stays there."""
    from qlab.train.dqn import DQNConfig, train_dqn

    config = DQNConfig(env_id="qlab/MinAtar-Breakout-v0", total_steps=10_000, seed=1, lr=1e-3, double=True, n_step=3,
                       target_update="hard", target_update_every=500, buffer_size=100_000, batch_size=32,
                       learning_starts=1_000, train_every=2, eps_decay_steps=10_000, eval_every=10_000,
                       eval_episodes=10, out=None, tensorboard=False, progress=False)
    result = train_dqn(config)
    assert result.eval_returns[-1] >= 2.0, result.eval_returns
