"""Environments: the CS188 GridWorld and Crawler, MinAtar, and Atari with DQN preprocessing.

Importing ``qlab.envs`` registers ``qlab/GridWorld-v0``, ``qlab/Crawler-v0`` and the MinAtar
games ``qlab/MinAtar-<Game>-v0`` (see :mod:`qlab.envs.minatar`) with gymnasium::

    import gymnasium as gym
    import qlab.envs
    env = gym.make("qlab/GridWorld-v0", layout="BridgeGrid", noise=0.2)
"""

import gymnasium as gym

from qlab.envs.crawler import Crawler
from qlab.envs.gridworld import ACTION_ARROWS, ACTION_NAMES, GridWorld
from qlab.envs.layouts import LAYOUTS, Layout, parse_layout
from qlab.envs.minatar import register as _register_minatar

__all__ = ["ACTION_ARROWS", "ACTION_NAMES", "Crawler", "GridWorld", "LAYOUTS", "Layout", "parse_layout"]

if "qlab/GridWorld-v0" not in gym.registry:
    gym.register("qlab/GridWorld-v0", entry_point="qlab.envs.gridworld:GridWorld", max_episode_steps=200)

if "qlab/Crawler-v0" not in gym.registry:
    gym.register("qlab/Crawler-v0", entry_point="qlab.envs.crawler:Crawler", max_episode_steps=1000)

_register_minatar()
