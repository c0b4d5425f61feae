"""The widgets' logic, without a browser: each button and slider calls a plain method or sets
a trait, and these tests do the same."""

import io

import gymnasium as gym
import ipywidgets as widgets
import numpy as np
import pytest
from PIL import Image

import qlab.envs  # noqa: F401  (registers the environments)
from qlab.envs import GridWorld
from qlab.jupyter import WIDGET_VIEW, drop_widget_views
from qlab.tabular import QLearningAgent
from qlab.viz.gridworld import greedy_actions, policy_arrows, render_rgb
from qlab.widgets import CrawlerWidget, GridWorldWidget


def pixels(image_widget) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(image_widget.value)))


class RandomAgent:
    """The least an agent needs to drive a widget: act, observe, Q, alpha, epsilon, gamma."""

    def __init__(self, n_states, n_actions):
        self.Q = np.zeros((n_states, n_actions))
        self.alpha, self.epsilon, self.gamma = 0.1, 1.0, 0.9
        self.rng = np.random.default_rng(0)
        self.seen = []

    def act(self, state):
        return int(self.rng.integers(self.Q.shape[1]))

    def observe(self, state, action, reward, next_state, terminated, truncated):
        self.seen.append((state, action, reward, next_state, terminated, truncated))
        self.Q[state, action] += self.alpha * (reward - self.Q[state, action])


# ---- GridWorldWidget -------------------------------------------------------------------------
def test_gridworld_widget_displays_as_a_widget():
    w = GridWorldWidget(seed=0)
    assert pixels(w.image).shape == (3 * 80, 4 * 80, 3)
    assert "application/vnd.jupyter.widget-view+json" in w._repr_mimebundle_()
    assert "qlab-gridworld" in w.widget._dom_classes


def test_step_moves_the_agent_and_learns():
    w = GridWorldWidget(GridWorld("BookGrid", noise=0.0), seed=0)
    before = pixels(w.image)
    w.step(300)
    assert w.t == 300 and w.episodes > 0 and w.last_return is not None
    assert np.abs(w.agent.Q).sum() > 0
    assert not np.array_equal(before, pixels(w.image))
    assert "step 300" in w.status.value


def test_play_ticks_run_steps_per_tick_and_stop_is_not_a_tick():
    w = GridWorldWidget(seed=0)
    w.steps_per_tick.value = 7
    w.play.value += 1
    w.play.value += 1
    assert w.t == 14
    w.play.value = 0  # what Play's stop button does
    assert w.t == 14
    w.step_button.click()
    assert w.t == 21
    w.delay.value = 50
    assert w.play.interval == 50


def test_reset_forgets_q_and_counters():
    w = GridWorldWidget(seed=0)
    w.step(200)
    w.reset_button.click()
    assert w.t == 0 and w.episodes == 0 and not w.agent.Q.any()
    assert w.state == w.grid.start_state


def test_sliders_change_agent_and_env_while_running():
    w = GridWorldWidget(seed=0)
    w.step(10)
    w.alpha.value, w.epsilon.value, w.gamma.value = 0.2, 0.05, 0.5
    assert (w.agent.alpha, w.agent.epsilon, w.agent.gamma) == (0.2, 0.05, 0.5)
    w.noise.value = 0.0
    assert w.grid.noise == 0.0 and set(np.unique(w.grid.P)) <= {0.0, 1.0}
    w.living_reward.value = -0.5
    assert w.grid.living_reward == -0.5
    start = w.grid.start_state
    assert np.all(w.grid.R[start] == -0.5)
    w.step(10)
    assert "α 0.20 ε 0.05 γ 0.50" in w.status.value


def test_view_toggle_redraws():
    w = GridWorldWidget(seed=0)
    w.step(300)
    images = {}
    for view in ("values", "Q-values", "policy"):
        w.view.value = view
        images[view] = pixels(w.image)
    assert not np.array_equal(images["values"], images["Q-values"])
    assert not np.array_equal(images["values"], images["policy"])
    with pytest.raises(ValueError, match="view must be one of"):
        GridWorldWidget(view="heatmap")


def test_clicking_cells_edits_the_model():
    w = GridWorldWidget(GridWorld("BookGrid", noise=0.0), seed=0)
    w.tool.value = "wall"
    w.cells[0][0].click()
    assert w.grid.layout.walls[0, 0] and w.cells[0][0].description == "#"
    below = w.grid.cell_to_state(1, 0)
    assert w.grid.P[below, 0, below] == 1.0  # north now bumps into the wall
    w.click_cell(0, 0)  # toggles back
    assert not w.grid.layout.walls[0, 0]

    w.tool.value, w.reward.value = "exit", 5.0
    w.click_cell(2, 3)
    s = w.grid.cell_to_state(2, 3)
    assert w.grid.R[s, 0, w.grid.terminal_state] == 5.0 and w.cells[2][3].description == "5"

    w.tool.value = "start"
    w.click_cell(0, 0)
    assert w.grid.layout.start == (0, 0) and w.grid.start_state == 0


def test_refused_edit_is_reported_not_raised():
    w = GridWorldWidget(seed=0)
    before = w.grid.layout.to_text()
    w.tool.value = "wall"
    w.click_cell(*w.grid.layout.start)
    assert w.grid.layout.to_text() == before
    assert "exactly one start" in w.message.value


def test_walling_the_agent_in_sends_it_back_to_the_start():
    w = GridWorldWidget(GridWorld("BookGrid", noise=0.0), seed=0)
    w.grid.state = w.state = w.grid.cell_to_state(2, 2)
    w.edit_cell(2, 2, "#")
    assert w.state == w.grid.start_state == w.grid.state


def test_record_and_replay():
    w = GridWorldWidget(seed=0)
    w.step(5)
    w.grid.state = w.state = w.grid.cell_to_state(0, 2)  # next to the +1 exit
    w.record.value = True  # the Record button
    w.step(40)
    w.stop_recording()
    w.step(10)
    assert len(w.frames) == 41 and w.replay.max == 40 and not w.replay.disabled
    assert [f.t for f in w.frames] == list(range(5, 46))
    assert not np.array_equal(w.frames[0].Q, w.frames[-1].Q)  # snapshots, not views of the live Q
    live = pixels(w.image)
    w.replay.value = 20
    assert "frame 21/41" in w.status.value
    w.replay.value = 0
    first = pixels(w.image)
    assert not np.array_equal(live, first) and "frame 1/41 · step 5" in w.status.value
    w.replay.value = 40
    w.step(1)
    assert "replay" not in w.status.value  # a live step shows the live grid again
    with pytest.raises(IndexError, match="41 frames are recorded"):
        w.show_frame(41)
    w.start_recording()  # a new recording replaces the old one
    assert len(w.frames) == 1


def test_replay_shows_the_grid_as_it_was():
    w = GridWorldWidget(GridWorld("BookGrid"), seed=0)
    w.start_recording()
    w.edit_cell(0, 0, "#")
    w.step(1)
    assert not w.frames[0].layout.walls[0, 0] and w.frames[1].layout.walls[0, 0]
    wall = (110, 110, 110)
    assert tuple(pixels(w.image)[40, 40]) == wall
    w.show_frame(0)
    assert tuple(pixels(w.image)[40, 40]) != wall


def test_recording_stops_at_its_limit():
    w = GridWorldWidget(seed=0, max_frames=10)
    w.start_recording()
    w.step(20)
    assert len(w.frames) == 10 and not w.record.value and "limit of 10" in w.message.value


def test_any_agent_drives_it():
    env = GridWorld("BridgeGrid")
    agent = RandomAgent(env.n_states, 4)
    w = GridWorldWidget(env, agent)
    w.step(50)
    assert len(agent.seen) == 50 and agent.Q.any()
    w.alpha.value = 0.3
    assert agent.alpha == 0.3


def test_student_update_rule_plugged_into_qlearning_agent():
    calls = []

    def student_update(Q, s, a, r, s2, terminated, truncated, alpha, gamma):
        calls.append(alpha)
        Q = Q.copy()  # a rule that returns a new array instead of updating in place
        Q[s, a] += alpha * (r + (0.0 if terminated else gamma * Q[s2].max()) - Q[s, a])
        return Q

    env = GridWorld("BookGrid", noise=0.0)
    w = GridWorldWidget(env, QLearningAgent(env.n_states, 4, alpha=0.5, update=student_update, seed=0))
    w.step(100)
    w.alpha.value = 0.25
    w.step(1)
    assert len(calls) == 101 and calls[-1] == 0.25 and w.agent.Q.any()


def test_visit_count_step_size_disables_the_alpha_slider():
    env = GridWorld("BookGrid")
    w = GridWorldWidget(env, QLearningAgent(env.n_states, 4, alpha="visits", seed=0))
    assert w.alpha.disabled and "visits" in w.alpha.description
    w.step(20)
    assert "α visits" in w.status.value


def test_bad_agents_and_envs_are_refused_clearly():
    class NoQ:
        alpha = epsilon = gamma = 0.1

        def act(self, state):
            return 0

    with pytest.raises(TypeError, match="has no observe, Q"):
        GridWorldWidget(agent=NoQ())
    with pytest.raises(ValueError, match=r"agent.Q has shape \(3, 4\); expected .* = \(13, 4\)"):
        GridWorldWidget(agent=RandomAgent(3, 4))
    with pytest.raises(TypeError, match="env must be a qlab GridWorld"):
        GridWorldWidget(gym.make("CartPole-v1"))
    with pytest.raises(TypeError, match="env must be a qlab Crawler"):
        CrawlerWidget(GridWorld())


def test_gridworld_widget_on_a_registered_env_with_time_limit():
    w = GridWorldWidget(gym.make("qlab/GridWorld-v0", layout="BookGrid", max_episode_steps=5), seed=0)
    w.agent.epsilon = 0.0  # all-zero Q and random ties: wanders, the time limit cuts episodes
    w.step(50)
    assert w.episodes >= 5


# ---- CrawlerWidget ----------------------------------------------------------------------------
def test_crawler_widget_steps_animate_and_count():
    w = CrawlerWidget(seed=0)
    before = pixels(w.image)
    w.steps_per_tick.value = 25
    for _ in range(8):
        w.play.value += 1
    assert w.t == 200 and len(w.rewards) == 100
    assert w.velocity == pytest.approx(np.mean(list(w.rewards)))
    assert not np.array_equal(before, pixels(w.image))
    assert f"position {w.robot.position:.1f}" in w.status.value and "step 200" in w.status.value
    assert "qlab-crawler" in w.widget._dom_classes


def test_crawler_widget_learns_a_gait_and_resets():
    w = CrawlerWidget(seed=0)
    w.step(15_000)
    assert w.greedy_speed() >= 0.9 * w.optimal_speed(0.8)
    assert w.optimal_speed(0.8) == pytest.approx(1.7581574212192557)
    assert w.robot.position > 0
    w.reset()
    assert w.t == 0 and w.robot.position == 0.0 and not w.rewards and not w.agent.Q.any()


def test_crawler_widget_sliders_and_any_agent():
    agent = RandomAgent(117, 4)
    w = CrawlerWidget(agent=agent)
    w.epsilon.value, w.gamma.value, w.alpha.value = 0.1, 0.99, 0.5
    assert (agent.epsilon, agent.gamma, agent.alpha) == (0.1, 0.99, 0.5)
    w.step(10)
    assert len(agent.seen) == 10 and "best for γ: 3.47" in w.status.value


def test_crawler_widget_continues_after_a_time_limit():
    w = CrawlerWidget(gym.make("qlab/Crawler-v0", max_episode_steps=30), seed=0)
    w.step(100)
    assert w.t == 100 and w.state == w.robot.state


# ---- what a student sees: layout, readable values, honest arrows, a reopened notebook -------
def boxes(widget):
    """Every box inside ``widget`` (itself included), depth first."""
    children = getattr(widget, "children", ())
    return [widget] + [box for child in children for box in boxes(child)] if children else []


def slider_groups(widget):
    """The children of each box that holds sliders, as lists of sliders."""
    return [[c for c in box.children if isinstance(c, (widgets.FloatSlider, widgets.IntSlider))]
            for box in boxes(widget)
            if any(isinstance(c, (widgets.FloatSlider, widgets.IntSlider)) for c in box.children)]


@pytest.mark.parametrize("make", [lambda: GridWorldWidget(seed=0), lambda: CrawlerWidget(seed=0)])
def test_sliders_sit_in_columns_by_topic_none_alone(make):
    w = make()
    groups = [group for group in slider_groups(w.widget) if getattr(w, "replay", None) not in group]
    assert [w.alpha, w.epsilon, w.gamma] in groups and [w.steps_per_tick, w.delay] in groups
    if isinstance(w, GridWorldWidget):
        assert [w.noise, w.living_reward] in groups
    assert all(len(group) >= 2 for group in groups), "a slider sits alone in its row or column"
    row = next(box for box in boxes(w.widget) if w.alpha in getattr(box, "children", ())[1:])
    assert isinstance(row, widgets.VBox), "the α, ε, γ sliders are stacked in one column"


def test_policy_view_draws_every_tied_best_action_and_none_where_all_tie():
    Q = np.zeros((13, 4))
    Q[0] = [1.0, 1.0, 0.0, -1.0]       # north and east tie for best
    Q[1] = [0.0, 0.0, 0.5, 0.0]        # south alone
    Q[2] = [0.3, 0.3 + 1e-15, 0.3, 0.3]  # all four tie, up to rounding
    greedy = greedy_actions(Q)
    assert greedy[0].tolist() == [True, True, False, False]
    assert greedy[1].tolist() == [False, False, True, False]
    assert not greedy[2].any() and not greedy[3].any()  # nothing learned: no arrow
    arrows = policy_arrows(greedy, 13)
    assert (arrows == greedy).all()
    assert policy_arrows(np.array([2] * 13), 13)[5].tolist() == [False, False, True, False]
    with pytest.raises(ValueError, match=r"policy has shape \(4,\)"):
        policy_arrows(np.zeros(4), 13)


def test_after_reset_the_policy_view_shows_no_arrows():
    w = GridWorldWidget(seed=0, view="policy")
    w.step(200)
    w.reset_button.click()
    env = GridWorld("BookGrid")
    env.state = w.grid.state
    V, no_arrows = np.zeros(w.grid.n_states), np.zeros((w.grid.n_states, 4), dtype=bool)
    assert np.array_equal(pixels(w.image), render_rgb(env, values=V, policy=no_arrows, cell=w.cell))
    w.agent.Q[w.grid.cell_to_state(2, 0)] = [0.0, 0.5, 0.0, 0.5]  # east and west tie: both arrows
    w.refresh()
    both = no_arrows.copy()
    both[w.grid.cell_to_state(2, 0), [1, 3]] = True
    assert np.array_equal(pixels(w.image), render_rgb(env, values=w.agent.Q.max(axis=1), policy=both, cell=w.cell))


@pytest.mark.parametrize("view", ["values", "Q-values", "policy"])
def test_the_agent_leaves_its_cells_numbers_readable(view):
    """The agent is drawn only in its cell's top-right corner: the rest of the cell, where the
    value, the arrows and the Q-values are written, is the same with or without it."""
    env = GridWorld("BookGrid")
    Q = np.random.default_rng(0).uniform(-1, 1, (env.n_states, 4))
    options = {"values": {"values": Q.max(axis=1)}, "Q-values": {"q_values": Q},
               "policy": {"values": Q.max(axis=1), "policy": greedy_actions(Q)}}[view]
    env.state = env.cell_to_state(1, 0)
    cell = 80
    changed = np.argwhere((render_rgb(env, **options, cell=cell) != render_rgb(env, **options, show_agent=False,
                                                                                cell=cell)).any(axis=2))
    assert len(changed) > 0
    rows, cols = changed[:, 0], changed[:, 1]
    assert rows.min() >= cell and rows.max() < cell + 0.3 * cell          # row 1, its top part
    assert cols.min() >= 0.7 * cell and cols.max() < cell                 # column 0, its right part


def test_a_widget_cell_saved_by_the_student_lab_says_to_run_it_again():
    bundle = GridWorldWidget(seed=0)._repr_mimebundle_()
    assert bundle["text/plain"].startswith("[GridWorldWidget: run this cell to show it again")
    outputs = [{"output_type": "display_data", "data": bundle, "metadata": {}},
               {"output_type": "display_data", "data": {WIDGET_VIEW: {"model_id": "x"}}, "metadata": {}},
               {"output_type": "stream", "name": "stdout", "text": "hello\n"}]
    model = {"type": "notebook", "content": {"cells": [{"cell_type": "code", "outputs": outputs}]}}
    drop_widget_views(model, path="a.ipynb", contents_manager=None)
    saved = model["content"]["cells"][0]["outputs"]
    assert saved == [{"output_type": "display_data", "data": {"text/plain": bundle["text/plain"]}, "metadata": {}},
                     outputs[2]]
    text_file = {"type": "file", "content": "{}"}
    drop_widget_views(text_file)
    assert text_file == {"type": "file", "content": "{}"}
