"""Atari DQN (Pong) on CPU: qlab, Stable-Baselines3 and CleanRL's ``dqn_atari.py``, interleaved
in one process, at the same settings.

All three: the Nature CNN, batch 32, one update every 4 environment steps (each = 4 frames),
Adam 1e-4, replay 10k transitions with frame sharing (qlab's ``AtariReplayBuffer``, SB3's
``optimize_memory_usage=True``, which CleanRL uses too), target network copied every 1000
environment steps, ε decaying from 1 to 0.01 over 100k steps (so ε ≈ 1 in this short run: most
actions skip the forward pass), the standard DQN preprocessing (84x84 grey, 4-frame stack, up
to 30 no-ops, life loss terminal, reward clipping) on Pong with sticky actions off, torch
threads ``--threads``. The loss follows what a library cannot be told otherwise: SB3 has only
the Huber loss and clips the gradient norm (at 10), and qlab runs as SB3 does; CleanRL's script
has the MSE loss and no clipping (the same convolutions either way). CleanRL writes its
TensorBoard scalars (qlab and SB3 write no logs). CleanRL is the step-for-step
re-implementation in ``cleanrl_dqn_atari.py``.

Environment steps per second over ``--total`` steps, of which the last ``--total -
--learning-starts`` train, construction included; the libraries run in turn (qlab, SB3,
CleanRL, qlab, ...) for ``--repeats`` rounds after one untimed warm-up round (imports,
oneDNN's kernels); medians with min–max, for wall-clock and for process CPU time, and the
ratios qlab/SB3 and qlab/CleanRL round by round.

Where the time goes, measured inside the same runs by wrapping each library's calls with a
timer (a few µs per call against ~10 ms per environment step): act, environment step, replay
add, replay sample, update (qlab: ``DQN.update``; SB3: ``DQN.train`` less its sample; CleanRL,
whose update is inline: from the end of ``rb.sample`` to the end of ``optimizer.step``), and
the rest of the loop (CleanRL's inline ε-greedy action is in the rest). The update-bound
ceiling of a loop is the time of its updates alone (sample + update): the table gives that
fraction of the loop (set-up excluded) and the steps/s the loop would reach at its ceiling.

    python benchmarks/bench_atari_dqn.py --repeats 3 --total 2500 --learning-starts 500
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads OpenBLAS

import cleanrl_dqn_atari  # noqa: E402
import gymnasium as gym  # noqa: E402
import torch  # noqa: E402
from torch.optim.optimizer import register_optimizer_step_post_hook  # noqa: E402
from bench_dqn import Timer  # noqa: E402
from bench_phases import Clock  # noqa: E402
from stable_baselines3 import DQN as SB3DQN  # noqa: E402
from stable_baselines3.common.buffers import ReplayBuffer as SB3ReplayBuffer  # noqa: E402
from stable_baselines3.common.env_util import make_atari_env  # noqa: E402
from stable_baselines3.common.vec_env import VecFrameStack  # noqa: E402

from qlab.agents.dqn import DQN  # noqa: E402
from qlab.replay import AtariReplayBuffer  # noqa: E402
from qlab.train import DQNConfig, train_dqn  # noqa: E402
from qlab.train.envs import EnvPool  # noqa: E402

LIBRARIES = ("qlab", "SB3", "CleanRL")
PHASES = ("act", "env step", "replay add", "replay sample", "update")
EPS_DECAY_STEPS, TARGET_EVERY_STEPS, TRAIN_EVERY = 100_000, 1000, 4


class Run:
    """One library's run: its wall and CPU seconds (construction included), and its phase clock."""

    def __init__(self, timer: Timer, clock: Clock, loop_end: tuple[float, float]):
        self.wall, self.cpu = timer.wall, timer.cpu
        self.clock = clock
        self.loop = {"wall": loop_end[0] - clock.start[0], "cpu": loop_end[1] - clock.start[1]}

    def phase(self, kind: str, name: str) -> float:
        """Seconds of ``kind`` ("wall" or "cpu") in phase ``name``; "rest" is the loop outside the phases."""
        spent = getattr(self.clock, kind)
        if name == "rest":
            return self.loop[kind] - sum(spent[p] for p in PHASES)
        return spent.get(name, 0.0)


def patched(*targets):
    """Context manager: ``(owner, attribute, wrapped)`` set for the block, the originals restored after."""

    class Patch:
        def __enter__(self):
            self.originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in targets]
            for owner, name, wrapped in targets:
                setattr(owner, name, wrapped)

        def __exit__(self, *exc):
            for owner, name, original in self.originals:
                setattr(owner, name, original)

    return Patch()


def qlab_run(args, seed: int) -> Run:
    clock = Clock()
    config = DQNConfig(env_id="ALE/Pong-v5", total_steps=args.total, seed=seed, buffer_size=10_000,
                       learning_starts=args.learning_starts, train_every=TRAIN_EVERY, batch_size=32, lr=1e-4,
                       double=False, n_step=1, target_update="hard",
                       target_update_every=TARGET_EVERY_STEPS // TRAIN_EVERY, eps_decay_steps=EPS_DECAY_STEPS,
                       eps_end=0.01, eval_every=0, out=None, progress=False)
    timed = [(DQN, "act", "act"), (EnvPool, "step", "env step"), (AtariReplayBuffer, "add_batch", "replay add"),
             (AtariReplayBuffer, "sample", "replay sample"), (DQN, "update", "update")]
    with patched(*[(cls, name, clock.wrap(phase, cls.__dict__[name])) for cls, name, phase in timed]):
        with Timer() as timer:
            train_dqn(config)
            loop_end = time.perf_counter(), time.process_time()
    return Run(timer, clock, loop_end)


def sb3_run(args, seed: int) -> Run:
    clock = Clock()
    with Timer() as timer:  # construction included, as for qlab
        env = VecFrameStack(make_atari_env("ALE/Pong-v5", n_envs=1, seed=seed,
                                           env_kwargs=dict(frameskip=1, repeat_action_probability=0.0)), n_stack=4)
        model = SB3DQN("CnnPolicy", env, learning_rate=1e-4, buffer_size=10_000, learning_starts=args.learning_starts,
                       batch_size=32, train_freq=TRAIN_EVERY, gradient_steps=1,
                       target_update_interval=TARGET_EVERY_STEPS, exploration_fraction=EPS_DECAY_STEPS / args.total,
                       exploration_final_eps=0.01, optimize_memory_usage=True,
                       replay_buffer_kwargs=dict(handle_timeout_termination=False), seed=seed, device="cpu")
        # instance attributes: the loop looks these up on the objects
        model._sample_action = clock.wrap("act", model._sample_action)
        model.env.step = clock.wrap("env step", model.env.step)
        model.replay_buffer.add = clock.wrap("replay add", model.replay_buffer.add)
        model.replay_buffer.sample = clock.wrap("replay sample", model.replay_buffer.sample)
        model.train = clock.wrap("train", model.train)
        model.learn(args.total)
        loop_end = time.perf_counter(), time.process_time()
    for kind in ("wall", "cpu"):  # train() = sample + update
        spent = getattr(clock, kind)
        spent["update"] = spent.pop("train") - spent["replay sample"]
    return Run(timer, clock, loop_end)


def cleanrl_run(args, seed: int) -> Run:
    clock = Clock()
    sample = clock.wrap("replay sample", SB3ReplayBuffer.__dict__["sample"])
    sampled = [0.0, 0.0]  # when the last sample ended: the inline update starts there

    def sample_and_mark(*a, **kw):
        batch = sample(*a, **kw)
        sampled[:] = time.perf_counter(), time.process_time()
        return batch

    def update_done(optimizer, a, kw):
        clock.wall["update"] += time.perf_counter() - sampled[0]
        clock.cpu["update"] += time.process_time() - sampled[1]

    timed = [(gym.vector.SyncVectorEnv, "step", clock.wrap("env step", gym.vector.SyncVectorEnv.__dict__["step"])),
             (SB3ReplayBuffer, "add", clock.wrap("replay add", SB3ReplayBuffer.__dict__["add"])),
             (SB3ReplayBuffer, "sample", sample_and_mark)]
    hook = register_optimizer_step_post_hook(update_done)
    try:
        with patched(*timed), tempfile.TemporaryDirectory() as log_dir:
            with Timer() as timer:
                cleanrl_dqn_atari.train(log_dir, seed=seed, env_id="PongNoFrameskip-v4", total_timesteps=args.total,
                                        buffer_size=10_000, learning_starts=args.learning_starts,
                                        exploration_fraction=EPS_DECAY_STEPS / args.total)
                loop_end = time.perf_counter(), time.process_time()
    finally:
        hook.remove()
    return Run(timer, clock, loop_end)


def spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def report(args, runs: dict[str, list[Run]]) -> None:
    total = args.total
    print("| library | steps/s (wall) | steps/CPU-s |")
    print("|---|---:|---:|")
    for lib in LIBRARIES:
        print(f"| {lib} | {spread([total / r.wall for r in runs[lib]], ',.1f')} | "
              f"{spread([total / r.cpu for r in runs[lib]], ',.1f')} |")
    for peer in ("SB3", "CleanRL"):
        pairs = list(zip(runs["qlab"], runs[peer]))
        print(f"| qlab / {peer} (round by round) | {spread([p.wall / q.wall for q, p in pairs], '.2f')} | "
              f"{spread([p.cpu / q.cpu for q, p in pairs], '.2f')} |")

    per_step = 1e6 / total
    print("\nWhere the time goes: CPU µs per environment step, median over the rounds "
          "(sample and update: their total over the run / environment steps)\n")
    print("| phase | " + " | ".join(LIBRARIES) + " |")
    print("|---|" + "---:|" * len(LIBRARIES))
    for name in (*PHASES, "rest"):
        cells = []
        for lib in LIBRARIES:
            measured = lib != "CleanRL" or name != "act"
            cells.append(f"{statistics.median(r.phase('cpu', name) for r in runs[lib]) * per_step:,.0f}"
                         if measured else "in rest")
        label = "rest (book-keeping; CleanRL: and its inline act)" if name == "rest" else name
        print(f"| {label} | " + " | ".join(cells) + " |")
    print("| loop (set-up excluded) | " + " | ".join(
        f"{statistics.median(r.loop['cpu'] for r in runs[lib]) * per_step:,.0f}" for lib in LIBRARIES) + " |")
    for kind in ("cpu", "wall"):
        fractions = {lib: [(r.phase(kind, "replay sample") + r.phase(kind, "update")) / r.loop[kind] for r in runs[lib]]
                     for lib in LIBRARIES}
        print(f"| updates alone (sample + update) / loop, {kind} | "
              + " | ".join(spread(fractions[lib], ".0%") for lib in LIBRARIES) + " |")
    ceiling = {lib: [total / (r.phase("cpu", "replay sample") + r.phase("cpu", "update")) for r in runs[lib]]
               for lib in LIBRARIES}
    print("| ceiling: steps/CPU-s of the updates alone | "
          + " | ".join(spread(ceiling[lib], ",.0f") for lib in LIBRARIES) + " |")

    print("\nThe most qlab / peer could reach (CPU): qlab's updates alone against the peer's whole loop; "
          "and the ratio of the update costs (sample + update) alone\n")
    print("| peer | qlab ceiling / peer loop | peer update cost / qlab update cost |")
    print("|---|---:|---:|")
    for peer in ("SB3", "CleanRL"):
        pairs = list(zip(runs["qlab"], runs[peer]))
        best = [p.loop["cpu"] / (q.phase("cpu", "replay sample") + q.phase("cpu", "update")) for q, p in pairs]
        costs = [(p.phase("cpu", "replay sample") + p.phase("cpu", "update"))
                 / (q.phase("cpu", "replay sample") + q.phase("cpu", "update")) for q, p in pairs]
        print(f"| {peer} | {spread(best, '.2f')} | {spread(costs, '.2f')} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=2_500)
    parser.add_argument("--learning-starts", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    run = {"qlab": qlab_run, "SB3": sb3_run, "CleanRL": cleanrl_run}
    warm_up = argparse.Namespace(**dict(vars(args), total=args.learning_starts + 100))
    for lib in LIBRARIES:  # one-time costs (imports, the first optimizer's, oneDNN's kernels) land here, untimed
        run[lib](warm_up, 0)
    runs: dict[str, list[Run]] = {lib: [] for lib in LIBRARIES}
    for repeat in range(args.repeats):
        for lib in LIBRARIES:
            runs[lib].append(run[lib](args, repeat))
    load = os.getloadavg()
    print(f"## Atari DQN, Pong, CPU: env steps/s, {args.total} steps ({args.learning_starts} warm-up), train every "
          f"{TRAIN_EVERY}, batch 32, torch threads {args.threads}, {args.repeats} interleaved rounds (median, "
          f"min–max), load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    report(args, runs)


if __name__ == "__main__":
    main()
