"""Student-style answers for sum_tree_update(nodes, leaf, priority) -> None."""

import numpy as np


def recompute_sums(nodes, leaf, priority):
    capacity = len(nodes) // 2
    node = capacity + leaf
    nodes[node] = priority
    while node > 1:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def propagate_change(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    change = priority - nodes[node]
    while node >= 1:
        nodes[node] += change
        node //= 2


def recursive(nodes, leaf, priority):
    def fix(node):
        if node == 0:
            return
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
        fix(node // 2)

    node = nodes.shape[0] // 2 + int(leaf)
    nodes[node] = priority
    fix(node // 2)


def sibling_trick(nodes, leaf, priority):
    node = len(nodes) // 2 + int(leaf)
    nodes[node] = priority
    while node > 1:
        nodes[node >> 1] = nodes[node] + nodes[node ^ 1]
        node >>= 1


def by_levels(nodes, leaf, priority):
    n_leaves = len(nodes) // 2
    depth = int(np.log2(n_leaves))
    index = n_leaves + leaf
    nodes[index] = priority
    for _ in range(depth):
        index = index // 2
        left, right = nodes[2 * index], nodes[2 * index + 1]
        nodes[index] = left + right


def returns_the_tree(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    delta = priority - nodes[node]
    path = []
    while node:
        path.append(node)
        node //= 2
    nodes[path] += delta
    return nodes


def only_leaf(nodes, leaf, priority):
    nodes[len(nodes) // 2 + leaf] = priority


def change_after_write(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    change = priority - nodes[node]  # too late: the leaf already holds the new priority
    node //= 2
    while node >= 1:
        nodes[node] += change
        node //= 2


def parents_get_priority(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    while node >= 1:
        nodes[node] = priority
        node //= 2


def stops_below_root(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    node //= 2
    while node > 1:
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]
        node //= 2


def only_parent(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    parent = node // 2
    nodes[parent] = nodes[2 * parent] + nodes[2 * parent + 1]


def adds_priority(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    node //= 2
    while node >= 1:
        nodes[node] += priority
        node //= 2


def change_reversed(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    change = nodes[node] - priority
    nodes[node] = priority
    node //= 2
    while node >= 1:
        nodes[node] += change
        node //= 2


def writes_node_zero(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    while node != 0:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def zero_rooted_layout(nodes, leaf, priority):
    capacity = len(nodes) // 2
    node = capacity - 1 + leaf
    nodes[node] = priority
    while node > 0:
        node = (node - 1) // 2
        nodes[node] = nodes[2 * node + 1] + nodes[2 * node + 2]


def offset_minus_one(nodes, leaf, priority):
    capacity = len(nodes) // 2
    node = capacity - 1 + leaf
    nodes[node] = priority
    while node > 1:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def writes_node_i(nodes, leaf, priority):
    node = leaf
    nodes[node] = priority
    while node > 1:
        node //= 2
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def zero_rooted_parent(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    nodes[node] = priority
    while node > 1:
        node = (node - 1) // 2
        if node == 0:
            break
        nodes[node] = nodes[2 * node] + nodes[2 * node + 1]


def copies_the_tree(nodes, leaf, priority):
    nodes = nodes.copy()
    recompute_sums(nodes, leaf, priority)
    return nodes


CORRECT = [recompute_sums, propagate_change, recursive, sibling_trick, by_levels, returns_the_tree]
WRONG = {
    only_leaf: "only the leaf changes",
    change_after_write: "only the leaf changes",
    parents_get_priority: "sets the ancestors to the new priority",
    stops_below_root: "stops before the root",
    only_parent: "only the leaf's parent is updated",
    adds_priority: "adds the new priority to every ancestor",
    change_reversed: "adds old − new",
    writes_node_zero: "also writes node 0",
    zero_rooted_layout: "the 0-rooted layout (root 0",
    offset_minus_one: "leaf i at node L − 1 + i",
    writes_node_i: "writes node i, an inner node",
    zero_rooted_parent: "(n − 1) // 2",
    copies_the_tree: "the tree did not change",
}

# The wrong answers whose mistake the notebook's text names (08, exercise 2a: leaf i is node L + i, every
# ancestor up to and including the root becomes the sum of its two children, add the change not the
# priority, in place).
NAMED_IN_TEXT = {only_leaf, parents_get_priority, stops_below_root, adds_priority, offset_minus_one, copies_the_tree}

# Out of the kernel the tree crosses to the student's process and back (sum_tree_update changes it in place):
# every diagnosis stays the same.
OUT_OF_KERNEL = {}
