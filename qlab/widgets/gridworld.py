"""An interactive GridWorld: watch an agent learn Q, change α, ε, γ, the noise and the living
reward while it runs, edit the grid, and record a run to replay it step by step.

    from qlab.envs import GridWorld
    from qlab.widgets import GridWorldWidget
    GridWorldWidget(GridWorld("BridgeGrid"), agent=QLearningAgent(..., update=my_update))
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import ipywidgets as widgets
import numpy as np

from qlab.envs.gridworld import GridWorld
from qlab.envs.layouts import Layout
from qlab.tabular.qlearning import QLearningAgent
from qlab.viz.gridworld import greedy_actions, render_rgb
from qlab.widgets.base import SLIDER_LAYOUT, LearnerWidget, agent_summary, check_agent, png

VIEWS = ("values", "Q-values", "policy")
TOOLS = ("wall", "exit", "empty", "start")


@dataclass(frozen=True)
class Frame:
    """One recorded moment: the step count, the grid, where the agent is, and its Q."""

    t: int
    layout: Layout
    state: int
    Q: np.ndarray


class GridWorldWidget(LearnerWidget):
    """Q-learning on a GridWorld, live.

    Args:
        env: a ``GridWorld`` or a gymnasium wrapper around one (default: BookGrid).
        agent: anything with ``act(state)``, ``observe(state, action, reward, next_state,
            terminated, truncated)``, ``Q`` (n_states, 4), ``alpha``, ``epsilon`` and ``gamma``
            (default: ``QLearningAgent`` with the CS188 defaults α 0.5, ε 0.3, γ 0.9).
        view: what the picture shows: "values" (V = max_a Q), "Q-values" (four triangles per
            cell) or "policy" (V and an arrow for each greedy action; none where all tie).
        max_frames: the longest recording, in steps.

    The buttons call plain methods: ``step(n)``, ``reset()``, ``click_cell(row, col)``,
    ``edit_cell(row, col, token)``, ``start_recording()``, ``stop_recording()``,
    ``show_frame(k)``; the sliders set ``agent.alpha``, ``agent.epsilon``, ``agent.gamma``,
    ``env.noise`` and ``env.living_reward`` as they move.
    """

    def __init__(self, env=None, agent=None, *, view: str = "Q-values", seed: int | None = None,
                 steps_per_tick: int = 1, interval_ms: int = 200, cell: int = 80, max_frames: int = 5000):
        env = GridWorld("BookGrid") if env is None else env
        self.grid: GridWorld = env.unwrapped
        if not isinstance(self.grid, GridWorld):
            raise TypeError(f"env must be a qlab GridWorld (or a wrapper around one); got {type(self.grid).__name__}")
        if view not in VIEWS:
            raise ValueError(f"view must be one of {VIEWS}; got {view!r}")
        n_states, n_actions = self.grid.n_states, self.grid.action_space.n
        if agent is None:
            agent = QLearningAgent(n_states, n_actions, alpha=0.5, epsilon=0.3, gamma=0.9, seed=seed)
        check_agent(agent, n_states, n_actions)
        super().__init__(env, agent, seed, steps_per_tick, interval_ms, max_steps_per_tick=100)
        self.cell, self.max_frames = cell, max_frames
        self.episodes, self.episode_return, self.last_return = 0, 0.0, None
        self.frames: list[Frame] = []

        self.view = widgets.ToggleButtons(options=VIEWS, value=view, description="show")
        self.view.observe(lambda _: self.refresh(), names="value")
        self.noise = widgets.FloatSlider(value=self.grid.noise, min=0.0, max=1.0, step=0.05, description="noise",
                                         layout=SLIDER_LAYOUT)
        self.noise.observe(lambda change: setattr(self.grid, "noise", change["new"]), names="value")
        self.living_reward = widgets.FloatSlider(value=self.grid.living_reward, min=-2.0, max=1.0, step=0.05,
                                                 description="living r", layout=SLIDER_LAYOUT)
        self.living_reward.observe(lambda change: setattr(self.grid, "living_reward", change["new"]), names="value")

        self.tool = widgets.ToggleButtons(options=TOOLS, value="wall", description="click sets",
                                          style={"button_width": "64px"})
        self.reward = widgets.FloatText(value=1.0, description="exit pays", layout=widgets.Layout(width="160px"))
        rows, cols = self.grid.shape
        self.cells = [[widgets.Button(layout=widgets.Layout(width="44px", height="32px")) for _ in range(cols)]
                      for _ in range(rows)]
        for r, row in enumerate(self.cells):
            for c, button in enumerate(row):
                button.add_class(f"qlab-cell-{r}-{c}")
                button.on_click(lambda _, r=r, c=c: self.click_cell(r, c))
        self.message = widgets.HTML()

        self.record = widgets.ToggleButton(value=False, description="Record", icon="circle")
        self.record.observe(self._on_record, names="value")
        self.replay = widgets.IntSlider(value=0, min=0, max=0, description="replay", disabled=True,
                                        layout=widgets.Layout(width="420px"))
        self.replay.observe(lambda change: self.show_frame(change["new"]), names="value")
        for name, control in [("record", self.record), ("replay", self.replay), ("view", self.view)]:
            control.add_class(f"qlab-{name}")

        editor = widgets.VBox([
            widgets.HTML("<b>Edit the grid</b>: pick what a click sets, then click a cell."),
            self.tool, self.reward,
            widgets.GridBox([b for row in self.cells for b in row],
                            layout=widgets.Layout(grid_template_columns=f"repeat({cols}, 46px)", grid_gap="2px")),
            self.message,
        ])
        self.widget = widgets.VBox([
            widgets.HBox([self.image, editor]),
            self.status,
            self.view,
            self.controls(),
            widgets.HBox([self.record, self.replay]),
        ], layout=widgets.Layout(align_items="flex-start"))
        self.widget.add_class("qlab-gridworld")
        self._label_cells()
        self.refresh()

    def slider_columns(self) -> dict[str, list[widgets.Widget]]:
        """The agent's sliders, the world's (noise, living reward), then the speed's."""
        columns = super().slider_columns()
        return {"agent": columns["agent"], "world": [self.noise, self.living_reward], "speed": columns["speed"]}

    # ---- learning ------------------------------------------------------------------------
    def on_transition(self, state, action, reward, next_state, terminated, truncated, info) -> None:
        self.episode_return += reward
        if terminated or truncated:
            self.episodes += 1
            self.last_return, self.episode_return = self.episode_return, 0.0
        if self.record.value:
            self._record()

    def on_reset(self) -> None:
        self.episodes, self.episode_return, self.last_return = 0, 0.0, None

    # ---- editing the grid ----------------------------------------------------------------
    def click_cell(self, row: int, col: int) -> None:
        """Apply the selected tool to a cell: toggle a wall, set an exit paying ``reward``,
        clear it, or move the start there."""
        tool = self.tool.value
        if tool == "wall":
            token = "_" if self.grid.layout.walls[row, col] else "#"
        elif tool == "exit":
            token = f"{self.reward.value:g}"
        else:
            token = {"empty": "_", "start": "S"}[tool]
        self.edit_cell(row, col, token)

    def edit_cell(self, row: int, col: int, token: str) -> None:
        """Set one cell (``'_'``, ``'#'``, ``'S'`` or a number) and rebuild the model. An edit
        the grid refuses (say, walling the start) is reported under the grid, not raised."""
        try:
            self.grid.set_cell(row, col, token)
        except ValueError as error:
            self.message.value = f"<span style='color:#b00'>cannot set ({row}, {col}) to {token!r}: {error}</span>"
            return
        self.message.value = f"({row}, {col}) is now {token!r}"
        if self.grid.state != self.grid.terminal_state and self.grid.layout.walls.flat[self.grid.state]:
            self.state, _ = self.env.reset()  # the agent stood where a wall now is
        self._label_cells()
        self.refresh()

    def _label_cells(self) -> None:
        text = [row.split() for row in self.grid.layout.to_text().splitlines()]
        for r, row in enumerate(self.cells):
            for c, button in enumerate(row):
                token = text[r][c]
                button.description = "" if token == "_" else token
                button.style.button_color = "#6e6e6e" if token == "#" else None

    # ---- record and replay -----------------------------------------------------------------
    def start_recording(self) -> None:
        """Forget any earlier recording and record from now on, one frame per step."""
        self.record.value = True

    def stop_recording(self) -> None:
        self.record.value = False

    def _on_record(self, change) -> None:
        if change["new"]:
            self.frames = []
            self._record()

    def _record(self) -> None:
        if len(self.frames) >= self.max_frames:
            self.stop_recording()
            self.message.value = f"recording stopped at its limit of {self.max_frames} frames"
            return
        self.frames.append(Frame(self.t, self.grid.layout, self.grid.state, np.array(self.agent.Q, dtype=float)))
        self.replay.disabled = False
        self.replay.max = len(self.frames) - 1

    def show_frame(self, k: int) -> None:
        """Show recorded frame k (the grid, the agent and Q as they were then)."""
        if not 0 <= k < len(self.frames):
            raise IndexError(f"frame {k} does not exist: {len(self.frames)} frames are recorded")
        frame = self.frames[k]
        then = copy.copy(self.grid)
        then.layout, then.state = frame.layout, frame.state
        self.image.value = png(self._draw(then, frame.Q))
        self.status.value = f"<b>replay</b> frame {k + 1}/{len(self.frames)} · step {frame.t}"

    # ---- drawing -----------------------------------------------------------------------------
    def _draw(self, grid: GridWorld, Q: np.ndarray) -> np.ndarray:
        V = Q.max(axis=1)
        if self.view.value == "Q-values":
            return render_rgb(grid, q_values=Q, cell=self.cell)
        if self.view.value == "policy":
            return render_rgb(grid, values=V, policy=greedy_actions(Q), cell=self.cell)
        return render_rgb(grid, values=V, cell=self.cell)

    def refresh(self) -> None:
        """Draw the live grid and the status line."""
        self.image.value = png(self._draw(self.grid, np.asarray(self.agent.Q, dtype=float)))
        last = "–" if self.last_return is None else f"{self.last_return:.2f}"
        self.status.value = (f"step {self.t} · episodes {self.episodes} · last return {last} · "
                             f"{agent_summary(self.agent)}")
