"""GridWorld: the classic CS188 gridworld as a gymnasium environment.

States are the grid's cells, numbered ``s = row * cols + col`` (walls included, so a
vector of values reshapes to the grid), plus one absorbing terminal state ``s = rows * cols``.
Actions are 0 = north, 1 = east, 2 = south, 3 = west.

* In an empty cell the intended move happens with probability 1 − noise and each
  perpendicular move with probability noise/2; a move into a wall or off the grid stays
  put. Every such step pays the living reward.
* A numbered cell allows only ``exit``: whatever action is taken there exits, pays the
  cell's number and ends the episode (``terminated=True``) in the terminal state.

The exact model is exposed for planning: ``P[s, a, s']`` (transition probabilities),
``R[s, a, s']`` (rewards) and ``terminal[s]`` (states with no future).
"""

from __future__ import annotations

import gymnasium as gym
import numpy as np
from gymnasium import spaces

from qlab.envs.layouts import Layout, parse_layout

ACTION_NAMES = ("north", "east", "south", "west")
ACTION_ARROWS = ("↑", "→", "↓", "←")
MOVES = np.array([(-1, 0), (0, 1), (1, 0), (0, -1)])


def _check_probability(name: str, value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1]; got {value}")
    return value


class GridWorld(gym.Env):
    """The CS188 gridworld. See the module docstring for the exact semantics.

    Args:
        layout: a name from ``qlab.envs.LAYOUTS`` (BookGrid, BridgeGrid, CliffGrid,
            CliffGrid2, DiscountGrid, MazeGrid) or a layout written as text.
        noise: probability that a move goes to one of the two perpendicular directions.
        living_reward: reward for every step that is not an exit.
        render_mode: ``"ansi"`` (text) or ``"rgb_array"`` (an image).
    """

    metadata = {"render_modes": ["ansi", "rgb_array"], "render_fps": 4}

    def __init__(self, layout: str = "BookGrid", noise: float = 0.2, living_reward: float = 0.0,
                 render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None; got {render_mode!r}")
        self.render_mode = render_mode
        self.layout: Layout = parse_layout(layout)
        self._noise = _check_probability("noise", noise)
        self._living_reward = float(living_reward)
        self.action_space = spaces.Discrete(len(ACTION_NAMES))
        self._build_model()
        self.state = self.start_state

    # ---- geometry -------------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        """(rows, cols) of the grid."""
        return self.layout.shape

    @property
    def n_states(self) -> int:
        return self.shape[0] * self.shape[1] + 1

    @property
    def terminal_state(self) -> int:
        return self.n_states - 1

    @property
    def start_state(self) -> int:
        return self.cell_to_state(*self.layout.start)

    def cell_to_state(self, row: int, col: int) -> int:
        return row * self.shape[1] + col

    def state_to_cell(self, state: int) -> tuple[int, int] | None:
        """(row, col) of a state, or None for the terminal state."""
        if state == self.terminal_state:
            return None
        return divmod(int(state), self.shape[1])

    @property
    def exit_states(self) -> np.ndarray:
        return np.flatnonzero(~np.isnan(self.layout.exits))

    @property
    def wall_states(self) -> np.ndarray:
        return np.flatnonzero(self.layout.walls)

    def to_grid(self, values: np.ndarray) -> np.ndarray:
        """Reshape per-state values (n_states,) to the grid (rows, cols), NaN on walls."""
        values = np.asarray(values, dtype=float)
        if values.shape != (self.n_states,):
            raise ValueError(f"values has shape {values.shape}; expected (n_states,) = ({self.n_states},)")
        grid = values[:-1].reshape(self.shape).copy()
        grid[self.layout.walls] = np.nan
        return grid

    # ---- parameters that can change while an agent runs ------------------------------
    @property
    def noise(self) -> float:
        return self._noise

    @noise.setter
    def noise(self, value: float) -> None:
        self._noise = _check_probability("noise", value)
        self._build_model()

    @property
    def living_reward(self) -> float:
        return self._living_reward

    @living_reward.setter
    def living_reward(self, value: float) -> None:
        self._living_reward = float(value)
        self._build_model()

    def set_cell(self, row: int, col: int, token: str) -> None:
        """Edit one cell: ``'_'`` empty, ``'#'`` wall, ``'S'`` start, or a number (an exit)."""
        if not (0 <= row < self.shape[0] and 0 <= col < self.shape[1]):
            raise ValueError(f"cell ({row}, {col}) is outside the {self.shape[0]}x{self.shape[1]} grid")
        rows = [line.split() for line in self.layout.to_text().splitlines()]
        if token == "S":
            start_row, start_col = self.layout.start
            rows[start_row][start_col] = "_"
        rows[row][col] = token
        self.layout = parse_layout("\n".join(" ".join(r) for r in rows))
        self._build_model()

    # ---- the exact model ---------------------------------------------------------------
    def _build_model(self) -> None:
        rows, cols = self.shape
        n_states, n_actions = self.n_states, self.action_space.n
        P = np.zeros((n_states, n_actions, n_states))
        R = np.zeros((n_states, n_actions, n_states))
        for s in range(n_states - 1):
            r, c = divmod(s, cols)
            if self.layout.walls[r, c]:
                P[s, :, s] = 1.0  # unreachable; an absorbing, rewardless placeholder
            elif not np.isnan(self.layout.exits[r, c]):
                P[s, :, self.terminal_state] = 1.0
                R[s, :, self.terminal_state] = self.layout.exits[r, c]
            else:
                for a in range(n_actions):
                    outcomes = ((a, 1.0 - self._noise), ((a + 1) % 4, self._noise / 2), ((a + 3) % 4, self._noise / 2))
                    for direction, prob in outcomes:
                        nr, nc = r + MOVES[direction][0], c + MOVES[direction][1]
                        if not (0 <= nr < rows and 0 <= nc < cols) or self.layout.walls[nr, nc]:
                            nr, nc = r, c
                        P[s, a, nr * cols + nc] += prob
                    R[s, a, :] = self._living_reward
        P[self.terminal_state, :, self.terminal_state] = 1.0
        self.P, self.R = P, R
        self.terminal = np.zeros(n_states, dtype=bool)
        self.terminal[self.terminal_state] = True
        self.observation_space = spaces.Discrete(n_states)

    # ---- gymnasium API ---------------------------------------------------------------
    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.state = self.start_state
        return self.state, {}

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(
                f"action must be an integer in 0..{self.action_space.n - 1} "
                f"({', '.join(f'{i}={n}' for i, n in enumerate(ACTION_NAMES))}); got {action!r}"
            )
        if self.state == self.terminal_state:
            raise RuntimeError("the episode has ended (terminal state): call reset() before step()")
        s, a = self.state, int(action)
        next_state = int(self.np_random.choice(self.n_states, p=self.P[s, a]))
        reward = float(self.R[s, a, next_state])
        self.state = next_state
        terminated = bool(self.terminal[next_state])
        return next_state, reward, terminated, False, {"exited": terminated}

    def render(self):
        if self.render_mode == "ansi":
            return self._render_text()
        if self.render_mode == "rgb_array":
            from qlab.viz.gridworld import render_rgb

            return render_rgb(self)
        return None

    def _render_text(self) -> str:
        lines = []
        agent = self.state_to_cell(self.state)
        for r in range(self.shape[0]):
            cells = []
            for c in range(self.shape[1]):
                if (r, c) == agent:
                    cells.append("A")
                elif self.layout.walls[r, c]:
                    cells.append("#")
                elif not np.isnan(self.layout.exits[r, c]):
                    cells.append(f"{self.layout.exits[r, c]:g}")
                else:
                    cells.append("S" if (r, c) == self.layout.start else "_")
            lines.append(" ".join(f"{cell:>4}" for cell in cells))
        return "\n".join(lines) + "\n"
