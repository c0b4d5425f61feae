"""Checks for sum_tree_find(nodes, prefix) -> leaf.

``nodes`` is a sum tree (node 1 the root, node n's children 2n and 2n + 1, leaf i at node
L + i, node 0 unused). For 0 ≤ prefix < nodes[1] the answer is the leaf index i with

    Σ_{j<i} p_j ≤ prefix < Σ_{j≤i} p_j,

found by descending from the root: go left if prefix < the left child's sum, else subtract
that sum and go right. At an exact prefix sum the leaf is the one that starts there, so a leaf
of priority 0 is never returned. The descent reads the sums stored in the tree (O(log L)); the
tree is left unchanged; the leaf is a Python or numpy int.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Probe, call_text, expect, fail
from autograde.checks.helpers import GRADING
from qlab.rainbow.prioritized import sum_tree_find as reference, sum_tree_update


def _descent(goes_left=lambda prefix, left, node_sum: prefix < left, subtract=lambda left, right: left,
             loop=lambda node, n_leaves: node < n_leaves, result=lambda node, n_leaves, nodes: node - n_leaves,
             scale=lambda prefix, total: prefix):
    """A descent from the root with one of its steps replaced."""
    def find(nodes, prefix):
        n_leaves = nodes.size // 2
        prefix = scale(prefix, nodes[1])
        node = 1
        while loop(node, n_leaves):
            left, right = nodes[2 * node], nodes[2 * node + 1]
            if goes_left(prefix, left, nodes[node]):
                node = 2 * node
            else:
                prefix -= subtract(left, right)
                node = 2 * node + 1
        return result(node, n_leaves, nodes)
    return find


def _never_subtracts(nodes, prefix):
    n_leaves, node = nodes.size // 2, 1
    while node < n_leaves:
        node = 2 * node if prefix < nodes[2 * node] else 2 * node + 1
    return node - n_leaves


def _zero_rooted(nodes, prefix):
    n_leaves, node = len(nodes) // 2, 0
    while node < n_leaves - 1:
        if prefix < nodes[2 * node + 1]:
            node = 2 * node + 1
        else:
            prefix -= nodes[2 * node + 1]
            node = 2 * node + 2
    return node - (n_leaves - 1)


def _scan(nodes, prefix):
    running = 0.0
    leaves = nodes[len(nodes) // 2:]
    for i, p in enumerate(leaves):
        running += p
        if prefix < running:
            return i
    return len(leaves) - 1


MISTAKES = {
    "it goes left when prefix ≤ the left sum (or scans with searchsorted's side='left'): at an exact prefix sum "
    "Σ_{j<i} p_j the leaf is i, the one that starts there; go left only if prefix < nodes[2n] (with ≤ a leaf of "
    "priority 0 can be returned)":
        _descent(goes_left=lambda prefix, left, node_sum: prefix <= left),
    "it goes right without subtracting the left sum: the sums in the right subtree count from its own first leaf, "
    "so going right is prefix −= nodes[2n]":
        _never_subtracts,
    "going right it subtracts the right child's sum; subtract the left child's, nodes[2n], the mass it skips":
        _descent(subtract=lambda left, right: right),
    "it compares prefix with the node's own sum nodes[n]; compare with the left child's sum, nodes[2n]":
        _descent(goes_left=lambda prefix, left, node_sum: prefix < node_sum),
    "its directions are swapped: go left (to 2n) when prefix < the left sum, else subtract it and go right":
        _descent(goes_left=lambda prefix, left, node_sum: prefix >= left),
    "it returns the node index L + i; the leaf index is node − L":
        _descent(result=lambda node, n_leaves, nodes: node),
    "it stops one level above the leaves: descend while node < L, until the node is a leaf":
        _descent(loop=lambda node, n_leaves: node < n_leaves // 2),
    "it uses the 0-rooted layout (root 0, children 2n + 1 and 2n + 2, leaf i at node L − 1 + i); here node 1 is "
    "the root, node n's children are 2n and 2n + 1 and leaf i is node L + i":
        _zero_rooted,
    "it treats prefix as a fraction of the total (prefix · nodes[1]); prefix already lies in 0 ≤ prefix < total":
        _descent(scale=lambda prefix, total: prefix * total),
    "it scans the leaves' running sum (O(L)) instead of descending the tree: the descent reads the sums stored in "
    "the tree, O(log L) steps, and at a prefix equal to a stored sum the two can differ by rounding":
        _scan,
}


def tree(leaves):
    nodes = np.zeros(2 * len(leaves))
    for i, p in enumerate(leaves):
        sum_tree_update(nodes, i, p)
    return nodes


LEAVES_4 = [1.0, 2.0, 0.5, 4.0]                       # prefix sums 0, 1, 3, 3.5, 7.5
LEAVES_8 = [0.5, 1.0, 0.0, 0.0, 2.0, 0.25, 0.0, 1.25]  # prefix sums 0, 0.5, 1.5, 1.5, 1.5, 3.5, 3.75, 3.75, 5
# Decimals whose left half sums to 1.2 in the tree ((0.1 + 0.4) + (0.6 + 0.1)) but to 1.2000000000000002 leaf by
# leaf: at prefix 1.2 the descent starts leaf 4, a running sum still ends in leaf 3.
DECIMALS = [0.1, 0.4, 0.6, 0.1, 0.5, 0.6, 0.7, 0.9]

PROBES = [
    Probe("inside leaf 1", (tree(LEAVES_4), 2.25)),
    Probe("exactly where leaf 2 starts", (tree(LEAVES_4), 3.0)),
    Probe("prefix 0, leaf 0 empty", (tree([0.0, 2.0, 1.0, 1.0]), 0.0)),
    Probe("exactly past two empty leaves", (tree(LEAVES_8), 1.5)),
    Probe("deep in the right half", (tree(LEAVES_8), 3.625)),
    Probe("the last leaf", (tree(LEAVES_8), 4.5)),
    Probe("a prefix equal to the stored left sum", (tree(DECIMALS), 1.2)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES)


def leaf_index(value, call) -> int:
    """The student's answer as an int in [0, L), or a Mistake saying what came back."""
    expect(value is not None, f"sum_tree_find returned None: return the leaf index (did you forget `return`?) ({call})")
    integer = isinstance(value, (int, np.integer)) or (isinstance(value, np.ndarray) and value.ndim == 0
                                                         and np.issubdtype(value.dtype, np.integer))
    expect(integer and not isinstance(value, (bool, np.bool_)),
           f"sum_tree_find returned {value!r} ({type(value).__name__}); expected an int, the leaf index i ({call})")
    return int(value)


def interval(nodes, leaf):
    leaves = nodes[len(nodes) // 2:]
    start = float(np.sum(leaves[:leaf]))
    return f"{start:g} ≤ prefix < {start + float(leaves[leaf]):g}"


def check_find(student, nodes, prefix):
    call = call_text("sum_tree_find", (nodes, prefix))
    before = nodes.copy()
    expected = reference(nodes.copy(), prefix)
    returned = student(nodes, prefix)
    moved = np.flatnonzero(nodes != before)
    expect(not moved.size, f"it changed the tree (nodes[{int(moved[0]) if moved.size else 0}]): finding a leaf only reads "
                           f"the sums, the buffer keeps sampling from them ({call})")
    n_leaves = nodes.size // 2
    got = leaf_index(returned, call)
    if got == expected:
        return got
    where = (f"leaf {got} holds priority 0, an empty interval that no prefix falls in" if 0 <= got < n_leaves
             and nodes[n_leaves + got] == 0 else
             f"leaf {got} covers {interval(nodes, got)}" if 0 <= got < n_leaves else
             f"{got} is not a leaf index, 0 ≤ i < L = {n_leaves}")
    fail(f"{call} returned {got}; expected leaf {expected}, which covers {interval(nodes, expected)}; {where}",
         student, DIFFERENTIAL)


@pytest.mark.public
def test_inside_a_leaf(student):
    """a prefix inside a leaf's interval finds that leaf"""
    check_find(student, *PROBES[0].fresh())
    check_find(student, *PROBES[4].fresh())


@pytest.mark.public
def test_exact_prefix_sums(student):
    """at prefix = Σ_{j<i} p_j exactly, the leaf is i (go left only if prefix < the left sum)"""
    check_find(student, *PROBES[1].fresh())
    check_find(student, *PROBES[3].fresh())


@pytest.mark.public
def test_zero_priority_leaves_are_never_found(student):
    """empty leaves (priority 0) are skipped, at prefix 0 too"""
    check_find(student, *PROBES[2].fresh())
    check_find(student, *PROBES[3].fresh())


@pytest.mark.public
def test_descends_the_stored_sums(student):
    """the descent reads the sums stored in the tree (prefix 1.2 at the left half's stored sum 1.2 starts leaf 4)"""
    check_find(student, *PROBES[6].fresh())


@pytest.mark.public
def test_tree_unchanged(student):
    """the tree is only read; the last leaf is found near the total"""
    check_find(student, *PROBES[5].fresh())


def test_one_leaf(student):
    """L = 1: every prefix finds leaf 0"""
    check_find(student, np.array([0.0, 2.5]), 0.0)
    check_find(student, np.array([0.0, 2.5]), 2.25)


def test_numpy_prefix(student):
    """a numpy float prefix (as drawn by rng.uniform) in a float32 tree"""
    nodes, prefix = PROBES[4].fresh()
    check_find(student, nodes.astype(np.float32), np.float64(prefix))
    check_find(student, nodes, np.float32(prefix))


@pytest.mark.weight(2)
@GRADING
@given(depth=st.integers(0, 4), seed=st.integers(0, 10_000), dtype=st.sampled_from([np.float32, np.float64]))
def test_random_trees(student, depth, seed, dtype):
    """random trees of 1 to 16 leaves (multiples of 1/8, zeros among them): every exact prefix sum, and points
    inside the leaves"""
    rng = np.random.default_rng(seed)
    n_leaves = 2 ** depth
    leaves = rng.integers(1, 40, n_leaves) / 8 * (rng.random(n_leaves) < 0.7)
    if not leaves.any():
        leaves[rng.integers(0, n_leaves)] = 1.0
    nodes = tree(leaves).astype(dtype)
    starts = np.concatenate([[0.0], np.cumsum(leaves)[:-1]])
    inside = starts + leaves * rng.integers(1, 8, n_leaves) / 8
    for prefix in np.unique(np.concatenate([starts, inside[leaves > 0]])):
        if prefix < nodes[1]:
            check_find(student, nodes, float(prefix))
