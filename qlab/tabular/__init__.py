"""Tabular planning (value iteration on an exact model) and tabular Q-learning."""

from qlab.tabular.planning import greedy_policy, q_backup, value_iteration
from qlab.tabular.qlearning import QLearningAgent, epsilon_greedy, linear_schedule, q_learning_update

__all__ = [
    "QLearningAgent", "epsilon_greedy", "greedy_policy", "linear_schedule",
    "q_backup", "q_learning_update", "value_iteration",
]
