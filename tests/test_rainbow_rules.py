"""Assignment 08's prioritized-replay and dueling references (qlab.rainbow) and their graded rules.

The references agree with the library they stand for (qlab's SumTree, PrioritizedReplayBuffer and
DuelingHead), refuse bad input with an error that names what was expected, and the rules' checks give
an answer the same points in the student's kernel and out of it, where the sum tree and the
probabilities cross to the student's process and back and the dueling head's gradient comes back.
"""

import warnings

import numpy as np
import pytest
import torch

from autograde.registry import RULES
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox
from qlab.networks import DuelingHead
from qlab.rainbow.dueling import dueling_q
from qlab.rainbow.prioritized import importance_weights, sum_tree_find, sum_tree_update, td_priorities
from qlab.replay.prioritized import SumTree


def test_sum_tree_matches_the_buffers_tree():
    """random updates and searches give the nodes and leaves of qlab's SumTree"""
    rng = np.random.default_rng(0)
    for capacity in (1, 2, 8, 64):
        library = SumTree(capacity)
        nodes = np.zeros_like(library.nodes)
        for _ in range(200):
            leaf, priority = int(rng.integers(capacity)), float(rng.uniform(0, 3) * (rng.random() < 0.9))
            library.set_one(leaf, priority)
            sum_tree_update(nodes, leaf, priority)
            assert np.array_equal(nodes, library.nodes)
            if nodes[1] > 0:
                prefixes = rng.uniform(0, nodes[1], 5)
                assert [sum_tree_find(nodes, p) for p in prefixes] == library.find(prefixes).tolist()


def test_sum_tree_find_never_returns_an_empty_leaf():
    """at every exact prefix sum, and at the total's last representable point below it"""
    nodes = np.zeros(16)
    for leaf, priority in enumerate([0.0, 0.1, 0.0, 0.2, 0.3, 0.0, 0.0, 0.7]):
        sum_tree_update(nodes, leaf, priority)
    leaves = nodes[8:]
    for prefix in [*np.cumsum(leaves)[:-1], np.nextafter(nodes[1], 0)]:
        if prefix < nodes[1]:
            assert leaves[sum_tree_find(nodes, prefix)] > 0


def test_priorities_and_weights_match_the_buffer():
    """the buffer's p^α = (|δ| + ε)^α and w = (N·P)^−β / max w, from qlab.replay.prioritized"""
    td = torch.tensor([-2.0, 0.0, 0.5, 3.0], dtype=torch.float64)
    assert torch.allclose(td_priorities(td, 0.6, 1e-3), (td.abs() + 1e-3) ** 0.6)
    probs = np.array([0.1, 0.02, 0.3])
    weights = (50 * probs) ** -0.4
    assert np.allclose(importance_weights(probs, 50, 0.4), weights / weights.max())
    assert importance_weights(probs.astype(np.float32), np.int64(50), 0.4).dtype == np.float32


def test_dueling_q_is_the_dueling_heads_aggregation():
    torch.manual_seed(0)
    head = DuelingHead(3, 4, hidden=8)
    features = torch.randn(5, 3)
    value, advantages = head.value(features), head.advantage(features)
    assert torch.allclose(dueling_q(value, advantages), head(features), atol=1e-6)


@pytest.mark.parametrize("call, error, words", [
    (lambda: sum_tree_update(np.zeros(6), 0, 1.0), ValueError, "expected (2L,) with L a power of two"),
    (lambda: sum_tree_update(np.zeros(8, dtype=np.int64), 0, 1.0), TypeError, "expected float64"),
    (lambda: sum_tree_update([0.0, 0.0], 0, 1.0), TypeError, "must be a numpy array"),
    (lambda: sum_tree_update(np.zeros(8), 4, 1.0), ValueError, "leaf must be in [0, 4)"),
    (lambda: sum_tree_update(np.zeros(8), 1.0, 1.0), TypeError, "leaf must be an int"),
    (lambda: sum_tree_update(np.zeros(8), 1, -0.5), ValueError, "priority must be >= 0"),
    (lambda: sum_tree_update(np.zeros(8), 1, float("nan")), ValueError, "priority must be finite"),
    (lambda: sum_tree_find(np.array([0.0, 3.0, 1.0, 2.0]), 3.0), ValueError, "prefix must be in [0, total)"),
    (lambda: sum_tree_find(np.array([0.0, 3.0, 1.0, 2.0]), -0.5), ValueError, "prefix must be in [0, total)"),
    (lambda: td_priorities(np.array([1.0]), 0.5, 0.01), TypeError, "td_errors must be a torch.Tensor"),
    (lambda: td_priorities(torch.zeros(3, 1), 0.5, 0.01), ValueError, "expected (batch,)"),
    (lambda: td_priorities(torch.zeros(3, dtype=torch.int64), 0.5, 0.01), TypeError, "expected a floating dtype"),
    (lambda: td_priorities(torch.zeros(3), 1.5, 0.01), ValueError, "alpha must be in [0, 1]"),
    (lambda: td_priorities(torch.zeros(3), 0.5, -0.01), ValueError, "eps must be >= 0"),
    (lambda: importance_weights(np.array([0.5, 0.0]), 4, 0.5), ValueError, "probs must lie in (0, 1]"),
    (lambda: importance_weights(np.array([[0.5]]), 4, 0.5), ValueError, "expected (batch,)"),
    (lambda: importance_weights(torch.tensor([0.5]), 4, 0.5), TypeError, "probs must be a numpy array"),
    (lambda: importance_weights(np.array([0.5]), 0, 0.5), ValueError, "size must be an int >= 1"),
    (lambda: importance_weights(np.array([0.5]), 4, 1.5), ValueError, "beta must be in [0, 1]"),
    (lambda: dueling_q(torch.zeros(3), torch.zeros(3, 2)), ValueError, "expected (batch, 1) = (3, 1)"),
    (lambda: dueling_q(torch.zeros(3, 1), torch.zeros(3)), ValueError, "expected (batch, n_actions)"),
    (lambda: dueling_q(torch.zeros(2, 1), torch.zeros(3, 2)), ValueError, "expected (batch, 1) = (3, 1)"),
    (lambda: dueling_q(np.zeros((3, 1)), torch.zeros(3, 2)), TypeError, "value must be a torch.Tensor"),
    (lambda: dueling_q(torch.zeros(3, 1), torch.zeros(3, 2, dtype=torch.int64)), TypeError, "floating dtype"),
])
def test_bad_input_is_refused_with_what_was_expected(call, error, words):
    with pytest.raises(error) as raised:
        call()
    assert words in str(raised.value)


SETUP = "import numpy as np\nimport torch\n"
ANSWERS = {  # name in the cells: (rule, source, full marks or the words of the diagnosis)
    "update_honest": ("sum_tree_update", '''
def update_honest(nodes, leaf, priority):
    node = len(nodes) // 2 + leaf
    change = priority - nodes[node]
    while node >= 1:
        nodes[node] += change
        node //= 2
''', None),
    "update_only_leaf": ("sum_tree_update", '''
def update_only_leaf(nodes, leaf, priority):
    nodes[len(nodes) // 2 + leaf] = priority
''', "only the leaf changes"),
    "find_honest": ("sum_tree_find", '''
def find_honest(nodes, prefix):
    n, node = len(nodes) // 2, 1
    while node < n:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - n
''', None),
    "find_normalises": ("sum_tree_find", '''
def find_normalises(nodes, prefix):
    total = nodes[1]
    nodes /= total
    n, node, prefix = len(nodes) // 2, 1, prefix / total
    while node < n:
        if prefix < nodes[2 * node]:
            node = 2 * node
        else:
            prefix -= nodes[2 * node]
            node = 2 * node + 1
    return node - n
''', "changed the tree"),
    "weights_honest": ("importance_weights", '''
def weights_honest(probs, size, beta):
    w = (size * probs) ** -beta
    return w / w.max()
''', None),
    "weights_in_place": ("importance_weights", '''
def weights_in_place(probs, size, beta):
    probs *= size
    probs **= -beta
    return probs / probs.max()
''', "changed its input probs in place"),
    "priorities_honest": ("td_priorities", '''
def priorities_honest(td_errors, alpha, eps):
    with torch.no_grad():
        return (td_errors.abs() + eps) ** alpha
''', None),
    "priorities_with_gradient": ("td_priorities", '''
def priorities_with_gradient(td_errors, alpha, eps):
    return (td_errors.abs() + eps) ** alpha
''', "carry a gradient"),
    "dueling_honest": ("dueling_q", '''
def dueling_honest(value, advantages):
    return value + advantages - advantages.mean(dim=1, keepdim=True)
''', None),
    "dueling_in_place": ("dueling_q", '''
def dueling_in_place(value, advantages):
    advantages -= advantages.mean(dim=1, keepdim=True)
    return value + advantages
''', "in place"),
    "dueling_detached_mean": ("dueling_q", '''
def dueling_detached_mean(value, advantages):
    return value + advantages - advantages.mean(dim=1, keepdim=True).detach()
''', "the mean advantage is detached"),
}


@pytest.fixture(scope="module")
def box():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # where bubblewrap is missing
        with Sandbox([SETUP] + [source for _, source, _ in ANSWERS.values()], call_timeout=20) as sandbox:
            yield sandbox


@pytest.mark.parametrize("name", ANSWERS)
def test_both_graders_give_the_same_points(name, box):
    rule_name, source, diagnosis = ANSWERS[name]
    namespace = {}
    exec(SETUP + source, namespace)
    rule = RULES[rule_name]
    inside = run_checks(rule, namespace[name])
    outside = run_checks(rule, box.function(name))
    assert outside.points == inside.points, f"in kernel:\n{inside.report()}\nout of kernel:\n{outside.report()}"
    assert [c.passed for c in outside.checks] == [c.passed for c in inside.checks]
    if diagnosis is None:
        assert outside.points == rule.points, outside.report()
    else:
        assert outside.points < rule.points, outside.report()
        assert diagnosis in inside.diagnosis and diagnosis in outside.diagnosis, outside.report()
