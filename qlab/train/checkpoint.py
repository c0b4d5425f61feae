"""Checkpoints: one file holding everything a run needs to continue bit-exactly on CPU.

A training loop saves ``{"algo", "config", "step", "agent", "obs", "envs", "rng",
"buffer"}``: the agent's weights, optimizers, counters and generators; the current
observations and the pickled environments (episodes continue where they were); the global
random states; and the replay buffer when asked (``save_buffer``). Without the buffer, a resumed
run starts new episodes: it continues, but not bit-exactly. Schedules are functions
of ``step`` and need nothing more.

Beside it, ``best.pt`` keeps the agent of the best evaluation so far (``"eval_return"``), which
``python -m qlab eval`` reads like any checkpoint.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import torch

from qlab.seeding import get_rng_state, set_rng_state

__all__ = ["save_checkpoint", "load_checkpoint", "best_eval_return", "run_state", "restore_run"]


def save_checkpoint(path: str | Path, state: dict) -> Path:
    """Write ``state`` atomically (a crash mid-write leaves the previous checkpoint intact)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    torch.save(state, tmp)
    os.replace(tmp, path)
    return path


def load_checkpoint(path: str | Path, map_location: str | torch.device = "cpu") -> dict:
    """Read a checkpoint written by :func:`save_checkpoint` (it holds numpy and pickled env state,
    so only load files you trust)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    return torch.load(path, map_location=map_location, weights_only=False)


def best_eval_return(out_dir: str | Path | None, resuming: bool) -> float:
    """The evaluation return to beat for ``best.pt``: the saved one when resuming, else -inf."""
    path = Path(out_dir or ".") / "best.pt"
    if out_dir is None or not resuming or not path.is_file():
        return float("-inf")
    return float(load_checkpoint(path)["eval_return"])


def run_state(algo: str, cfg, step: int, agent, obs, envs, buffer) -> dict:
    """Everything a training loop needs to continue bit-exactly (see the module docstring)."""
    return {
        "algo": algo,
        "config": dataclasses.asdict(cfg),
        "step": step,
        "agent": agent.state_dict(),
        "obs": obs,
        "envs": envs.state(),
        "rng": get_rng_state(),
        "buffer": buffer.state_dict() if cfg.save_buffer else None,
    }


def restore_run(state: dict, algo: str, agent, envs, buffer):
    """Load a ``run_state`` into a fresh agent, environment pool and buffer; returns
    ``(step, obs)`` to continue from."""
    if state.get("algo") != algo:
        raise ValueError(f"this is a {state.get('algo')!r} checkpoint, not a {algo!r} one")
    agent.load_state_dict(state["agent"])
    obs = state["obs"]
    if state["buffer"] is not None and state["envs"] is not None:
        buffer.load_state_dict(state["buffer"])
        envs.load_state(state["envs"])
    else:
        # New episodes, seeded from the step: environments that cannot be pickled, or an empty
        # buffer, which cannot continue an episode it never saw (an n-step window, a frame stack).
        if state["buffer"] is not None:
            buffer.load_state_dict(state["buffer"])
        obs = envs.reset(seed=state["config"]["seed"] + state["step"])
    set_rng_state(state["rng"])
    return state["step"], obs
