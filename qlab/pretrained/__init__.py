"""Agents trained by qlab, shipped with it, so a learner can watch one play without training it.

An agent file holds a DQN's Q-network in float16 (half the bytes of float32; a Nature CNN is
3.4 MB) and its card: how it was trained and the greedy score it got. The score is measured
with the float16-rounded weights, the ones a learner loads, over whole games (no life-loss
terminals, unclipped rewards) from the run's evaluation seeds.

    net, card = load_agent("pong")        # a shipped agent, by name
    net, card = load_agent("my_agent.pt")  # or a file written by export_agent

``python -m qlab export runs/x/best.pt --out my_agent.pt`` writes such a file from a training
checkpoint. Agent files hold only tensors and plain values: they load with
``torch.load(weights_only=True)``.

Shipped agents:

* ``pong`` -- qlab's Double DQN with 3-step returns on ``ALE/Pong-v5``, trained on a CPU;
  its card says how far (steps, hours, hardware) and how well it plays.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import torch

from qlab.train.checkpoint import load_checkpoint
from qlab.train.dqn import config_from_checkpoint, make_q_network
from qlab.train.envs import evaluate, make_env

__all__ = ["SHIPPED", "export_agent", "load_agent", "load_weights"]

SHIPPED = {"pong": Path(__file__).with_name("pong_dqn.pt")}


def _q_network(network: dict, device="cpu") -> torch.nn.Module:
    return make_q_network(network["env_id"], tuple(network["obs_shape"]), network["n_actions"],
                          tuple(network["hidden"]), network["dueling"], device, noisy=network["noisy"],
                          n_atoms=network["n_atoms"], v_min=network["v_min"], v_max=network["v_max"])


def _greedy(net: torch.nn.Module, device):
    def policy(obs: np.ndarray) -> np.ndarray:
        with torch.inference_mode():
            return net(torch.as_tensor(obs, device=device)).argmax(1).cpu().numpy()
    return policy


def export_agent(checkpoint: str | Path, out: str | Path, episodes: int = 10, about: str = "") -> dict:
    """Write the Q-network of a DQN ``checkpoint`` to ``out`` in float16 with its card, after
    playing ``episodes`` greedy games with the rounded weights; returns the card.

    ``about`` says how the run was trained (command, hardware, wall time) in the trainer's words.
    """
    state = load_checkpoint(checkpoint)
    if state.get("algo") != "dqn":
        raise ValueError(f"{checkpoint} is a {state.get('algo')!r} checkpoint; export_agent takes a DQN one")
    if episodes < 1:
        raise ValueError(f"episodes must be at least 1, got {episodes}")
    config = config_from_checkpoint(state)
    env = make_env(config.env_id)
    network = {"env_id": config.env_id, "obs_shape": list(env.observation_space.shape),
               "n_actions": int(env.action_space.n), "hidden": list(config.hidden), "dueling": config.dueling,
               "noisy": config.noisy, "n_atoms": config.n_atoms if config.distributional else None,
               "v_min": config.v_min, "v_max": config.v_max}
    env.close()
    weights = {name: value.half() if value.is_floating_point() else value
               for name, value in state["agent"]["q_net"].items()}
    net = load_weights(network, weights)
    seed = config.seed + 1_000_000   # the training run's evaluation seeds
    returns = evaluate(_greedy(net, "cpu"), config.env_id, episodes, seed)
    card = {"network": network, "weights": weights, "step": int(state["step"]), "about": about,
            "config": {key: list(value) if isinstance(value, tuple) else value
                       for key, value in dataclasses.asdict(config).items()},
            "evaluation": {"seed": seed, "returns": [float(r) for r in returns]}}
    torch.save(card, out)
    return card


def load_weights(network: dict, weights: dict, device="cpu") -> torch.nn.Module:
    """A float32 Q-network described by ``network`` holding ``weights``, in eval mode."""
    net = _q_network(network, device)
    net.load_state_dict({name: value.float() if value.is_floating_point() else value
                         for name, value in weights.items()})
    return net.eval()


def load_agent(name_or_path: str | Path, device="cpu") -> tuple[torch.nn.Module, dict]:
    """``(net, card)``: a shipped agent by name (see ``SHIPPED``) or an agent file, its Q-network
    in float32 on ``device`` in eval mode; the card holds ``step``, ``about``, ``config`` and
    ``evaluation`` (``seed``, ``returns``)."""
    path = SHIPPED.get(str(name_or_path), Path(name_or_path))
    if not path.is_file():
        raise FileNotFoundError(f"no agent file at {path}; shipped agents: {', '.join(SHIPPED)}")
    card = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(card, dict) or "network" not in card or "weights" not in card:
        raise ValueError(f"{path} is not an agent file written by qlab.pretrained.export_agent")
    net = load_weights(card["network"], card.pop("weights"), device)
    return net, card
