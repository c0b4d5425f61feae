"""Checks for sac_critic_target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets) -> y.

    y = r + γ (1 − terminated) (min_j Q'_j(s', a') − α log π(a'|s')),   a' ~ π(·|s')

a' and log π(a'|s') come from ONE sample of the current policy at s' (``policy(next_obs)``);
the minimum is over the target critics (a tuple or list of two, SAC's twin critics), per transition; the
entropy bonus −α log π sits inside the (1 − terminated) factor. y has shape (B,) and carries
no gradient. The policy and critics handed over can only be called (``autograde.checks.sac``):
each call of the policy is a new sample, as with a real policy.
"""

import copy

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, call_text, close, fail, \
    first_difference
from autograde.checks.helpers import GRADING
from autograde.checks.sac import Critic, Policy, critics, policy
from autograde.checks.torch_rules import carries_gradient, devices, tensor_answer
from qlab.soft import sac_critic_target as reference


def _target(next_value_of):
    def target(rewards, next_obs, terminated, gamma, alpha, policy, critic_targets):
        with torch.no_grad():
            done = torch.as_tensor(terminated).to(rewards.dtype)
            action, log_prob = policy(next_obs)
            q = torch.stack([critic(next_obs, action) for critic in critic_targets])
            return next_value_of(rewards, done, gamma, alpha, q, log_prob, lambda: policy(next_obs))
    return target


def _min(q):
    return q.min(dim=0).values


MISTAKES = {
    "it bootstraps from terminal next states: multiply γ (min_j Q'_j(s', a') − α log π(a'|s')) by (1 − terminated)":
        _target(lambda r, d, g, a, q, lp, again: r + g * (_min(q) - a * lp)),
    "the terminal mask is inverted: (1 − terminated) keeps the future of the NON-terminal transitions":
        _target(lambda r, d, g, a, q, lp, again: r + g * d * (_min(q) - a * lp)),
    "the entropy term −α log π(a'|s') is outside the (1 − terminated) factor: a terminal s' has no future, and no "
    "future entropy; y = r + γ (1 − terminated) (min_j Q'_j(s', a') − α log π(a'|s'))":
        _target(lambda r, d, g, a, q, lp, again: r + g * ((1 - d) * _min(q) - a * lp)),
    "the entropy term is added to the reward, undiscounted and unmasked; it belongs to s': "
    "y = r + γ (1 − terminated) (min_j Q'_j(s', a') − α log π(a'|s'))":
        _target(lambda r, d, g, a, q, lp, again: r - a * lp + g * (1 - d) * _min(q)),
    "the entropy bonus has the wrong sign: −α log π(a'|s') (a likely action, log π high, earns less bonus)":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (_min(q) + a * lp)),
    "it takes the max over the target critics; clipped double Q takes the MIN, min_j Q'_j(s', a')":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (q.max(dim=0).values - a * lp)),
    "it uses only the first target critic; take the min over all of them, min_j Q'_j(s', a')":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (q[0] - a * lp)),
    "it averages the target critics; take their min, min_j Q'_j(s', a')":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (q.mean(dim=0) - a * lp)),
    "it takes the min over the whole batch (one number); the min over the critics is per transition, "
    "min_j Q'_j(s'_i, a'_i)":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (q.min() - a * lp)),
    "α is missing: the entropy term is −α log π(a'|s')":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (_min(q) - lp)),
    "the entropy term −α log π(a'|s') is missing (that is TD3's target, not SAC's)":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * _min(q)),
    "it samples the policy twice: a' and log π(a'|s') must come from ONE call of policy(next_obs) (each call is a "
    "new sample)":
        _target(lambda r, d, g, a, q, lp, again: r + g * (1 - d) * (_min(q) - a * again()[1])),
    "it masks the reward too: only the future term is multiplied by (1 − terminated); r always counts":
        _target(lambda r, d, g, a, q, lp, again: (1 - d) * (r + g * (_min(q) - a * lp))),
    "γ also discounts the reward: y = r + γ (1 − terminated) (…), not γ (r + …)":
        _target(lambda r, d, g, a, q, lp, again: g * (r + (1 - d) * (_min(q) - a * lp))),
}

NAMES = ("rewards", "next_obs", "terminated", "gamma", "alpha", "policy", "critic_targets")
NEXT_OBS = torch.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-2.0, 3.0, 1.0]], dtype=torch.float64)


def arguments(rewards, terminated, gamma, alpha, seed, next_obs=NEXT_OBS, n_critics=2, dtype=torch.float64,
              device="cpu"):
    """The call's arguments, with call-only stand-ins for the checks' policy and target critics."""
    return (torch.as_tensor(rewards, dtype=dtype, device=device), next_obs.to(device, dtype),
            torch.as_tensor(terminated, device=device), gamma, alpha,
            Policy(policy(seed, dtype, device)), tuple(Critic(c) for c in critics(seed + 1, n_critics, dtype, device)))


PROBES = [
    Probe("a batch with one terminated transition, α = 0.2",
          arguments([1.0, -0.5, 2.0], [False, True, False], 0.9, 0.2, 2)),
    Probe("per-sample discounts, α = 1", arguments([0.25, 1.5, -1.0], [False, False, False],
                                                   torch.tensor([0.9, 0.81, 0.729], dtype=torch.float64), 1.0, 3)),
    Probe("0/1 float flags, α = 0.5", arguments([-1.0, 0.5, 0.75], [1.0, 0.0, 0.0], 0.5, 0.5, 7)),
]
DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, dtype=TORCH_PRECISION)


def example_of(args) -> str:
    return (call_text("sac_critic_target", args[:5] + ("policy", "critic_targets"), NAMES)
            .replace("'policy'", "policy").replace("'critic_targets'", "critic_targets"))


def check_target(student, *args):
    rewards, next_obs, terminated, gamma = args[:4]
    saved = copy.deepcopy(args[:4])
    example = example_of(args)
    expected = reference(*copy.deepcopy(args))
    returned = student(*args)
    # (a target that requires grad fails test_no_gradient_through_the_target alone: here only its values count)
    got = tensor_answer(returned, "sac_critic_target", example, tuple(rewards.shape), rewards.device)
    for name, before, after in zip(NAMES, saved, args[:4]):
        if isinstance(before, torch.Tensor) and not torch.equal(before, after):
            raise Mistake(f"{example} changed its input `{name}`; the target only reads its inputs")
    got_np, expected_np = got.detach().cpu().numpy(), expected.cpu().numpy()
    if not close(got_np, expected_np, TORCH_PRECISION):
        fail(f"{example}: {first_difference(got_np, expected_np, TORCH_PRECISION)}", student, DIFFERENTIAL)


@pytest.mark.public
def test_terminal_transitions_do_not_bootstrap(student):
    """y = r for a terminated transition, entropy term included; the others bootstrap from s'"""
    check_target(student, *PROBES[0].fresh())


@pytest.mark.public
def test_min_over_the_target_critics(student):
    """the future term is min_j Q'_j(s', a') − α log π(a'|s'), per transition"""
    check_target(student, *PROBES[1].fresh())


@pytest.mark.public
def test_one_sample_of_the_current_policy(student):
    """a' and log π(a'|s') come from one call policy(next_obs); α scales log π (α = 0.5, then 2)"""
    check_target(student, *PROBES[2].fresh())
    check_target(student, *arguments([-1.0, 0.5, 0.75], [0.0, 1.0, 0.0], 0.99, 2.0, 11))


@pytest.mark.public
def test_no_gradient_through_the_target(student):
    """the target is a constant: no gradient flows through it, though the policy and critics require grad

    Only gradient flow is judged here (the values are the other checks' business)."""
    args = PROBES[0].fresh()
    returned = student(*args)
    if carries_gradient(returned):
        raise Mistake(f"the target requires grad: compute it under torch.no_grad() (or .detach() it) — the critics "
                      f"regress Q_j(s, a) on y, and no gradient may flow through y (in {example_of(args)}, whose "
                      "policy and critics require grad)")


def test_a_list_of_critics(student):
    """critic_targets may be a list as well as a tuple"""
    args = list(arguments([1.0, -0.5, 2.0], [False, True, False], 0.9, 0.2, 4))
    args[6] = list(args[6])
    check_target(student, *args)


def test_float32_on_each_device(student):
    """float32 inputs and networks (the agent's) on CPU and, when present, CUDA"""
    for device in devices():
        check_target(student, *arguments([1.0, -0.5, 2.0], [False, True, False], 0.9, 0.2, 5, dtype=torch.float32,
                                          device=device))


@pytest.mark.weight(2)
@GRADING
@given(batch=st.integers(1, 8), seed=st.integers(0, 10_000), dtype=st.sampled_from([torch.float32, torch.float64]),
       per_sample=st.booleans(), flags=st.sampled_from(["bool", "float"]), alpha=st.sampled_from([0.05, 0.2, 1.0]))
def test_random_batches(student, batch, seed, dtype, per_sample, flags, alpha):
    """matches the target on random batches (float32 and float64, batch 1, γ from 0 to 1)"""
    rng = np.random.default_rng(seed)
    rewards = rng.uniform(-5, 5, batch).round(2)
    next_obs = torch.as_tensor(rng.uniform(-3, 3, (batch, 3)).round(2))
    done = rng.random(batch) < 0.4
    terminated = torch.as_tensor(done) if flags == "bool" else torch.as_tensor(done, dtype=dtype)
    gamma = (torch.as_tensor(0.99 ** rng.integers(1, 4, batch), dtype=dtype) if per_sample
             else float(rng.choice([0.0, 0.9, 0.99, 1.0])))
    check_target(student, *arguments(rewards, terminated, gamma, alpha, seed, next_obs, dtype=dtype))
