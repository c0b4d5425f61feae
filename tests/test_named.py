"""Every mistake the notebook's text warns about is *named* where it occurs, not only observed.

For every graded rule, each catalogue (autograde/catalogue/<rule>.py) lists in NAMED_IN_TEXT the
wrong answers whose mistake the notebook's text names (terminal vs truncated, the max over the
next state, windows that stop at episode ends, frozen targets, …), written in different styles
(loops, masks, torch.where, in place or not). Each must lose points, and every check it fails
must say which mistake it made, in the headline of its diagnosis (the part before the example),
not just "got X, expected Y". A crash on an input the student's code cannot handle (an
IndexError) is reported as such.
"""

import importlib

import pytest

from autograde.registry import RULES
from autograde.runner import _headline

RULES_WITH_TEXT = tuple(RULES)

# The classic mistakes each notebook's text spells out, by the catalogue's name for them: a rule's
# NAMED_IN_TEXT holds at least these (and every other mistake its text names that the checks can
# single out; the ones they cannot yet are listed in the catalogue's comment or the issue).
HEADLINE_MISTAKES = {
    "q_backup": {"bootstraps_terminal", "terminal_rows_not_zero", "gauss_seidel_in_place"},
    "value_iteration": {"starts_from_rewards", "ignores_backup_argument", "mean_change", "returns_previous_q"},
    "greedy_policy": {"argmax_over_states", "argmin"},
    "bridge_crossing": {"three_values"},
    "discount_grid": {"a_avoids_cliff", "b_risks_cliff", "c_too_noisy", "e_takes_exit"},
    "q_learning_update": set(),
    "epsilon_greedy": {"ties_to_first", "ties_to_last", "explores_only_non_greedy", "global_random"},
    "linear_schedule": {"no_clamp", "clamps_with_max", "clamps_with_min"},
    "linear_q_update": {"residual_gradient", "no_terminal_masking", "masks_truncation_too"},
    "fitted_q_iteration": set(),
    "ring_add": {"no_wrap", "size_unbounded", "overwrites_newest", "stores_done", "copies_storage"},
    "sample_indices": {"unfilled_slots", "global_numpy", "wrapped_window"},
    "dqn_target": {"no_terminal_mask", "no_detach", "max_over_batch"},
    "td_loss": {"greedy_q_not_taken", "keeps_the_column", "always_mse", "always_huber", "detached_q"},
    "hard_update": {"aliases", "gradient_tracked", "parameters_only"},
    "polyak_update": {"gradient_tracked", "parameters_only"},
    "double_dqn_target": {"target_picks_online_evaluates", "plain_dqn_max", "no_terminal_mask",
                          "gradient_through_target", "batch_max_of_evaluated"},
    "nstep_returns": set(),
    "frame_stacks": {"ignores_episode_start", "zero_padding", "newest_first", "next_obs_with_age_of_s"},
    "random_shooting": {"global_numpy_random"},
    "cross_entropy_method": {"no_clipping", "returns_the_best_sample", "starts_from_the_full_width"},
    "ddpg_critic_target": {"no_terminal_mask", "gradient_flows", "zero_action"},
    "ddpg_actor_loss": {"sign_flipped", "under_no_grad", "steps_an_optimizer"},
    "dueling_q": {"max_not_mean", "mean_over_batch", "no_subtraction", "value_as_vector", "in_place"},
    "sum_tree_update": {"only_leaf", "parents_get_priority", "stops_below_root", "adds_priority", "offset_minus_one"},
    "sum_tree_find": {"less_or_equal", "never_subtracts", "returns_node", "linear_scan"},
    "td_priorities": {"signed", "eps_after_power", "keeps_gradient"},
    "importance_weights": {"plus_beta", "not_normalised", "divided_by_sum", "divided_by_min"},
    "categorical_target": {"no_clamp", "loses_mass_when_l_equals_u", "terminal_bootstraps", "a_star_by_mode",
                           "no_grad_missing"},
    "categorical_loss": {"softmax_over_actions", "no_action_gather", "sign_flipped", "target_not_detached",
                         "weights_after_the_mean"},
    "noisy_linear": {"f_not_applied", "noise_in_eval", "sqrt_without_sign", "bias_noise_from_eps_in",
                     "outer_product_transposed"},
    "noisy_init": {"sigma_over_sqrt_q", "bounds_one_over_p", "global_numpy_rng"},
    "soft_value": {"no_max_shift", "alpha_missing_outside", "log_of_mean", "over_the_batch_axis", "plain_max"},
    "soft_q_target": {"no_terminal_mask", "hard_max", "no_grad_missing"},
    "squashed_gaussian": {"correction_missing", "unstable_log", "not_summed", "detached_sample"},
    "sac_critic_target": {"bootstraps_terminal", "entropy_outside_mask", "max_over_critics", "gradient_flows"},
    "sac_actor_loss": {"max_over_critics", "sign_flipped", "alpha_term_missing", "detached_action"},
    "sac_temperature_loss": {"sign_flipped", "log_probs_not_detached", "sum_over_batch"},
}
# The three rules that first named every mistake of their text: their text names many.
MANY = {"q_learning_update": 10, "nstep_returns": 10, "fitted_q_iteration": 10}


def catalogue(rule_name):
    return importlib.import_module(f"autograde.catalogue.{rule_name}")


NAMED = [(rule, fn, catalogue(rule).WRONG[fn]) for rule in RULES_WITH_TEXT
         for fn in sorted(catalogue(rule).NAMED_IN_TEXT, key=lambda f: f.__name__)]


@pytest.mark.parametrize("rule_name", RULES_WITH_TEXT)
def test_named_in_text_are_catalogue_mistakes(rule_name):
    module = catalogue(rule_name)
    assert module.NAMED_IN_TEXT <= set(module.WRONG), "NAMED_IN_TEXT lists wrong answers of the catalogue"
    assert module.NAMED_IN_TEXT, "the text names at least one mistake of every rule"
    assert len(module.NAMED_IN_TEXT) >= MANY.get(rule_name, 1)
    listed = {fn.__name__ for fn in module.NAMED_IN_TEXT}
    assert HEADLINE_MISTAKES[rule_name] <= listed, "every mistake the text names is listed"


def test_every_graded_rule_has_its_text_checked():
    assert set(HEADLINE_MISTAKES) == set(RULES) == set(RULES_WITH_TEXT)


@pytest.mark.parametrize("rule_name, answer, words", NAMED, ids=[f"{r}-{f.__name__}" for r, f, _ in NAMED])
def test_mistake_named_in_the_text_is_named_in_every_check_it_fails(rule_name, answer, words, graded):
    result = graded(rule_name, answer)
    failed = [c for c in result.checks if not c.passed]
    assert failed and result.points < result.max_points, result.report()
    crashed = [c for c in failed if c.diagnosis.startswith("your function raised")]
    unnamed = [c for c in failed if c not in crashed and (c.generic or words not in _headline(c.diagnosis))]
    assert not unnamed, f"these checks do not name {words!r}:\n{result.report()}"
    assert len(crashed) < len(failed), f"only crashes, never named:\n{result.report()}"


def test_nstep_parts_tell_their_mistakes_apart():
    """nstep_returns names a mistake from one output alone only when that output singles it out."""
    checks = importlib.import_module("autograde.checks.test_nstep_returns")
    for part in checks.PARTS.values():
        assert part.mistakes and part.ambiguities() == []
