"""Training loops (one per algorithm), logs, checkpoints and evaluation.

- :func:`train_dqn` / :class:`DQNConfig` -- DQN, Double DQN, n-step, on vector or Atari observations.
- :func:`train_ddpg` / :class:`DDPGConfig` -- DDPG on continuous-action environments.
- :func:`train_sac` / :class:`SACConfig` -- Soft Actor-Critic on continuous-action environments.
"""

from qlab.train.bookkeeping import TrainResult
from qlab.train.checkpoint import load_checkpoint, save_checkpoint
from qlab.train.ddpg import DDPGConfig, train_ddpg
from qlab.train.dqn import DQNConfig, train_dqn
from qlab.train.envs import EnvPool, evaluate, make_env
from qlab.train.logging import RunLogger, read_csv
from qlab.train.sac import SACConfig, train_sac

__all__ = [
    "DQNConfig", "DDPGConfig", "SACConfig", "TrainResult", "train_dqn", "train_ddpg", "train_sac", "evaluate",
    "make_env", "EnvPool", "RunLogger", "read_csv", "save_checkpoint", "load_checkpoint",
]
