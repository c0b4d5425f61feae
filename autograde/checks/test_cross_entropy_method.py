"""Checks for cross_entropy_method(critic, obs, low, high, n_samples, n_elites, n_iters, rng)
-> actions (B, act_dim).

Start from N(μ, σ²) with μ the centre of the box and σ its half-width; n_iters times: sample
N actions, clip them to the box, keep the n_elites with the largest Q(s, a), refit μ and σ
(per dimension) to the elites. Return μ.

The answer is random, so the checks test properties over many states. CEM sometimes settles
early on a point near, not at, the best action (the reference does so on about 1% of states
at N = 64 and 6 elites, measured over 200,000 states), so precision is judged by the MEDIAN
over 200 states: it fails only if at least 100 of 200 independent states fail; even at a
per-state failure rate of 10% that has probability < 1e-30 (Chernoff). Messages state what was
observed and what the rule requires; they name no mistake.
"""

import numpy as np
import pytest
import torch

from autograde.checks.continuous import HIGH, LOW, Critic, actions_of, outside_box, quadratic, states
from autograde.checks.diagnosis import Mistake, expect

CENTRE = (LOW + HIGH) / 2


def cem(student, obs, n_samples, n_elites, n_iters, rng, critic):
    return actions_of(student(Critic(critic), obs, LOW.copy(), HIGH.copy(), n_samples, n_elites, n_iters, rng),
                      "cross_entropy_method", obs.shape[0], obs.dtype)


def distances(critic, obs, actions):
    return (actions - critic.best_action(obs).to(actions.dtype)).norm(dim=1)


def check_precision(student, peaks_inside: bool):
    critic, obs = quadratic(peaks_inside), states(200, seed=11)
    actions = cem(student, obs, 64, 6, 10, np.random.default_rng(11), critic)
    problem = outside_box(actions)
    expect(problem is None, f"{problem}: clip every sample to the box [low, high] before you evaluate it")
    distance = distances(critic, obs, actions)
    median = distance.median().item()
    if median > 0.02:
        centre = (torch.as_tensor(CENTRE) - critic.best_action(obs)).norm(dim=1).median().item()
        where = ("the peaks of Q lie outside the box, so the best actions are on its boundary; " if not peaks_inside
                 else "")
        near_centre = (f" — about as far as the box's centre {CENTRE.tolist()} is ({centre:.3g})"
                       if abs(median - centre) < 0.25 * centre else "")
        i = int((distance - distance.median()).abs().argmin())
        raise Mistake(
            f"{where}after 10 iterations with N = 64 and 6 elites, your actions are a median distance {median:.3g} "
            f"from the best actions{near_centre} (a correct CEM: about 1e-6); e.g. state {obs[i].tolist()}: yours "
            f"{[round(x, 3) for x in actions[i].tolist()]}, best {[round(x, 3) for x in critic.best_action(obs)[i].tolist()]}. "
            "Each iteration refits μ and σ to the n_elites samples with the largest Q(s, a)")


@pytest.mark.public
def test_actions_stay_inside_the_box(student):
    """the answer stays inside the box, also where Q's peak lies outside it (samples clipped)"""
    critic, obs = quadratic(peaks_inside=False), states(50, seed=3)
    actions = cem(student, obs, 32, 4, 5, np.random.default_rng(3), critic)
    problem = outside_box(actions)
    expect(problem is None, f"Q's peak for this state lies outside the box and {problem}: clip every sample to the "
                            "box [low, high] before you evaluate it, so μ (a mean of clipped elites) stays inside")


@pytest.mark.public
def test_converges_to_the_best_action(student):
    """refitting to the elites converges to the best action (median over 200 states)"""
    check_precision(student, peaks_inside=True)


@pytest.mark.public
def test_finds_the_best_action_on_the_boundary(student):
    """where Q's peak lies outside the box, it finds the best action on the box's boundary"""
    check_precision(student, peaks_inside=False)


@pytest.mark.public
def test_randomness_comes_from_rng(student):
    """all randomness comes from rng: the same generator state gives the same answer, and rng is used"""
    critic, obs = quadratic(), states(4)
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    first = cem(student, obs, 16, 4, 2, rng, critic)
    expect(rng.bit_generator.state != before,
           "cross_entropy_method did not draw from `rng` (its state did not change): take every random number "
           "from the generator you are given (rng.standard_normal, rng.normal), not np.random or a new generator")
    again = cem(student, obs, 16, 4, 2, np.random.default_rng(5), critic)
    expect(torch.equal(first, again), "called twice with generators in the same state, cross_entropy_method "
                                      "returned different answers: take every random number from `rng`")


def test_one_iteration_is_one_refit(student):
    """n_iters = 1 is one round: μ moves from the box's centre towards the best actions, and not further.

    Over 200 states the reference's mean distance to the best action after one round is 0.18
    (from 0.57 at the centre; per-state distances lie in [0, 2.3], so by Hoeffding the mean of
    200 is within 0.25 of its expectation with probability ≥ 1 − 1e-6): the check asks for a
    mean in [0.05, 0.43].
    """
    critic, obs = quadratic(), states(200, seed=12)
    actions = cem(student, obs, 64, 6, 1, np.random.default_rng(12), critic)
    mean = distances(critic, obs, actions).mean().item()
    centre = (torch.as_tensor(CENTRE) - critic.best_action(obs)).norm(dim=1).mean().item()
    expect(mean >= 0.05, f"with n_iters = 1 your actions are already a mean distance {mean:.3g} from the best "
                         f"actions, as close as after many rounds: do exactly n_iters rounds of sample–select–refit")
    expect(mean <= 0.43, f"with n_iters = 1 your actions are a mean distance {mean:.3g} from the best actions, "
                         f"the box's centre {CENTRE.tolist()} is {centre:.3g}: one round must refit μ to the "
                         "elites (do exactly n_iters rounds of sample–select–refit, and return the refitted μ)")


def test_float32_and_one_state(student):
    """works for a single state (batch 1) and in float32 (median over 20 states: failing needs 10
    of 20 to fail, < 1e-11 at the reference's 2% per-state rate)"""
    critic = quadratic()
    one = cem(student, states(1, seed=4), 64, 8, 8, np.random.default_rng(4), critic)
    expect(outside_box(one) is None, f"with a single state (obs of shape (1, 3)): {outside_box(one)}")
    obs = states(20, seed=5).to(torch.float32)
    actions = cem(student, obs, 64, 8, 8, np.random.default_rng(5), critic)
    expect(outside_box(actions) is None, f"with float32 observations: {outside_box(actions)}")
    median = distances(critic, obs.double(), actions.double()).median().item()
    expect(median < 0.05, f"with float32 observations your actions are a median distance {median:.3g} from the "
                          "best actions (a correct CEM: below 1e-3)")
