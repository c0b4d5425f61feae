"""The SAC training loop, CleanRL-style: one function that reads top to bottom.

    result = train_sac(SACConfig(env_id="Pendulum-v1", out="runs/pendulum-sac"))

Uniform random actions until ``learning_starts``, then actions sampled from the policy π(·|s);
after every environment step (past ``learning_starts``) one critic, one actor and (with a learned
α) one temperature update, then Polyak updates of the target critics. ``train.csv`` logs the
policy's entropy −E[log π] and α beside the losses; logs, evaluation (the deterministic action
c + h·tanh(μ(s))) and checkpoints: :mod:`qlab.train.bookkeeping`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from qlab.agents.sac import SAC
from qlab.networks import DDPGCritic, SquashedGaussianActor
from qlab.seeding import seed_everything
from qlab.train.bookkeeping import Bookkeeper, TrainResult
from qlab.train.checkpoint import load_checkpoint, restore_run
from qlab.train.dqn import multiples_crossed, set_threads
from qlab.train.envs import EnvPool, check_video_support, make_env

__all__ = ["SACConfig", "train_sac", "config_from_checkpoint", "make_actor_critics"]


@dataclass
class SACConfig:
    """Hyper-parameters of a SAC run; the defaults follow CleanRL / Stable-Baselines3 for Pendulum."""

    env_id: str = "Pendulum-v1"
    total_steps: int = 20_000
    seed: int = 1
    num_envs: int = 1
    device: str = "cpu"
    threads: int | None = None
    hidden: tuple[int, ...] = (256, 256)
    actor_lr: float = 3e-4
    critic_lr: float = 1e-3
    alpha_lr: float = 1e-3
    gamma: float = 0.99
    tau: float = 0.005
    alpha: float = 0.2
    learn_alpha: bool = True
    target_entropy: float | None = None
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


def make_actor_critics(obs_dim: int, action_space, hidden=(256, 256), device="cpu"):
    """The squashed-Gaussian actor and the twin critics for a Box action space."""
    actor = SquashedGaussianActor(obs_dim, action_space.low, action_space.high, hidden=hidden, device=device)
    critics = [DDPGCritic(obs_dim, action_space.shape[0], hidden=hidden, device=device) for _ in range(2)]
    return actor, critics


def train_sac(config: SACConfig, *, resume: str | Path | None = None, critic_target_fn=None, actor_loss_fn=None,
              temperature_loss_fn=None, squash_fn=None, target_update_fn=None) -> TrainResult:
    """Train SAC as ``config`` says; ``resume`` continues from a checkpoint file."""
    from qlab.replay import ReplayBuffer

    cfg = config
    seed_everything(cfg.seed)
    set_threads(cfg.threads, cfg.device, small_network=True)
    check_video_support(cfg.video)

    envs = EnvPool(lambda i: make_env(cfg.env_id, seed=cfg.seed + i), cfg.num_envs)
    space = envs.single_action_space
    obs_dim = envs.single_observation_space.shape[0]
    actor, critics = make_actor_critics(obs_dim, space, cfg.hidden, cfg.device)
    agent = SAC(
        actor, critics, actor_lr=cfg.actor_lr, critic_lr=cfg.critic_lr, alpha_lr=cfg.alpha_lr, gamma=cfg.gamma,
        tau=cfg.tau, alpha=cfg.alpha, learn_alpha=cfg.learn_alpha, target_entropy=cfg.target_entropy,
        device=cfg.device, seed=cfg.seed, critic_target_fn=critic_target_fn, actor_loss_fn=actor_loss_fn,
        temperature_loss_fn=temperature_loss_fn, squash_fn=squash_fn, target_update_fn=target_update_fn,
    )
    buffer = ReplayBuffer(cfg.buffer_size, (obs_dim,), action_shape=space.shape, action_dtype=np.float32,
                          gamma=cfg.gamma, device=cfg.device, seed=cfg.seed)

    step = 0
    obs = envs.reset(seed=cfg.seed)
    if resume is not None:
        step, obs = restore_run(load_checkpoint(resume), "sac", agent, envs, buffer)
    books = Bookkeeper("sac", cfg, agent, envs, buffer, step, resumed=resume is not None)
    metrics, n = None, cfg.num_envs

    while step < cfg.total_steps:
        # Act: uniform warm-up, then a ~ π(·|s), the policy's own exploration.
        if step < cfg.learning_starts:
            actions = agent.random_actions(n)
        else:
            actions = agent.act(obs)
        next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
        buffer.add_batch(obs, actions, rewards, final_obs, terminated, truncated)
        obs = next_obs
        step += n

        # Learn: critics, actor, temperature and target updates on a replay batch.
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
            books.evaluate(step, lambda o: agent.act(o, deterministic=True))
        if books.checkpoint_due(step):
            books.save_checkpoint(step, obs)

    books.close()
    envs.close()
    return books.result


def config_from_checkpoint(state: dict, **overrides) -> SACConfig:
    values = dict(state["config"], **overrides)
    values["hidden"] = tuple(values["hidden"])
    return SACConfig(**values)
