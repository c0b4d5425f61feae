"""qlab.envs.atari: the DQN preprocessing on real ALE ROMs, and replay of its real frame stacks."""

import gymnasium as gym
import numpy as np
import pytest
import torch

pytest.importorskip("ale_py", reason="the atari extra (ale-py, opencv) is not installed")
cv2 = pytest.importorskip("cv2")

from qlab.envs.atari import make_atari_env, make_atari_vector_env  # noqa: E402
from qlab.replay import AtariReplayBuffer  # noqa: E402


def play(env, steps, seed):
    """Random play for ``steps`` steps, resetting at episode ends; yields (obs, a, r, next_obs, term, trunc, info)."""
    rng = np.random.default_rng(seed)
    obs, _ = env.reset()
    for _ in range(steps):
        action = int(rng.integers(env.action_space.n))
        next_obs, reward, terminated, truncated, info = env.step(action)
        yield obs, action, reward, next_obs, terminated, truncated, info
        obs = env.reset()[0] if terminated or truncated else next_obs


@pytest.mark.parametrize("env_id, actions", [("ALE/Pong-v5", 6), ("ALE/Breakout-v5", 4)])
def test_observations_are_stacked_84x84_uint8(env_id, actions):
    env = make_atari_env(env_id, seed=0)
    obs, _ = env.reset()
    assert obs.shape == (4, 84, 84) and obs.dtype == np.uint8
    assert env.observation_space == gym.spaces.Box(0, 255, (4, 84, 84), np.uint8)
    assert env.action_space == gym.spaces.Discrete(actions)
    assert all((obs[i] == obs[-1]).all() for i in range(3)), "a fresh stack repeats its first frame"
    for obs, _, reward, next_obs, *_ in play(env, 20, seed=0):
        assert next_obs.shape == (4, 84, 84) and next_obs.dtype == np.uint8
        assert reward in (-1.0, 0.0, 1.0)


def test_same_seed_same_trajectory():
    runs = [list(play(make_atari_env("ALE/Breakout-v5", seed=7), 60, seed=1)) for _ in range(2)]
    for a, b in zip(*runs):
        np.testing.assert_array_equal(a[3], b[3])
        assert a[2:3] == b[2:3] and a[4:6] == b[4:6]
    other = list(play(make_atari_env("ALE/Breakout-v5", seed=8), 60, seed=1))
    assert any(not np.array_equal(a[3], b[3]) for a, b in zip(runs[0], other)), "another seed, another game"


def test_newest_frame_is_last_and_is_the_preprocessed_screen():
    env = make_atari_env("ALE/Breakout-v5", seed=0, frame_skip=1, noop_max=0)
    ale = env.unwrapped.ale
    screen = lambda: cv2.resize(ale.getScreenGrayscale(), (84, 84), interpolation=cv2.INTER_AREA)  # noqa: E731
    obs, _ = env.reset()
    np.testing.assert_array_equal(obs[-1], screen())
    for prev, _, _, obs, terminated, truncated, _ in play(env, 40, seed=0):
        np.testing.assert_array_equal(obs[-1], screen())
        if not (terminated or truncated):
            np.testing.assert_array_equal(obs[:-1], prev[1:])


def test_life_loss_terminates_but_only_game_over_resets_the_game():
    env = make_atari_env("ALE/Breakout-v5", seed=3)
    env.reset()
    lives_seen, game_overs = [], 0
    for _, _, _, _, terminated, truncated, info in play(env, 400, seed=3):
        if terminated:
            lives_seen.append(info["lives"])
            game_overs += "episode" in info
            if info["lives"] > 0:
                assert "episode" not in info, "a lost life is not the end of the game"
    assert lives_seen[:5] == [4, 3, 2, 1, 0], "each lost life ends a training episode, in one game"
    assert game_overs >= 1 and lives_seen[5] == 4, "after game over a new game starts with all lives"

    env = make_atari_env("ALE/Breakout-v5", seed=3, terminal_on_life_loss=False)
    lives = [info["lives"] for *_, terminated, _, info in play(env, 150, seed=3) if terminated]
    assert all(life == 0 for life in lives)


def scaled_rewards(env):
    """Make the game pay 7r − 1 per frame, so rewards are large and negative too."""
    game = env.unwrapped
    step = game.step

    def scaled(action):
        obs, reward, *rest = step(action)
        return (obs, 7 * reward - 1, *rest)

    game.step = scaled
    return env


def test_rewards_are_clipped_to_their_sign():
    raw = list(play(scaled_rewards(make_atari_env("ALE/Breakout-v5", seed=5, clip_rewards=False)), 300, seed=5))
    clipped = list(play(scaled_rewards(make_atari_env("ALE/Breakout-v5", seed=5)), 300, seed=5))
    raw_r, clipped_r = np.array([t[2] for t in raw]), np.array([t[2] for t in clipped])
    assert np.any(raw_r > 1) and np.any(raw_r < -1)
    np.testing.assert_array_equal(clipped_r, np.sign(raw_r))


def test_replay_rebuilds_the_real_stacks():
    env = make_atari_env("ALE/Breakout-v5", seed=11)
    buf = AtariReplayBuffer(150, seed=0)  # 250 steps: the ring wraps
    truth = {}
    for obs, action, reward, next_obs, terminated, truncated, _ in play(env, 250, seed=11):
        buf.add(obs, action, reward, next_obs, terminated, truncated)
        truth.setdefault(obs.tobytes(), []).append((action, reward, next_obs.tobytes(), float(terminated)))
    assert 0 < len(buf) <= 150
    for _ in range(20):
        batch = buf.sample(32)
        assert batch.obs.shape == (32, 4, 84, 84) and batch.obs.dtype == torch.uint8
        for row in range(32):
            candidates = truth[batch.obs[row].numpy().tobytes()]
            got = (batch.actions[row].item(), batch.rewards[row].item(), batch.next_obs[row].numpy().tobytes(),
                   batch.terminated[row].item())
            assert got in candidates


def test_vector_env_keeps_the_real_final_obs():
    envs = make_atari_vector_env("ALE/Breakout-v5", num_envs=2, seed=0)
    obs, _ = envs.reset()
    assert obs.shape == (2, 4, 84, 84) and obs.dtype == np.uint8
    buf = AtariReplayBuffer(400, num_envs=2, seed=0)
    ended = 0
    for _ in range(60):
        actions = envs.action_space.sample()
        next_obs, rewards, terminated, truncated, info = envs.step(actions)
        real_next = next_obs.copy()
        for i in np.flatnonzero(terminated | truncated):
            real_next[i] = info["final_obs"][i]
            assert all((next_obs[i][k] == next_obs[i][-1]).all() for k in range(3)), "autoreset gave a fresh stack"
            ended += 1
        buf.add_batch(obs, actions, rewards, real_next, terminated, truncated)
        obs = next_obs
    assert ended >= 1
    assert buf.sample(16).obs.shape == (16, 4, 84, 84)


class RecordActions(gym.Wrapper):
    """Remembers the actions passed down to the game."""

    def __init__(self, env):
        super().__init__(env)
        self.actions = []

    def step(self, action):
        self.actions.append(int(action))
        return self.env.step(action)


def test_fire_reset_presses_fire_then_action_2_as_baselines_does():
    from qlab.envs.atari import FIRE, FinalScreen, FireReset

    game = RecordActions(FinalScreen(gym.make("ALE/Breakout-v5", frameskip=1, repeat_action_probability=0.0),
                                     noop_max=0))
    env = FireReset(game)
    env.reset(seed=0)
    assert game.actions == [FIRE, 2]


def test_a_truncated_episode_ends_on_its_real_last_screen():
    """ALE truncates at max_episode_frames; the final observation must show that last screen,
    not the previous step's (gymnasium's AtariPreprocessing returns the stale one)."""
    env = make_atari_env("ALE/Pong-v5", seed=0, max_episode_frames=400, terminal_on_life_loss=False,
                         clip_rewards=False, noop_max=0)
    truncated, steps = False, 0
    while not truncated:
        obs, _, terminated, truncated, _ = env.step(env.action_space.sample())
        steps += 1
        assert not terminated
    screen = env.unwrapped.ale.getScreenGrayscale()
    expected = cv2.resize(screen, (84, 84), interpolation=cv2.INTER_AREA)
    assert steps < 400 and np.array_equal(obs[-1], expected)
    assert not np.array_equal(obs[-1], obs[-2])
