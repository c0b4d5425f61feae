"""The crawler robot: geometry and rewards against hand-computed values, legal moves, the exact
model against step(), gymnasium's checker, and what value iteration and Q-learning find."""

import math
import warnings

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import qlab.envs  # noqa: F401  (registers qlab/Crawler-v0)
from qlab.envs import Crawler
from qlab.envs.crawler import N_ARM, N_HAND, arm_angle, average_speed, displacement, hand_angle, tilt, tip
from qlab.tabular import QLearningAgent, greedy_policy, value_iteration

ARM_UP, ARM_DOWN, HAND_UP, HAND_DOWN = range(4)


def test_angles_and_start():
    assert arm_angle(0) == pytest.approx(-math.pi / 6) and arm_angle(8) == pytest.approx(math.pi / 6)
    assert hand_angle(0) == pytest.approx(-5 * math.pi / 6) and hand_angle(12) == pytest.approx(0.0)
    env = Crawler()
    state, info = env.reset(seed=0)
    assert state == 4 * 13 + 6 and env.to_buckets(state) == (4, 6)
    assert arm_angle(4) == pytest.approx(0.0) and math.degrees(hand_angle(6)) == pytest.approx(-75.0)
    assert info["position"] == 0.0 and info["action_mask"].tolist() == [True] * 4


def test_tip_by_hand():
    # arm 0°, hand −75°: x = 60 + 40 cos 75° + 80, y = 0 − 40 sin 75° + 40
    assert tip(4, 6) == pytest.approx((150.35276180410082, 1.3629669484372684))
    # arm −7.5°, hand −75°
    assert tip(3, 6) == pytest.approx((149.83945348652946, -6.468604584765828))


@pytest.mark.parametrize("old, new, expected, case", [
    ((4, 6), (5, 6), 0.0, "y ≥ 0, y_o ≥ 0: the hand is in the air"),
    ((4, 6), (3, 6), 0.2844141439064458, "y < 0, y_o > 0: x_o − y_o (x − x_o)/(y − y_o) − √(x² + y²)"),
    ((3, 6), (2, 6), 0.9956735401250398, "y < 0, y_o ≤ 0: √(x_o² + y_o²) − √(x² + y²)"),
    ((3, 6), (4, 6), -0.2844141439064458, "y ≥ 0, y_o < 0: −(x − y (x_o − x)/(y_o − y)) + √(x_o² + y_o²)"),
])
def test_reward_cases_by_hand(old, new, expected, case):
    assert displacement(old, new) == pytest.approx(expected, abs=1e-12), case
    env = Crawler()
    env.reset()
    env.state = env.to_state(*old)
    action = ARM_UP if new[0] > old[0] else ARM_DOWN
    _, reward, *_ = env.step(action)
    assert reward == pytest.approx(expected, abs=1e-12), case


def test_moving_back_undoes_a_move():
    for i in range(N_ARM):
        for j in range(N_HAND):
            for di, dj in ((1, 0), (0, 1)):
                if i + di < N_ARM and j + dj < N_HAND:
                    there = displacement((i, j), (i + di, j + dj))
                    assert there == pytest.approx(-displacement((i + di, j + dj), (i, j)), abs=1e-9)


def test_tilt_puts_the_hand_on_the_ground():
    for i in range(N_ARM):
        for j in range(N_HAND):
            x, y = tip(i, j)
            rot = tilt(i, j)
            if y < 0:
                assert rot > 0 and x * math.sin(rot) + y * math.cos(rot) == pytest.approx(0.0, abs=1e-9)
            else:
                assert rot == 0.0


def test_action_mask_at_the_limits():
    env = Crawler()
    assert env.action_mask(env.to_state(0, 0)).tolist() == [True, False, True, False]
    assert env.action_mask(env.to_state(8, 12)).tolist() == [False, True, False, True]
    assert env.action_mask(env.to_state(0, 12)).tolist() == [True, False, False, True]
    legal = sum(env.action_mask(s).sum() for s in range(env.n_states))
    assert legal == 117 * 4 - 2 * 13 - 2 * 9


def test_illegal_move_does_nothing_and_pays_nothing():
    env = Crawler()
    env.reset()
    env.state = env.to_state(0, 5)
    state, reward, terminated, truncated, info = env.step(ARM_DOWN)
    assert (state, reward, terminated, truncated, info["position"]) == (env.to_state(0, 5), 0.0, False, False, 0.0)


def test_model_matches_step():
    env = Crawler()
    env.reset()
    assert np.allclose(env.P.sum(axis=2), 1.0) and not env.terminal.any()
    for s in range(env.n_states):
        for a in range(4):
            env.state = s
            next_state, reward, terminated, truncated, info = env.step(a)
            assert env.P[s, a, next_state] == 1.0
            assert reward == env.R[s, a, next_state]
            assert not terminated and not truncated
            assert info["action_mask"].tolist() == env.action_mask(next_state).tolist()
            assert (next_state == s) == (not env.action_mask(s)[a])


def test_position_is_the_sum_of_rewards_and_resets():
    env = Crawler()
    env.reset(seed=1)
    rng = np.random.default_rng(1)
    total = 0.0
    for _ in range(300):
        _, reward, _, _, info = env.step(int(rng.integers(4)))
        total += reward
        assert info["position"] == pytest.approx(total)
    assert env.reset()[1]["position"] == 0.0


def test_passes_gymnasium_checker_and_time_limit():
    env = gym.make("qlab/Crawler-v0", render_mode="rgb_array")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check_env(env.unwrapped)
    env.reset(seed=0)
    for t in range(1, 1001):
        _, _, terminated, truncated, _ = env.step(t % 4)
        assert not terminated and truncated == (t == 1000)


def test_deterministic():
    actions = np.random.default_rng(3).integers(4, size=500)
    runs = []
    for seed in (0, 123):
        env = Crawler()
        env.reset(seed=seed)
        runs.append([env.step(int(a))[:2] for a in actions])
    assert runs[0] == runs[1]


@pytest.mark.parametrize("action", [4, -1, "arm-up", 1.5, None])
def test_bad_action_is_refused_clearly(action):
    env = Crawler()
    env.reset()
    with pytest.raises(ValueError, match=r"action must be an integer in 0\.\.3 \(0=arm-up"):
        env.step(action)


def test_render():
    env = Crawler(render_mode="rgb_array")
    env.reset()
    first = env.render()
    assert first.shape == (260, 600, 3) and first.dtype == np.uint8
    env.step(ARM_DOWN)
    assert not np.array_equal(first, env.render())
    assert Crawler().render() is None
    with pytest.raises(ValueError, match="render_mode must be one of"):
        Crawler(render_mode="human")


def test_average_speed_of_simple_policies():
    env = Crawler()
    stay = np.full(env.n_states, ARM_DOWN)  # arm down to the limit, then stuck
    assert average_speed(env, stay) == 0.0
    rock = np.where(np.arange(env.n_states) % 2 == 0, HAND_UP, HAND_DOWN)  # back and forth: a 2-cycle
    assert average_speed(env, rock) == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(ValueError, match=r"expected \(n_states,\) = \(117,\)"):
        average_speed(env, np.zeros(5, dtype=int))


def max_mean_cycle(env):
    """Karp's algorithm: the largest mean reward of any cycle of legal moves, i.e. the best
    long-run speed of any gait (an independent check of value iteration)."""
    n = env.n_states
    edges = [(s, t, env.R[s, a, t]) for s in range(n) for a in range(4) if env.action_mask(s)[a]
             for t in [int(np.argmax(env.P[s, a]))]]
    best = np.full((n + 1, n), -np.inf)
    best[0, :] = 0.0
    for k in range(1, n + 1):
        for s, t, r in edges:
            best[k, t] = max(best[k, t], best[k - 1, s] + r)
    return max(min((best[n, v] - best[k, v]) / (n - k) for k in range(n) if best[k, v] > -np.inf)
               for v in range(n))


OPTIMAL_SPEED = {0.8: 1.7581574212192557, 0.99: 3.465909165307759}


@pytest.mark.parametrize("gamma", [0.8, 0.99])
def test_value_iteration_finds_a_fast_gait(gamma):
    env = Crawler()
    Q, _ = value_iteration(env.P, env.R, env.terminal, gamma, tol=1e-9)
    speed = average_speed(env, greedy_policy(Q))
    assert speed == pytest.approx(OPTIMAL_SPEED[gamma], rel=1e-9)


def test_far_sighted_gait_is_the_fastest_gait():
    assert max_mean_cycle(Crawler()) == pytest.approx(OPTIMAL_SPEED[0.99], rel=1e-9)


@pytest.mark.parametrize("gamma, budget", [(0.8, 15_000), (0.99, 15_000)])
def test_q_learning_learns_to_crawl(gamma, budget):
    """The CS188 crawler settings (α 0.8, ε 0.5) reach 90% of the optimal speed for γ
    (greedy gait) within the budget; over seeds 0..9 this takes 2.6k–10.6k steps for
    γ = 0.8 and 5.7k–9.5k for γ = 0.99."""
    env = Crawler()
    agent = QLearningAgent(env.n_states, 4, alpha=0.8, epsilon=0.5, gamma=gamma, seed=0)
    state, _ = env.reset(seed=0)
    for t in range(1, budget + 1):
        action = agent.act(state)
        next_state, reward, terminated, truncated, _ = env.step(action)
        agent.observe(state, action, reward, next_state, terminated, truncated)
        state = next_state
        if t % 100 == 0 and average_speed(env, greedy_policy(agent.Q)) >= 0.9 * OPTIMAL_SPEED[gamma]:
            return
    pytest.fail(f"after {budget} steps the greedy gait's speed is {average_speed(env, greedy_policy(agent.Q)):.3f}, "
                f"below 90% of the optimum {OPTIMAL_SPEED[gamma]:.3f}")
