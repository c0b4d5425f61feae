"""Deep RL agents whose update rules are plain functions passed in (default: :mod:`qlab.rules`)."""

from qlab.agents.ddpg import DDPG
from qlab.agents.dqn import DQN

__all__ = ["DQN", "DDPG"]
