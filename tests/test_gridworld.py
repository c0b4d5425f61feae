"""GridWorld: the CS188 semantics, the exact model, the gymnasium contract and bad input."""

import gymnasium as gym
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import qlab.envs  # noqa: F401 - registers qlab/GridWorld-v0
from qlab.envs import LAYOUTS, GridWorld
from qlab.tabular import greedy_policy, value_iteration

NORTH, EAST, SOUTH, WEST = range(4)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_passes_the_env_checker(layout):
    env = gym.make("qlab/GridWorld-v0", layout=layout, render_mode="rgb_array")
    check_env(env.unwrapped, skip_render_check=False)
    env.reset(seed=0)
    frame = env.render()
    assert frame.dtype == np.uint8 and frame.ndim == 3 and frame.shape[2] == 3


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_model_is_a_proper_distribution(layout):
    env = GridWorld(layout)
    assert np.allclose(env.P.sum(axis=2), 1.0)
    assert env.terminal.sum() == 1 and env.terminal[env.terminal_state]
    assert np.all(env.R[env.terminal_state] == 0)


def test_noise_splits_to_the_perpendicular_directions():
    env = GridWorld("BookGrid", noise=0.2)
    start = env.cell_to_state(2, 0)
    north = env.P[start, NORTH]
    assert north[env.cell_to_state(1, 0)] == pytest.approx(0.8)
    assert north[env.cell_to_state(2, 1)] == pytest.approx(0.1)   # east
    assert north[start] == pytest.approx(0.1)                      # west bumps the edge: stays


def test_exit_cells_only_exit_paying_their_number():
    env = GridWorld("BookGrid", living_reward=-0.04)
    for (r, c), value in [((0, 3), 1.0), ((1, 3), -1.0)]:
        s = env.cell_to_state(r, c)
        for a in range(4):
            assert env.P[s, a, env.terminal_state] == 1.0
            assert env.R[s, a, env.terminal_state] == value
    ordinary = env.cell_to_state(2, 0)
    assert np.all(env.R[ordinary][env.P[ordinary] > 0] == -0.04)


def test_step_follows_the_model_and_terminates_at_exits():
    env = GridWorld("BookGrid", noise=0.0)
    state, _ = env.reset(seed=0)
    for action in [NORTH, NORTH, EAST, EAST, EAST]:
        state, reward, terminated, truncated, _ = env.step(action)
        assert reward == 0.0 and not terminated and not truncated
    assert env.state_to_cell(state) == (0, 3)
    state, reward, terminated, truncated, info = env.step(WEST)   # any action exits
    assert (state, reward, terminated, truncated) == (env.terminal_state, 1.0, True, False)
    with pytest.raises(RuntimeError, match="reset"):
        env.step(NORTH)


def test_noisy_transitions_match_p_statistically():
    env = GridWorld("BookGrid", noise=0.2)
    env.reset(seed=3)
    counts = np.zeros(env.n_states)
    start = env.start_state
    for _ in range(4000):
        env.state = start
        s2, *_ = env.step(NORTH)
        counts[s2] += 1
    assert np.allclose(counts / 4000, env.P[start, NORTH], atol=0.025)


def test_same_seed_same_trajectory():
    def trajectory(seed):
        env = GridWorld("MazeGrid", noise=0.3)
        env.reset(seed=seed)
        return [env.step(i % 4)[0] for i in range(40)]
    assert trajectory(7) == trajectory(7)
    assert trajectory(7) != trajectory(8)


def test_value_iteration_on_book_grid_gives_the_textbook_values():
    env = GridWorld("BookGrid", noise=0.2)
    Q, _ = value_iteration(env.P, env.R, env.terminal, 0.9, tol=1e-10)
    expected = [[0.64, 0.74, 0.85, 1.00], [0.57, np.nan, 0.57, -1.00], [0.49, 0.43, 0.48, 0.28]]
    assert np.allclose(np.round(env.to_grid(Q.max(axis=1)), 2), expected, equal_nan=True)
    assert greedy_policy(Q)[env.start_state] == NORTH


def test_changing_noise_and_living_reward_rebuilds_the_model():
    env = GridWorld("BookGrid", noise=0.2)
    env.noise = 0.0
    assert env.P[env.start_state, NORTH, env.cell_to_state(1, 0)] == 1.0
    env.living_reward = -1.0
    assert env.R[env.start_state, NORTH, env.cell_to_state(1, 0)] == -1.0


def test_editing_cells():
    env = GridWorld("BookGrid")
    env.set_cell(0, 0, "5")
    assert env.layout.exits[0, 0] == 5.0
    env.set_cell(2, 1, "#")
    assert env.P[env.start_state, EAST, env.start_state] == pytest.approx(0.8 + 0.1)
    env.set_cell(0, 1, "S")
    assert env.layout.start == (0, 1) and env.start_state == 1


def test_layout_from_text():
    env = GridWorld("S _ 3\n# _ -2")
    assert env.shape == (2, 3) and env.layout.exits[0, 2] == 3.0 and env.layout.walls[1, 0]
    assert env.layout.to_text() == "S _ 3\n# _ -2"


@pytest.mark.parametrize("layout, words", [
    ("NoSuchGrid", "unknown layout"),
    ("S _\n_", "same number of cells"),
    ("_ _\n_ _", "exactly one start"),
    ("S S\n_ _", "exactly one start"),
    ("S x\n_ _", r"expected '_' \(empty\)"),
])
def test_invalid_layouts_are_refused(layout, words):
    with pytest.raises(ValueError, match=words):
        GridWorld(layout)


@pytest.mark.parametrize("noise", [-0.1, 1.5, float("nan")])
def test_noise_must_be_a_probability(noise):
    with pytest.raises(ValueError, match=r"noise must be a probability in \[0, 1\]"):
        GridWorld("BookGrid", noise=noise)


@pytest.mark.parametrize("action", [4, -1, 1.5, "north"])
def test_unknown_actions_are_refused(action):
    env = GridWorld("BookGrid")
    env.reset(seed=0)
    with pytest.raises(ValueError, match="action must be an integer in 0..3"):
        env.step(action)


def test_ansi_render_marks_the_agent():
    env = GridWorld("BookGrid", render_mode="ansi")
    env.reset(seed=0)
    text = env.render()
    assert text.splitlines()[2].split()[0] == "A" and "#" in text
