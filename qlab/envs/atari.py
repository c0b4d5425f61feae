"""Atari with the DQN preprocessing (Mnih et al., 2015), from gymnasium's own wrappers.

    ALE env (frameskip=1, sticky actions off)
    -> AtariPreprocessing: up to 30 no-ops on reset, repeat each action 4 frames and max-pool
       the last two, 84x84 grayscale uint8 (the last observation of an episode is its real
       last screen: gymnasium's wrapper keeps the previous step's, see FinalScreen)
    -> RecordEpisodeStatistics: info["episode"] = the real game's score and length
    -> EpisodicLife: terminated=True when a life is lost; reset() starts a new game only when it is over
    -> FireReset: press FIRE, then action 2, after each reset in games that wait for FIRE
       (Breakout), as baselines, Stable-Baselines3 and CleanRL do
    -> TransformReward: clip the reward to its sign, r ∈ {−1, 0, 1}
    -> FrameStackObservation: obs = the last 4 frames, uint8 (4, 84, 84), newest last

The small wrappers gymnasium lacks are written here.
"""

from __future__ import annotations

from functools import partial

import ale_py
import gymnasium as gym
import numpy as np
from gymnasium.wrappers import AtariPreprocessing, FrameStackObservation, RecordEpisodeStatistics, TransformReward

gym.register_envs(ale_py)
ale_py.ALEInterface.setLoggerMode(ale_py.LoggerMode.Error)  # no banner on stderr at every start

NOOP, FIRE = 0, 1


class FinalScreen(AtariPreprocessing):
    """gymnasium's ``AtariPreprocessing``, except for the observation an episode ends on.

    gymnasium's wrapper stops repeating the action as soon as the episode ends and returns
    the frames it grabbed on the previous step. A terminal observation is never bootstrapped
    from, but a truncated one (ALE's limit of 108,000 frames) is: its value must be that of the
    real last screen. So where the episode ended, the last screen is grabbed here.
    """

    def step(self, action):
        obs, reward, terminated, truncated, info = super().step(action)
        if terminated or truncated:
            grab = self.ale.getScreenGrayscale if self.grayscale_obs else self.ale.getScreenRGB
            grab(self.obs_buffer[0])
            self.obs_buffer[1][...] = self.obs_buffer[0]  # nothing older to max-pool with
            obs = self._get_obs()
        return obs, reward, terminated, truncated, info


class EpisodicLife(gym.Wrapper):
    """End the *training* episode when a life is lost, but reset the game only at game over.

    After a lost life, ``reset()`` takes one no-op step and carries on with the same game,
    so the agent learns that losing a life is terminal without seeing fewer starts.
    """

    def __init__(self, env: gym.Env):
        super().__init__(env)
        self.lives = 0
        self.game_over = True

    def step(self, action):
        obs, reward, terminated, truncated, info = self.env.step(action)
        self.game_over = terminated or truncated
        lives = self.env.unwrapped.ale.lives()
        if 0 < lives < self.lives:
            terminated = True
        self.lives = lives
        return obs, reward, terminated, truncated, info

    def reset(self, *, seed=None, options=None):
        if self.game_over or seed is not None:
            obs, info = self.env.reset(seed=seed, options=options)
        else:
            obs, _, terminated, truncated, info = self.env.step(NOOP)
            if terminated or truncated:  # the no-op ended the game: start a new one
                obs, info = self.env.reset(options=options)
        self.lives = self.env.unwrapped.ale.lives()
        self.game_over = False
        return obs, info


class FireReset(gym.Wrapper):
    """After every reset press FIRE, then action 2, for games that do not start until FIRE is
    pressed: the protocol of baselines' ``FireResetEnv`` (also Stable-Baselines3's and
    CleanRL's), so scores compare with theirs. (Action 2 is UP in Breakout, RIGHT in Pong.)"""

    def __init__(self, env: gym.Env):
        super().__init__(env)
        meanings = env.unwrapped.get_action_meanings()
        if meanings[FIRE] != "FIRE" or len(meanings) < 3:
            raise ValueError(f"FireReset needs action {FIRE} to be FIRE and a third action, got {meanings}")

    def reset(self, *, seed=None, options=None):
        self.env.reset(seed=seed, options=options)
        for action in (FIRE, 2):
            obs, _, terminated, truncated, info = self.env.step(action)
            if terminated or truncated:
                obs, info = self.env.reset(options=options)
        return obs, info


def sign(reward: float) -> float:
    """DQN's reward clipping, r ↦ sign(r); a module-level function so the env pickles."""
    return float(np.sign(reward))


def make_atari_env(
    env_id: str = "ALE/Pong-v5",
    seed: int | None = None,
    noop_max: int = 30,
    frame_skip: int = 4,
    screen_size: int = 84,
    terminal_on_life_loss: bool = True,
    clip_rewards: bool = True,
    stack: int = 4,
    render_mode: str | None = None,
    full_action_space: bool = False,
    repeat_action_probability: float = 0.0,
    max_episode_frames: int = 108_000,
) -> gym.Env:
    """An ALE game with the DQN preprocessing; observations are uint8 (stack, screen_size, screen_size).

    ``seed`` seeds the game, the no-op starts and the action space; the env comes back reset
    once with it, so later ``reset()`` calls replay the same sequence.
    Use ``terminal_on_life_loss=False, clip_rewards=False`` to evaluate on the real game.
    ``max_episode_frames``: ALE truncates an episode after this many frames (30 minutes of play).
    """
    env = gym.make(
        env_id,
        frameskip=1,
        repeat_action_probability=repeat_action_probability,
        full_action_space=full_action_space,
        render_mode=render_mode,
        max_num_frames_per_episode=max_episode_frames,
    )
    env = FinalScreen(env, noop_max=noop_max, frame_skip=frame_skip, screen_size=screen_size)
    env = RecordEpisodeStatistics(env)
    if terminal_on_life_loss:
        env = EpisodicLife(env)
    if "FIRE" in env.unwrapped.get_action_meanings():
        env = FireReset(env)
    if clip_rewards:
        env = TransformReward(env, sign)
    env = FrameStackObservation(env, stack)
    if seed is not None:
        env.reset(seed=seed)
        env.action_space.seed(seed)
    return env


def make_atari_vector_env(
    env_id: str = "ALE/Pong-v5", num_envs: int = 8, seed: int | None = None, asynchronous: bool = False, **kwargs
) -> gym.vector.VectorEnv:
    """``num_envs`` copies of :func:`make_atari_env` (seeds seed, seed+1, …) with same-step autoreset:
    where an episode ends, ``obs`` is already the next episode's first observation and the real
    final observation is in ``info["final_obs"]`` (store that one in replay)."""
    make = [
        partial(make_atari_env, env_id, seed=None if seed is None else seed + i, **kwargs) for i in range(num_envs)
    ]
    vector_env = gym.vector.AsyncVectorEnv if asynchronous else gym.vector.SyncVectorEnv
    return vector_env(make, autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
