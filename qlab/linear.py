"""Linear Q-functions: features, the semi-gradient Q-learning update, fitted Q-iteration.

A linear Q-function is Q_w(s, a) = w · φ(s, a) for a feature map φ: (state, action) → R^d.
A feature function here returns φ(s, a) for *every* action at once, an array of shape
(n_actions, d), so that max_a' Q_w(s', a') is ``np.max(phi_next @ w)``.

* ``one_hot_features`` make Q_w a table (d = n_states · n_actions): linear Q-learning with
  them is tabular Q-learning.
* ``gridworld_features`` are coarse: per action a plane over the grid, plus the exit's payout.
* ``TileCoder`` covers a box of R^k (CartPole's 4-d observation) with offset grids; each
  action has its own block of weights.
"""

from __future__ import annotations

import numpy as np

__all__ = ["TileCoder", "fitted_q_iteration", "gridworld_features", "linear_q_update", "one_hot_features"]


def linear_q_update(w: np.ndarray, phi_sa: np.ndarray, reward: float, phi_next: np.ndarray,
                    terminated: bool, truncated: bool, alpha: float, gamma: float) -> np.ndarray:
    """One semi-gradient Q-learning step on a linear Q_w(s, a) = w · φ(s, a):

        y = r + γ (1 − terminated) max_a' w · φ(s', a')      (held constant)
        w ← w + α (y − w · φ(s, a)) φ(s, a)

    ``phi_sa`` is φ(s, a), shape (d,); ``phi_next`` holds φ(s', a') for every a', shape
    (n_actions, d). A truncated step still bootstraps. Updates ``w`` in place and returns it.
    """
    future = 0.0 if terminated else np.max(phi_next @ w)
    td_error = reward + gamma * future - phi_sa @ w
    w += alpha * td_error * phi_sa
    return w


def fitted_q_iteration(phi: np.ndarray, rewards: np.ndarray, phi_next: np.ndarray, terminated: np.ndarray,
                       gamma: float, n_iterations: int) -> np.ndarray:
    """Fitted Q-iteration on a fixed dataset of N transitions (s_i, a_i, r_i, s'_i):

        w_0 = 0;  for k = 0 … K−1:
            y_i = r_i + γ (1 − terminated_i) max_a' w_k · φ(s'_i, a')    (from the frozen w_k)
            w_{k+1} = argmin_w Σ_i (y_i − w · φ(s_i, a_i))²              (least squares)

    ``phi`` is (N, d), ``rewards`` and ``terminated`` (N,), ``phi_next`` (N, n_actions, d).
    Returns w_K, shape (d,).
    """
    w = np.zeros(phi.shape[1])
    for _ in range(n_iterations):
        targets = rewards + gamma * (1.0 - terminated) * np.max(phi_next @ w, axis=1)
        w = np.linalg.lstsq(phi, targets, rcond=None)[0]
    return w


def one_hot_features(n_states: int, n_actions: int) -> np.ndarray:
    """φ(s, a) = e_{s·n_actions + a}, the one-hot features of every (state, action) pair:
    shape (n_states, n_actions, n_states · n_actions)."""
    return np.eye(n_states * n_actions).reshape(n_states, n_actions, n_states * n_actions)


def gridworld_features(env) -> np.ndarray:
    """Coarse GridWorld features, shape (n_states, 4, 13): for action a, the block a of
    (1, row, column) (rows and columns scaled to [0, 1]) — a plane over the grid per action —
    and one last feature, the payout of the exit in this cell (0 elsewhere)."""
    env = env.unwrapped
    rows, cols = env.shape
    features = np.zeros((env.n_states, 4, 13))
    for s in range(env.n_states - 1):
        row, col = divmod(s, cols)
        plane = (1.0, row / max(rows - 1, 1), col / max(cols - 1, 1))
        for a in range(4):
            features[s, a, 3 * a:3 * a + 3] = plane
        payout = env.layout.exits[row, col]
        features[s, :, 12] = 0.0 if np.isnan(payout) else payout
    return features


class TileCoder:
    """Tile coding of a box [low, high] ⊂ R^k, one block of weights per action.

    ``n_tilings`` grids of ``n_tiles`` tiles per dimension, each shifted by a different
    fraction of a tile (offsets 1, 3, 5, … in units of 1/n_tilings, the asymmetric offsets
    of Sutton & Barto §9.5.4), so a point is in exactly one tile per grid. Observations
    outside the box are clipped onto it. ``coder(obs)`` returns φ(obs, a) for every action,
    shape (n_actions, d) with d = n_actions · n_tilings · (n_tiles + 1)^k; each row has
    ``n_tilings`` ones.
    """

    def __init__(self, low, high, n_actions: int, n_tilings: int = 8, n_tiles: int = 6):
        self.low, self.high = np.asarray(low, dtype=float), np.asarray(high, dtype=float)
        if self.low.shape != self.high.shape or self.low.ndim != 1 or not np.all(self.high > self.low):
            raise ValueError(f"low and high must be 1-d of the same length with high > low; got {low} and {high}")
        self.n_actions, self.n_tilings, self.n_tiles = n_actions, n_tilings, n_tiles
        k = len(self.low)
        self.tiles_per_tiling = (n_tiles + 1) ** k
        self.block = n_tilings * self.tiles_per_tiling
        self.dim = n_actions * self.block
        self._offsets = (np.arange(n_tilings)[:, None] * (2 * np.arange(k) + 1)[None, :] / n_tilings) % 1.0
        self._strides = (n_tiles + 1) ** np.arange(k)

    def active(self, obs) -> np.ndarray:
        """The index of the tile containing ``obs`` in each tiling, within one action's block."""
        unit = (np.clip(np.asarray(obs, dtype=float), self.low, self.high) - self.low) / (self.high - self.low)
        cells = np.floor(unit[None, :] * self.n_tiles + self._offsets).astype(np.int64)
        return np.arange(self.n_tilings) * self.tiles_per_tiling + cells @ self._strides

    def __call__(self, obs) -> np.ndarray:
        features = np.zeros((self.n_actions, self.dim))
        tiles = self.active(obs)
        for a in range(self.n_actions):
            features[a, a * self.block + tiles] = 1.0
        return features
