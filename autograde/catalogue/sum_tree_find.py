"""Student-style answers for sum_tree_find(nodes, prefix) -> leaf."""

import numpy as np


def descent(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        left = nodes[2 * node]
        if prefix < left:
            node = 2 * node
        else:
            prefix -= left
            node = 2 * node + 1
    return node - capacity


def recursive(nodes, prefix):
    capacity = nodes.size // 2

    def down(node, prefix):
        if node >= capacity:
            return node - capacity
        if prefix < nodes[2 * node]:
            return down(2 * node, prefix)
        return down(2 * node + 1, prefix - nodes[2 * node])

    return down(1, prefix)


def running_offset(nodes, prefix):
    n_leaves = len(nodes) // 2
    node, offset = 1, 0.0
    while node < n_leaves:
        if prefix < offset + nodes[2 * node]:
            node = 2 * node
        else:
            offset += nodes[2 * node]
            node = 2 * node + 1
    return int(node - n_leaves)


def branch_by_bool(nodes, prefix):
    n = len(nodes) // 2
    node = 1
    for _ in range(int(np.log2(n))):
        go_right = prefix >= nodes[2 * node]
        prefix = prefix - nodes[2 * node] * go_right
        node = 2 * node + int(go_right)
    return np.int64(node - n)


def with_empty_guard(nodes, prefix):
    leaves = len(nodes) // 2
    node = 1
    while node < leaves:
        left, right = nodes[2 * node], nodes[2 * node + 1]
        if prefix >= left and right > 0:
            prefix -= left
            node = 2 * node + 1
        else:
            node = 2 * node
    return node - leaves


def less_or_equal(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix <= nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - capacity


def searchsorted_left(nodes, prefix):
    leaves = nodes[len(nodes) // 2:]
    return int(np.searchsorted(np.cumsum(leaves), prefix))


def never_subtracts(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            node = 2 * node + 1
    return node - capacity


def subtracts_right(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node + 1]
            node = 2 * node + 1
    return node - capacity


def compares_own_sum(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix < nodes[node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - capacity


def swapped_children(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix > nodes[2 * node] or prefix == nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - capacity


def returns_node(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while node < capacity:
        if prefix < nodes[2 * node]:
            node *= 2
        else:
            prefix -= nodes[2 * node]
            node = node * 2 + 1
    return node


def returns_priority(nodes, prefix):
    node = 1
    while node < len(nodes) // 2:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return nodes[node]


def one_level_short(nodes, prefix):
    capacity = len(nodes) // 2
    node = 1
    while 2 * node < capacity:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - capacity


def zero_rooted(nodes, prefix):
    capacity = len(nodes) // 2
    node = 0
    while node < capacity - 1:
        left = 2 * node + 1
        if prefix < nodes[left]:
            node = left
        else:
            prefix -= nodes[left]
            node = left + 1
    return node - (capacity - 1)


def prefix_as_fraction(nodes, prefix):
    target = prefix * nodes[1]
    return descent(nodes, target)


def linear_scan(nodes, prefix):
    capacity = len(nodes) // 2
    total = 0.0
    for i in range(capacity):
        total += nodes[capacity + i]
        if prefix < total:
            return i
    return capacity - 1


def searchsorted_right(nodes, prefix):
    leaves = nodes[len(nodes) // 2:]
    return int(np.searchsorted(np.cumsum(leaves), prefix, side="right"))


def normalises_the_tree(nodes, prefix):
    total = nodes[1]
    nodes /= total
    return descent(nodes, prefix / total)


CORRECT = [descent, recursive, running_offset, branch_by_bool, with_empty_guard]
WRONG = {
    less_or_equal: "goes left when prefix ≤ the left sum",
    searchsorted_left: "goes left when prefix ≤ the left sum",
    never_subtracts: "goes right without subtracting the left sum",
    subtracts_right: "subtracts the right child's sum",
    compares_own_sum: "compares prefix with the node's own sum",
    swapped_children: "directions are swapped",
    returns_node: "returns the node index L + i",
    returns_priority: "expected an int, the leaf index",
    one_level_short: "stops one level above the leaves",
    zero_rooted: "the 0-rooted layout",
    prefix_as_fraction: "a fraction of the total",
    linear_scan: "scans the leaves' running sum",
    searchsorted_right: "scans the leaves' running sum",
    normalises_the_tree: "changed the tree",
}

# The wrong answers whose mistake the notebook's text names (08, exercise 2b: go left only if prefix < the
# left sum, subtract it going right, return the leaf index node − L, never an empty leaf, the tree only read,
# a descent and not a scan).
NAMED_IN_TEXT = {less_or_equal, never_subtracts, returns_node, linear_scan, normalises_the_tree}

# Out of the kernel the tree crosses to the student's process and back: every diagnosis stays the same.
OUT_OF_KERNEL = {}
