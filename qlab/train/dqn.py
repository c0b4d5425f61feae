"""The DQN training loop, CleanRL-style: one function that reads top to bottom.

    result = train_dqn(DQNConfig(env_id="CartPole-v1", double=True, n_step=3, out="runs/x"))

Per environment step: ε-greedy action, environment step, store the transition, and every
``train_every`` steps (after ``learning_starts``) one gradient update on a replay batch.
Around that: a progress bar with the live episodic return, CSV/TensorBoard logs, greedy
evaluation episodes, optional videos and checkpoints that resume bit-exactly
(:mod:`qlab.train.bookkeeping`).
The update rules can be replaced (``target_fn``, ``loss_fn``, ``target_update_fn``),
which is how the course notebooks train with the student's own rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch

from qlab.agents.dqn import DQN
from qlab.networks import MLP, DuelingQNetwork, MinAtarCNN, NatureCNN
from qlab.rainbow.networks import RainbowQNetwork
from qlab.schedules import LinearSchedule
from qlab.seeding import seed_everything
from qlab.train.bookkeeping import Bookkeeper, TrainResult
from qlab.train.checkpoint import load_checkpoint, restore_run
from qlab.train.envs import EnvPool, check_video_support, is_atari, is_minatar, make_env

__all__ = ["DQNConfig", "train_dqn", "config_from_checkpoint", "make_q_network", "make_replay_buffer",
           "multiples_crossed", "set_threads"]


@dataclass
class DQNConfig:
    """Hyper-parameters of a DQN run; the defaults are tuned for CartPole-v1.

    Steps are environment steps summed over the ``num_envs`` environments, except
    ``target_update_every``, which counts gradient updates.
    """

    env_id: str = "CartPole-v1"
    total_steps: int = 50_000
    seed: int = 1
    num_envs: int = 1
    device: str = "cpu"
    threads: int | None = None  # torch.set_num_threads; None: 1 for MLPs on CPU, else torch's default
    # network
    hidden: tuple[int, ...] = (120, 84)
    dueling: bool = False
    noisy: bool = False  # noisy linear layers in the head explore instead of ε-greedy (ε = 0)
    distributional: bool = False  # C51: a categorical return distribution on n_atoms atoms in [v_min, v_max]
    n_atoms: int = 51
    v_min: float = 0.0
    v_max: float = 100.0
    # update rule
    lr: float = 1e-3
    lr_end: float | None = None  # if set, the learning rate decays linearly to it at total_steps
    gamma: float = 0.99
    double: bool = True
    n_step: int = 3
    loss: str = "huber"
    target_update: str = "polyak"
    target_update_every: int = 1
    tau: float = 0.01
    max_grad_norm: float | None = 10.0
    # replay and schedule
    buffer_size: int = 50_000
    prioritized: bool = False  # proportional prioritized replay (one-step, vector observations)
    priority_alpha: float = 0.6
    priority_beta: float = 0.4  # annealed linearly to 1 at total_steps
    batch_size: int = 128
    learning_starts: int = 1_000
    train_every: int = 1
    eps_start: float = 1.0
    eps_end: float = 0.05
    eps_decay_steps: int = 10_000
    # evaluation, logs and checkpoints
    eval_every: int = 5_000
    eval_episodes: int = 10
    stop_at_return: float | None = None  # end the run once an evaluation's mean return reaches it
    video: bool = False
    log_every: int = 1_000
    checkpoint_every: int = 0  # 0: only at the end
    save_buffer: bool = False
    out: str | None = None  # None: no files at all
    tensorboard: bool = True
    progress: bool = True
    progress_every: int = 1_000


def make_q_network(env_id: str, obs_shape: tuple[int, ...], n_actions: int, hidden=(120, 84),
                   dueling: bool = False, device="cpu", *, noisy: bool = False, n_atoms: int | None = None,
                   v_min: float = 0.0, v_max: float = 100.0, seed=None, aggregate_fn=None, noisy_forward_fn=None,
                   noisy_init_fn=None) -> torch.nn.Module:
    """NatureCNN for ``ALE/...`` ids, MinAtarCNN for ``qlab/MinAtar-...``, else an MLP (dueling if
    asked) on the flat observation; with ``noisy`` or ``n_atoms`` (C51), or any of the rule
    arguments, a :class:`~qlab.rainbow.networks.RainbowQNetwork` (flat observations only)."""
    rainbow = noisy or n_atoms is not None or any(fn is not None for fn in (aggregate_fn, noisy_forward_fn, noisy_init_fn))
    if rainbow:
        if len(obs_shape) != 1:
            raise ValueError(f"{env_id} has observations of shape {obs_shape}; noisy and distributional networks "
                             "are MLPs here and need flat vectors")
        return RainbowQNetwork(obs_shape[0], n_actions, hidden, dueling=dueling, noisy=noisy, n_atoms=n_atoms,
                               v_min=v_min, v_max=v_max, aggregate_fn=aggregate_fn, noisy_forward_fn=noisy_forward_fn,
                               noisy_init_fn=noisy_init_fn, seed=seed, device=device)
    if is_atari(env_id):
        return NatureCNN(n_actions, in_channels=obs_shape[0], dueling=dueling, device=device)
    if is_minatar(env_id):
        return MinAtarCNN(n_actions, in_channels=obs_shape[0], dueling=dueling, device=device)
    if len(obs_shape) != 1:
        raise ValueError(f"{env_id} has observations of shape {obs_shape}; the MLP needs flat vectors")
    if dueling:
        return DuelingQNetwork(obs_shape[0], n_actions, hidden=hidden, device=device)
    return MLP(obs_shape[0], n_actions, hidden=hidden, device=device)


def make_replay_buffer(config: DQNConfig, obs_shape: tuple[int, ...], stacks_fn=None, **priority_fns):
    """Frame-sharing buffer for Atari (rebuilding stacks with ``stacks_fn`` if given), prioritized
    if asked (``priority_fns``: :class:`~qlab.replay.PrioritizedReplayBuffer`'s rule arguments),
    n-step for n > 1, else uniform."""
    from qlab.replay import AtariReplayBuffer, NStepReplayBuffer, PrioritizedReplayBuffer, ReplayBuffer

    common = dict(gamma=config.gamma, device=config.device, seed=config.seed)
    if is_atari(config.env_id):
        return AtariReplayBuffer(config.buffer_size, frame_shape=obs_shape[1:], stack=obs_shape[0],
                                 n_step=config.n_step, num_envs=config.num_envs, stacks_fn=stacks_fn, **common)
    if config.prioritized:
        if config.n_step != 1:
            raise ValueError("prioritized replay is one-step here: use n_step=1 with prioritized=True")
        return PrioritizedReplayBuffer(config.buffer_size, obs_shape, alpha=config.priority_alpha,
                                       beta=config.priority_beta, **priority_fns, **common)
    if config.n_step > 1:
        return NStepReplayBuffer(config.buffer_size, obs_shape, n_step=config.n_step,
                                 num_envs=config.num_envs, **common)
    return ReplayBuffer(config.buffer_size, obs_shape, **common)


def train_dqn(config: DQNConfig, *, resume: str | Path | None = None, target_fn=None, loss_fn=None,
              target_update_fn=None, stacks_fn=None, aggregate_fn=None, noisy_forward_fn=None, noisy_init_fn=None,
              tree_update_fn=None, tree_find_fn=None, priorities_fn=None, weights_fn=None) -> TrainResult:
    """Train DQN as ``config`` says; ``resume`` continues from a checkpoint file. The rule
    arguments replace qlab's own: ``target_fn``, ``loss_fn``, ``target_update_fn`` (see
    :class:`qlab.agents.DQN`), for Atari ``stacks_fn`` (see :class:`qlab.replay.AtariReplayBuffer`),
    and Rainbow's: the dueling ``aggregate_fn`` and the noisy layers' ``noisy_forward_fn``,
    ``noisy_init_fn`` (see :class:`qlab.rainbow.networks.RainbowQNetwork`), and the prioritized
    buffer's ``tree_update_fn``, ``tree_find_fn``, ``priorities_fn``, ``weights_fn`` (see
    :class:`qlab.replay.PrioritizedReplayBuffer`)."""
    cfg = config
    seed_everything(cfg.seed)
    set_threads(cfg.threads, cfg.device, small_network=not is_atari(cfg.env_id))
    check_video_support(cfg.video)

    # Environments, network, agent, replay, schedule.
    envs = EnvPool(lambda i: make_env(cfg.env_id, seed=cfg.seed + i), cfg.num_envs)
    obs_shape = envs.single_observation_space.shape
    n_actions = int(envs.single_action_space.n)
    q_net = make_q_network(cfg.env_id, obs_shape, n_actions, cfg.hidden, cfg.dueling, cfg.device, noisy=cfg.noisy,
                           n_atoms=cfg.n_atoms if cfg.distributional else None, v_min=cfg.v_min, v_max=cfg.v_max,
                           seed=cfg.seed, aggregate_fn=aggregate_fn, noisy_forward_fn=noisy_forward_fn,
                           noisy_init_fn=noisy_init_fn)
    agent = DQN(
        q_net, n_actions, lr=cfg.lr, gamma=cfg.gamma, double=cfg.double, n_step=cfg.n_step, loss=cfg.loss,
        target_update=cfg.target_update, target_update_every=cfg.target_update_every, tau=cfg.tau,
        max_grad_norm=cfg.max_grad_norm, device=cfg.device, seed=cfg.seed, distributional=cfg.distributional,
        target_fn=target_fn, loss_fn=loss_fn, target_update_fn=target_update_fn,
    )
    buffer = make_replay_buffer(cfg, obs_shape, stacks_fn, tree_update_fn=tree_update_fn, tree_find_fn=tree_find_fn,
                                priorities_fn=priorities_fn, weights_fn=weights_fn)
    # noisy networks explore by their noise: ε = 0
    epsilon = LinearSchedule(0.0, 0.0, 0) if cfg.noisy else LinearSchedule(cfg.eps_start, cfg.eps_end,
                                                                           cfg.eps_decay_steps)
    learning_rate = LinearSchedule(cfg.lr, cfg.lr if cfg.lr_end is None else cfg.lr_end, cfg.total_steps)

    step = 0
    obs = envs.reset(seed=cfg.seed)
    if resume is not None:
        step, obs = restore_run(load_checkpoint(resume), "dqn", agent, envs, buffer)
    books = Bookkeeper("dqn", cfg, agent, envs, buffer, step, resumed=resume is not None)
    metrics, n = None, cfg.num_envs
    solved = False

    while step < cfg.total_steps:
        # Act ε-greedily (noisy networks: greedily, with fresh noise) and store the transition (s, a, r, s', terminated, truncated).
        actions = agent.act(obs, epsilon(step))
        next_obs, rewards, terminated, truncated, final_obs = envs.step(actions)
        buffer.add_batch(obs, actions, rewards, final_obs, terminated, truncated)
        obs = next_obs
        step += n

        # Learn: one update on a replay batch every `train_every` steps.
        if step > cfg.learning_starts and len(buffer) >= cfg.batch_size:
            for _ in range(multiples_crossed(step, cfg.train_every, n)):
                if cfg.lr_end is not None:
                    agent.optimizer.param_groups[0]["lr"] = learning_rate(step)
                if cfg.prioritized:  # β → 1 at the end of training (a function of the step: resumes exactly)
                    buffer.beta = min(1.0, cfg.priority_beta + (1 - cfg.priority_beta) * step / cfg.total_steps)
                batch = buffer.sample(cfg.batch_size)
                metrics = agent.update(batch)
                if cfg.prioritized:  # p_i = (|δ_i| + ε)^α
                    buffer.update_priorities(batch.indices, metrics["td_errors"])

        # Book-keeping, each at its own period.
        books.count_episodes(step)
        if metrics is not None and books.train_log_due(step):
            books.log_train(step, loss=metrics["loss"].item(), q_mean=metrics["q_mean"].item(), epsilon=epsilon(step))
        if books.progress_due(step):
            books.show_progress(step)
        if books.evaluation_due(step):
            agent.q_net.eval()  # noisy layers without noise
            try:
                mean_return = books.evaluate(step, lambda o: agent.act(o, 0.0))
            finally:
                agent.q_net.train()
            solved = cfg.stop_at_return is not None and mean_return >= cfg.stop_at_return
        if books.checkpoint_due(step, stopping=solved):
            books.save_checkpoint(step, obs)
        if solved:
            break

    books.close()
    envs.close()
    return books.result


def multiples_crossed(step: int, every: int, n: int) -> int:
    """How many multiples of ``every`` the step counter passed in its last move of ``n``."""
    return step // every - (step - n) // every


def set_threads(threads: int | None, device: str, small_network: bool) -> None:
    """``torch.set_num_threads``: as asked, else 1 for small networks on CPU, whose batch-1 forward
    passes and small updates only lose time synchronising threads."""
    if threads:
        torch.set_num_threads(threads)
    elif small_network and torch.device(device).type == "cpu":
        torch.set_num_threads(1)


def config_from_checkpoint(state: dict, **overrides) -> DQNConfig:
    """The checkpoint's config (tuples restored), with ``overrides`` applied."""
    values = dict(state["config"], **overrides)
    values["hidden"] = tuple(values["hidden"])
    return DQNConfig(**values)
