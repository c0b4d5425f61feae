"""What a student's answer to a parameter question does, shown in the notebook under it.

    show_bridge_crossing(bridge_crossing)   # BridgeGrid: the optimal policy for your (discount, noise)
    show_discount_grid(discount_grid)       # DiscountGrid: one panel per behaviour a–e

Each panel draws the optimal values and policy for the student's parameters (computed by the
library's value iteration, so a bug in an earlier exercise cannot blur the picture), the path
the policy takes from the start when no noise deflects it, and whether that path is the
behaviour asked for.
"""

from __future__ import annotations

import numbers

import numpy as np

from autograde import ChecksFailed

CELL = 80  # pixels per grid cell in qlab.viz.gridworld.render_rgb
DISCOUNT_GRID = {  # behaviour: (exit payoff wanted, None for no exit; walks along the cliff?; wording)
    "a": (1.0, True, "the close exit (+1), risking the cliff"),
    "b": (1.0, False, "the close exit (+1), avoiding the cliff"),
    "c": (10.0, True, "the distant exit (+10), risking the cliff"),
    "d": (10.0, False, "the distant exit (+10), avoiding the cliff"),
    "e": (None, False, "no exit and no cliff, for ever"),
}


def show_bridge_crossing(bridge_crossing) -> bool:
    """Draw BridgeGrid's optimal policy for ``bridge_crossing()``; True if it crosses to the +10."""
    import matplotlib.pyplot as plt

    discount, noise = _parameters(bridge_crossing, "bridge_crossing", ("discount", "noise"))
    env, Q, path = _optimal_path("BridgeGrid", discount, noise, 0.0)
    crosses = _exit_reached(env, path) == 10.0
    verdict = "crosses the bridge to the +10: yes" if crosses else "does NOT cross to the +10"
    _, ax = plt.subplots(figsize=(7, 2.6))
    _draw(env, Q, path, ax, f"discount {discount:g}, noise {noise:g}: {_describe(env, path)}")
    plt.show()
    print(f"With discount {discount:g} and noise {noise:g} the optimal policy {_describe(env, path)}: {verdict}.")
    return crosses


def show_discount_grid(discount_grid) -> dict[str, bool]:
    """Draw DiscountGrid's optimal policy for each behaviour of ``discount_grid()``;
    returns {behaviour: whether the policy shows it}."""
    import matplotlib.pyplot as plt

    answers = _call(discount_grid, "discount_grid")
    if not isinstance(answers, dict):
        raise ChecksFailed(f"discount_grid must return a dict {{'a': (discount, noise, living_reward), …}}; "
                           f"got {type(answers).__name__}")
    shown, lines = {}, []
    columns = 3  # panels large enough to read the values in a notebook's width
    rows = -(-len(DISCOUNT_GRID) // columns)
    _, axes = plt.subplots(rows, columns, figsize=(5 * columns, 5.5 * rows), squeeze=False)
    for ax in axes.flat[len(DISCOUNT_GRID):]:
        ax.set_axis_off()
    for ax, (key, (exit_wanted, cliff_wanted, wording)) in zip(axes.flat, DISCOUNT_GRID.items()):
        if key not in answers:
            ax.set_axis_off()
            ax.set_title(f"{key}: no answer")
            shown[key] = False
            continue
        discount, noise, living_reward = _as_numbers(answers[key], f"discount_grid()[{key!r}]",
                                                     ("discount", "noise", "living_reward"))
        env, Q, path = _optimal_path("DiscountGrid", discount, noise, living_reward)
        reached, cliff = _exit_reached(env, path), _along_cliff(env, path)
        shown[key] = reached == exit_wanted and (reached is None or cliff == cliff_wanted)
        mark = "✓" if shown[key] else "✗ wanted"
        _draw(env, Q, path, ax, f"{key}: γ={discount:g}, noise={noise:g}, living reward={living_reward:g}\n"
                                       f"{mark} {wording}")
        lines.append(f"{key}. wanted {wording}: the optimal policy {_describe(env, path)}"
              f"{', along the cliff' if cliff else ', away from the cliff'} -> {'yes' if shown[key] else 'NO'}")
    plt.tight_layout()
    plt.show()
    print("\n".join(lines))
    return shown


def _call(function, name: str):
    try:
        return function()
    except NotImplementedError:
        raise ChecksFailed.not_implemented(name) from None


def _parameters(function, name: str, names: tuple[str, ...]) -> tuple[float, ...]:
    return _as_numbers(_call(function, name), f"{name}()", names)


def _as_numbers(answer, what: str, names: tuple[str, ...]) -> tuple[float, ...]:
    if not (isinstance(answer, (tuple, list)) and len(answer) == len(names)
            and all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in answer)):
        raise ChecksFailed(f"{what} should be a tuple of numbers ({', '.join(names)}); got {answer!r}")
    values = dict(zip(names, (float(v) for v in answer)))
    if not 0.0 <= values["discount"] < 1.0:
        raise ChecksFailed(f"{what}: discount must be in [0, 1); got {values['discount']:g}")
    if not 0.0 <= values["noise"] <= 1.0:
        raise ChecksFailed(f"{what}: noise must be a probability in [0, 1]; got {values['noise']:g}")
    return tuple(values.values())


def _optimal_path(layout: str, discount: float, noise: float, living_reward: float):
    from qlab.envs import GridWorld
    from qlab.tabular.planning import greedy_policy, intended_path, value_iteration

    env = GridWorld(layout, noise=noise, living_reward=living_reward)
    Q, _ = value_iteration(env.P, env.R, env.terminal, discount, tol=1e-10)
    return env, Q, intended_path(env, greedy_policy(Q))


def _exit_reached(env, path) -> float | None:
    payoff = env.layout.exits[path[-1]]
    return None if np.isnan(payoff) else float(payoff)


def _along_cliff(env, path) -> bool:
    """DiscountGrid's cliff is the row under the start: walking the start's row risks it."""
    return any(row == env.layout.start[0] for row, _ in path[1:])


def _describe(env, path) -> str:
    payoff, moves = _exit_reached(env, path), len(path) - 1
    if payoff is None:
        return "never reaches an exit"
    return f"takes the {payoff:+g} exit after {moves} move{'' if moves == 1 else 's'}"


def _draw(env, Q, path, ax, title: str) -> None:
    from qlab.tabular.planning import greedy_policy
    from qlab.viz.gridworld import plot_values

    plot_values(env, Q.max(axis=1), greedy_policy(Q), ax=ax, title=title)
    rows, cols = zip(*path)
    ax.plot([(c + 0.5) * CELL for c in cols], [(r + 0.5) * CELL for r in rows], color="deepskyblue", linewidth=4,
            alpha=0.9)
