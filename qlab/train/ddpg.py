"""The DDPG training loop, CleanRL-style: one function that reads top to bottom.

    result = train_ddpg(DDPGConfig(env_id="Pendulum-v1", out="runs/pendulum"))

Uniform random actions until ``learning_starts``, then μ(s) + Gaussian noise; after every
environment step (past ``learning_starts``) one critic and one actor update, each followed
by Polyak updates of the targets. Logs, evaluation and checkpoints: :mod:`qlab.train.bookkeeping`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qlab.agents.ddpg import DDPG
from qlab.networks import DDPGActor, DDPGCritic
from qlab.seeding import seed_everything
from qlab.train.bookkeeping import Bookkeeper, TrainResult
from qlab.train.checkpoint import load_checkpoint, restore_run
from qlab.train.dqn import multiples_crossed, set_threads
from qlab.train.envs import EnvPool, check_video_support, make_env

__all__ = ["DDPGConfig", "train_ddpg", "config_from_checkpoint", "make_actor_critic"]


@dataclass
class DDPGConfig:
    """Hyper-parameters of a DDPG run; the defaults follow Stable-Baselines3 / CleanRL for Pendulum."""

    env_id: str = "Pendulum-v1"
    total_steps: int = 20_000
    seed: int = 1
    num_envs: int = 1
    device: str = "cpu"
    threads: int | None = None
    hidden: tuple[int, ...] = (256, 256)
    actor_lr: float = 1e-3
    critic_lr: float = 1e-3
    gamma: float = 0.99
    tau: float = 0.005
    exploration_noise: float = 0.1
    buffer_size: int = 200_000
    batch_size: int = 256
    learning_starts: int = 1_000
    train_every: int = 1
    eval_every: int = 5_000
    eval_episodes: int = 10
    video: bool = False
    log_every: int = 1_000
    checkpoint_every: int = 0
    save_buffer: bool = False
    out: str | None = None
    tensorboard: bool = True
    progress: bool = True
    progress_every: int = 1_000


def make_actor_critic(obs_dim: int, action_space, hidden=(256, 256), device="cpu"):
    actor = DDPGActor(obs_dim, action_space.low, action_space.high, hidden=hidden, device=device)
    critic = DDPGCritic(obs_dim, action_space.shape[0], hidden=hidden, device=device)
    return actor, critic


def train_ddpg(config: DDPGConfig, *, resume: str | Path | None = None, critic_target_fn=None,
               actor_loss_fn=None, target_update_fn=None) -> TrainResult:
    """Train DDPG as ``config`` says; ``resume`` continues from a checkpoint file."""
    from qlab.replay import ReplayBuffer

    cfg = config
    seed_everything(cfg.seed)
    set_threads(cfg.threads, cfg.device, small_network=True)
    check_video_support(cfg.video)

    envs = EnvPool(lambda i: make_env(cfg.env_id, seed=cfg.seed + i), cfg.num_envs)
    space = envs.single_action_space
    obs_dim = envs.single_observation_space.shape[0]
    actor, critic = make_actor_critic(obs_dim, space, cfg.hidden, cfg.device)
    agent = DDPG(
        actor, critic, space.low, space.high, actor_lr=cfg.actor_lr, critic_lr=cfg.critic_lr, gamma=cfg.gamma,
        tau=cfg.tau, exploration_noise=cfg.exploration_noise, device=cfg.device, seed=cfg.seed,
        critic_target_fn=critic_target_fn, actor_loss_fn=actor_loss_fn, target_update_fn=target_update_fn,
    )
    buffer = ReplayBuffer(cfg.buffer_size, (obs_dim,), action_shape=space.shape, action_dtype=np.float32,
                          gamma=cfg.gamma, device=cfg.device, seed=cfg.seed)

    step = 0
    obs = envs.reset(seed=cfg.seed)
    if resume is not None:
        step, obs = restore_run(load_checkpoint(resume), "ddpg", agent, envs, buffer)
    books = Bookkeeper("ddpg", cfg, agent, envs, buffer, step, resumed=resume is not None)
    metrics, n = None, cfg.num_envs

    while step < cfg.total_steps:
        # Act: uniform warm-up, then μ(s) + N(0, σ²), clipped to the action box.
        if step < cfg.learning_starts:
            actions = agent.random_actions(n)
        else:
            actions = agent.act(obs)
        next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
        buffer.add_batch(obs, actions, rewards, final_obs, terminated, truncated)
        obs = next_obs
        step += n

        # Learn: critic, actor and target updates on a replay batch.
        if step > cfg.learning_starts and len(buffer) >= cfg.batch_size:
            for _ in range(multiples_crossed(step, cfg.train_every, n)):
                metrics = agent.update(buffer.sample(cfg.batch_size))

        # Book-keeping, each at its own period.
        books.count_episodes(step)
        if metrics is not None and books.train_log_due(step):
            books.log_train(step, **{key: value.item() for key, value in metrics.items()})
        if books.progress_due(step):
            books.show_progress(step)
        if books.evaluation_due(step):
            books.evaluate(step, lambda o: agent.act(o, noise=False))
        if books.checkpoint_due(step):
            books.save_checkpoint(step, obs)

    books.close()
    envs.close()
    return books.result


def config_from_checkpoint(state: dict, **overrides) -> DDPGConfig:
    values = dict(state["config"], **overrides)
    values["hidden"] = tuple(values["hidden"])
    return DDPGConfig(**values)
