"""Frame-sharing replay for Atari: each 84x84 frame is stored once.

Consecutive observations are stacks of the last 4 frames, s_t = (x_{t−3}, x_{t−2}, x_{t−1}, x_t),
so s_t and s_{t+1} share 3 frames. Storing stacks would keep every frame 8 times (4 in s, 4 in s′);
this buffer keeps a ring of single frames instead and rebuilds the stacks when sampling.

Layout, per sub-environment, a ring of slots: slot j holds the newest frame x_j of an
observation, and, once the next frame is written at slot j+1, the transition
(a_j, r_j, d_j) taken from it. An episode of L steps fills L + 1 slots (its first frame,
then the newest frame of every next observation); the last slot holds the final frame
only, so a truncated episode can still bootstrap from its real final observation.
Each slot also records its ``age`` in the episode, so a rebuilt stack never reaches past
the episode's first frame: older positions repeat that first frame, as gymnasium's
``FrameStackObservation(padding_type="reset")`` does.

Writing slot j invalidates the old transitions whose stacks read it (slots j … j+stack−1);
they are dropped, so no sample ever mixes frames from either side of the write pointer.

With n_step > 1 the return G = Σ_{i<k} γ^i r_{t+i}, the flag d and γ^k are assembled at
sampling time from consecutive slots (k = n, or fewer when the episode ends inside the window).
"""

from __future__ import annotations

import numpy as np
import torch

from qlab.replay.uniform import Batch, as_numpy, check_batch_size, check_capacity, check_gamma, check_reward, gather


def frame_stacks(frames: np.ndarray, age: np.ndarray, slots, stack: int) -> tuple[np.ndarray, np.ndarray]:
    """The observations s and s′ of the transitions at ``slots``, rebuilt from a ring of frames.

    ``frames[j]`` is the newest frame of the observation at slot j, ``age[j]`` how many earlier
    frames of the same episode precede it (capped at ``stack``), and the ring wraps around at
    ``len(frames)``. Transition j goes from the observation ending at slot j to the one ending
    at slot j + 1. A stack never reaches before its episode's first frame: those positions
    repeat the first frame (gymnasium's ``FrameStackObservation(padding_type="reset")``).

    Returns ``(obs, next_obs)``, each (B, stack, H, W), oldest frame first.
    """
    slots = np.asarray(slots)
    capacity = len(frames)

    def stack_ending_at(j):
        back = np.minimum(np.arange(stack - 1, -1, -1), age[j].astype(np.int64)[:, None])
        return frames[(j[:, None] - back) % capacity]

    return stack_ending_at(slots), stack_ending_at((slots + 1) % capacity)


class AtariReplayBuffer:
    """Replay of stacked uint8 frames that stores every frame once.

    Args:
        capacity: number of frame slots (one per transition, plus one per episode for its final frame).
        frame_shape: (H, W) of one frame.
        stack: frames per observation.
        gamma: discount γ; n_step: return length n >= 1.
        device: where sampled batches live (obs stay uint8; the network scales them).
        seed: seeds the sampling Generator.
        num_envs: sub-environments feeding ``add_batch``; each gets ``capacity // num_envs`` slots.
        stacks_fn: ``(frames, age, slots, stack) -> (obs, next_obs)`` rebuilding the stacks of the
            sampled slots (default :func:`frame_stacks`; a course notebook passes the student's);
            one sub-environment and n_step = 1 only.
    """

    _arrays = ("frames", "actions", "rewards", "terminated", "done", "complete", "age")

    def __init__(
        self,
        capacity: int,
        frame_shape: tuple[int, int] = (84, 84),
        stack: int = 4,
        gamma: float = 0.99,
        n_step: int = 1,
        device: str | torch.device = "cpu",
        seed: int | None = None,
        num_envs: int = 1,
        stacks_fn=None,
    ):
        capacity = check_capacity(capacity)
        if stacks_fn is not None and (num_envs != 1 or n_step != 1):
            raise ValueError("stacks_fn works with num_envs=1 and n_step=1 only (one ring, one-step transitions)")
        self.stacks_fn = stacks_fn
        for name, value in (("stack", stack), ("n_step", n_step), ("num_envs", num_envs)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"{name} must be an int >= 1, got {value!r}")
        self.slots = capacity // num_envs  # ring length per sub-environment
        if self.slots < stack + n_step + 1:
            raise ValueError(
                f"capacity={capacity} gives {self.slots} slots per env; need at least stack + n_step + 1 = "
                f"{stack + n_step + 1}"
            )
        self.capacity = self.slots * num_envs
        self.frame_shape, self.stack, self.n_step, self.num_envs = tuple(frame_shape), stack, n_step, num_envs
        self.obs_shape = (stack, *self.frame_shape)
        self.gamma = check_gamma(gamma)
        self.gamma_powers = (self.gamma ** np.arange(n_step + 1)).astype(np.float32)
        self.device = torch.device(device)
        self.rng = np.random.default_rng(seed)

        n = self.capacity  # flat slot index = env * slots + position in that env's ring
        self.frames = np.zeros((n, *self.frame_shape), dtype=np.uint8)
        self.actions = np.zeros(n, dtype=np.int64)
        self.rewards = np.zeros(n, dtype=np.float32)
        self.terminated = np.zeros(n, dtype=bool)
        self.done = np.zeros(n, dtype=bool)  # the episode ended (terminated or truncated) after this step
        self.complete = np.zeros(n, dtype=bool)  # slot holds a transition whose next frame is written
        self.age = np.zeros(n, dtype=np.uint8)  # frames of the same episode before this one, capped at `stack`

        self.cursor = np.full(num_envs, -1, dtype=np.int64)  # ring position of each env's newest frame
        self.filled = 0  # ring positions ever written (the same for every env when fed by add_batch)
        self.episode_open = np.zeros(num_envs, dtype=bool)
        self.episode_steps = np.zeros(num_envs, dtype=np.int64)  # transitions in each open episode
        self.num_complete = 0

    def __len__(self) -> int:
        """Transitions that can be sampled (an open episode's last n−1 steps wait for their window)."""
        return self.num_complete - int(np.minimum(self.episode_steps, self.n_step - 1).sum())

    def bytes_per_transition(self) -> float:
        """Bytes allocated per slot (one frame plus a few bytes of bookkeeping)."""
        return sum(getattr(self, name).nbytes for name in self._arrays) / self.capacity

    # ---- writing -------------------------------------------------------------------------

    def add(self, obs, action, reward, next_obs, terminated, truncated, env: int = 0) -> None:
        """Store the step (s, a, r, s′) of sub-environment ``env``; s and s′ are uint8 (stack, H, W)."""
        if not 0 <= env < self.num_envs:
            raise ValueError(f"env must be in [0, {self.num_envs}), got {env}")
        obs, next_obs = self._check_frames("obs", obs), self._check_frames("next_obs", next_obs)
        self._push(env, obs, int(action), check_reward(reward), next_obs, bool(terminated), bool(truncated))

    def add_batch(self, obs, actions, rewards, next_obs, terminated, truncated) -> None:
        """Store one step of every sub-environment (leading dim = num_envs); ``next_obs`` must hold
        the real final observation where an episode ended (``info["final_obs"]``)."""
        obs, next_obs = self._check_frames("obs", obs, batch=True), self._check_frames("next_obs", next_obs, batch=True)
        actions, rewards = as_numpy(actions), as_numpy(rewards)
        terminated, truncated = np.asarray(terminated, dtype=bool), np.asarray(truncated, dtype=bool)
        for name, value in (("actions", actions), ("rewards", rewards), ("terminated", terminated), ("truncated", truncated)):
            if value.shape != (self.num_envs,):
                raise ValueError(f"{name} has shape {value.shape}, expected ({self.num_envs},)")
        for env in range(self.num_envs):
            self._push(env, obs[env], int(actions[env]), check_reward(rewards[env]), next_obs[env],
                       bool(terminated[env]), bool(truncated[env]))

    def _check_frames(self, name: str, value, batch: bool = False) -> np.ndarray:
        array = np.asarray(value)
        shape = (self.num_envs, *self.obs_shape) if batch else self.obs_shape
        if array.shape != shape:
            raise ValueError(f"{name} has shape {array.shape}, expected {shape} (stacked frames)")
        if array.dtype != np.uint8:
            raise TypeError(f"{name} has dtype {array.dtype}, expected uint8 frames (unscaled, 0..255)")
        return array

    def _push(self, env, obs, action, reward, next_obs, terminated: bool, truncated: bool) -> None:
        if not self.episode_open[env]:
            if not (obs == obs[-1]).all():
                raise ValueError(
                    "the first obs of an episode must repeat its first frame in every stack position "
                    "(gymnasium FrameStackObservation with padding_type='reset')"
                )
            self._write_frame(env, obs[-1], age=0)
            self.episode_open[env] = True
        elif not np.array_equal(obs[-1], self.frames[self._slot(env, self.cursor[env])]):
            raise ValueError(
                f"obs of env {env} does not continue the previous next_obs: pass terminated/truncated=True "
                "at every episode end, and the real final observation as next_obs"
            )
        j = self._slot(env, self.cursor[env])
        self.actions[j], self.rewards[j] = action, reward
        self.terminated[j], self.done[j] = terminated, terminated or truncated
        self._write_frame(env, next_obs[-1], age=min(int(self.age[j]) + 1, self.stack))
        self.complete[j] = True
        self.num_complete += 1
        self.episode_steps[env] += 1
        if terminated or truncated:
            self.episode_open[env] = False
            self.episode_steps[env] = 0

    def _slot(self, env: int, position) -> int:
        return env * self.slots + position

    def _write_frame(self, env: int, frame: np.ndarray, age: int) -> None:
        """Write ``frame`` at the next ring position of ``env``, dropping the transitions that read it."""
        position = (self.cursor[env] + 1) % self.slots
        stale = self._slot(env, (position + np.arange(self.stack)) % self.slots)
        self.num_complete -= int(self.complete[stale].sum())
        self.complete[stale] = False
        s = self._slot(env, position)
        self.frames[s], self.age[s], self.done[s] = frame, age, False
        self.cursor[env] = position
        self.filled = max(self.filled, int(position) + 1)

    # ---- sampling ------------------------------------------------------------------------

    def sample(self, batch_size: int) -> Batch:
        """``batch_size`` transitions drawn uniformly with replacement among the complete ones.

        Candidates are drawn uniformly over the written slots and those that hold no complete
        (n-step) transition are redrawn, which keeps the draw uniform over the valid ones.
        For n_step = 1, ``obs`` and ``next_obs`` are overlapping views of one (B, stack+1, H, W)
        gather (they share stack−1 frames); treat batches as read-only.
        """
        check_batch_size(batch_size, len(self))
        slot, k = self._draw(batch_size)
        pos = slot % self.slots
        base = slot - pos
        if self.stacks_fn is not None:
            returns, last = self.rewards[slot], slot
            obs, next_obs = (torch.as_tensor(np.asarray(x, dtype=np.uint8), device=self.device)
                             for x in self.stacks_fn(self.frames, self.age, slot, self.stack))
        elif self.n_step == 1:
            returns, last = self.rewards[slot], slot
            frames = gather(self.frames, self._stack_slots(base, pos + 1, self.stack + 1), self.device)
            obs, next_obs = frames[:, :-1], frames[:, 1:]
        else:
            window = self._window_slots(base, pos)
            inside = np.arange(self.n_step) < k[:, None]
            returns = (self.rewards[window] * self.gamma_powers[:-1] * inside).sum(1, dtype=np.float32)
            last = window[np.arange(batch_size), k - 1]
            stacks = np.concatenate(
                [self._stack_slots(base, pos, self.stack), self._stack_slots(base, pos + k, self.stack)], axis=1
            )
            frames = gather(self.frames, stacks, self.device)
            obs, next_obs = frames[:, : self.stack], frames[:, self.stack :]
        d = self.device
        return Batch(
            obs=obs,
            actions=gather(self.actions, slot, d),
            rewards=torch.from_numpy(returns).to(d),
            next_obs=next_obs,
            terminated=torch.from_numpy(self.terminated[last].astype(np.float32)).to(d),
            discounts=torch.from_numpy(self.gamma_powers[k]).to(d),
            weights=torch.ones(batch_size, device=d),
            indices=torch.from_numpy(slot).to(d),
        )

    def _draw(self, batch_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Flat slots of ``batch_size`` valid transitions and their k, by rejection."""
        slots, ks = [], []
        need = batch_size
        while need > 0:
            u = self.rng.integers(0, self.num_envs * self.filled, need + need // 4 + 8)
            slot = u // self.filled * self.slots + u % self.filled
            ok, k = self._valid(slot)
            slots.append(slot[ok][:need]), ks.append(k[ok][:need])
            need -= len(slots[-1])
        return (slots[0], ks[0]) if len(slots) == 1 else (np.concatenate(slots), np.concatenate(ks))

    def _valid(self, slot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each start slot: is its n-step window complete, and k = steps up to the episode end or n."""
        if self.n_step == 1:
            return self.complete[slot], np.ones(len(slot), dtype=np.int64)
        pos = slot % self.slots
        window = self._window_slots(slot - pos, pos)
        done = self.done[window]
        inside = (np.cumsum(done, axis=1) - done) == 0  # no earlier step of the window ended the episode
        return (self.complete[window] | ~inside).all(axis=1), inside.sum(axis=1)

    def _window_slots(self, base: np.ndarray, pos: np.ndarray) -> np.ndarray:
        """Slots of the n steps t … t+n−1 starting at ring position ``pos``."""
        return base[:, None] + (pos[:, None] + np.arange(self.n_step)) % self.slots

    def _stack_slots(self, base: np.ndarray, pos: np.ndarray, length: int) -> np.ndarray:
        """Slots of the ``length`` frames ending at ring position ``pos``, padded at the episode start."""
        age = self.age[base + pos % self.slots].astype(np.int64)
        back = np.minimum(np.arange(length - 1, -1, -1), age[:, None])
        return base[:, None] + (pos[:, None] - back) % self.slots

    # ---- checkpoints ---------------------------------------------------------------------

    def state_dict(self) -> dict:
        """The whole ring, cursors and sampler RNG state (tensors share memory with the buffer)."""
        state = {name: torch.from_numpy(getattr(self, name)) for name in self._arrays}
        state.update(
            capacity=self.capacity,
            cursor=torch.from_numpy(self.cursor),
            episode_open=torch.from_numpy(self.episode_open),
            episode_steps=torch.from_numpy(self.episode_steps),
            filled=int(self.filled),
            num_complete=int(self.num_complete),
            rng=self.rng.bit_generator.state,
        )
        return state

    def load_state_dict(self, state: dict) -> None:
        if state["capacity"] != self.capacity:
            raise ValueError(f"state_dict has capacity {state['capacity']}, this buffer has {self.capacity}")
        for name in (*self._arrays, "cursor", "episode_open", "episode_steps"):
            target, value = getattr(self, name), as_numpy(state[name])
            if value.shape != target.shape or value.dtype != target.dtype:
                raise ValueError(
                    f"state_dict[{name!r}] has shape {value.shape} and dtype {value.dtype}, "
                    f"expected {target.shape} and {target.dtype}"
                )
            target[...] = value
        self.filled, self.num_complete = state["filled"], state["num_complete"]
        self.rng.bit_generator.state = state["rng"]
