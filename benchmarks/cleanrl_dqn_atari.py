"""CleanRL's ``dqn_atari.py`` (github.com/vwxyzjn/cleanrl, cleanrl/dqn_atari.py), re-implemented
here for the side-by-side benchmark, because CleanRL is a collection of scripts that cannot be
pip-installed.

It follows the script step for step, at its published defaults (``ATARI``): a ``SyncVectorEnv``
of one ``gym.make(env_id)`` + ``RecordEpisodeStatistics`` + ``NoopResetEnv(30)`` +
``MaxAndSkipEnv(4)`` + ``EpisodicLifeEnv`` (+ ``FireResetEnv`` where the game has FIRE) +
``ClipRewardEnv`` + ``ResizeObservation(84, 84)`` + grayscale + a 4-frame stack; the QNetwork
(Nature CNN on ``x / 255.0``); plain ``optim.Adam``; the replay buffer with
``optimize_memory_usage=True``; ε from ``linear_schedule`` with Python's ``random.random()``
deciding exploration and ``single_action_space.sample()`` drawing the random action; a
forward pass on ``torch.Tensor(obs)`` otherwise; the real final observation stored on
truncation; after ``learning_starts``, one MSE update every ``train_frequency`` steps without
gradient clipping, the TensorBoard scalars (loss, Q, SPS) every 100 steps, and the target
network's copy (τ = 1) every ``target_network_frequency`` steps; episodic returns logged to
TensorBoard.

Differences, none of which changes the work done per step:

* gymnasium 1.x: same-step autoreset (CleanRL's assumption) must be asked for, the final
  observation is ``infos["final_obs"]`` and the final infos one batched dict; the wrappers
  ``GrayScaleObservation`` and ``FrameStack`` are now ``GrayscaleObservation`` and
  ``FrameStackObservation`` (which returns an array where ``FrameStack`` returned
  ``LazyFrames``, which ``SyncVectorEnv`` turned into the same array at every step).
* The Atari wrappers and ``ReplayBuffer`` are Stable-Baselines3's, of which CleanRL's
  ``cleanrl_utils.atari_wrappers`` and ``cleanrl_utils.buffers`` are copies (they drop only
  the ``VecNormalize`` hooks, identities when no ``VecNormalize`` is given, as here).
* The SPS line and the episodic returns are written to TensorBoard but not printed.
"""

from __future__ import annotations

import random
import time

import ale_py
import gymnasium as gym
import numpy as np
import torch
import torch.nn.functional as F
from stable_baselines3.common.atari_wrappers import (
    ClipRewardEnv,
    EpisodicLifeEnv,
    FireResetEnv,
    MaxAndSkipEnv,
    NoopResetEnv,
)
from stable_baselines3.common.buffers import ReplayBuffer
from torch import nn, optim
from torch.utils.tensorboard import SummaryWriter

gym.register_envs(ale_py)

ATARI = dict(env_id="BreakoutNoFrameskip-v4", total_timesteps=10_000_000, learning_rate=1e-4, buffer_size=1_000_000,
             gamma=0.99, tau=1.0, target_network_frequency=1000, batch_size=32, start_e=1.0, end_e=0.01,
             exploration_fraction=0.10, learning_starts=80_000, train_frequency=4)


class QNetwork(nn.Module):
    def __init__(self, env):
        super().__init__()
        self.network = nn.Sequential(
            nn.Conv2d(4, 32, 8, stride=4), nn.ReLU(),
            nn.Conv2d(32, 64, 4, stride=2), nn.ReLU(),
            nn.Conv2d(64, 64, 3, stride=1), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(3136, 512), nn.ReLU(),
            nn.Linear(512, env.single_action_space.n),
        )

    def forward(self, x):
        return self.network(x / 255.0)


def linear_schedule(start_e: float, end_e: float, duration: float, t: int) -> float:
    slope = (end_e - start_e) / duration
    return max(slope * t + start_e, end_e)


def make_env(env_id: str, seed: int):
    def thunk():
        env = gym.make(env_id)
        env = gym.wrappers.RecordEpisodeStatistics(env)
        env = NoopResetEnv(env, noop_max=30)
        env = MaxAndSkipEnv(env, skip=4)
        env = EpisodicLifeEnv(env)
        if "FIRE" in env.unwrapped.get_action_meanings():
            env = FireResetEnv(env)
        env = ClipRewardEnv(env)
        env = gym.wrappers.ResizeObservation(env, (84, 84))
        env = gym.wrappers.GrayscaleObservation(env)
        env = gym.wrappers.FrameStackObservation(env, 4)
        env.action_space.seed(seed)
        return env

    return thunk


def train(log_dir: str, seed: int = 1, **overrides) -> None:
    """One run of CleanRL's Atari DQN with its defaults, ``overrides`` applied."""
    args = dict(ATARI, **overrides)
    writer = SummaryWriter(log_dir)
    writer.add_text("hyperparameters", "|param|value|\n|-|-|\n%s" % "\n".join(f"|{k}|{v}|" for k, v in args.items()))
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.backends.cudnn.deterministic = True
    device = torch.device("cpu")

    envs = gym.vector.SyncVectorEnv([make_env(args["env_id"], seed)], autoreset_mode=gym.vector.AutoresetMode.SAME_STEP)
    q_network = QNetwork(envs).to(device)
    optimizer = optim.Adam(q_network.parameters(), lr=args["learning_rate"])
    target_network = QNetwork(envs).to(device)
    target_network.load_state_dict(q_network.state_dict())
    rb = ReplayBuffer(args["buffer_size"], envs.single_observation_space, envs.single_action_space, device,
                      optimize_memory_usage=True, handle_timeout_termination=False)
    start_time = time.time()

    obs, _ = envs.reset(seed=seed)
    for global_step in range(args["total_timesteps"]):
        epsilon = linear_schedule(args["start_e"], args["end_e"],
                                  args["exploration_fraction"] * args["total_timesteps"], global_step)
        if random.random() < epsilon:
            actions = np.array([envs.single_action_space.sample() for _ in range(envs.num_envs)])
        else:
            q_values = q_network(torch.Tensor(obs).to(device))
            actions = torch.argmax(q_values, dim=1).cpu().numpy()

        next_obs, rewards, terminations, truncations, infos = envs.step(actions)

        if "final_info" in infos and "episode" in infos["final_info"]:
            episode = infos["final_info"]["episode"]
            for i in np.flatnonzero(infos["final_info"]["_episode"]):
                writer.add_scalar("charts/episodic_return", episode["r"][i], global_step)
                writer.add_scalar("charts/episodic_length", episode["l"][i], global_step)

        real_next_obs = next_obs.copy()
        for idx, trunc in enumerate(truncations):
            if trunc:
                real_next_obs[idx] = infos["final_obs"][idx]
        rb.add(obs, real_next_obs, actions, rewards, terminations, infos)
        obs = next_obs

        if global_step > args["learning_starts"]:
            if global_step % args["train_frequency"] == 0:
                data = rb.sample(args["batch_size"])
                with torch.no_grad():
                    target_max, _ = target_network(data.next_observations).max(dim=1)
                    td_target = data.rewards.flatten() + args["gamma"] * target_max * (1 - data.dones.flatten())
                old_val = q_network(data.observations).gather(1, data.actions).squeeze()
                loss = F.mse_loss(td_target, old_val)

                if global_step % 100 == 0:
                    writer.add_scalar("losses/td_loss", loss, global_step)
                    writer.add_scalar("losses/q_values", old_val.mean().item(), global_step)
                    writer.add_scalar("charts/SPS", int(global_step / (time.time() - start_time)), global_step)

                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

            if global_step % args["target_network_frequency"] == 0:
                for target_param, q_param in zip(target_network.parameters(), q_network.parameters()):
                    target_param.data.copy_(args["tau"] * q_param.data + (1.0 - args["tau"]) * target_param.data)

    envs.close()
    writer.close()
