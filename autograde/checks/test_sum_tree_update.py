"""Checks for sum_tree_update(nodes, leaf, priority) -> None.

``nodes`` is a 1-D float64 array of length 2L, L a power of two: node 1 is the root, node n's
children are 2n and 2n + 1, leaf i (0-based) is node L + i, node 0 is unused. The update sets
leaf i to ``priority`` and every ancestor of it -- its parent n // 2 and so on up to and
including the root -- to the sum of its two children again, in place, in O(log L). No other
node changes; the root then holds the total Σ_i p_i.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, call_text, close, computing_dtype, fail, number_pair
from autograde.checks.helpers import GRADING
from qlab.rainbow.prioritized import sum_tree_update as reference


def _leaf_node(nodes, leaf):
    return len(nodes) // 2 + int(leaf)


def _ancestors(recompute):
    """An update that writes the leaf, then calls ``recompute(nodes, parent, old, new)`` for the
    parents n // 2 up to and including the root."""
    def update(nodes, leaf, priority):
        node = _leaf_node(nodes, leaf)
        old = nodes[node]
        nodes[node] = priority
        node //= 2
        while node >= 1:
            recompute(nodes, node, old, priority)
            node //= 2
    return update


def _sum(nodes, node):
    nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def _stops_short(nodes, leaf, priority):
    node = _leaf_node(nodes, leaf)
    nodes[node] = priority
    node //= 2
    while node > 1:
        _sum(nodes, node)
        node //= 2


def _only_parent(nodes, leaf, priority):
    node = _leaf_node(nodes, leaf)
    nodes[node] = priority
    if node > 1:
        _sum(nodes, node // 2)


def _writes_node_zero(nodes, leaf, priority):
    node = _leaf_node(nodes, leaf)
    nodes[node] = priority
    while node > 0:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def _zero_rooted(nodes, leaf, priority):
    node = len(nodes) // 2 - 1 + int(leaf)
    nodes[node] = priority
    while node > 0:
        node = (node - 1) // 2
        nodes[node] = nodes[2 * node + 1] + nodes[2 * node + 2]


def _offset_minus_one(nodes, leaf, priority):
    node = len(nodes) // 2 - 1 + int(leaf)
    nodes[node] = priority
    node //= 2
    while node >= 1:
        _sum(nodes, node)
        node //= 2


def _leaf_at_i(nodes, leaf, priority):
    node = int(leaf)
    nodes[node] = priority
    node //= 2
    while node >= 1:
        _sum(nodes, node)
        node //= 2


def _zero_rooted_parent(nodes, leaf, priority):
    node = _leaf_node(nodes, leaf)
    nodes[node] = priority
    while node > 1:
        node = (node - 1) // 2
        if node < 1:
            break
        _sum(nodes, node)


MISTAKES = {
    "only the leaf changes: every ancestor of it, up to and including the root, must become the sum of its two "
    "children again (the root holds the total)":
        lambda nodes, leaf, priority: nodes.__setitem__(_leaf_node(nodes, leaf), priority),
    "it sets the ancestors to the new priority itself; each ancestor n becomes the sum of its two children, "
    "nodes[2n] + nodes[2n + 1]":
        _ancestors(lambda nodes, node, old, new: nodes.__setitem__(node, new)),
    "it stops before the root: node 1, the root, holds the total and is updated too (loop while node >= 1)":
        _stops_short,
    "only the leaf's parent is updated: every ancestor up to and including the root must be":
        _only_parent,
    "it adds the new priority to every ancestor; add the change, priority − old priority (or recompute each "
    "ancestor as the sum of its two children)":
        _ancestors(lambda nodes, node, old, new: nodes.__setitem__(node, nodes[node] + new)),
    "it adds old − new to the ancestors; the change is new − old, priority − old priority":
        _ancestors(lambda nodes, node, old, new: nodes.__setitem__(node, nodes[node] + old - new)),
    "it also writes node 0: node 0 is unused, stop after the root, node 1 (loop while node >= 1)":
        _writes_node_zero,
    "it uses the 0-rooted layout (root 0, children 2n + 1 and 2n + 2, leaf i at node L − 1 + i); here node 1 is "
    "the root, node n's children are 2n and 2n + 1 and leaf i is node L + i":
        _zero_rooted,
    "it puts leaf i at node L − 1 + i, the 0-rooted layout's offset; with node 1 the root, leaf i is node L + i":
        _offset_minus_one,
    "it writes node i, an inner node, instead of leaf i: leaf i is node L + i":
        _leaf_at_i,
    "it climbs to (n − 1) // 2, the 0-rooted layout's parent; with node 1 the root, node n's parent is n // 2":
        _zero_rooted_parent,
}


def tree(leaves, dtype=np.float64):
    """The sum tree over ``leaves`` (a power-of-two number of them), built by the reference."""
    nodes = np.zeros(2 * len(leaves), dtype=dtype)
    for i, p in enumerate(leaves):
        reference(nodes, i, p)
    return nodes


LEAVES_4 = [1.0, 2.0, 0.5, 4.0]
LEAVES_8 = [0.5, 1.0, 0.0, 2.0, 1.5, 0.25, 3.0, 1.0]

PROBES = [
    Probe("raise a leaf of four", (tree(LEAVES_4), 2, 3.0), may_change=(0,)),
    Probe("raise a leaf of eight", (tree(LEAVES_8), 5, 2.0), may_change=(0,)),
    Probe("lower the first leaf to 0", (tree(LEAVES_8), 0, 0.0), may_change=(0,)),
    Probe("lower the last leaf", (tree(LEAVES_4), 3, 0.75), may_change=(0,)),
    Probe("raise leaf 1 of eight", (tree(LEAVES_8), 1, 2.5), may_change=(0,)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=lambda returned, args: args[0])


def check_update(student, nodes, leaf, priority):
    """One call: the tree after it must be the reference's, node for node."""
    call = call_text("sum_tree_update", (nodes, leaf, priority))
    before = nodes.copy()
    expected = nodes.copy()
    reference(expected, leaf, priority)
    returned = student(nodes, leaf, priority)
    if np.array_equal(nodes, before) and not np.array_equal(expected, before):
        copy = isinstance(returned, np.ndarray) and returned is not nodes
        raise Mistake("the tree did not change: update `nodes` in place (nodes[k] = …); the buffer keeps its array, "
                      + ("a new array returned is thrown away " if copy else "so nothing else counts ")
                      + f"({call})")
    dtype = computing_dtype(nodes, expected)
    if close(nodes, expected, dtype):
        return
    wrong = [k for k in range(len(nodes)) if not close(nodes[k], expected[k], dtype)]
    path = {(len(nodes) // 2 + int(leaf)) >> k for k in range(len(nodes).bit_length() - 1)}
    shown = wrong[:3]
    pairs = [number_pair(nodes[k], expected[k]) for k in shown]
    observed = "; ".join(f"nodes[{k}] became {a}, expected {b}" + ("" if k in path else " (off the path from the leaf "
                                                                                      "to the root)")
                         for k, (a, b) in zip(shown, pairs))
    more = f" ({len(wrong)} nodes differ)" if len(wrong) > len(shown) else ""
    fail(f"{call}: {observed}{more}", student, DIFFERENTIAL)


@pytest.mark.public
def test_every_ancestor_is_updated(student):
    """the leaf and every ancestor up to the root change; node n = nodes[2n] + nodes[2n + 1]"""
    check_update(student, *PROBES[1].fresh())
    check_update(student, *PROBES[0].fresh())


@pytest.mark.public
def test_root_is_the_total(student):
    """filling an empty tree of eight leaves one by one: each node, the root too, is the sum below it"""
    nodes = np.zeros(16)
    for leaf, priority in enumerate(LEAVES_8):
        check_update(student, nodes, leaf, priority)


@pytest.mark.public
def test_lowering_a_priority(student):
    """a priority can go down, to 0 too: the ancestors lose the difference"""
    check_update(student, *PROBES[2].fresh())
    check_update(student, *PROBES[3].fresh())


@pytest.mark.public
def test_only_the_path_changes(student):
    """nodes off the path from the leaf to the root, and node 0, stay as they were"""
    check_update(student, *PROBES[4].fresh())


def test_one_leaf(student):
    """L = 1: the root is the leaf (nodes of length 2)"""
    check_update(student, np.array([0.0, 1.5]), 0, 2.25)
    check_update(student, np.array([0.0, 1.5]), 0, 0.0)


def test_leaf_as_numpy_int_and_float32_tree(student):
    """the leaf may be a numpy integer (sampled indices are), the tree float32"""
    nodes, leaf, priority = PROBES[1].fresh()
    check_update(student, nodes, np.int64(leaf), np.float64(priority))
    check_update(student, tree(LEAVES_8, np.float32), np.int64(6), 0.5)


@pytest.mark.weight(2)
@GRADING
@given(depth=st.integers(0, 4), seed=st.integers(0, 10_000), steps=st.integers(1, 6),
       dtype=st.sampled_from([np.float32, np.float64]), numpy_int=st.booleans())
def test_random_updates(student, depth, seed, steps, dtype, numpy_int):
    """random trees of 1 to 16 leaves (priorities multiples of 1/8, zeros among them), several updates in turn"""
    rng = np.random.default_rng(seed)
    n_leaves = 2 ** depth
    leaves = rng.integers(0, 40, n_leaves) / 8 * (rng.random(n_leaves) < 0.8)
    nodes = tree(leaves, dtype)
    for _ in range(steps):
        leaf = rng.integers(0, n_leaves)
        priority = float(rng.integers(0, 40) / 8)
        check_update(student, nodes, leaf if numpy_int else int(leaf), priority)
