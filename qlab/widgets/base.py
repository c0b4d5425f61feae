"""What the gridworld and crawler widgets share: an agent learning in an environment,
driven by Step / Play / Reset and live α, ε, γ sliders.

Every button press calls a plain method (``step``, ``reset``, ...), so the logic is tested
without a browser; ``ipywidgets.Play`` sends one tick per interval to the kernel, and
each tick runs ``steps per tick`` environment steps.
"""

from __future__ import annotations

import io
from numbers import Real

import ipywidgets as widgets
import numpy as np
from PIL import Image

AGENT_API = ("act", "observe", "Q", "alpha", "epsilon", "gamma")
# Narrow enough for three columns of sliders in a notebook beside JupyterLab's file browser.
SLIDER_LAYOUT = {"width": "270px"}


def check_agent(agent, n_states: int, n_actions: int) -> None:
    """Fail early, naming what is missing, if ``agent`` cannot drive a widget."""
    missing = [name for name in AGENT_API if not hasattr(agent, name)]
    if missing:
        raise TypeError(
            "agent must have act(state), observe(state, action, reward, next_state, terminated, truncated), "
            f"Q, alpha, epsilon and gamma; {type(agent).__name__} has no {', '.join(missing)}"
        )
    shape = np.shape(agent.Q)
    if shape != (n_states, n_actions):
        raise ValueError(f"agent.Q has shape {shape}; expected (n_states, n_actions) = ({n_states}, {n_actions})")


def agent_summary(agent) -> str:
    """The agent's α, ε, γ as they are now, e.g. "α 0.50 ε 0.30 γ 0.90"."""
    return " ".join(f"{symbol} {value:.2f}" if isinstance(value, Real) else f"{symbol} {value}"
                    for symbol, value in (("α", agent.alpha), ("ε", agent.epsilon), ("γ", agent.gamma)))


def png(image: np.ndarray) -> bytes:
    """Encode an RGB array (H, W, 3) uint8 as PNG bytes for ``ipywidgets.Image``."""
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="png")
    return buffer.getvalue()


class LearnerWidget:
    """An ``agent`` learning in ``env`` one transition at a time.

    Subclasses draw the picture (``refresh``) and may keep statistics (``on_transition``).
    Display the object itself in a notebook; ``.widget`` is its ipywidgets box.
    """

    def __init__(self, env, agent, seed: int | None, steps_per_tick: int, interval_ms: int, max_steps_per_tick: int):
        self.env, self.agent = env, agent
        self.state, _ = env.reset(seed=seed)
        self.t = 0

        self.image = widgets.Image(format="png")
        self.status = widgets.HTML()
        self.step_button = widgets.Button(description="Step", icon="step-forward", tooltip="one tick of learning")
        self.reset_button = widgets.Button(description="Reset", icon="undo", tooltip="forget Q and start again")
        self.play = widgets.Play(value=0, min=0, max=10**9, step=1, interval=interval_ms, show_repeat=False,
                                 description="play")
        self.steps_per_tick = widgets.IntSlider(value=steps_per_tick, min=1, max=max_steps_per_tick,
                                                description="steps/tick", continuous_update=False,
                                                layout=SLIDER_LAYOUT)
        self.delay = widgets.IntSlider(value=interval_ms, min=20, max=1000, step=10, description="delay ms",
                                       layout=SLIDER_LAYOUT)
        widgets.link((self.delay, "value"), (self.play, "interval"))
        self.alpha = self._agent_slider("alpha", "α")
        self.epsilon = self._agent_slider("epsilon", "ε")
        self.gamma = self._agent_slider("gamma", "γ", upper=0.999)
        for name, control in [("step", self.step_button), ("reset", self.reset_button), ("play", self.play),
                              ("image", self.image), ("status", self.status)]:
            control.add_class(f"qlab-{name}")
        self.step_button.on_click(lambda _: self.step())
        self.reset_button.on_click(lambda _: self.reset())
        self.play.observe(self._on_tick, names="value")

    def _agent_slider(self, name: str, symbol: str, upper: float = 1.0) -> widgets.FloatSlider:
        """A slider that sets ``agent.<name>`` as it moves (disabled if the value is not a number,
        e.g. α = "visits")."""
        value = getattr(self.agent, name)
        if not isinstance(value, Real):
            return widgets.FloatSlider(description=f"{symbol} ({value})", disabled=True, layout=SLIDER_LAYOUT)
        slider = widgets.FloatSlider(value=float(value), min=0.0, max=max(upper, float(value)), step=0.01,
                                     description=symbol, readout_format=".2f", layout=SLIDER_LAYOUT)
        slider.observe(lambda change: setattr(self.agent, name, change["new"]), names="value")
        return slider

    def slider_columns(self) -> dict[str, list[widgets.Widget]]:
        """The sliders, one column per topic (its title, then its sliders from top to bottom)."""
        return {"agent": [self.alpha, self.epsilon, self.gamma], "speed": [self.steps_per_tick, self.delay]}

    def controls(self) -> widgets.Widget:
        """The buttons in a row, and under them the sliders in columns by topic."""
        columns = [widgets.VBox([widgets.HTML(f"<b>{title}</b>"), *sliders])
                   for title, sliders in self.slider_columns().items()]
        return widgets.VBox([
            widgets.HBox([self.step_button, self.play, self.reset_button]),
            widgets.HBox(columns, layout=widgets.Layout(grid_gap="12px")),
        ])

    def _on_tick(self, change) -> None:
        if change["new"] > change["old"]:  # Play's stop button rewinds to 0: not a tick
            self.step()

    def step(self, n: int | None = None) -> None:
        """Run ``n`` transitions (default: the steps/tick slider) s, a = act(s), r, s' = env.step(a),
        observe(s, a, r, s', terminated, truncated); reset the environment when an episode ends."""
        for _ in range(self.steps_per_tick.value if n is None else n):
            state = self.state
            action = self.agent.act(state)
            next_state, reward, terminated, truncated, info = self.env.step(action)
            self.agent.observe(state, action, reward, next_state, terminated, truncated)
            self.t += 1
            self.state = next_state
            self.on_transition(state, action, reward, next_state, terminated, truncated, info)
            if terminated or truncated:
                self.state, _ = self.env.reset()
        self.refresh()

    def reset(self) -> None:
        """Forget everything learned (Q = 0) and put the environment back at its start."""
        if hasattr(self.agent, "reset"):
            self.agent.reset()
        else:
            self.agent.Q[...] = 0.0
        self.play.playing = False
        self.state, _ = self.env.reset()
        self.t = 0
        self.on_reset()
        self.refresh()

    def on_transition(self, state, action, reward, next_state, terminated, truncated, info) -> None:
        """Hook: book-keeping after each transition."""

    def on_reset(self) -> None:
        """Hook: clear statistics."""

    def refresh(self) -> None:
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        """The live widget, and for a notebook reopened without it, a line saying what to do."""
        bundle = self.widget._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = rerun_note(type(self).__name__)
        return bundle


def rerun_note(name: str) -> str:
    """What a widget's cell shows when the notebook is reopened: widgets live in the kernel."""
    return f"[{name}: run this cell to show it again; a widget lives in the running kernel, not in the saved notebook]"
