r"""Proportional prioritized experience replay (Schaul et al., 2016) as four plain functions.

Transition i of the N stored is replayed with probability

.. math:: P(i) = \frac{p_i^α}{\sum_k p_k^α}, \qquad p_i = |δ_i| + ε,

δ_i its last TD error (ε > 0 keeps every transition replayable; α = 0 is uniform replay).
Sampling by priority biases the updates towards the surprising transitions; importance
weights w_i = (N·P(i))^{−β}, scaled so the largest in the batch is 1, undo that bias (fully
at β = 1, to which β is annealed).

A **sum tree** stores the p^α so that both sampling and changing one priority cost O(log L):
``nodes`` is a 1-D float64 array of length 2L, L a power of two; node 1 is the root, node n's
children are 2n and 2n + 1, leaf i (0-based) is node L + i, node 0 is unused, and every inner
node holds the sum of its two children, so the root holds Σ_k p_k^α. To sample, draw a prefix
uniformly in [0, root) and find the leaf whose interval of the cumulative sum contains it.
"""

from __future__ import annotations

import numbers

import numpy as np
import torch

__all__ = ["sum_tree_update", "sum_tree_find", "td_priorities", "importance_weights"]


# ---------------------------------------------------------------------------- validation
def _leaves(nodes) -> int:
    """L, the number of leaves of the sum tree ``nodes``, or a clear error."""
    if not isinstance(nodes, np.ndarray):
        raise TypeError(f"nodes must be a numpy array, got {type(nodes).__name__}")
    if nodes.ndim != 1 or nodes.size < 2 or nodes.size & (nodes.size - 1):
        raise ValueError(f"nodes has shape {nodes.shape}; expected (2L,) with L a power of two "
                         "(node 1 the root, leaf i at node L + i)")
    if not np.issubdtype(nodes.dtype, np.floating):
        raise TypeError(f"nodes has dtype {nodes.dtype}; expected float64")
    return nodes.size // 2


def _real(name: str, x) -> float:
    if isinstance(x, (bool, np.bool_)) or not isinstance(x, (numbers.Real, np.ndarray, torch.Tensor)) or np.ndim(x):
        raise TypeError(f"{name} must be a real number, got {type(x).__name__} {x!r}")
    value = float(x)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    return value


# ---------------------------------------------------------------------------- the sum tree
def sum_tree_update(nodes, leaf, priority) -> None:
    r"""Set leaf ``leaf``'s priority and restore the sums above it, in place, in O(log L).

    Leaf i is node L + i. Every ancestor of it -- its parent n // 2, that node's parent, up to
    and including the root, node 1 -- becomes the sum of its two children again:
    nodes[n] = nodes[2n] + nodes[2n + 1]. No other node changes (node 0 is unused).

    Args:
        nodes: the tree, a float64 array of length 2L (L a power of two), changed in place.
        leaf: the leaf index i, an int in [0, L).
        priority: its new priority p_i^α, a finite number ≥ 0.
    """
    n_leaves = _leaves(nodes)
    if isinstance(leaf, (bool, np.bool_)) or not isinstance(leaf, (numbers.Integral, np.integer)):
        raise TypeError(f"leaf must be an int (a leaf index), got {type(leaf).__name__} {leaf!r}")
    if not 0 <= leaf < n_leaves:
        raise ValueError(f"leaf must be in [0, {n_leaves}) (the tree has L = {n_leaves} leaves), got {leaf}")
    priority = _real("priority", priority)
    if priority < 0:
        raise ValueError(f"priority must be >= 0, got {priority}")
    node = n_leaves + int(leaf)
    nodes[node] = priority
    node //= 2
    while node >= 1:
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
        node //= 2


def sum_tree_find(nodes, prefix) -> int:
    r"""The leaf i whose interval of the cumulative sum holds ``prefix``, in O(log L).

    .. math:: \sum_{j<i} p_j \le \text{prefix} < \sum_{j \le i} p_j

    found by descending from the root: at node n, go left (to 2n) if prefix < nodes[2n], the
    left child's sum; else subtract that sum and go right (to 2n + 1). At an exact prefix sum
    the leaf is the one that *starts* there, so a leaf of priority 0 (an empty interval) is
    never returned. ``nodes`` is read only.

    Args:
        nodes: the tree, a float64 array of length 2L (L a power of two).
        prefix: a number with 0 ≤ prefix < nodes[1], the total.

    Returns:
        the leaf index i in [0, L), an int.
    """
    n_leaves = _leaves(nodes)
    prefix = _real("prefix", prefix)
    total = float(nodes[1])
    if not 0.0 <= prefix < total:
        raise ValueError(f"prefix must be in [0, total) = [0, {total}) (the root, nodes[1]), got {prefix}")
    node = 1
    while node < n_leaves:
        left = nodes[2 * node]
        # going right needs mass on the right: rounding can leave prefix ≥ left beside an empty right subtree
        if prefix < left or nodes[2 * node + 1] <= 0:
            node = 2 * node
        else:
            prefix -= left
            node = 2 * node + 1
    return node - n_leaves


# ---------------------------------------------------------------------------- priorities and weights
def td_priorities(td_errors, alpha, eps) -> torch.Tensor:
    r"""The priorities the sum tree stores for a batch of TD errors.

    .. math:: p_i^α = (|δ_i| + ε)^α

    ε goes inside, before the power: it keeps a transition whose TD error is 0 replayable.
    The tree stores p^α, so that P(i) = p_i^α / Σ_k p_k^α is a leaf over the root.

    Args:
        td_errors: δ, shape (B,), float (it may require grad: the priorities do not).
        alpha: α in [0, 1], how much prioritization is used (0: uniform).
        eps: ε ≥ 0, the priority floor.

    Returns:
        p^α of shape (B,), the dtype and device of ``td_errors``, with no gradient.
    """
    if not isinstance(td_errors, torch.Tensor):
        raise TypeError(f"td_errors must be a torch.Tensor, got {type(td_errors).__name__}")
    if td_errors.ndim != 1:
        raise ValueError(f"td_errors has shape {tuple(td_errors.shape)}; expected (batch,)")
    if not td_errors.is_floating_point():
        raise TypeError(f"td_errors has dtype {td_errors.dtype}; expected a floating dtype (float32 or float64)")
    alpha, eps = _real("alpha", alpha), _real("eps", eps)
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must be in [0, 1], got {alpha}")
    if eps < 0:
        raise ValueError(f"eps must be >= 0, got {eps}")
    with torch.no_grad():
        return (td_errors.detach().abs() + eps) ** alpha


def importance_weights(probs, size, beta) -> np.ndarray:
    r"""Importance-sampling weights of a sampled batch, the largest scaled to 1.

    .. math:: w_i = \frac{(N \cdot P(i))^{-β}}{\max_j (N \cdot P(j))^{-β}}

    the max over the sampled **batch** (Schaul et al., Algorithm 1): the weights only ever
    scale an update down, so the step size stays bounded. β = 0 gives all ones (no
    correction); β = 1 corrects fully, up to that common scale.

    Args:
        probs: P(i) of the sampled transitions, a 1-D numpy array of numbers in (0, 1].
        size: N, the number of stored transitions, an int ≥ 1.
        beta: β in [0, 1].

    Returns:
        w, a numpy array of the shape of ``probs`` (its float dtype).
    """
    if not isinstance(probs, np.ndarray):
        raise TypeError(f"probs must be a numpy array, got {type(probs).__name__}")
    if probs.ndim != 1 or probs.size == 0:
        raise ValueError(f"probs has shape {probs.shape}; expected (batch,) with batch >= 1")
    if not np.issubdtype(probs.dtype, np.floating):
        raise TypeError(f"probs has dtype {probs.dtype}; expected a floating dtype")
    if not np.all((probs > 0) & (probs <= 1)):
        raise ValueError(f"probs must lie in (0, 1] (sampling probabilities), got min {probs.min()}, max {probs.max()}")
    if isinstance(size, (bool, np.bool_)) or not isinstance(size, (numbers.Integral, np.integer)) or size < 1:
        raise ValueError(f"size must be an int >= 1 (N, the stored transitions), got {size!r}")
    beta = _real("beta", beta)
    if not 0.0 <= beta <= 1.0:
        raise ValueError(f"beta must be in [0, 1], got {beta}")
    weights = (size * probs) ** -beta
    return (weights / weights.max()).astype(probs.dtype, copy=False)
