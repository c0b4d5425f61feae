"""The book-keeping every training loop shares: episodes, logs, progress bar, evaluation, checkpoints.

A loop acts, steps, stores and learns in its own file; after each move of its step counter it
hands the rest to a :class:`Bookkeeper`, one task at a time, each at its own period::

    books = Bookkeeper("ddpg", cfg, agent, envs, buffer, step, resumed=resume is not None)
    while step < cfg.total_steps:
        ...  # act, step, store, update
        books.count_episodes(step)
        if metrics is not None and books.train_log_due(step):
            books.log_train(step, loss=metrics["loss"].item())
        if books.progress_due(step):
            books.show_progress(step)
        if books.evaluation_due(step):
            books.evaluate(step, greedy_policy)
        if books.checkpoint_due(step):
            books.save_checkpoint(step, obs)
    books.close()
    return books.result

The step counter moves by ``num_envs``, so it passed a multiple of ``every`` in its last move
iff ``step % every < num_envs``. Evaluations and a checkpoint also come at the last step.
"""

from __future__ import annotations

import dataclasses
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm.auto import tqdm

from qlab.train.checkpoint import best_eval_return, run_state, save_checkpoint
from qlab.train.envs import evaluate
from qlab.train.logging import RunLogger

__all__ = ["TrainResult", "Bookkeeper"]


@dataclass
class TrainResult:
    agent: object
    eval_steps: list[int]
    eval_returns: list[float]  # mean greedy return of each evaluation
    episode_returns: list[float]  # training episodes, in the order they ended
    out: Path | None
    buffer: object = None  # the replay buffer as training left it


class Bookkeeper:
    """The logs, progress bar, evaluations and checkpoints of one run of ``algo``.

    ``cfg`` is the run's configuration (:class:`~qlab.train.DQNConfig` or alike: its ``out``,
    ``total_steps``, ``num_envs`` and the ``*_every`` periods); ``agent``, ``envs`` and ``buffer``
    are what the checkpoints save; ``step`` is where the run starts (``resumed``: from a checkpoint,
    whose later log rows are dropped). Without ``cfg.out`` nothing is written.
    """

    def __init__(self, algo: str, cfg, agent, envs, buffer, step: int, resumed: bool):
        self.algo, self.cfg, self.agent, self.envs, self.buffer = algo, cfg, agent, envs, buffer
        self.out = Path(cfg.out) if cfg.out else None
        self.logger = RunLogger(self.out, cfg.tensorboard, resume_step=step if resumed else None) if self.out else None
        self.result = TrainResult(agent, [], [], [], self.out, buffer)
        self.recent_returns: deque[float] = deque(maxlen=20)
        self.bar = tqdm(total=cfg.total_steps, initial=step, disable=not cfg.progress, unit="step",
                        dynamic_ncols=True)
        self.last_time, self.last_step = time.perf_counter(), step
        self.best_return = best_eval_return(self.out, resumed)

    def count_episodes(self, step: int) -> None:
        """Record the training episodes that ended in the last move (``episodes.csv``)."""
        for episode_return, length in self.envs.finished:
            self.result.episode_returns.append(episode_return)
            self.recent_returns.append(episode_return)
            if self.logger:
                self.logger.log("episodes", step, episode_return=episode_return, length=length)
        self.envs.finished.clear()

    def train_log_due(self, step: int) -> bool:
        return self.logger is not None and self._passed(step, self.cfg.log_every)

    def log_train(self, step: int, **values: float) -> None:
        """A row of ``train.csv``."""
        self.logger.log("train", step, **values)

    def progress_due(self, step: int) -> bool:
        return self._passed(step, self.cfg.progress_every) or step >= self.cfg.total_steps

    def show_progress(self, step: int) -> None:
        """Move the progress bar, with the mean return of the last 20 episodes, and log the steps per second."""
        now = time.perf_counter()
        if self.logger:
            self.logger.scalar("charts/steps_per_second", (step - self.last_step) / (now - self.last_time), step)
        self.last_time, self.last_step = now, step
        self.bar.update(step - self.bar.n)
        if self.recent_returns:
            self.bar.set_postfix(episodic_return=f"{np.mean(self.recent_returns):.1f}", refresh=False)

    def evaluation_due(self, step: int) -> bool:
        return bool(self.cfg.eval_every) and (self._passed(step, self.cfg.eval_every)
                                              or step >= self.cfg.total_steps)

    def evaluate(self, step: int, policy: Callable[[np.ndarray], np.ndarray]) -> float:
        """Run ``cfg.eval_episodes`` episodes of ``policy`` (see :func:`~qlab.train.envs.evaluate`),
        log them (``eval.csv``), save ``best.pt`` if their mean return is the best so far, and return it."""
        cfg = self.cfg
        video_dir = str(self.out / "videos" / f"step_{step}") if cfg.video and self.out else None
        returns = evaluate(policy, cfg.env_id, cfg.eval_episodes, cfg.seed + 1_000_000, video_dir)
        mean_return = float(returns.mean())
        self.result.eval_steps.append(step)
        self.result.eval_returns.append(mean_return)
        if self.logger:
            self.logger.log("eval", step, mean_return=mean_return, std_return=float(returns.std()))
        if self.out and mean_return > self.best_return:
            self.best_return = mean_return
            save_checkpoint(self.out / "best.pt", {"algo": self.algo, "config": dataclasses.asdict(cfg), "step": step,
                                                   "agent": self.agent.state_dict(), "eval_return": mean_return})
        return mean_return

    def checkpoint_due(self, step: int, stopping: bool = False) -> bool:
        """At ``checkpoint_every``, at the last step, and when the loop is ``stopping`` early."""
        cfg = self.cfg
        return self.out is not None and ((cfg.checkpoint_every and self._passed(step, cfg.checkpoint_every))
                                         or step >= cfg.total_steps or stopping)

    def save_checkpoint(self, step: int, obs: np.ndarray) -> None:
        """Flush the logs and write ``checkpoint.pt``, from which the run resumes at ``step`` with ``obs``."""
        if self.logger:
            self.logger.flush()
        save_checkpoint(self.out / "checkpoint.pt",
                        run_state(self.algo, self.cfg, step, self.agent, obs, self.envs, self.buffer))

    def close(self) -> None:
        self.bar.close()
        if self.logger:
            self.logger.close()

    def _passed(self, step: int, every: int) -> bool:
        """Whether the step counter passed a multiple of ``every`` in its last move of ``num_envs``."""
        return step % every < self.cfg.num_envs
