"""qlab.rainbow's categorical (C51) target and loss and its noisy layer: the references of 08.

Each is compared with a direct transcription of its formula (loops over samples and atoms, the
paper's outer product), and held to the bad-input errors of qlab.rules; each also passes its own
graded rule's checks, and those checks grade an answer alike in the student's kernel and out of it.
"""

import importlib
import inspect
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from autograde.registry import RULES
from autograde.runner import run_checks
from autograde.sandbox.process import Sandbox
from qlab.rainbow.distributional import categorical_loss, categorical_target
from qlab.rainbow.noisy import noisy_init, noisy_linear


def projected_by_loops(rewards, next_probs, terminated, gamma, support):
    """Algorithm 1 of Bellemare et al. (2017), one sample and one atom at a time, in float64."""
    batch, n_actions, n = next_probs.shape
    z = support.double().tolist()
    v_min, v_max, dz = z[0], z[-1], (z[-1] - z[0]) / (n - 1)
    m = np.zeros((batch, n))
    for i in range(batch):
        p = next_probs[i].double().numpy()
        best = int(np.argmax(p @ np.array(z)))
        g = float(gamma[i]) if isinstance(gamma, torch.Tensor) else gamma
        for j in range(n):
            tz = min(max(float(rewards[i]) + g * (1 - float(terminated[i])) * z[j], v_min), v_max)
            b = (tz - v_min) / dz
            lower, upper = math.floor(b), math.ceil(b)
            if lower == upper:
                m[i, lower] += p[best, j]
            else:
                m[i, lower] += p[best, j] * (upper - b)
                m[i, upper] += p[best, j] * (b - lower)
    return m


@pytest.mark.parametrize("support", [torch.linspace(-10, 10, 51), torch.arange(-2.0, 2.5, 0.5),
                                     torch.linspace(0, 200, 21, dtype=torch.float64)], ids=["c51", "grid", "float64"])
def test_categorical_target_is_the_papers_projection(support):
    rng = np.random.default_rng(0)
    n = support.shape[0]
    for _ in range(20):
        batch, n_actions = int(rng.integers(1, 6)), int(rng.integers(1, 4))
        span = float(support[-1] - support[0])
        rewards = torch.tensor(rng.uniform(float(support[0]) - span / 2, float(support[-1]) + span / 2, batch),
                               dtype=support.dtype)
        next_probs = torch.tensor(rng.dirichlet(np.ones(n), (batch, n_actions)), dtype=support.dtype)
        terminated = torch.tensor(rng.random(batch) < 0.3)
        gamma = torch.tensor(rng.choice([0.5, 0.99, 1.0], batch), dtype=support.dtype) if rng.random() < 0.5 else 0.9
        m = categorical_target(rewards, next_probs, terminated, gamma, support)
        assert m.shape == (batch, n) and m.dtype == support.dtype and not m.requires_grad
        expected = projected_by_loops(rewards, next_probs, terminated, gamma, support)
        np.testing.assert_allclose(m.double().numpy(), expected, atol=1e-5)
        np.testing.assert_allclose(m.double().sum(1).numpy(), 1.0, atol=1e-5)


def test_categorical_target_edge_cases():
    support = torch.tensor([-1.0, 0.0, 1.0])
    probs = torch.tensor([[[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]] * 3, requires_grad=True)
    m = categorical_target(torch.tensor([5.0, -5.0, 0.0]), probs, torch.tensor([0.0, 0.0, 1.0]), 0.9, support)
    assert not m.requires_grad
    # beyond v_max and v_min: all mass on the end atoms; terminal with r on an atom: all mass there
    assert torch.equal(m, torch.tensor([[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]))
    # γ = 1, r = Δz: every atom moves exactly onto its neighbour (l == u keeps the mass), the top one is clamped
    m = categorical_target(torch.tensor([1.0]), probs[:1].detach(), torch.tensor([False]), 1.0, support)
    assert torch.equal(m, torch.tensor([[0.0, 0.25, 0.75]]))


@pytest.mark.parametrize("call, error, words", [
    (lambda r, p, d, z: categorical_target(r, p[:, 0], d, 0.9, z), ValueError, "next_probs has shape (2, 3)"),
    (lambda r, p, d, z: categorical_target(r, p, d, 0.9, z.flip(0)), ValueError, "support must be increasing"),
    (lambda r, p, d, z: categorical_target(r, p, d, 0.9, z[:2]), ValueError,
     "(batch, n_actions, n_atoms) = (2, n_actions, 2)"),
    (lambda r, p, d, z: categorical_target(r, p, d, 1.5, z), ValueError, "gamma must lie in [0, 1]"),
    (lambda r, p, d, z: categorical_target(r, p, d[:1], 0.9, z), ValueError, "terminated has shape (1,)"),
    (lambda r, p, d, z: categorical_target(r, p, d, 0.9, z.long()), TypeError, "support has dtype torch.int64"),
    (lambda r, p, d, z: categorical_target(r.numpy(), p, d, 0.9, z), TypeError, "rewards must be a torch.Tensor"),
])
def test_categorical_target_refuses_bad_input(call, error, words):
    rewards, terminated = torch.tensor([1.0, 0.0]), torch.tensor([False, True])
    probs, support = torch.full((2, 2, 3), 1 / 3), torch.tensor([-1.0, 0.0, 1.0])
    with pytest.raises(error) as raised:
        call(rewards, probs, terminated, support)
    assert words in str(raised.value)


def test_categorical_loss_is_the_cross_entropy_of_the_taken_action():
    rng = np.random.default_rng(1)
    logits = torch.tensor(rng.normal(size=(5, 3, 11)), requires_grad=True)
    actions = torch.tensor([0, 2, 1, 1, 0])
    target = torch.tensor(rng.dirichlet(np.ones(11), 5), requires_grad=True)
    weights = torch.tensor(rng.uniform(0.1, 1.0, 5))
    loss = categorical_loss(logits, actions, target, weights)
    taken = logits[torch.arange(5), actions]
    expected = (weights * F.cross_entropy(taken, target.detach(), reduction="none")).mean()
    torch.testing.assert_close(loss, expected)
    loss.backward()
    assert target.grad is None                       # the target is a constant
    grad = torch.zeros_like(logits)
    grad[torch.arange(5), actions] = (weights[:, None] * (F.softmax(taken, 1) - target)).detach() / 5
    torch.testing.assert_close(logits.grad, grad)
    far = torch.tensor([[[0.0, -1000.0, 1.0]]], dtype=torch.float32)
    assert torch.isfinite(categorical_loss(far, torch.tensor([0]), torch.tensor([[0.5, 0.0, 0.5]])))


@pytest.mark.parametrize("call, error, words", [
    (lambda x, a, m: categorical_loss(x[:, 0], a, m), ValueError, "logits has shape (2, 3)"),
    (lambda x, a, m: categorical_loss(x, a.float(), m), TypeError, "actions has dtype torch.float32"),
    (lambda x, a, m: categorical_loss(x, a, m[:1]), ValueError, "target_probs has shape (1, 3)"),
    (lambda x, a, m: categorical_loss(x, a, m, torch.ones(3)), ValueError, "weights has shape (3,)"),
])
def test_categorical_loss_refuses_bad_input(call, error, words):
    with pytest.raises(error) as raised:
        call(torch.zeros(2, 2, 3), torch.tensor([0, 1]), torch.full((2, 3), 1 / 3))
    assert words in str(raised.value)


def test_noisy_linear_is_the_factorised_layer():
    rng = np.random.default_rng(2)
    p, q = 4, 3
    x = torch.tensor(rng.normal(size=(5, p)), requires_grad=True)
    params = [torch.tensor(rng.normal(size=s), requires_grad=True) for s in ((q, p), (q, p), (q,), (q,))]
    eps_in, eps_out = torch.tensor(rng.normal(size=p)), torch.tensor(rng.normal(size=q))
    f_in, f_out = eps_in.sign() * eps_in.abs().sqrt(), eps_out.sign() * eps_out.abs().sqrt()
    weight = params[0] + params[1] * (f_out[:, None] * f_in[None, :])
    expected = x @ weight.T + params[2] + params[3] * f_out
    y = noisy_linear(x, *params, eps_in, eps_out)
    torch.testing.assert_close(y, expected)
    y.sum().backward()
    assert all(t.grad is not None and bool(t.grad.abs().sum() > 0) for t in (x, *params))
    torch.testing.assert_close(noisy_linear(x, *params, eps_in, eps_out, training=False),
                               F.linear(x, params[0], params[2]))


@pytest.mark.parametrize("index, shape, words", [
    (0, (5, 3), "x has shape (5, 3); expected (batch, in_features) = (batch, 4)"),
    (2, (4, 3), "weight_sigma has shape (4, 3); expected (out_features, in_features) = (3, 4)"),
    (5, (3,), "eps_in has shape (3,); expected (in_features,) = (4,)"),
    (6, (4,), "eps_out has shape (4,); expected (out_features,) = (3,)"),
])
def test_noisy_linear_refuses_bad_shapes(index, shape, words):
    args = [torch.zeros(5, 4), torch.zeros(3, 4), torch.zeros(3, 4), torch.zeros(3), torch.zeros(3),
            torch.zeros(4), torch.zeros(3)]
    args[index] = torch.zeros(shape)
    with pytest.raises(ValueError) as raised:
        noisy_linear(*args)
    assert words in str(raised.value)


def test_noisy_init_follows_fortunato_et_al():
    weight_mu, weight_sigma, bias_mu, bias_sigma = noisy_init(64, 8, 0.5, np.random.default_rng(3))
    assert [tuple(t.shape) for t in (weight_mu, weight_sigma, bias_mu, bias_sigma)] == [(8, 64), (8, 64), (8,), (8,)]
    assert all(t.dtype == torch.float32 for t in (weight_mu, weight_sigma, bias_mu, bias_sigma))
    assert float(weight_mu.abs().max()) <= 1 / 8 and float(weight_mu.abs().max()) > 0.1
    assert float(bias_mu.abs().max()) <= 1 / 8
    assert torch.all(weight_sigma == 0.5 / 8) and torch.all(bias_sigma == 0.5 / 8)
    again = noisy_init(64, 8, 0.5, np.random.default_rng(3))
    assert torch.equal(weight_mu, again[0]) and torch.equal(bias_mu, again[2])


@pytest.mark.parametrize("args, error, words", [
    ((0, 3, 0.5, np.random.default_rng()), ValueError, "in_features must be an integer >= 1"),
    ((3, 2.5, 0.5, np.random.default_rng()), ValueError, "out_features must be an integer >= 1"),
    ((3, 2, -0.1, np.random.default_rng()), ValueError, "sigma0 must be >= 0"),
    ((3, 2, 0.5, 7), TypeError, "rng must be a numpy.random.Generator"),
])
def test_noisy_init_refuses_bad_input(args, error, words):
    with pytest.raises(error) as raised:
        noisy_init(*args)
    assert words in str(raised.value)


@pytest.mark.parametrize("name, reference", [("categorical_target", categorical_target),
                                             ("categorical_loss", categorical_loss),
                                             ("noisy_linear", noisy_linear), ("noisy_init", noisy_init)])
def test_each_reference_passes_its_rules_checks(name, reference):
    result = run_checks(RULES[name], reference)
    assert result.points == result.max_points, result.report()


# Answers whose checks look past the values: a gradient that must or must not flow (the sandbox
# sends its Jacobians back), the rng's state (sent back and written into the grader's generator),
# an input changed in place, and a named mistake.
BOTH_GRADERS = {
    "categorical_target": ["dopamine_trick", "no_grad_missing", "loses_mass_when_l_equals_u"],
    "categorical_loss": ["with_log_softmax", "target_not_detached", "detaches_the_logits", "log_of_softmax"],
    "noisy_linear": ["noise_as_a_separate_term", "sigma_detached", "scales_eps_in_place", "outer_product_transposed"],
    "noisy_init": ["torch_generator_seeded_from_rng", "fixed_seed", "global_numpy_rng", "sigma_over_sqrt_q"],
}


@pytest.mark.parametrize("rule_name", sorted(BOTH_GRADERS))
def test_both_graders_give_the_same_points(rule_name):
    """The same answer earns the same points and the same diagnosis in the student's kernel and out of it."""
    catalogue = importlib.import_module(f"autograde.catalogue.{rule_name}")
    rule = RULES[rule_name]
    with Sandbox([inspect.getsource(catalogue)], references=rule.references) as box:
        for name in BOTH_GRADERS[rule_name]:
            inside = run_checks(rule, getattr(catalogue, name))
            outside = run_checks(rule, box.function(name))
            assert outside.points == inside.points, f"{name}\nin kernel:\n{inside.report()}\nout:\n{outside.report()}"
            assert [c.passed for c in outside.checks] == [c.passed for c in inside.checks], name
            assert outside.diagnosis == inside.diagnosis, name
