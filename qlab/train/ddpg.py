"""The DDPG training loop, CleanRL-style: one function that reads top to bottom.

    result = train_ddpg(DDPGConfig(env_id="Pendulum-v1", out="runs/pendulum"))

Uniform random actions until ``learning_starts``, then μ(s) + Gaussian noise; after every
environment step (past ``learning_starts``) one critic and one actor update, each followed
by Polyak updates of the targets. Logs, evaluation, checkpoints as in :mod:`qlab.train.dqn`.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from qlab.agents.ddpg import DDPG
from qlab.networks import DDPGActor, DDPGCritic
from qlab.seeding import seed_everything
from qlab.train.checkpoint import best_eval_return, load_checkpoint, restore_run, run_state, save_checkpoint
from qlab.train.dqn import TrainResult, multiples_crossed, set_threads
from qlab.train.envs import EnvPool, check_video_support, evaluate, make_env
from qlab.train.logging import RunLogger

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
    out = Path(cfg.out) if cfg.out else None

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
    logger = RunLogger(out, cfg.tensorboard, resume_step=step if resume else None) if out else None
    result = TrainResult(agent, [], [], [], out)
    recent_returns: deque[float] = deque(maxlen=20)
    bar = tqdm(total=cfg.total_steps, initial=step, disable=not cfg.progress, unit="step", dynamic_ncols=True)
    metrics, n = None, cfg.num_envs
    last_time, last_step = time.perf_counter(), step
    best_return = best_eval_return(out, resume is not None)

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

        if envs.finished:
            for episode_return, length in envs.finished:
                result.episode_returns.append(episode_return)
                recent_returns.append(episode_return)
                if logger:
                    logger.log("episodes", step, episode_return=episode_return, length=length)
            envs.finished.clear()
        # (the step counter moves by n, so it passed a multiple of `every` iff step % every < n)
        if logger and metrics is not None and step % cfg.log_every < n:
            logger.log("train", step, **{key: value.item() for key, value in metrics.items()})
        if step % cfg.progress_every < n or step >= cfg.total_steps:
            now = time.perf_counter()
            if logger:
                logger.scalar("charts/steps_per_second", (step - last_step) / (now - last_time), step)
            last_time, last_step = now, step
            bar.update(step - bar.n)
            if recent_returns:
                bar.set_postfix(episodic_return=f"{np.mean(recent_returns):.1f}", refresh=False)
        if cfg.eval_every and (step % cfg.eval_every < n or step >= cfg.total_steps):
            video_dir = str(Path(cfg.out) / "videos" / f"step_{step}") if cfg.video and cfg.out else None
            returns = evaluate(lambda o: agent.act(o, noise=False), cfg.env_id, cfg.eval_episodes,
                               cfg.seed + 1_000_000, video_dir)
            result.eval_steps.append(step)
            result.eval_returns.append(float(returns.mean()))
            if logger:
                logger.log("eval", step, mean_return=float(returns.mean()), std_return=float(returns.std()))
            if out and result.eval_returns[-1] > best_return:
                best_return = result.eval_returns[-1]
                save_checkpoint(out / "best.pt", {"algo": "ddpg", "config": dataclasses.asdict(cfg), "step": step,
                                                  "agent": agent.state_dict(), "eval_return": best_return})
        if out and ((cfg.checkpoint_every and step % cfg.checkpoint_every < n) or step >= cfg.total_steps):
            if logger:
                logger.flush()
            save_checkpoint(out / "checkpoint.pt", run_state("ddpg", cfg, step, agent, obs, envs, buffer))

    bar.close()
    envs.close()
    if logger:
        logger.close()
    return result


def config_from_checkpoint(state: dict, **overrides) -> DDPGConfig:
    values = dict(state["config"], **overrides)
    values["hidden"] = tuple(values["hidden"])
    return DDPGConfig(**values)
