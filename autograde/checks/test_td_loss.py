"""Checks for td_loss(q_values, actions, targets, kind="huber") -> loss.

    L = mean_i ρ(Q(s_i, ·)[a_i] − y_i),   ρ = Huber (δ = 1) or the squared error ("mse")

q_values (B, |A|) come from the online network and carry the gradient; actions (B,) are
integer indices; targets (B,) are constants. The loss is a scalar whose gradient reaches
only the Q-values of the actions taken.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, fail, \
    number_pair
from autograde.checks.helpers import GRADING
from autograde.checks.torch_rules import devices, inputs_unchanged, tensor_answer
from qlab.rules import dqn_td_loss


def reference(q_values, actions, targets, kind="huber"):
    return dqn_td_loss(q_values, actions, targets, kind)


def _taken(q, a):
    return q.gather(1, a.long().unsqueeze(1)).squeeze(1)


def _huber(x):
    return torch.where(x.abs() <= 1, 0.5 * x ** 2, x.abs() - 0.5)


def _rho(kind, x):
    return _huber(x) if kind == "huber" else x ** 2


def _loss(per_sample):
    def loss(q_values, actions, targets, kind="huber"):
        return per_sample(q_values, actions, targets, kind)
    return loss


MISTAKES = {
    "it compares the greedy Q-value max_a Q(s, a) with the target; the loss uses Q(s, a) of the action taken: "
    "q_values.gather(1, actions.unsqueeze(1)).squeeze(1)":
        _loss(lambda q, a, y, k: _rho(k, q.max(dim=1).values - y).mean()),
    "it compares a (B, 1) tensor of Q(s, a) with the (B,) targets: they broadcast to a (B, B) matrix of every "
    "pair's difference and the mean runs over all of them; .squeeze(1) after gather":
        _loss(lambda q, a, y, k: _rho(k, q.gather(1, a.long().unsqueeze(1)) - y).mean()),
    "q_values[:, actions] picks a (B, B) block (every row at every action taken), not one entry per row: use "
    "q_values[torch.arange(B), actions] or gather":
        _loss(lambda q, a, y, k: _rho(k, q[:, a.long()] - y).mean()),
    "it compares every action's Q-value with the target; only the action taken is regressed: gather Q(s, a) first":
        _loss(lambda q, a, y, k: _rho(k, q - y.unsqueeze(1)).mean()),
    "it ignores `kind` and always uses the squared error: kind=\"huber\" asks for the Huber loss":
        _loss(lambda q, a, y, k: ((_taken(q, a) - y) ** 2).mean()),
    "it ignores `kind` and always uses the Huber loss: kind=\"mse\" asks for the squared error":
        _loss(lambda q, a, y, k: _huber(_taken(q, a) - y).mean()),
    "its Huber loss is |x| beyond |x| = 1, not |x| − 0.5: the two pieces must meet at |x| = 1 "
    "(0.5 x² for |x| ≤ 1, |x| − 0.5 beyond)":
        _loss(lambda q, a, y, k: (torch.where((_taken(q, a) - y).abs() <= 1, 0.5 * (_taken(q, a) - y) ** 2,
                                              (_taken(q, a) - y).abs()) if k == "huber"
                                  else (_taken(q, a) - y) ** 2).mean()),
    "its Huber loss is the absolute error |x| everywhere: Huber is quadratic, 0.5 x², for |x| ≤ 1":
        _loss(lambda q, a, y, k: ((_taken(q, a) - y).abs() if k == "huber" else (_taken(q, a) - y) ** 2).mean()),
    "it sums over the batch; the loss is the mean over the B transitions":
        _loss(lambda q, a, y, k: _rho(k, _taken(q, a) - y).sum()),
    "it halves the squared error: kind=\"mse\" is the mean of (Q(s, a) − y)², with no 0.5":
        _loss(lambda q, a, y, k: (_huber(_taken(q, a) - y) if k == "huber" else 0.5 * (_taken(q, a) - y) ** 2).mean()),
    "it averages the TD errors without squaring them (or taking their Huber loss): positive and negative errors "
    "cancel":
        _loss(lambda q, a, y, k: (_taken(q, a) - y).mean()),
}

Q = torch.tensor([[0.5, 3.0, -1.0], [2.0, -0.5, 1.0], [-2.0, 0.25, 4.0], [1.0, 1.5, 0.0]], dtype=torch.float64)
ACTIONS = torch.tensor([2, 0, 1, 1])


def probe(label, targets, kind, q=Q, actions=ACTIONS):
    return Probe(label, (q.clone(), actions.clone(), torch.tensor(targets, dtype=torch.float64), kind))


PROBES = [
    probe("small TD errors, Huber", [-0.5, 2.5, 0.75, 1.0], "huber"),
    probe("large TD errors, Huber", [3.0, -1.0, 4.25, -2.5], "huber"),
    probe("squared error", [1.0, -1.0, 2.5, 0.5], "mse"),
    probe("large TD errors, squared error", [3.0, 0.0, -2.0, 4.0], "mse"),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def check_loss(student, q_values, actions, targets, kind, gradient=True):
    """The loss's value and, with ``gradient``, its gradient with respect to q_values."""
    args = (q_values, actions, targets, kind)
    example = call_text("td_loss", args)
    before = {"q_values": q_values.detach().clone(), "actions": actions.clone(), "targets": targets.clone()}
    q_ref = q_values.detach().clone().requires_grad_(True)
    expected = reference(q_ref, actions, targets, kind)
    expected.backward()
    q_values = q_values.detach().clone().requires_grad_(True)
    got = tensor_answer(student(q_values, actions, targets, kind), "td_loss", example, (), q_values.device)
    inputs_unchanged(before, {"q_values": q_values, "actions": actions, "targets": targets}, example)
    dtype = TORCH_PRECISION
    if not close(got.detach().cpu().numpy(), expected.detach().cpu().numpy(), dtype):
        a, b = number_pair(got.item(), expected.item())
        fail(f"{example}: got loss {a}; expected {b}", student, DIFFERENTIAL)
    if not gradient:
        return
    expect(got.requires_grad, f"{example} returned a loss with no gradient: the gradient must flow back into "
                              "q_values (do not detach Q(s, a) or compute under torch.no_grad())")
    got.backward()
    grad = q_values.grad
    expect(grad is not None, f"{example}: no gradient reached q_values")
    if not close(grad.cpu().numpy(), q_ref.grad.cpu().numpy(), dtype):
        others = torch.ones_like(grad, dtype=torch.bool)
        others[torch.arange(len(actions)), actions.long()] = False
        where = "the Q-values of actions not taken" if bool((grad[others] != 0).any()) else "Q(s, a)"
        raise Mistake(f"{example}: the gradient with respect to q_values differs at {where}; "
                      "only Q(s, a) of the actions taken may get a gradient, ∂L/∂Q(s_i, a_i) = ρ'(δ_i) / B")


@pytest.mark.public
def test_huber_on_small_errors(student):
    """Huber, TD errors within ±1: the mean of 0.5 δ² over Q(s, a) of the actions taken"""
    check_loss(student, *PROBES[0].fresh(), gradient=False)


@pytest.mark.public
def test_huber_on_large_errors(student):
    """Huber, TD errors beyond ±1: linear, |δ| − 0.5"""
    check_loss(student, *PROBES[1].fresh(), gradient=False)


@pytest.mark.public
def test_squared_error(student):
    """kind="mse": the mean of δ²"""
    check_loss(student, *PROBES[2].fresh(), gradient=False)
    check_loss(student, *PROBES[3].fresh(), gradient=False)


@pytest.mark.public
def test_shapes_do_not_broadcast(student):
    """Q(s, a) of shape (B,) meets targets of shape (B,): no (B, 1) − (B,) → (B, B) broadcasting"""
    q = torch.tensor([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0]], dtype=torch.float64)
    check_loss(student, q, torch.tensor([0, 1, 0]), torch.tensor([0.5, 1.0, 1.5], dtype=torch.float64), "mse",
               gradient=False)


@pytest.mark.public
def test_gradient_reaches_only_the_actions_taken(student):
    """the loss carries a gradient, and only into Q(s, a) of the actions taken"""
    check_loss(student, *PROBES[1].fresh(), gradient=True)


def test_batch_of_one(student):
    """a batch of one transition"""
    check_loss(student, torch.tensor([[1.0, -2.0]]), torch.tensor([1]), torch.tensor([0.5]), "huber")


def test_float32_on_each_device(student):
    """float32 inputs on CPU and, when present, CUDA"""
    for device in devices():
        q, actions, targets, kind = PROBES[1].fresh()
        check_loss(student, q.to(device, torch.float32), actions.to(device), targets.to(device, torch.float32), kind)


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 9), n_actions=st.integers(1, 5), seed=st.integers(0, 10_000),
       kind=st.sampled_from(["huber", "mse"]), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_batches(student, batch, n_actions, seed, kind, dtype):
    """matches the loss and its gradient on random batches (float32 and float64, Huber and MSE)"""
    rng = np.random.default_rng(seed)
    q = torch.tensor(rng.uniform(-5, 5, (batch, n_actions)).round(2), dtype=dtype)
    actions = torch.tensor(rng.integers(0, n_actions, batch))
    targets = torch.tensor(rng.uniform(-5, 5, batch).round(2), dtype=dtype)
    check_loss(student, q, actions, targets, kind)
