"""qlab: the building blocks of a deep Q-learning course.

Environments (``qlab.envs``), tabular planning and Q-learning (``qlab.tabular``), linear
Q-functions and fitted Q-iteration (``qlab.linear``), replay buffers (``qlab.replay``),
networks, update rules and agents for DQN and DDPG, training loops, plots and widgets.
"""

__version__ = "0.1.0"
