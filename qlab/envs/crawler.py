"""Crawler: the CS188 crawling robot as a gymnasium environment.

A rectangular body (80 wide, 40 high) carries an arm (length 60) at its front top corner
and a hand (length 40) at the arm's end. The agent moves the two joints between
discretised angles; the reward is how far the body moves forward.

* State ``s = i * 13 + j`` for arm bucket ``i ∈ 0..8`` and hand bucket ``j ∈ 0..12``:
  arm angle ``−π/6 + i·π/24`` (−30°..+30°), hand angle ``−5π/6 + j·5π/72`` (−150°..0°).
  Every episode starts in (4, 6): arm 0°, hand −75°.
* Actions: 0 = arm-up (i+1), 1 = arm-down (i−1), 2 = hand-up (j+1), 3 = hand-down (j−1).
  A move past a joint's limit is illegal: ``action_mask(s)`` and ``info["action_mask"]``
  say which moves are legal. **An illegal action leaves the robot where it is and pays 0**
  (CS188 never offers it; here the agent may try it and learns that it is useless).
* Reward = the body's forward displacement. With the hand tip at
  ``x = 60 cos(arm) + 40 cos(hand) + 80``, ``y = 60 sin(arm) + 40 sin(hand) + 40``
  relative to the body's back bottom corner, after the move, and ``x_o, y_o`` before it:

  ====================  =====================================================
  y < 0 and y_o ≤ 0     √(x_o² + y_o²) − √(x² + y²)     (the tip drags the body)
  y < 0 and y_o > 0     x_o − y_o (x − x_o)/(y − y_o) − √(x² + y²)
  y ≥ 0 and y_o ≥ 0     0                               (the tip is in the air)
  y ≥ 0 and y_o < 0     −(x − y (x_o − x)/(y_o − y)) + √(x_o² + y_o²)
  ====================  =====================================================

  When ``y < 0`` the tip is pressed to the ground and the body tilts by ``atan(−y/x)``.
* A continuing task: never ``terminated``. ``gym.make("qlab/Crawler-v0")`` adds a
  1000-step time limit (``truncated``), which must still bootstrap.

The model is deterministic and exposed for planning: ``P[s, a, s']``, ``R[s, a, s']`` and
``terminal[s]`` (all False). ``info["position"]`` is the distance travelled since reset.
"""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
from gymnasium import spaces
from PIL import Image, ImageDraw, ImageFont

N_ARM, N_HAND = 9, 13
ARM_LENGTH, HAND_LENGTH = 60.0, 40.0
BODY_WIDTH, BODY_HEIGHT = 80.0, 40.0
START = (N_ARM // 2, N_HAND // 2)
ACTION_NAMES = ("arm-up", "arm-down", "hand-up", "hand-down")
MOVES = ((1, 0), (-1, 0), (0, 1), (0, -1))  # (Δi, Δj) per action


def arm_angle(i: int) -> float:
    """Arm angle of bucket i, in radians: −π/6 + i·π/24."""
    return -math.pi / 6 + i * math.pi / 24


def hand_angle(j: int) -> float:
    """Hand angle of bucket j, in radians: −5π/6 + j·5π/72."""
    return -5 * math.pi / 6 + j * 5 * math.pi / 72


def tip(i: int, j: int) -> tuple[float, float]:
    """(x, y) of the hand tip relative to the body's back bottom corner, body untilted."""
    a, h = arm_angle(i), hand_angle(j)
    return (ARM_LENGTH * math.cos(a) + HAND_LENGTH * math.cos(h) + BODY_WIDTH,
            ARM_LENGTH * math.sin(a) + HAND_LENGTH * math.sin(h) + BODY_HEIGHT)


def displacement(old: tuple[int, int], new: tuple[int, int]) -> float:
    """Forward displacement of the body when the joints move from buckets ``old`` to ``new``."""
    x_o, y_o = tip(*old)
    x, y = tip(*new)
    if y < 0:
        if y_o <= 0:
            return math.hypot(x_o, y_o) - math.hypot(x, y)
        return x_o - y_o * (x - x_o) / (y - y_o) - math.hypot(x, y)
    if y_o >= 0:
        return 0.0
    return -(x - y * (x_o - x) / (y_o - y)) + math.hypot(x_o, y_o)


def tilt(i: int, j: int) -> float:
    """The body's rotation (radians, front up) when the tip would be below ground: atan(−y/x)."""
    x, y = tip(i, j)
    return math.atan(-y / x) if y < 0 else 0.0


class Crawler(gym.Env):
    """The CS188 crawling robot. See the module docstring for the exact semantics.

    Args:
        render_mode: ``"rgb_array"`` (an image of the robot on its ground) or None.
    """

    metadata = {"render_modes": ["rgb_array"], "render_fps": 10}
    n_states = N_ARM * N_HAND
    n_actions = len(ACTION_NAMES)
    start_state = START[0] * N_HAND + START[1]

    def __init__(self, render_mode: str | None = None):
        if render_mode is not None and render_mode not in self.metadata["render_modes"]:
            raise ValueError(f"render_mode must be one of {self.metadata['render_modes']} or None; got {render_mode!r}")
        self.render_mode = render_mode
        self.observation_space = spaces.Discrete(self.n_states)
        self.action_space = spaces.Discrete(self.n_actions)
        self._build_model()
        self.state, self.position = self.start_state, 0.0

    @staticmethod
    def to_buckets(state: int) -> tuple[int, int]:
        """(arm bucket i, hand bucket j) of a state."""
        return divmod(int(state), N_HAND)

    @staticmethod
    def to_state(i: int, j: int) -> int:
        return i * N_HAND + j

    def action_mask(self, state: int) -> np.ndarray:
        """Which of the four actions are legal in ``state``: a bool array of shape (4,)."""
        i, j = self.to_buckets(state)
        return np.array([0 <= i + di < N_ARM and 0 <= j + dj < N_HAND for di, dj in MOVES])

    def _build_model(self) -> None:
        n, m = self.n_states, self.n_actions
        self.P = np.zeros((n, m, n))
        self.R = np.zeros((n, m, n))
        self.terminal = np.zeros(n, dtype=bool)
        for s in range(n):
            i, j = self.to_buckets(s)
            for a, (di, dj) in enumerate(MOVES):
                if not (0 <= i + di < N_ARM and 0 <= j + dj < N_HAND):
                    self.P[s, a, s] = 1.0  # illegal: no move, reward 0
                    continue
                s2 = self.to_state(i + di, j + dj)
                self.P[s, a, s2] = 1.0
                self.R[s, a, s2] = displacement((i, j), (i + di, j + dj))

    # ---- gymnasium API ---------------------------------------------------------------
    def _info(self) -> dict:
        return {"action_mask": self.action_mask(self.state), "position": self.position}

    def reset(self, *, seed: int | None = None, options: dict | None = None):
        super().reset(seed=seed)
        self.state, self.position = self.start_state, 0.0
        return self.state, self._info()

    def step(self, action):
        if not self.action_space.contains(action):
            raise ValueError(
                f"action must be an integer in 0..{self.n_actions - 1} "
                f"({', '.join(f'{k}={name}' for k, name in enumerate(ACTION_NAMES))}); got {action!r}"
            )
        s, a = self.state, int(action)
        next_state = int(np.argmax(self.P[s, a]))
        reward = float(self.R[s, a, next_state])
        self.state = next_state
        self.position += reward
        return next_state, reward, False, False, self._info()

    def render(self):
        if self.render_mode == "rgb_array":
            return render_rgb(self.state, self.position)
        return None


def average_speed(env: Crawler, policy: np.ndarray, state: int | None = None) -> float:
    """Exact long-run average reward per step of a deterministic policy π, from ``state``
    (default: the start state).

    The model is deterministic, so following π from s_0 reaches a cycle s_k → … → s_{k+L} = s_k;
    the average reward is the mean reward around that cycle, lim_{T→∞} (1/T) Σ_{t<T} r_t.
    """
    env = env.unwrapped
    policy = np.asarray(policy)
    if policy.shape != (env.n_states,):
        raise ValueError(f"policy has shape {policy.shape}; expected (n_states,) = ({env.n_states},)")
    s = env.start_state if state is None else int(state)
    seen: dict[int, int] = {}
    rewards: list[float] = []
    while s not in seen:
        seen[s] = len(rewards)
        s2 = int(np.argmax(env.P[s, policy[s]]))
        rewards.append(float(env.R[s, policy[s], s2]))
        s = s2
    cycle = rewards[seen[s]:]
    return sum(cycle) / len(cycle)


# ---- drawing ---------------------------------------------------------------------------
SKY, GROUND, BODY, LIMB, TEXT = (245, 245, 240), (110, 85, 60), (60, 110, 200), (40, 40, 40), (20, 20, 20)


def render_rgb(state: int, position: float, width: int = 600, height: int = 260, scale: float = 1.5,
               caption: str | None = None) -> np.ndarray:
    """Draw the robot in ``state`` having travelled ``position``: an RGB image (H, W, 3) uint8.

    The camera follows the robot; ground marks every 50 units (labelled every 100) show
    the distance travelled. ``caption`` replaces the default text line.
    """
    image = Image.new("RGB", (width, height), SKY)
    draw = ImageDraw.Draw(image)
    ground_y, origin_x = height - 50, 90  # canvas pixels of the body's back bottom corner
    draw.rectangle([0, ground_y, width, height], fill=GROUND)
    font = ImageFont.load_default(size=14)
    first = math.floor((position - origin_x / scale) / 50) * 50
    for mark in np.arange(first, position + width / scale + 50, 50):
        px = origin_x + (mark - position) * scale
        long = int(mark) % 100 == 0
        draw.line([px, ground_y, px, ground_y + (14 if long else 7)], fill=SKY, width=2)
        if long:
            draw.text((px, ground_y + 24), f"{mark:g}", fill=SKY, font=font, anchor="mm")

    i, j = Crawler.to_buckets(state)
    rot = tilt(i, j)

    def canvas(x: float, y: float) -> tuple[float, float]:
        """Body-frame point (x right, y up, from the back bottom corner) to canvas pixels."""
        xr, yr = x * math.cos(rot) - y * math.sin(rot), x * math.sin(rot) + y * math.cos(rot)
        return origin_x + xr * scale, ground_y - yr * scale

    corners = [(0, 0), (BODY_WIDTH, 0), (BODY_WIDTH, BODY_HEIGHT), (0, BODY_HEIGHT)]
    draw.polygon([canvas(x, y) for x, y in corners], fill=BODY, outline=LIMB)
    shoulder = (BODY_WIDTH, BODY_HEIGHT)
    elbow = (shoulder[0] + ARM_LENGTH * math.cos(arm_angle(i)), shoulder[1] + ARM_LENGTH * math.sin(arm_angle(i)))
    hand = (elbow[0] + HAND_LENGTH * math.cos(hand_angle(j)), elbow[1] + HAND_LENGTH * math.sin(hand_angle(j)))
    limb_width = max(2, int(4 * scale))
    draw.line([canvas(*shoulder), canvas(*elbow)], fill=LIMB, width=limb_width)
    draw.line([canvas(*elbow), canvas(*hand)], fill=LIMB, width=limb_width)
    for point in (shoulder, elbow):
        cx, cy = canvas(*point)
        draw.ellipse([cx - limb_width, cy - limb_width, cx + limb_width, cy + limb_width], fill=BODY, outline=LIMB)
    text = caption if caption is not None else f"position {position:8.1f}    arm {i}  hand {j}"
    draw.text((10, 10), text, fill=TEXT, font=font)
    return np.asarray(image)
