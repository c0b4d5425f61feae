"""Pictures of a GridWorld: values as cell shading, Q-values as four triangles per cell,
the greedy policy as arrows, a stochastic policy as arrows as long as its probabilities, in the
CS188 style.

``render_rgb`` draws an image (used by ``env.render()`` and the widgets; the agent is a dot in
its cell's top-right corner, clear of the numbers);
``render_policy_probabilities`` draws π(a|s) (a Boltzmann policy, assignment 09);
``plot_values``, ``plot_q_values``, ``plot_policy_probabilities`` and ``plot_convergence`` draw on
matplotlib axes.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw, ImageFont

WALL = (110, 110, 110)
EMPTY = (20, 20, 20)
GRID_LINE = (230, 230, 230)
AGENT = (60, 140, 255)
EXIT_BORDER = (240, 240, 240)


def value_color(value: float, scale: float) -> tuple[int, int, int]:
    """Red for negative, green for positive, black for zero (the CS188 palette)."""
    if scale <= 0 or not np.isfinite(value):
        return EMPTY
    level = min(abs(value) / scale, 1.0)
    shade = int(40 + 180 * level)
    return (shade, 20, 20) if value < 0 else (20, shade, 20) if value > 0 else EMPTY


def _font(size: int):
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow without FreeType
        return ImageFont.load_default()


def greedy_actions(q_values, rtol: float = 1e-9, atol: float = 1e-12) -> np.ndarray:
    """Which actions are greedy: (n_states, n_actions) booleans, True where Q(s, a) equals the
    state's maximum (up to rounding), so every tied best action counts. A state where all
    actions tie, as they do before anything is learned, has none: no action is preferred."""
    q_values = np.asarray(q_values, dtype=float)
    greedy = np.isclose(q_values, q_values.max(axis=1, keepdims=True), rtol=rtol, atol=atol)
    greedy[greedy.all(axis=1)] = False
    return greedy


def policy_arrows(policy, n_states: int) -> np.ndarray:
    """``policy`` as (n_states, 4) booleans: one action per state (ints) or a mask already."""
    policy = np.asarray(policy)
    if policy.shape == (n_states,):
        return np.eye(4, dtype=bool)[policy.astype(int)]
    if policy.shape == (n_states, 4):
        return policy.astype(bool)
    raise ValueError(f"policy has shape {policy.shape}; expected one action per state ({n_states},) "
                     f"or a mask of greedy actions ({n_states}, 4)")


def render_rgb(env, values=None, q_values=None, policy=None, show_agent: bool = True, cell: int = 80) -> np.ndarray:
    """Draw the grid as an RGB image (H, W, 3) uint8.

    Args:
        env: a ``GridWorld`` (or a wrapper around one).
        values: optional V, shape (n_states,): cell shading and the number.
        q_values: optional Q, shape (n_states, 4): four triangles per cell.
        policy: optional arrows: one action per state, shape (n_states,), or a mask of the
            actions to draw, shape (n_states, 4) (``greedy_actions(Q)``: all tied best actions).
    """
    env = env.unwrapped
    rows, cols = env.shape
    image = Image.new("RGB", (cols * cell, rows * cell), EMPTY)
    draw = ImageDraw.Draw(image)
    font, small = _font(cell // 4), _font(cell // 7)
    layout = env.layout
    if q_values is not None:
        q_values = np.asarray(q_values, dtype=float)
        if q_values.shape != (env.n_states, 4):
            raise ValueError(f"q_values has shape {q_values.shape}; expected (n_states, 4) = ({env.n_states}, 4)")
    if values is not None:
        values = np.asarray(values, dtype=float)
        if values.shape != (env.n_states,):
            raise ValueError(f"values has shape {values.shape}; expected (n_states,) = ({env.n_states},)")
    if policy is not None:
        policy = policy_arrows(policy, env.n_states)
    shown = q_values if q_values is not None else values
    scale = float(np.nanmax(np.abs(shown[:-1]))) if shown is not None else 0.0

    for r in range(rows):
        for c in range(cols):
            s = env.cell_to_state(r, c)
            x0, y0, x1, y1 = c * cell, r * cell, (c + 1) * cell, (r + 1) * cell
            cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
            is_exit = not np.isnan(layout.exits[r, c])
            if layout.walls[r, c]:
                draw.rectangle([x0, y0, x1, y1], fill=WALL)
                continue
            if q_values is not None and not is_exit:
                corners = {0: [(x0, y0), (x1, y0)], 1: [(x1, y0), (x1, y1)], 2: [(x1, y1), (x0, y1)], 3: [(x0, y1), (x0, y0)]}
                offsets = {0: (0, -0.3), 1: (0.3, 0), 2: (0, 0.3), 3: (-0.3, 0)}
                for a in range(4):
                    draw.polygon([*corners[a], (cx, cy)], fill=value_color(q_values[s, a], scale), outline=GRID_LINE)
                    dx, dy = offsets[a]
                    draw.text((cx + dx * cell, cy + dy * cell), f"{q_values[s, a]:.2f}", fill="white", font=small, anchor="mm")
            else:
                value = None
                if q_values is not None:
                    value = q_values[s].max()
                elif values is not None:
                    value = values[s]
                fill = value_color(value, scale) if value is not None else EMPTY
                draw.rectangle([x0, y0, x1, y1], fill=fill, outline=GRID_LINE)
                if value is not None:
                    text_y = cy + 0.27 * cell if policy is not None and not is_exit else cy
                    draw.text((cx, text_y), _short(value), fill="white", font=font, anchor="mm")
                elif is_exit:
                    draw.text((cx, cy), f"{layout.exits[r, c]:g}", fill="white", font=font, anchor="mm")
            if is_exit:
                m = cell // 10
                draw.rectangle([x0 + m, y0 + m, x1 - m, y1 - m], outline=EXIT_BORDER, width=2)
            if policy is not None and not is_exit:
                for action in np.flatnonzero(policy[s]):
                    _draw_arrow(draw, cx, cy - 0.1 * cell, int(action), cell)
            if (r, c) == layout.start and values is None and q_values is None:
                draw.text((x0 + 4, y0 + 2), "S", fill=GRID_LINE, font=small)
    agent = env.state_to_cell(env.state)
    if show_agent and agent is not None:
        _draw_agent(draw, *agent, cell)
    return np.asarray(image)


def _draw_agent(draw: ImageDraw.ImageDraw, row: int, col: int, cell: int) -> None:
    """A blue dot in the cell's top-right corner, where no number, arrow or triangle label is."""
    rad = cell * 0.09
    cx, cy = (col + 1) * cell - 0.15 * cell, row * cell + 0.15 * cell
    draw.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=AGENT, outline=GRID_LINE, width=max(1, cell // 60))


def _short(value: float) -> str:
    """A cell's value in at most five characters: two decimals, one from 10 on (-10.0)."""
    return f"{value:.2f}" if abs(value) < 9.995 else f"{value:.1f}"


def _draw_arrow(draw: ImageDraw.ImageDraw, cx: float, cy: float, action: int, cell: int, size: float = 1.0) -> None:
    """An arrow from (cx, cy) in the direction of ``action`` (north, east, south, west), ``size``
    times the full length (its head shrinks with it)."""
    dx, dy = [(0, -1), (1, 0), (0, 1), (-1, 0)][action]
    length, head = cell * 0.26 * size, cell * 0.09 * min(1.0, 1.5 * size)
    tip = (cx + dx * length, cy + dy * length)
    tail = (cx, cy)
    draw.line([tail, tip], fill="white", width=max(2, cell // 30))
    left = (tip[0] - dx * head - dy * head, tip[1] - dy * head + dx * head)
    right = (tip[0] - dx * head + dy * head, tip[1] - dy * head - dx * head)
    draw.polygon([tip, left, right], fill="white")


def render_policy_probabilities(env, probabilities, values=None, cell: int = 80,
                                smallest: float = 0.02) -> np.ndarray:
    """Draw a stochastic policy π(a|s) (n_states, 4) as arrows whose length is the action's
    probability (a probability-1 action reaches 0.4 of the cell from its centre; below
    ``smallest``, no arrow), over the cells shaded by ``values`` (n_states,) if given. Returns an
    RGB image (H, W, 3) uint8."""
    env = env.unwrapped
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.shape != (env.n_states, 4):
        raise ValueError(f"probabilities has shape {probabilities.shape}; "
                         f"expected (n_states, 4) = ({env.n_states}, 4)")
    if not (np.all(probabilities >= 0) and np.allclose(probabilities.sum(axis=1), 1.0)):
        raise ValueError("probabilities must be a distribution over the 4 actions in every state: "
                         "rows of non-negative numbers summing to 1")
    no_arrows = np.zeros((env.n_states, 4), dtype=bool)   # (the numbers move down to leave room for the arrows)
    image = Image.fromarray(render_rgb(env, values=values, policy=no_arrows, show_agent=False, cell=cell))
    draw = ImageDraw.Draw(image)
    for s in range(env.n_states - 1):
        row, col = env.state_to_cell(s)
        if env.layout.walls[row, col] or not np.isnan(env.layout.exits[row, col]):
            continue
        for action in np.flatnonzero(probabilities[s] >= smallest):
            _draw_arrow(draw, (col + 0.5) * cell, (row + 0.4) * cell, int(action), cell,
                        size=1.6 * probabilities[s, action])
    return np.asarray(image)


def plot_policy_probabilities(env, probabilities, values=None, ax=None, title: str | None = None):
    """A stochastic policy as arrows as long as its probabilities (``render_policy_probabilities``)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.imshow(render_policy_probabilities(env, probabilities, values))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_values(env, values, policy=None, ax=None, title: str | None = None):
    """V as a heatmap over the grid with the numbers, and the policy as arrows."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.imshow(render_rgb(env, values=values, policy=policy, show_agent=False))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_q_values(env, q_values, ax=None, title: str | None = None):
    """Q as four triangles per cell, the CS188 way."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    ax.imshow(render_rgb(env, q_values=q_values, show_agent=False, cell=110))
    ax.set_axis_off()
    if title:
        ax.set_title(title)
    return ax


def plot_convergence(value_history, env=None, states=None, ax=None):
    """V_k(s) over iterations k for a few states (by default, every non-wall state)."""
    import matplotlib.pyplot as plt

    ax = ax or plt.gca()
    history = np.asarray(value_history, dtype=float)
    if history.ndim != 2:
        raise ValueError(f"value_history must have shape (iterations, n_states); got {history.shape}")
    if states is None:
        states = range(history.shape[1]) if env is None else [
            s for s in range(history.shape[1] - 1) if not env.unwrapped.layout.walls.flat[s]]
    for s in states:
        label = f"s={s}" if env is None else f"cell {env.unwrapped.state_to_cell(s)}"
        ax.plot(history[:, s], label=label)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("V_k(s)")
    ax.legend(fontsize="x-small", ncol=2)
    return ax
