"""Environments for the training loops: construction, a batched pool, evaluation episodes.

:class:`EnvPool` steps ``num_envs`` copies of an environment in turn and returns batched
arrays with the conventions of ``gymnasium.vector`` in same-step autoreset mode. It is used
instead of ``gymnasium.vector.SyncVectorEnv`` because that wrapper costs about 15 µs per
step, twice a CartPole step; and because its state (the environments themselves, pickled)
can be saved in a checkpoint, so a resumed run continues the very same episodes.
"""

from __future__ import annotations

import importlib.util
import os
import pickle
import warnings
from collections.abc import Callable

import gymnasium as gym
import numpy as np

__all__ = ["is_atari", "is_minatar", "make_env", "EnvPool", "evaluate", "check_video_support"]


def is_atari(env_id: str) -> bool:
    return env_id.startswith("ALE/")


def is_minatar(env_id: str) -> bool:
    return env_id.startswith("qlab/MinAtar-")


def make_env(env_id: str, seed: int | None = None, **kwargs) -> gym.Env:
    """``gym.make(env_id)``; ``ALE/...`` ids get the DQN preprocessing of :mod:`qlab.envs.atari`."""
    if is_atari(env_id):
        from qlab.envs.atari import make_atari_env

        return make_atari_env(env_id, seed=seed, **kwargs)
    if env_id.startswith("qlab/"):
        import qlab.envs  # noqa: F401 - registers the course's environments
    env = gym.make(env_id, **kwargs)
    if seed is not None:
        env.action_space.seed(seed)
    return env


class EnvPool:
    """``num_envs`` environments stepped in turn, with same-step autoreset.

    ``step(actions)`` returns ``(next_obs, rewards, terminated, truncated, final_obs)``,
    each with a leading ``num_envs`` axis. Where an episode ended, ``next_obs`` is already
    the first observation of the next episode and ``final_obs`` holds the last observation
    of the finished one (the s' to store in replay); elsewhere both are equal.
    Finished episodes are appended to :attr:`finished` as ``(return, length)``; for an
    environment wrapped in ``RecordEpisodeStatistics`` (Atari) those are its whole-game figures.
    """

    def __init__(self, env_fn: Callable[[int], gym.Env], num_envs: int = 1):
        if num_envs < 1:
            raise ValueError(f"num_envs must be >= 1, got {num_envs}")
        self.envs = [env_fn(i) for i in range(num_envs)]
        self.num_envs = num_envs
        self.single_observation_space = self.envs[0].observation_space
        self.single_action_space = self.envs[0].action_space
        # Python ints for discrete actions: Discrete.contains checks them without np.issubdtype
        self._int_actions = isinstance(self.single_action_space, gym.spaces.Discrete)
        self._obs_batch_shape = (num_envs, *self.single_observation_space.shape)
        self._obs_dtype = self.single_observation_space.dtype
        self.episode_returns = [0.0] * num_envs
        self.episode_lengths = [0] * num_envs
        self.finished: list[tuple[float, int]] = []
        # Atari: episodes end at each life lost, RecordEpisodeStatistics reports the whole game
        self.game_statistics = _has_wrapper(self.envs[0], gym.wrappers.RecordEpisodeStatistics)

    def reset(self, seed: int | None = None) -> np.ndarray:
        self.episode_returns = [0.0] * self.num_envs
        self.episode_lengths = [0] * self.num_envs
        return np.stack([env.reset(seed=None if seed is None else seed + i)[0] for i, env in enumerate(self.envs)])

    def step(self, actions: np.ndarray):
        next_obs = np.empty(self._obs_batch_shape, dtype=self._obs_dtype)
        final_obs = np.empty_like(next_obs)
        rewards = np.empty(self.num_envs, dtype=np.float32)
        terminated = np.empty(self.num_envs, dtype=bool)
        truncated = np.empty(self.num_envs, dtype=bool)
        if self._int_actions:
            actions = actions.tolist()
        for i, env in enumerate(self.envs):
            obs, reward, term, trunc, info = env.step(actions[i])
            final_obs[i] = obs
            rewards[i], terminated[i], truncated[i] = reward, term, trunc
            self.episode_returns[i] += float(rewards[i])
            self.episode_lengths[i] += 1
            if term or trunc:
                if "episode" in info:  # RecordEpisodeStatistics inside: the real game, unclipped
                    self.finished.append((float(info["episode"]["r"]), int(info["episode"]["l"])))
                elif not self.game_statistics:
                    self.finished.append((self.episode_returns[i], self.episode_lengths[i]))
                self.episode_returns[i] = 0.0
                self.episode_lengths[i] = 0
                obs, _ = env.reset()
            next_obs[i] = obs
        return next_obs, rewards, terminated, truncated, final_obs

    def state(self) -> bytes | None:
        """The environments and episode counters, pickled; None (with a warning) if not picklable.

        An ALE game pickles as a fresh emulator (``AtariEnv`` re-runs its constructor), so each
        Atari emulator's state, its random generator included, is saved beside it.
        """
        try:
            return pickle.dumps((self.envs, self.episode_returns, self.episode_lengths,
                                 [_emulator_state(env) for env in self.envs]))
        except Exception as error:  # e.g. an env holding an open window or a subprocess
            warnings.warn(f"environment state cannot be saved ({error}); a resumed run starts new episodes")
            return None

    def load_state(self, state: bytes) -> None:
        envs, returns, lengths, *saved = pickle.loads(state)
        emulators = saved[0] if saved else [None] * len(envs)   # checkpoints before 2026-12 hold none
        for env, emulator in zip(envs, emulators):
            if emulator is not None:
                env.unwrapped.restore_state(emulator)
        self.episode_returns, self.episode_lengths = [float(r) for r in returns], [int(n) for n in lengths]
        for env in self.envs:
            env.close()
        self.envs = envs

    def close(self) -> None:
        for env in self.envs:
            env.close()


def check_video_support(video: bool) -> None:
    """Fail early, with the fix, when videos are asked for but ``moviepy`` is missing."""
    if video and importlib.util.find_spec("moviepy") is None:
        raise RuntimeError("recording videos needs moviepy (pip install moviepy); run without --video")


def _emulator_state(env: gym.Env):
    """The ALE emulator's state with its random generator (sticky actions), or None for other games."""
    game = env.unwrapped
    return game.clone_state(include_rng=True) if hasattr(game, "clone_state") and hasattr(game, "ale") else None


def _has_wrapper(env: gym.Env, wrapper: type) -> bool:
    while isinstance(env, gym.Wrapper):
        if isinstance(env, wrapper):
            return True
        env = env.env
    return False


def evaluate(policy: Callable[[np.ndarray], np.ndarray], env_id: str, episodes: int, seed: int,
             video_dir: str | None = None) -> np.ndarray:
    """Returns of ``episodes`` full episodes of ``policy`` (batch of obs -> batch of actions).

    Episode i starts from ``reset(seed=seed + i)`` in a fresh environment, so evaluation
    draws nothing from the training run's random streams. Atari games are evaluated whole
    (no life-loss terminals) with unclipped rewards. With ``video_dir`` the first
    episode is recorded by ``gymnasium.wrappers.RecordVideo`` (needs ``moviepy``).
    """
    check_video_support(bool(video_dir))
    options = {"terminal_on_life_loss": False, "clip_rewards": False} if is_atari(env_id) else {}
    if video_dir:
        options["render_mode"] = "rgb_array"
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            # Headless: without this, SDL (pygame, gymnasium's renderer) probes for a Wayland display
            # and prints "XDG_RUNTIME_DIR is invalid or not set" before settling on offscreen.
            os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    env = make_env(env_id, **options)
    if video_dir:
        env = gym.wrappers.RecordVideo(env, video_dir, episode_trigger=lambda i: i == 0, disable_logger=True)
    returns = np.zeros(episodes)
    for i in range(episodes):
        obs, _ = env.reset(seed=seed + i)
        done = False
        while not done:
            obs, reward, terminated, truncated, _ = env.step(policy(obs[None])[0])
            returns[i] += reward
            done = terminated or truncated
    env.close()
    return returns
