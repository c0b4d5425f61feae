"""Checks for categorical_loss(logits, actions, target_probs, weights=None) -> loss.

    p_j(s, a) = softmax_j logits[s, a, ·]                 (over the atoms of one action)
    L = (1/B) Σ_i w_i (−Σ_j m_ij log p_j(s_i, a_i))         (w_i = 1 without weights)

logits (B, |A|, N) come from the online network and carry the gradient; actions (B,) are
integer indices; target_probs m (B, N) is the projected target, a constant; weights (B,) are
prioritized replay's importance weights. The loss is a scalar whose gradient reaches the
logits of the actions taken, and nothing else. The log-probabilities must stay finite when a
logit is far below the others (log_softmax, or a clamped log of the softmax).
"""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, first_difference, number_pair
from autograde.checks.helpers import GRADING, SMALL
from autograde.checks.probes import smallest_failing_probe
from autograde.checks.torch_rules import devices, inputs_unchanged, tensor_answer
from qlab.rainbow.distributional import categorical_loss as reference

NAME = "categorical_loss"
NAMES = ("logits", "actions", "target_probs", "weights")


def _taken(logits, actions):
    return logits[torch.arange(len(actions)), actions.long()]


def _weighted_mean(per_sample, weights):
    return per_sample.mean() if weights is None else (weights * per_sample).mean()


def _loss(per_sample, reduce=_weighted_mean):
    """A loss whose per-sample term is ``per_sample(logits, actions, m)``, reduced by ``reduce``."""
    def loss(logits, actions, target_probs, weights=None):
        return reduce(per_sample(logits, actions, target_probs.detach()), weights)
    return loss


def _cross_entropy(logits, actions, m):
    return -(m * F.log_softmax(_taken(logits, actions), dim=1)).sum(dim=1)


MISTAKES = {
    "the softmax runs over the actions; each action's distribution is a softmax over its own atoms: "
    "log_softmax(logits, dim=-1), then the taken action's row":
        _loss(lambda x, a, m: -(m * _taken(F.log_softmax(x, dim=1), a)).sum(dim=1)),
    "it does not gather the taken action's distribution: it fits every action's distribution to m; only "
    "p(s_i, a_i) is fitted, logits[torch.arange(B), actions]":
        _loss(lambda x, a, m: -(m[:, None, :] * F.log_softmax(x, dim=2)).sum(dim=2).mean(dim=1)),
    "the cross-entropy's sign is flipped: the loss is −Σ_j m_j log p_j (a positive number), minimised":
        _loss(lambda x, a, m: (m * F.log_softmax(_taken(x, a), dim=1)).sum(dim=1)),
    "it returns KL(m ‖ p) = Σ_j m_j (log m_j − log p_j), which is the cross-entropy minus the entropy of m: "
    "the loss is the cross-entropy −Σ_j m_j log p_j (same gradient, not the same value)":
        _loss(lambda x, a, m: (torch.special.xlogy(m, m) - m * F.log_softmax(_taken(x, a), dim=1)).sum(dim=1)),
    "it returns −KL(m ‖ p) = Σ_j m_j (log p_j − log m_j), a divergence with its sign flipped (maximised, it pushes "
    "p away from m): the loss is the cross-entropy −Σ_j m_j log p_j":
        _loss(lambda x, a, m: (m * F.log_softmax(_taken(x, a), dim=1) - torch.special.xlogy(m, m)).sum(dim=1)),
    "it averages over the atoms; the cross-entropy sums over them, −Σ_j m_j log p_j":
        _loss(lambda x, a, m: -(m * F.log_softmax(_taken(x, a), dim=1)).mean(dim=1)),
    "it uses the target's most probable atom as a class label; the target is the whole distribution m: "
    "−Σ_j m_j log p_j":
        _loss(lambda x, a, m: -F.log_softmax(_taken(x, a), dim=1).gather(1, m.argmax(dim=1, keepdim=True)).squeeze(1)),
    "it multiplies m by the probabilities themselves, not their log: −Σ_j m_j log p_j":
        _loss(lambda x, a, m: -(m * F.softmax(_taken(x, a), dim=1)).sum(dim=1)),
    "the log of the softmax underflows: a logit far below the others gives softmax 0 and log 0 = −inf, and "
    "0 · (−inf) = nan; use F.log_softmax (or clamp the softmax before the log)":
        _loss(lambda x, a, m: -(m * torch.log(F.softmax(_taken(x, a), dim=1))).sum(dim=1)),
    "it sums over the batch; the loss is the mean over the B samples":
        _loss(_cross_entropy, lambda per, w: per.sum() if w is None else (w * per).sum()),
    "the weights multiply the batch mean: each weight multiplies its own sample's cross-entropy, "
    "mean_i w_i · CE_i, not mean_i w_i · mean_i CE_i":
        _loss(_cross_entropy, lambda per, w: per.mean() if w is None else per.mean() * w.mean()),
    "it ignores the weights: each sample's cross-entropy is multiplied by its importance weight w_i":
        _loss(_cross_entropy, lambda per, w: per.mean()),
    "it divides by Σ w instead of B: the loss is the plain mean over the batch of w_i · CE_i":
        _loss(_cross_entropy, lambda per, w: per.mean() if w is None else (w * per).sum() / w.sum()),
}

LOGITS = torch.tensor([[[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0], [-2.0, 0.75, 0.5, 3.0]],
                       [[2.5, 1.0, -1.5, 0.5], [0.0, -0.75, 1.25, 2.0], [1.0, 1.0, -1.0, 0.25]],
                       [[-0.5, 3.0, 0.5, -1.0], [2.0, -2.0, 0.0, 1.5], [0.25, 0.5, 1.75, -0.25]]],
                      dtype=torch.float64)
TARGET = torch.tensor([[0.25, 0.5, 0.125, 0.125], [0.0, 0.125, 0.375, 0.5], [0.625, 0.25, 0.0, 0.125]],
                      dtype=torch.float64)
FAR_BELOW = torch.tensor([[[0.5, -1000.0, 2.0, 0.0], [1.5, 0.25, -0.5, 1.0], [-2.0, 0.75, 0.5, 3.0]],
                          [[2.5, 1.0, -1.5, 0.5], [0.0, -0.75, 1.25, 2.0], [1.0, 1.0, -1.0, 0.25]],
                          [[-0.5, 3.0, 0.5, -1.0], [2.0, -2.0, 0.0, 1.5], [0.25, 0.5, -1000.0, -0.25]]],
                         dtype=torch.float64)
FAR_TARGET = torch.tensor([[0.25, 0.0, 0.5, 0.25], [0.0, 0.125, 0.375, 0.5], [0.5, 0.25, 0.0, 0.25]],
                          dtype=torch.float64)


def probe(label, actions, weights=None, logits=LOGITS, target=TARGET):
    w = None if weights is None else torch.tensor(weights, dtype=torch.float64)
    return Probe(label, (logits.clone(), torch.tensor(actions), target.clone(), w))


PROBES = [
    probe("one batch, no weights", [0, 2, 1]),
    probe("importance weights", [2, 1, 0], [0.5, 1.0, 0.25]),
    probe("a logit far below the others, with weights", [0, 1, 2], [1.0, 0.5, 0.75], FAR_BELOW, FAR_TARGET),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def _call(function, logits, actions, target_probs, weights):
    if weights is None:
        return function(logits, actions, target_probs)
    return function(logits, actions, target_probs, weights=weights)


def _describe(args) -> str:
    given_args = args if args[3] is not None else args[:3]
    if sum(a.numel() for a in given_args if isinstance(a, torch.Tensor)) <= 2 * SMALL:
        return call_text(NAME, given_args, ("", "", "", "weights"))
    logits = args[0]
    weights = "with weights" if args[3] is not None else "no weights"
    return (f"{NAME} on a random batch (B = {logits.shape[0]}, {logits.shape[1]} actions, N = {logits.shape[2]} "
            f"atoms, {weights}, {logits.dtype})")


def check_loss(student, logits, actions, target_probs, weights=None, gradient=True):
    """The loss's value and, with ``gradient``, its gradient with respect to the logits."""
    args = (logits, actions, target_probs, weights)
    example = _describe(args)
    tensors = dict(zip(NAMES, args))
    before = {n: a.detach().clone() for n, a in tensors.items() if isinstance(a, torch.Tensor)}
    logits_ref = logits.detach().clone().requires_grad_(True)
    expected = reference(logits_ref, actions, target_probs, weights)
    expected.backward()
    logits = logits.detach().clone().requires_grad_(True)
    got = tensor_answer(_call(student, logits, actions, target_probs, weights), NAME, example, (), logits.device)
    inputs_unchanged(before, {**tensors, "logits": logits}, example)
    if not close(got.detach().cpu().numpy(), expected.detach().cpu().numpy(), TORCH_PRECISION):
        a, b = number_pair(got.item(), expected.item())
        pasteable = "" if example.startswith(f"{NAME}(") else smallest_failing_probe(
            student, PROBES, reference, lambda f, args: _call(f, *args), _describe)
        fail(f"{example}: got loss {a}; expected {b}{pasteable}", student, DIFFERENTIAL)
    if not gradient:
        return
    expect(got.requires_grad, f"the loss carries no gradient: it must flow back into the logits (do not detach them "
                              f"or compute under torch.no_grad()) (in {example})")
    got.backward()
    grad = logits.grad
    expect(grad is not None, f"no gradient reached the logits (in {example})")
    want = logits_ref.grad
    if not close(grad.cpu().numpy(), want.cpu().numpy(), TORCH_PRECISION):
        others = torch.ones(grad.shape[:2], dtype=torch.bool)
        others[torch.arange(len(actions)), actions.long().cpu()] = False
        where = "the logits of actions not taken" if bool((grad[others.to(grad.device)] != 0).any()) \
            else "the taken actions' logits"
        raise Mistake(f"the gradient with respect to the logits differs at {where}: only the taken action's logits "
                      f"get a gradient, ∂L/∂logits[i, a_i] = w_i (p(s_i, a_i) − m_i) / B "
                      f"(in {example}: {first_difference(grad.cpu().numpy(), want.cpu().numpy(), TORCH_PRECISION)})")


@pytest.mark.public
def test_cross_entropy_of_the_taken_actions(student):
    """the mean over the batch of −Σ_j m_j log p_j(s, a), p the softmax over the atoms of the action taken"""
    check_loss(student, *PROBES[0].fresh(), gradient=False)


@pytest.mark.public
def test_weights_multiply_each_sample(student):
    """weights=w: mean_i w_i · CE_i, each weight on its own sample's cross-entropy"""
    check_loss(student, *PROBES[1].fresh(), gradient=False)


@pytest.mark.public
def test_a_logit_far_below_the_others(student):
    """a logit 1000 below the others (its softmax is 0 in floating point) leaves the loss finite"""
    check_loss(student, *PROBES[2].fresh(), gradient=False)


@pytest.mark.public
def test_gradient_reaches_the_taken_actions_logits(student):
    """the loss carries a gradient, into the logits of the actions taken and nowhere else"""
    check_loss(student, *PROBES[1].fresh(), gradient=True)


@pytest.mark.public
def test_no_gradient_into_the_target(student):
    """target_probs is a constant: even when it requires grad, no gradient reaches it

    Only gradient flow is judged here (the values are the other checks' business)."""
    logits, actions, target, weights = PROBES[0].fresh()
    logits.requires_grad_(True)
    target.requires_grad_(True)
    got = student(logits, actions, target)
    if isinstance(got, torch.Tensor) and got.requires_grad and got.ndim == 0:
        got.backward()
        leaked = target.grad is not None and bool((target.grad != 0).any())
        expect(not leaked,
               "the gradient reaches target_probs: the projected target m is a constant the online distribution is "
               "fitted to; .detach() it (or compute the loss with target_probs.detach()) "
               f"(in {call_text(NAME, (logits, actions, target), NAMES)} with target_probs requiring grad)")


def test_batch_of_one(student):
    """a batch of one sample and one action"""
    check_loss(student, torch.tensor([[[1.0, -1.0, 0.5]]]), torch.tensor([0]), torch.tensor([[0.25, 0.25, 0.5]]))


def test_float32_on_each_device(student):
    """float32 inputs on CPU and, when present, CUDA"""
    for device in devices():
        logits, actions, target, weights = PROBES[1].fresh()
        check_loss(student, logits.to(device, torch.float32), actions.to(device), target.to(device, torch.float32),
                   weights.to(device, torch.float32))


def _random_batch(rng, batch, n_actions, n_atoms, dtype, weighted):
    logits = torch.tensor(rng.uniform(-5, 5, (batch, n_actions, n_atoms)).round(2), dtype=dtype)
    actions = torch.tensor(rng.integers(0, n_actions, batch))
    target = torch.tensor(rng.multinomial(64, rng.dirichlet(np.full(n_atoms, 0.5), batch)) / 64, dtype=dtype)
    weights = torch.tensor(rng.uniform(0.01, 1.0, batch).round(2), dtype=dtype) if weighted else None
    return logits, actions, target, weights


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 6), n_actions=st.integers(1, 4), n_atoms=st.sampled_from([2, 5, 11, 51]),
       seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]), weighted=st.booleans())
def test_random_batches(student, batch, n_actions, n_atoms, seed, dtype, weighted):
    """matches the loss and its gradient on random batches (float32 and float64, batch 1, with and without weights)"""
    check_loss(student, *_random_batch(np.random.default_rng(seed), batch, n_actions, n_atoms, dtype, weighted))


if torch.cuda.is_available():
    def test_random_batches_on_cuda(student):
        """random float32 batches on the GPU: the loss stays there"""
        rng = np.random.default_rng(5)
        for weighted in (False, True):
            args = _random_batch(rng, 4, 3, 51, torch.float32, weighted)
            check_loss(student, *(a.cuda() if isinstance(a, torch.Tensor) else a for a in args))
