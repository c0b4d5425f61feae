"""How close qlab's update-bound loops come to their ceiling: the update alone.

DDPG (one update per environment step) and Atari DQN (one Nature-CNN update every 4 steps)
spend most of their time in the update, so the loop's ceiling is the time of the updates
alone (sample + update): the rest (acting, environment, replay add, book-keeping) is what the
loop adds. Each run is ``train_*`` itself with its calls wrapped by timers (as in
``bench_phases.py``); figures are µs per environment step over the whole run (set-up
excluded; learning starts after 500 steps), medians over ``--repeats``.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_ceilings.py ddpg --repeats 3 --total 3000
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_ceilings.py atari --repeats 1 --total 1500
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

from bench_phases import Clock  # noqa: E402
from qlab.agents.ddpg import DDPG  # noqa: E402
from qlab.agents.dqn import DQN  # noqa: E402
from qlab.replay import AtariReplayBuffer, ReplayBuffer  # noqa: E402
from qlab.train import DDPGConfig, DQNConfig, train_ddpg, train_dqn  # noqa: E402
from qlab.train.envs import EnvPool  # noqa: E402

PHASES = ("act", "env step", "replay add", "replay sample", "update")


def timed_run(train, cfg, agent_cls, buffer_cls) -> tuple[Clock, float, float]:
    """``train(cfg)`` with the loop's five calls timed; returns the clock and the loop's wall and CPU time."""
    clock = Clock()
    targets = [(agent_cls, "act", "act"), (EnvPool, "step", "env step"), (buffer_cls, "add_batch", "replay add"),
               (buffer_cls, "sample", "replay sample"), (agent_cls, "update", "update")]
    originals = [(cls, name, cls.__dict__[name]) for cls, name, _ in targets]
    for cls, name, phase in targets:
        setattr(cls, name, clock.wrap(phase, cls.__dict__[name]))
    try:
        train(cfg)
        return clock, time.perf_counter() - clock.start[0], time.process_time() - clock.start[1]
    finally:
        for cls, name, original in originals:
            setattr(cls, name, original)


def ddpg_run(total: int, seed: int):
    cfg = DDPGConfig(total_steps=total, seed=seed, learning_starts=500, eval_every=0, out=None, progress=False)
    return timed_run(train_ddpg, cfg, DDPG, ReplayBuffer)


def atari_run(total: int, seed: int):
    cfg = DQNConfig(env_id="ALE/Pong-v5", total_steps=total, seed=seed, learning_starts=500, buffer_size=10_000,
                    batch_size=32, train_every=4, lr=1e-4, double=False, n_step=1, target_update="hard",
                    target_update_every=250, eps_decay_steps=100_000, eval_every=0, out=None, progress=False,
                    threads=1)
    return timed_run(train_dqn, cfg, DQN, AtariReplayBuffer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["ddpg", "atari"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=3_000)
    args = parser.parse_args()
    torch.set_num_threads(1)
    run = {"ddpg": ddpg_run, "atari": atari_run}[args.what]
    run(600, 0)  # warm-up
    results = [run(args.total, seed) for seed in range(1, args.repeats + 1)]
    per_step = 1e6 / args.total
    load = os.getloadavg()
    print(f"## {args.what}: loop phases, {args.total} steps (learning starts 500), median of {args.repeats}, "
          f"torch threads {torch.get_num_threads()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    print("| phase | µs/step (wall) | µs/step (CPU) |")
    print("|---|---:|---:|")
    for phase in PHASES:
        wall = statistics.median(clock.wall[phase] for clock, _, _ in results) * per_step
        cpu = statistics.median(clock.cpu[phase] for clock, _, _ in results) * per_step
        print(f"| {phase} | {wall:.0f} | {cpu:.0f} |")
    rest_wall = statistics.median(w - sum(c.wall.values()) for c, w, _ in results) * per_step
    rest_cpu = statistics.median(p - sum(c.cpu.values()) for c, _, p in results) * per_step
    print(f"| book-keeping | {rest_wall:.0f} | {rest_cpu:.0f} |")
    for kind, index in (("wall", 1), ("cpu", 2)):
        fractions = [(getattr(clock, kind)["update"] + getattr(clock, kind)["replay sample"]) / result[index]
                     for result in results for clock in [result[0]]]
        print(f"\n{kind}: the updates alone (sample + update) are **{statistics.median(fractions):.0%}** of the loop "
              f"(min {min(fractions):.0%}, max {max(fractions):.0%}).")


if __name__ == "__main__":
    main()
