"""Prioritized experience replay (Schaul et al., 2016), proportional variant.

Transition i is drawn with probability P(i) = p_i^α / Σ_j p_j^α, where p_i = |δ_i| + ε is
its last TD error (new transitions get the largest priority seen so far, so each is replayed
at least once). The bias this introduces is corrected by importance weights

    w_i = (N · P(i))^(−β) / max_j w_j        (max over the sampled batch)

which multiply each sample's loss. A sum tree keeps Σ p^α so sampling and updates cost O(log N).

The rules are replaceable, as assignment 08 replaces them with the student's: the tree's
``update_fn``/``find_fn`` (:func:`qlab.rainbow.prioritized.sum_tree_update`/``sum_tree_find``'s
contract), and the buffer's ``priorities_fn`` (p^α from δ) and ``weights_fn`` (w from P(i)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from qlab.rainbow.prioritized import importance_weights, td_priorities
from qlab.replay.uniform import Batch, ReplayBuffer, as_numpy, check_batch_size


class SumTree:
    """Binary tree over ``capacity`` leaves whose every node holds the sum of its children.

    ``nodes`` is a float64 array of length 2L (L, the number of leaves, a power of two): node 1
    is the root, node n's children are 2n and 2n + 1, leaf i is node L + i. ``update_fn(nodes,
    leaf, priority)`` and ``find_fn(nodes, prefix) -> leaf`` replace the tree's own (vectorised)
    update and search, one leaf or one prefix per call.
    """

    def __init__(self, capacity: int, update_fn: Callable | None = None, find_fn: Callable | None = None):
        self.leaves = 1 << max(capacity - 1, 0).bit_length()  # a power of two >= capacity
        self.nodes = np.zeros(2 * self.leaves)  # node 1 is the root, leaves at [leaves, 2*leaves)
        self.update_fn, self.find_fn = update_fn, find_fn

    @property
    def total(self) -> float:
        return float(self.nodes[1])

    def get(self, index: np.ndarray) -> np.ndarray:
        return self.nodes[self.leaves + index]

    def set_one(self, index: int, value: float) -> None:
        if self.update_fn is not None:
            self.update_fn(self.nodes, int(index), float(value))
            return
        node = self.leaves + index
        self.nodes[node] = value
        node //= 2
        while node:
            self.nodes[node] = self.nodes[2 * node] + self.nodes[2 * node + 1]
            node //= 2

    def set(self, index: np.ndarray, value: np.ndarray) -> None:
        if not len(index):
            return
        if self.update_fn is not None:
            for i, v in zip(np.asarray(index).tolist(), np.broadcast_to(value, np.shape(index)).tolist()):
                self.update_fn(self.nodes, i, v)
            return
        node = self.leaves + index
        self.nodes[node] = value
        node = np.unique(node // 2)
        while node[0]:
            self.nodes[node] = self.nodes[2 * node] + self.nodes[2 * node + 1]
            node = np.unique(node // 2)

    def find(self, prefix: np.ndarray) -> np.ndarray:
        """Leaf index i with Σ_{j<i} p_j <= prefix < Σ_{j<=i} p_j, for each prefix (vectorised)."""
        if self.find_fn is not None:
            leaves = np.array([self.find_fn(self.nodes, p) for p in prefix.tolist()], dtype=np.int64)
            if leaves.size and (leaves.min() < 0 or leaves.max() >= self.leaves):
                raise ValueError(f"find_fn returned leaf {leaves.min()}..{leaves.max()}; expected 0..{self.leaves - 1}")
            return leaves
        node = np.ones(len(prefix), dtype=np.int64)
        prefix = prefix.copy()
        while node[0] < self.leaves:
            left = self.nodes[2 * node]
            # never step into an empty right subtree (guards against rounding at the very end)
            right = (prefix >= left) & (self.nodes[2 * node + 1] > 0)
            prefix -= np.where(right, left, 0.0)
            node = 2 * node + right
        return node - self.leaves


class PrioritizedReplayBuffer(ReplayBuffer):
    """One-step replay sampled in proportion to p^α, with importance weights.

    Args (beyond :class:`ReplayBuffer`'s):
        alpha: how much prioritization is used, in [0, 1] (0 = uniform).
        beta: importance-sampling correction, in [0, 1] (1 = full correction); settable, to anneal.
        eps: ε added to |δ| so no transition gets probability zero.
        tree_update_fn, tree_find_fn: the :class:`SumTree`'s ``update_fn`` and ``find_fn``.
        priorities_fn: ``(td_errors (B,) tensor, alpha, eps) -> p^α (B,)``, default
            :func:`qlab.rainbow.prioritized.td_priorities`.
        weights_fn: ``(probs (B,) array, size, beta) -> w (B,)``, default
            :func:`qlab.rainbow.prioritized.importance_weights`.
    """

    def __init__(
        self,
        capacity: int,
        obs_shape: tuple[int, ...],
        action_shape: tuple[int, ...] = (),
        obs_dtype: Any = np.float32,
        action_dtype: Any = np.int64,
        gamma: float = 0.99,
        device: str | torch.device = "cpu",
        seed: int | None = None,
        alpha: float = 0.6,
        beta: float = 0.4,
        eps: float = 1e-6,
        tree_update_fn: Callable | None = None,
        tree_find_fn: Callable | None = None,
        priorities_fn: Callable | None = None,
        weights_fn: Callable | None = None,
    ):
        super().__init__(capacity, obs_shape, action_shape, obs_dtype, action_dtype, gamma, device, seed)
        if not 0.0 <= alpha <= 1.0:
            raise ValueError(f"alpha must be in [0, 1], got {alpha!r}")
        if not eps > 0.0:
            raise ValueError(f"eps must be > 0, got {eps!r}")
        self.alpha, self.eps = float(alpha), float(eps)
        self.beta = beta
        self.tree_fns = (tree_update_fn, tree_find_fn)
        self.priorities_fn = priorities_fn or td_priorities
        self.weights_fn = weights_fn or importance_weights
        self.tree = SumTree(self.capacity, *self.tree_fns)
        self.max_priority = 1.0  # largest p^α so far, given to new transitions

    @property
    def beta(self) -> float:
        return self._beta

    @beta.setter
    def beta(self, value: float) -> None:
        if not 0.0 <= value <= 1.0:
            raise ValueError(f"beta must be in [0, 1], got {value!r}")
        self._beta = float(value)

    def _store(self, obs, action, reward, next_obs, terminated, discount) -> None:
        self.tree.set_one(self.pos, self.max_priority)
        super()._store(obs, action, reward, next_obs, terminated, discount)

    def _store_batch(self, obs, actions, rewards, next_obs, terminated, discounts) -> None:
        idx = (self.pos + np.arange(len(rewards))) % self.capacity
        self.tree.set(idx, np.full(len(idx), self.max_priority))
        super()._store_batch(obs, actions, rewards, next_obs, terminated, discounts)

    def sample(self, batch_size: int) -> Batch:
        """Stratified proportional sampling: one draw from each of B equal slices of Σ p^α."""
        check_batch_size(batch_size, self.size)
        total = self.tree.total
        prefix = (np.arange(batch_size) + self.rng.random(batch_size)) * (total / batch_size)
        idx = self.tree.find(prefix)
        probs = self.tree.get(idx) / total
        weights = np.asarray(self.weights_fn(probs, self.size, self.beta), dtype=np.float32)
        if weights.shape != probs.shape:
            raise ValueError(f"weights_fn returned shape {weights.shape}; expected {probs.shape}, one weight per sample")
        return self._batch(idx, weights)

    def update_priorities(self, indices, td_errors) -> None:
        """Set p_i^α = priorities_fn(δ, α, ε) = (|δ_i| + ε)^α for the sampled ``indices`` (tensors on any
        device, or arrays)."""
        idx = as_numpy(indices).astype(np.int64, copy=False).ravel()
        td = as_numpy(td_errors).astype(np.float64).ravel()
        if idx.shape != td.shape:
            raise ValueError(f"indices has {idx.size} entries but td_errors has {td.size}; expected one each")
        if idx.size and (idx.min() < 0 or idx.max() >= self.size):
            raise ValueError(f"indices must be in [0, {self.size}) (stored transitions), got {idx.min()}..{idx.max()}")
        if not np.all(np.isfinite(td)):
            raise ValueError("td_errors must be finite (got NaN or inf)")
        priorities = as_numpy(self.priorities_fn(torch.from_numpy(td), self.alpha, self.eps)).astype(np.float64).ravel()
        if priorities.shape != td.shape or not np.all(priorities > 0):
            raise ValueError(f"priorities_fn must return one positive priority per TD error ({td.size}), "
                             f"got shape {priorities.shape}, smallest {priorities.min() if priorities.size else None}")
        self.tree.set(idx, priorities)
        if priorities.size:
            self.max_priority = max(self.max_priority, float(priorities.max()))

    def state_dict(self) -> dict:
        state = super().state_dict()
        state.update(priorities=torch.from_numpy(self.tree.get(np.arange(self.size))), max_priority=self.max_priority)
        return state

    def load_state_dict(self, state: dict) -> None:
        super().load_state_dict(state)
        self.tree = SumTree(self.capacity, *self.tree_fns)
        self.tree.set(np.arange(self.size), as_numpy(state["priorities"]))
        self.max_priority = float(state["max_priority"])
