"""Soft Q-iteration on the GridWorld, the Boltzmann policy, its picture and the temperature slider."""

import numpy as np
import pytest
import torch

from qlab.envs import GridWorld
from qlab.soft import soft_value
from qlab.tabular.planning import value_iteration
from qlab.tabular.soft import boltzmann_policy, exit_probabilities, soft_q_iteration, soft_state_values
from qlab.viz.gridworld import render_policy_probabilities, render_rgb
from qlab.widgets import SoftPolicyWidget


def book(noise=0.0):
    return GridWorld("BookGrid", noise=noise)


def test_soft_q_iteration_reaches_the_soft_bellman_fixed_point():
    env, gamma, alpha = book(0.2), 0.9, 0.05
    Q, deltas = soft_q_iteration(env.P, env.R, env.terminal, gamma, alpha, tol=1e-10)
    assert deltas[-1] < 1e-10
    V = np.where(env.terminal, 0.0, alpha * np.log(np.exp(Q / alpha).sum(axis=1)))
    expected = np.einsum("sat,sat->sa", env.P, env.R + gamma * V[None, None, :])
    expected[env.terminal] = 0.0
    np.testing.assert_allclose(Q, expected, atol=1e-9)


def test_a_cold_temperature_is_value_iteration():
    env = book(0.2)
    hard, _ = value_iteration(env.P, env.R, env.terminal, 0.9, tol=1e-10)
    cold, _ = soft_q_iteration(env.P, env.R, env.terminal, 0.9, 1e-4, tol=1e-10)
    cells = ~env.layout.walls.reshape(-1)      # (a wall is an unreachable self-loop, worth γα log 4/(1 − γ) here)
    np.testing.assert_allclose(cold[:-1][cells], hard[:-1][cells], atol=1e-3)


def test_boltzmann_policy_is_proportional_to_exp_q_over_alpha_even_for_huge_q():
    Q = np.array([[1000.0, 999.0, 990.0, 0.0], [0.0, 0.0, 0.0, 0.0]])
    policy = boltzmann_policy(Q, 1.0)
    np.testing.assert_allclose(policy.sum(axis=1), 1.0)
    assert policy[0, 0] / policy[0, 1] == pytest.approx(np.e) and np.all(policy[1] == 0.25)
    np.testing.assert_allclose(soft_state_values(Q, 1.0), [1000 + np.log(1 + np.exp(-1) + np.exp(-10)), np.log(4)])


def test_the_students_soft_value_is_the_one_used_and_checked():
    calls = []

    def traced(q_values, alpha):
        calls.append(tuple(q_values.shape))
        return soft_value(q_values, alpha)

    env = book()
    soft_q_iteration(env.P, env.R, env.terminal, 0.9, 0.01, soft_value=traced, max_iterations=3)
    assert calls == [(env.n_states, 4)] * 3
    with pytest.raises(ValueError, match=r"returned shape \(13, 1\) for Q of shape \(13, 4\); expected \(13,\)"):
        soft_state_values(np.zeros((13, 4)), 0.1, lambda q, a: q.max(dim=-1, keepdim=True).values)


def test_both_routes_of_bookgrid_are_kept_and_a_hot_agent_wanders():
    env = book()
    Q, _ = soft_q_iteration(env.P, env.R, env.terminal, 0.9, 0.003)
    policy = boltzmann_policy(Q, 0.003)
    north, east = policy[env.start_state, :2]
    assert north == pytest.approx(0.5, abs=0.01) and east == pytest.approx(0.5, abs=0.01)
    assert exit_probabilities(env, policy)[(0, 3)] == pytest.approx(1.0)
    Q, _ = soft_q_iteration(env.P, env.R, env.terminal, 0.9, 0.3)
    assert sum(exit_probabilities(env, boltzmann_policy(Q, 0.3)).values()) < 0.1
    with pytest.raises(ValueError, match=r"policy has shape \(13,\); expected \(n_states, n_actions\) = \(13, 4\)"):
        exit_probabilities(env, np.zeros(13))


def test_the_picture_draws_an_arrow_per_likely_action_as_long_as_its_probability():
    env = book()
    policy = np.full((env.n_states, 4), 0.25)
    start = env.start_state
    policy[start] = [0.0, 1.0, 0.0, 0.0]
    image = render_policy_probabilities(env, policy, cell=80)
    base = render_rgb(env, policy=np.zeros((env.n_states, 4), bool), show_agent=False, cell=80)
    assert image.shape == base.shape == (240, 320, 3)
    row, col = env.state_to_cell(start)
    y = int((row + 0.4) * 80)
    east = (slice(y - 2, y + 3), slice(col * 80 + 40, col * 80 + 74))
    east_of_centre = np.any(image[east] != base[east], axis=(0, 2))
    assert east_of_centre.sum() >= 30                                   # a long arrow east
    north = (slice(row * 80, y - 10), slice(col * 80, (col + 1) * 80))
    assert np.array_equal(image[north], base[north])                    # and none north
    with pytest.raises(ValueError, match="rows of non-negative numbers summing to 1"):
        render_policy_probabilities(env, np.full((env.n_states, 4), 0.3))


def test_the_slider_widget_solves_with_the_given_soft_value_as_alpha_moves():
    calls = []

    def traced(q_values, alpha):
        calls.append(alpha)
        return soft_value(q_values, alpha)

    widget = SoftPolicyWidget(book(), gamma=0.9, soft_value=traced, alpha=0.01)
    assert set(calls) == {0.01} and "Episodes from the start end at 1 at (0, 3): 100%" in widget.status.value
    widget.alpha.value = 0.3
    assert calls[-1] == pytest.approx(0.3) and "still wandering after 1000 moves" in widget.status.value
    assert widget.policy.shape == (13, 4) and widget.image.value[:4] == b"\x89PNG"
    widget.set_noise(0.2)
    assert widget.grid.noise == 0.2 and widget.noise.value == 0.2
    with pytest.raises(ValueError, match=r"need 0 < alpha_range\[0\] <= alpha <= alpha_range\[1\]"):
        SoftPolicyWidget(book(), alpha=5.0)
    with pytest.raises(TypeError, match="env must be a qlab GridWorld"):
        SoftPolicyWidget(torch.nn.Linear(1, 1))
