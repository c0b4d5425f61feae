"""MinAtar (Young & Tian, 2019): five Atari games on a 10 × 10 screen, for DQN on a laptop CPU.

Each game keeps the mechanics that make its Atari original hard — Breakout's bouncing ball,
Space Invaders' advancing aliens — on a 10 × 10 grid whose channels are the game's objects
(Breakout: paddle, ball, the ball's trail, bricks). The trail channels show which way things
move, so a single observation is (almost) Markov: no frame stack is needed. A DQN learns
these games in minutes of CPU where ALE's take hours of GPU; CS234 teaches DQN on them for
that reason.

Registered with gymnasium as ``qlab/MinAtar-<Game>-v0`` (Asterix, Breakout, Freeway, Seaquest,
SpaceInvaders)::

    env = gym.make("qlab/MinAtar-Breakout-v0")
    obs, info = env.reset(seed=0)        # uint8 (channels, 10, 10), zeros and ones

Observations are channel-first (ready for a ``Conv2d``); the actions are the game's minimal
set (Breakout: no-op, left, right); sticky actions with probability 0.1 and the difficulty
ramping are MinAtar's defaults; an episode is truncated after ``MAX_EPISODE_STEPS``.
"""

from __future__ import annotations

import colorsys
import importlib.util
import sys
from pathlib import Path

import gymnasium as gym
import numpy as np

GAMES = {"Asterix": "asterix", "Breakout": "breakout", "Freeway": "freeway", "Seaquest": "seaquest",
         "SpaceInvaders": "space_invaders"}
MAX_EPISODE_STEPS = 10_000  # a game that never ends (a Breakout agent that never misses) is truncated


class MinAtar(gym.Env):
    """One MinAtar game as a gymnasium environment (see the module's docstring)."""

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(self, game: str = "Breakout", sticky_action_prob: float = 0.1, difficulty_ramping: bool = True,
                 render_mode: str | None = None):
        if game not in GAMES:
            raise ValueError(f"game must be one of {sorted(GAMES)}, got {game!r}")
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f'render_mode must be None or "rgb_array", got {render_mode!r}')
        if not 0.0 <= sticky_action_prob <= 1.0:
            raise ValueError(f"sticky_action_prob must be in [0, 1], got {sticky_action_prob}")
        self.game = _game_module(GAMES[game]).Env(ramping=difficulty_ramping)
        self.sticky_action_prob = sticky_action_prob
        self.random = np.random.RandomState()
        self.game.random = self.random
        self.last_action = 0
        self.actions = self.game.minimal_action_set()
        height, width, channels = self.game.state_shape()
        self.observation_space = gym.spaces.Box(0, 1, shape=(channels, height, width), dtype=np.uint8)
        self.action_space = gym.spaces.Discrete(len(self.actions))
        self.render_mode = render_mode
        self.colours = _palette(channels)

    def _obs(self) -> np.ndarray:
        return np.ascontiguousarray(self.game.state().transpose(2, 0, 1), dtype=np.uint8)

    def reset(self, *, seed: int | None = None, options=None):
        super().reset(seed=seed)
        if seed is not None:  # the game draws from this generator too (MinAtar's own seeding)
            self.random.seed(seed)
        self.game.reset()
        self.last_action = 0
        return self._obs(), {}

    def step(self, action):
        """Sticky actions, as MinAtar's own wrapper: with probability p the last action repeats."""
        action = self.actions[int(action)]
        if self.random.rand() < self.sticky_action_prob:
            action = self.last_action
        self.last_action = action
        reward, terminated = self.game.act(action)
        return self._obs(), float(reward), bool(terminated), False, {}

    def render(self) -> np.ndarray | None:
        """The screen as an RGB picture, 10 × 10 cells of 16 × 16 pixels, one colour per object."""
        if self.render_mode != "rgb_array":
            return None
        state = self.game.state()
        layer = np.where(state.any(axis=2), state.argmax(axis=2) + 1, 0)
        return np.kron(self.colours[layer], np.ones((16, 16, 1), dtype=np.uint8))


def _game_module(name: str):
    """MinAtar's module of one game, loaded from the installed package without running the
    package's ``__init__`` (which imports seaborn and pandas for its own display: seconds)."""
    spec = importlib.util.find_spec("minatar")
    if spec is None:
        raise ImportError("MinAtar is not installed: pip install minatar (it comes with qlab's course extras)")
    module_name = f"_qlab_minatar_{name}"
    if module_name not in sys.modules:
        path = Path(spec.submodule_search_locations[0], "environments", f"{name}.py")
        game_spec = importlib.util.spec_from_file_location(module_name, path)
        sys.modules[module_name] = importlib.util.module_from_spec(game_spec)
        game_spec.loader.exec_module(sys.modules[module_name])
    return sys.modules[module_name]


def _palette(channels: int) -> np.ndarray:
    """Black background, then one distinct colour per channel."""
    hues = np.linspace(0, 1, channels, endpoint=False)
    colours = [(0, 0, 0)] + [tuple(int(255 * c) for c in colorsys.hsv_to_rgb(h, 0.75, 1.0)) for h in hues]
    return np.array(colours, dtype=np.uint8)


def register() -> None:
    for game in GAMES:
        env_id = f"qlab/MinAtar-{game}-v0"
        if env_id not in gym.registry:
            gym.register(env_id, entry_point="qlab.envs.minatar:MinAtar", kwargs={"game": game},
                         max_episode_steps=MAX_EPISODE_STEPS)
