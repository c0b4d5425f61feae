"""DQN on CartPole-v1: qlab beside its peers in one process, same settings and seeds.

Three measurements:

0. ``peers``: environment steps per second of qlab, CleanRL's ``dqn.py`` (the faithful local
   re-implementation in ``cleanrl_dqn.py``: CleanRL cannot be pip-installed) and
   Stable-Baselines3, all at CleanRL's published CartPole hyper-parameters (buffer 10k,
   learning starts 10k, one update of batch 128 every 10 steps, target copy every 500 steps,
   Adam 2.5e-4, MLP 120-84, ε 1 → 0.05 over half the run, MSE loss), each writing its
   TensorBoard logs, interleaved (qlab, CleanRL, SB3, qlab, ...), 1 torch thread; medians and
   spreads of wall-clock and of process CPU time. SB3 differs where it cannot be told
   otherwise: Huber loss, and its gradient-norm clip (set to 1e9, so it computes the norm but
   never clips).

1. ``speed``: environment steps per second, training included, at one fixed setting
   (buffer 10k, learning starts 10k, one update every 10 steps, batch 128, hard target
   update every 500 steps, Adam 2.5e-4, MLP 120-84, Huber loss, grad-norm clip 10), with one
   environment and with ``--num-envs`` environments (same replay ratio: one update per 10
   transitions). Median of ``--repeats`` runs.
2. ``solve``: environment steps until the mean return of 10 greedy evaluation episodes
   (every 1000 steps) reaches 475; qlab with its tuned defaults (DQNConfig()), SB3 with the
   rl-zoo CartPole hyper-parameters. Median over ``--seeds`` seeds, budget ``--budget``.

    python benchmarks/bench_dqn.py peers --repeats 5 --total 20000
    python benchmarks/bench_dqn.py                      # speed and solve
    python benchmarks/bench_dqn.py speed --repeats 3
    python benchmarks/bench_dqn.py solve --seeds 5 --budget 50000
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads OpenBLAS

import cleanrl_dqn  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from qlab.train import DQNConfig, train_dqn  # noqa: E402

SPEED = dict(buffer_size=10_000, learning_starts=10_000, train_every=10, batch_size=128, lr=2.5e-4,
             hidden=(120, 84), gamma=0.99, eps_start=1.0, eps_end=0.05, max_grad_norm=10.0)


class Timer:
    """Wall-clock and process CPU time of a block; the CPU figure is less sensitive to other
    processes competing for the same cores. Both libraries are timed from construction (envs,
    networks, buffer) to the end of training."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall, self.cpu = time.perf_counter() - self.wall, time.process_time() - self.cpu

    def rates(self, steps: int) -> tuple[float, float]:
        return steps / self.wall, steps / self.cpu


def qlab_speed(total: int, num_envs: int, seed: int) -> tuple[float, float]:
    config = DQNConfig(total_steps=total, num_envs=num_envs, seed=seed, double=False, n_step=1, loss="huber",
                       target_update="hard", target_update_every=500 // SPEED["train_every"],
                       eps_decay_steps=int(0.1 * total), eval_every=0, out=None, progress=False, **SPEED)
    with Timer() as timer:
        train_dqn(config)
    return timer.rates(total)


def sb3_speed(total: int, num_envs: int, seed: int) -> tuple[float, float]:
    from stable_baselines3 import DQN
    from stable_baselines3.common.env_util import make_vec_env

    with Timer() as timer:  # construction included, as for qlab
        env = make_vec_env("CartPole-v1", n_envs=num_envs, seed=seed)
        model = DQN("MlpPolicy", env, learning_rate=SPEED["lr"], buffer_size=SPEED["buffer_size"],
                    learning_starts=SPEED["learning_starts"], batch_size=SPEED["batch_size"], gamma=SPEED["gamma"],
                    train_freq=SPEED["train_every"] // num_envs if num_envs > 1 else SPEED["train_every"],
                    gradient_steps=1, target_update_interval=500, exploration_fraction=0.1,
                    exploration_initial_eps=1.0, exploration_final_eps=0.05, max_grad_norm=10.0,
                    policy_kwargs=dict(net_arch=list(SPEED["hidden"])), seed=seed, device="cpu")
        model.learn(total)
    return timer.rates(total)


def speed(args) -> None:
    print(f"## DQN CartPole-v1 speed: env steps/s incl. training, {args.total} steps, "
          f"median of {args.repeats}, torch threads {torch.get_num_threads()}\n")
    print("| setting | qlab steps/s (wall) | SB3 steps/s (wall) | ratio | qlab steps/CPU-s | SB3 steps/CPU-s | ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for num_envs in (1, args.num_envs):
        runs = {"qlab": [], "sb3": []}
        for repeat in range(args.repeats):  # interleaved, so that changes in load hit both alike
            runs["qlab"].append(qlab_speed(args.total, num_envs, seed=repeat))
            runs["sb3"].append(sb3_speed(args.total, num_envs, seed=repeat))
        (q_wall, q_cpu), (s_wall, s_cpu) = (
            tuple(statistics.median(r[i] for r in runs[lib]) for i in (0, 1)) for lib in ("qlab", "sb3"))
        label = f"{num_envs} env{'s' if num_envs > 1 else ''}"
        print(f"| {label} | {q_wall:,.0f} | {s_wall:,.0f} | {q_wall / s_wall:.2f} "
              f"| {q_cpu:,.0f} | {s_cpu:,.0f} | {q_cpu / s_cpu:.2f} |", flush=True)


def peers_qlab(total: int, seed: int, log_dir: str) -> None:
    c = cleanrl_dqn.CARTPOLE
    train_dqn(DQNConfig(total_steps=total, seed=seed, buffer_size=c["buffer_size"],
                        learning_starts=c["learning_starts"], train_every=c["train_frequency"],
                        batch_size=c["batch_size"], lr=c["learning_rate"], hidden=(120, 84), gamma=c["gamma"],
                        double=False, n_step=1, loss="mse", target_update="hard",
                        target_update_every=c["target_network_frequency"] // c["train_frequency"], max_grad_norm=None,
                        eps_start=c["start_e"], eps_end=c["end_e"],
                        eps_decay_steps=int(c["exploration_fraction"] * total), eval_every=0, out=log_dir,
                        progress=False))


def peers_cleanrl(total: int, seed: int, log_dir: str) -> None:
    cleanrl_dqn.train(log_dir, seed=seed, total_timesteps=total)


def peers_sb3(total: int, seed: int, log_dir: str) -> None:
    from stable_baselines3 import DQN

    c = cleanrl_dqn.CARTPOLE
    env = gym.make("CartPole-v1")
    model = DQN("MlpPolicy", env, learning_rate=c["learning_rate"], buffer_size=c["buffer_size"],
                learning_starts=c["learning_starts"], batch_size=c["batch_size"], gamma=c["gamma"],
                train_freq=c["train_frequency"], gradient_steps=1, target_update_interval=c["target_network_frequency"],
                exploration_fraction=c["exploration_fraction"], exploration_initial_eps=c["start_e"],
                exploration_final_eps=c["end_e"], max_grad_norm=1e9, policy_kwargs=dict(net_arch=[120, 84]),
                tensorboard_log=log_dir, seed=seed, device="cpu")
    model.learn(total)


def peers(args) -> None:
    runs = {"qlab": [], "CleanRL": [], "SB3": []}
    run_fns = {"qlab": peers_qlab, "CleanRL": peers_cleanrl, "SB3": peers_sb3}
    for name, run in run_fns.items():  # warm-up: first calls of torch, gymnasium, tensorboard
        with tempfile.TemporaryDirectory() as log_dir:
            run(1_000, 0, log_dir)
    for repeat in range(args.repeats):  # interleaved, so that changes in load hit all alike
        for name, run in run_fns.items():
            with tempfile.TemporaryDirectory() as log_dir, Timer() as timer:
                run(args.total, repeat + 1, log_dir)
            runs[name].append(timer.rates(args.total))
    load = os.getloadavg()
    print(f"## DQN CartPole-v1 at CleanRL's hyper-parameters: env steps/s incl. training, {args.total} steps, "
          f"median (min–max) of {args.repeats} interleaved repeats, torch threads {torch.get_num_threads()}, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    print("| library | steps/s (wall) | qlab ÷ it | steps/CPU-s | qlab ÷ it |")
    print("|---|---:|---:|---:|---:|")
    medians = {name: [statistics.median(r[i] for r in rates) for i in (0, 1)] for name, rates in runs.items()}
    for name, rates in runs.items():
        cells = []
        for i in (0, 1):
            values = [r[i] for r in rates]
            cells.append(f"{medians[name][i]:,.0f} ({min(values):,.0f}–{max(values):,.0f})")
            cells.append(f"{medians['qlab'][i] / medians[name][i]:.2f}")
        print(f"| {name} | " + " | ".join(cells) + " |", flush=True)


def qlab_solve(seed: int, budget: int) -> int | None:
    result = train_dqn(DQNConfig(total_steps=budget, seed=seed, eval_every=1_000, eval_episodes=10,
                                 stop_at_return=475.0, out=None, progress=False))
    return result.eval_steps[-1] if result.eval_returns[-1] >= 475 else None


def sb3_solve(seed: int, budget: int) -> int | None:
    from stable_baselines3 import DQN
    from stable_baselines3.common.callbacks import EvalCallback, StopTrainingOnRewardThreshold

    model = DQN("MlpPolicy", gym.make("CartPole-v1"), learning_rate=2.3e-3, batch_size=64, buffer_size=100_000,
                learning_starts=1_000, gamma=0.99, target_update_interval=10, train_freq=256, gradient_steps=128,
                exploration_fraction=0.16, exploration_final_eps=0.04, policy_kwargs=dict(net_arch=[256, 256]),
                seed=seed, device="cpu")
    stop = StopTrainingOnRewardThreshold(reward_threshold=475, verbose=0)
    evaluation = EvalCallback(gym.make("CartPole-v1"), n_eval_episodes=10, eval_freq=1_000, deterministic=True,
                              callback_on_new_best=stop, verbose=0)
    model.learn(budget, callback=evaluation)
    solved = evaluation.best_mean_reward >= 475
    return model.num_timesteps if solved else None


def solve(args) -> None:
    print(f"## DQN CartPole-v1 steps to a mean greedy return >= 475 (10 episodes every 1000 steps), "
          f"budget {args.budget}, seeds 0..{args.seeds - 1}\n")
    print("| library | steps per seed | median |")
    print("|---|---|---:|")
    for name, run in (("qlab (DQNConfig defaults)", qlab_solve), ("SB3 (rl-zoo CartPole)", sb3_solve)):
        steps = [run(seed, args.budget) for seed in range(args.seeds)]
        solved = sorted(s if s is not None else np.inf for s in steps)
        median = solved[len(solved) // 2]
        shown = ", ".join(str(s) if s is not None else f">{args.budget}" for s in steps)
        print(f"| {name} | {shown} | {median if np.isfinite(median) else f'>{args.budget}'} |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["peers", "speed", "solve", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=50_000, help="steps per speed run")
    parser.add_argument("--num-envs", type=int, default=5, help="the vectorised speed setting (divides 10)")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=50_000)
    parser.add_argument("--threads", type=int, default=1, help="torch.set_num_threads for both libraries")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import stable_baselines3  # noqa: F401  (imports are not part of any timing)
    if args.what == "peers":
        peers(args)
    if args.what in ("speed", "all"):
        speed(args)
    if args.what in ("solve", "all"):
        solve(args)


if __name__ == "__main__":
    main()
