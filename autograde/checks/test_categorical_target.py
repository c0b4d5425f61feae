"""Checks for categorical_target(rewards, next_probs, terminated, gamma, support) -> target_probs.

    a*    = argmax_a Σ_j z_j p_j(s', a)                      (the target distribution's mean)
    T̂z_j  = clamp(r + γ (1 − terminated) z_j, v_min, v_max)
    b_j   = (T̂z_j − v_min) / Δz,   l = ⌊b_j⌋,   u = ⌈b_j⌉,   Δz = (v_max − v_min) / (N − 1)
    m_l  += p_j(s', a*) (u − b_j),   m_u += p_j(s', a*) (b_j − l),   and all of p_j to l when l = u

Torch tensors in: rewards (B,), next_probs (B, |A|, N) of the target network (rows sum to 1),
terminated (B,) bool or 0/1 float, gamma a float or per-sample discounts (B,), support (N,)
evenly spaced from v_min to v_max. The result m is a (B, N) tensor whose rows sum to 1, with no
gradient.

The random inputs use supports whose spacing is a power of two and probabilities in 64ths (exact
in binary), so an atom that moves exactly onto another lands there in every correct way of
writing b, and the means that pick a* are at least 1e-3 · (v_max − v_min) apart (no near-ties
to break).
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, expect, \
    fail, first_difference, number_pair
from autograde.checks.helpers import GRADING, SMALL
from autograde.checks.probes import smallest_failing_probe
from autograde.checks.torch_rules import carries_gradient, devices, inputs_unchanged, tensor_answer
from qlab.rainbow.distributional import categorical_target as reference

NAME = "categorical_target"
NAMES = ("rewards", "next_probs", "terminated", "gamma", "support")


def _projection(clamp=True, on_atom=True, terminal="mask", pick="mean", spacing="N-1", swapped=False,
                discount_reward=False, per_sample=True):
    """The projection with one of its steps done wrong (the defaults are the reference's).

    Moved atoms whose neighbour falls outside the support lose that share, as a loop that
    guards its indices (``if 0 <= l < N``) loses it."""
    def target(rewards, next_probs, terminated, gamma, support):
        with torch.no_grad():
            r, P, z = rewards.double(), next_probs.detach().double(), support.double()
            done = torch.as_tensor(terminated).double()
            g = gamma.double()[:, None] if isinstance(gamma, torch.Tensor) and gamma.ndim == 1 else float(gamma)
            B, A, N = P.shape
            rows = torch.arange(B)
            v_min, v_max = z[0], z[-1]
            dz = (v_max - v_min) / ((N - 1) if spacing == "N-1" else N)
            if pick == "mean":
                p = P[rows, (P * z).sum(2).argmax(1)]
            elif pick == "mode":
                p = P[rows, z[P.argmax(2)].argmax(1)]
            elif pick == "peak":
                p = P[rows, P.amax(2).argmax(1)]
            elif pick == "atomwise":
                p = P.amax(1)
            else:
                p = P.mean(1)
            keep = {"mask": 1 - done, "none": torch.ones_like(done), "inverted": done}[terminal][:, None]
            moved = g * (r[:, None] + keep * z) if discount_reward else r[:, None] + g * keep * z
            if clamp:
                moved = moved.clamp(v_min, v_max)
            b = (moved - v_min) / dz
            lower, upper = b.floor(), b.ceil()
            to_lower, to_upper = upper - b, b - lower
            if swapped:
                to_lower, to_upper = to_upper, to_lower
            if on_atom:
                to_lower = to_lower + (lower == upper).double()
            m = torch.zeros(B, N, dtype=torch.float64)
            for index, share in ((lower, to_lower), (upper, to_upper)):
                inside = ((index >= 0) & (index <= N - 1)).double()
                index = index.clamp(0, N - 1).long()
                if per_sample:
                    m.scatter_add_(1, index, p * share * inside)
                else:
                    m[0].index_add_(0, index.reshape(-1), (p * share * inside).reshape(-1))
            return m
    return target


MISTAKES = {
    "mass outside [v_min, v_max] is lost: clamp r + γ (1 − terminated) z_j into [v_min, v_max] so that it lands "
    "on the end atoms (the rows of m must sum to 1)":
        _projection(clamp=False),
    "when b_j lands exactly on an atom (l = u), u − b_j and b_j − l are both 0 and p_j vanishes: give the whole "
    "p_j to atom l in that case":
        _projection(on_atom=False),
    "terminal transitions still bootstrap: when terminated, every atom moves to r (multiply γ z_j by "
    "(1 − terminated)), so all the mass goes to r's projection":
        _projection(terminal="none"),
    "the terminal mask is inverted: (1 − terminated) keeps γ z_j for the transitions that go on; `terminated` "
    "alone keeps it only where the episode ended":
        _projection(terminal="inverted"),
    "a* is picked by the most probable atom's value (the mode); a* maximises the mean, "
    "a* = argmax_a Σ_j z_j p_j(s', a)":
        _projection(pick="mode"),
    "a* is the action holding the single most probable atom (an argmax over the atoms' probabilities); a* "
    "maximises the mean, a* = argmax_a Σ_j z_j p_j(s', a)":
        _projection(pick="peak"),
    "it takes the max over the actions atom by atom, which is no distribution; pick one action "
    "a* = argmax_a Σ_j z_j p_j(s', a) and project its distribution p(s', a*)":
        _projection(pick="atomwise"),
    "it averages the distributions over the actions; project the distribution of the one action "
    "a* = argmax_a Σ_j z_j p_j(s', a)":
        _projection(pick="average"),
    "Δz is (v_max − v_min) / N; N atoms span N − 1 gaps: Δz = (v_max − v_min) / (N − 1)":
        _projection(spacing="N"),
    "the split is swapped: the nearer atom must get the larger share, m_l += p_j (u − b_j) and "
    "m_u += p_j (b_j − l)":
        _projection(swapped=True),
    "γ also discounts the reward: the atoms move to r + γ (1 − terminated) z_j, not γ (r + …)":
        _projection(discount_reward=True),
    "every sample's mass lands in the first row: with a flattened index_add_ (or put_), add each sample's "
    "offset i · N to l and u so each projection stays in its own row":
        _projection(per_sample=False),
}

SUPPORT = torch.tensor([-2.0, -1.0, 0.0, 1.0, 2.0], dtype=torch.float64)
# action 0 holds the most probable atom, action 1 has the largest mean, action 2 the largest mode;
# sixteenths, so every row sums to exactly 1
NEXT = torch.tensor([[10, 1, 2, 1, 2],
                     [1, 2, 3, 6, 4],
                     [5, 1, 1, 1, 8]], dtype=torch.float64) / 16


def next_probs(batch):
    """The three actions, rolled by one place per sample: a* differs from sample to sample."""
    return torch.stack([NEXT.roll(i, dims=0) for i in range(batch)])


def probe(label, rewards, terminated, gamma):
    return Probe(label, (torch.tensor(rewards, dtype=torch.float64), next_probs(len(rewards)), terminated, gamma,
                         SUPPORT.clone()))


PROBES = [
    probe("a batch with one termination", [0.5, -0.75, 1.25, 0.25], torch.tensor([False, True, False, False]), 0.5),
    probe("rewards beyond the support", [3.0, -2.5, 0.0], torch.tensor([False, False, False]), 0.9),
    probe("atoms that land exactly on atoms", [1.0, -1.0, 2.0], torch.tensor([False, False, True]), 1.0),
    probe("per-sample discounts, 0/1 float flags", [0.25, -0.5, 1.0],
          torch.tensor([0.0, 1.0, 0.0], dtype=torch.float64), torch.tensor([0.9, 0.81, 0.5], dtype=torch.float64)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def _describe(args) -> str:
    rewards, probs, terminated, gamma, support = args
    if sum(a.numel() for a in args if isinstance(a, torch.Tensor)) <= 2 * SMALL:
        return call_text(NAME, args)
    gamma_text = "per-sample discounts" if isinstance(gamma, torch.Tensor) else f"γ = {gamma}"
    return (f"{NAME} on a random batch (B = {probs.shape[0]}, {probs.shape[1]} actions, N = {probs.shape[2]} atoms "
            f"on [{float(support[0]):g}, {float(support[-1]):g}], {gamma_text}, {probs.dtype})")


def check_target(student, rewards, next_probs, terminated, gamma, support):
    args = (rewards, next_probs, terminated, gamma, support)
    example = _describe(args)
    before = {n: a.detach().clone() for n, a in zip(NAMES, args) if isinstance(a, torch.Tensor)}
    expected = reference(*args)
    got = tensor_answer(student(*args), NAME, example, tuple(expected.shape), rewards.device)
    inputs_unchanged(before, dict(zip(NAMES, args)), example)
    got_np, expected_np = got.detach().cpu().double().numpy(), expected.cpu().double().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        sums = got_np.sum(axis=1)
        lost = [i for i, s in enumerate(sums) if abs(s - 1) > 1e-4]
        rows = ""
        if lost:
            a, b = number_pair(sums[lost[0]], 1.0)
            rows = f"; row {lost[0]} sums to {a}, expected {b}"
        pasteable = "" if example.startswith(f"{NAME}(") else smallest_failing_probe(
            student, PROBES, reference, lambda f, a: f(*a), lambda a: call_text(NAME, a))
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}{rows}{pasteable}", student,
             DIFFERENTIAL)
    return got


@pytest.mark.public
def test_terminal_transitions_put_all_mass_at_r(student):
    """a terminated transition moves every atom to r: its whole mass goes to r's projection"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_mass_outside_the_support_lands_on_the_end_atoms(student):
    """atoms moved beyond v_min or v_max are clamped onto the end atoms: no mass is lost"""
    check_target(student, *PROBES[1].fresh())


@pytest.mark.public
def test_atoms_that_land_on_an_atom_keep_their_mass(student):
    """when b_j is a whole number (l = u), all of p_j goes to that atom"""
    check_target(student, *PROBES[2].fresh())


@pytest.mark.public
def test_next_action_by_the_target_distributions_mean(student):
    """a* maximises the mean Σ_j z_j p_j(s', a), not the mode or the most probable atom

    With r = 0 and γ = 1 every atom stays where it is: m is p(s', a*) itself."""
    rewards, probs, terminated, gamma, support = PROBES[1].fresh()
    check_target(student, torch.zeros_like(rewards), probs, terminated, 1.0, support)
    check_target(student, rewards, probs, terminated, gamma, support)


@pytest.mark.public
def test_per_sample_discounts(student):
    """gamma may be a (B,) tensor of discounts γ^k and terminated 0/1 floats, as the replay buffer hands them"""
    check_target(student, *PROBES[3].fresh())


@pytest.mark.public
def test_no_gradient_flows_through_the_target(student):
    """the target is a constant: no gradient flows back into next_probs

    Only gradient flow is judged here (the values are the other checks' business)."""
    rewards, probs, terminated, gamma, support = PROBES[0].fresh()
    probs.requires_grad_(True)
    got = student(rewards, probs, terminated, gamma, support)
    if carries_gradient(got):
        raise Mistake("the target carries a gradient: m is a constant the online network's distribution is fitted to; "
                      "compute it under `with torch.no_grad():` or .detach() next_probs "
                      f"(its result requires grad, in {call_text(NAME, (rewards, probs, terminated, gamma, support))} "
                      "with next_probs requiring grad)")


@pytest.mark.public
def test_batch_of_one(student):
    """a batch of one transition and two actions gives shape (1, N)"""
    check_target(student, torch.tensor([0.5]), torch.tensor([[[0.5, 0.25, 0.25], [0.25, 0.25, 0.5]]]),
                 torch.tensor([False]), 0.5, torch.tensor([-1.0, 0.0, 1.0]))


def test_rows_sum_to_one(student):
    """every row of m is a probability distribution on the support, whatever r and γ"""
    for probe_ in PROBES:
        got = check_target(student, *probe_.fresh()).detach().cpu().double()
        expect(bool(torch.allclose(got.sum(1), torch.ones(got.shape[0], dtype=torch.float64), atol=1e-5)),
               f"the rows of m must sum to 1 (rows sum to {got.sum(1).tolist()}, in {call_text(NAME, probe_.args)})")


def test_float32_on_each_device(student):
    """float32 inputs (the agent's) on CPU and, when present, CUDA"""
    for device in devices():
        args = tuple(a.to(device, torch.float32) if isinstance(a, torch.Tensor) and a.is_floating_point()
                     else a.to(device) if isinstance(a, torch.Tensor) else a for a in PROBES[3].fresh())
        check_target(student, *args)


def _random_batch(rng, batch, n_actions, n_atoms, spacing, dtype, per_sample, on_atoms, flags):
    low = -spacing * int(rng.integers(0, n_atoms))
    support = torch.tensor(low + spacing * np.arange(n_atoms), dtype=dtype)
    span = spacing * (n_atoms - 1)
    while True:  # a* without near-ties: the best mean beats the next by 1e-3 of the support's span
        probs = rng.multinomial(64, rng.dirichlet(np.full(n_atoms, 0.5), size=(batch, n_actions))) / 64
        means = np.sort(probs @ support.double().numpy(), axis=1)
        if n_actions == 1 or (means[:, -1] - means[:, -2]).min() > 1e-3 * span:
            break
    if on_atoms:  # rewards on the grid and γ = 1: every moved atom lands exactly on an atom
        rewards = spacing * rng.integers(-n_atoms, n_atoms, batch).astype(float)
        gamma = 1.0
    else:
        rewards = rng.uniform(low - span / 2, low + 1.5 * span, batch).round(2)
        gamma = (torch.tensor(rng.choice([0.5, 0.9, 0.99, 1.0], batch), dtype=dtype) if per_sample
                 else float(rng.choice([0.0, 0.5, 0.9, 0.99, 1.0])))
    done = rng.random(batch) < 0.3
    terminated = torch.tensor(done) if flags == "bool" else torch.tensor(done, dtype=dtype)
    return (torch.tensor(rewards, dtype=dtype), torch.tensor(probs, dtype=dtype), terminated, gamma, support)


@pytest.mark.weight(3)
@GRADING
@given(batch=st.integers(1, 6), n_actions=st.integers(1, 4), n_atoms=st.sampled_from([2, 3, 5, 11, 21, 51]),
       spacing=st.sampled_from([0.25, 0.5, 1.0, 2.0]), seed=st.integers(0, 10_000),
       dtype=st.sampled_from([torch.float32, torch.float64]), per_sample=st.booleans(), on_atoms=st.booleans(),
       flags=st.sampled_from(["bool", "float"]))
def test_random_batches(student, batch, n_actions, n_atoms, spacing, seed, dtype, per_sample, on_atoms, flags):
    """matches the projection on random batches (float32 and float64, batch 1, 2 to 51 atoms, γ from 0 to 1,
    rewards inside and beyond the support, atoms landing exactly on atoms)"""
    rng = np.random.default_rng(seed)
    args = _random_batch(rng, batch, n_actions, n_atoms, spacing, dtype, per_sample, on_atoms, flags)
    check_target(student, *args)


def test_the_papers_support(student):
    """the support of Bellemare et al. and of the agent: 51 atoms on [−10, 10] (torch.linspace, Δz = 0.4)"""
    rng = np.random.default_rng(51)
    for dtype in (torch.float32, torch.float64):
        support = torch.linspace(-10.0, 10.0, 51, dtype=dtype)
        while True:
            probs = rng.dirichlet(np.full(51, 0.5), size=(4, 3))
            means = np.sort(probs @ support.double().numpy(), axis=1)
            if (means[:, -1] - means[:, -2]).min() > 0.02:
                break
        rewards = torch.tensor([10.0, -10.0, 1.3, -0.7], dtype=dtype)
        terminated = torch.tensor([False, True, False, True])
        check_target(student, rewards, torch.tensor(probs, dtype=dtype), terminated, 0.99, support)


if torch.cuda.is_available():
    def test_random_batches_on_cuda(student):
        """random float32 batches on the GPU: the result stays there"""
        rng = np.random.default_rng(3)
        for n_atoms in (5, 51):
            args = _random_batch(rng, 4, 3, n_atoms, 0.5, torch.float32, True, False, "bool")
            check_target(student, *(a.cuda() if isinstance(a, torch.Tensor) else a for a in args))
