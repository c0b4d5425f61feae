"""Deep RL agents whose update rules are plain functions passed in (default: :mod:`qlab.rules`, :mod:`qlab.soft`)."""

from qlab.agents.ddpg import DDPG
from qlab.agents.dqn import DQN
from qlab.agents.sac import SAC

__all__ = ["DQN", "DDPG", "SAC"]
