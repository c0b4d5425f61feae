"""DDPG on Pendulum-v1: qlab beside Stable-Baselines3 in one process, same settings and seeds.

Settings for both: actor and critic MLP 256-256, batch 256, one update per environment step,
Adam 1e-3, τ = 0.005, γ = 0.99, Gaussian exploration noise σ = 0.1 (of the action half-width),
1000 uniform-random warm-up steps, buffer 200k, torch threads 1.

1. ``speed``: environment steps per second (training included) over ``--total`` steps,
   median of ``--repeats`` interleaved runs.
2. ``return``: mean return of 10 greedy evaluation episodes (the same evaluation code and
   seeds for both) after ``--return-steps`` steps, for each of ``--seeds`` seeds.

    python benchmarks/bench_ddpg.py                 # both
    python benchmarks/bench_ddpg.py speed --repeats 3 --total 3000
    python benchmarks/bench_ddpg.py return --return-steps 20000 --seeds 1
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
import torch
from bench_dqn import Timer

from qlab.train import DDPGConfig, evaluate, train_ddpg

SETTINGS = dict(hidden=(256, 256), batch_size=256, actor_lr=1e-3, critic_lr=1e-3, tau=0.005, gamma=0.99,
                exploration_noise=0.1, learning_starts=1_000, buffer_size=200_000)
EVAL_SEED = 10_000


def qlab_run(total: int, seed: int):
    config = DDPGConfig(total_steps=total, seed=seed, eval_every=0, out=None, progress=False, **SETTINGS)
    with Timer() as timer:
        agent = train_ddpg(config).agent
    return timer.rates(total), lambda obs: agent.act(obs, noise=False)


def sb3_run(total: int, seed: int):
    import gymnasium as gym
    from stable_baselines3 import DDPG
    from stable_baselines3.common.noise import NormalActionNoise

    with Timer() as timer:  # construction included, as for qlab
        model = DDPG("MlpPolicy", gym.make("Pendulum-v1"), learning_rate=SETTINGS["actor_lr"],
                     buffer_size=SETTINGS["buffer_size"], learning_starts=SETTINGS["learning_starts"],
                     batch_size=SETTINGS["batch_size"], tau=SETTINGS["tau"], gamma=SETTINGS["gamma"], train_freq=1,
                     gradient_steps=1, action_noise=NormalActionNoise(np.zeros(1), SETTINGS["exploration_noise"] * np.ones(1)),
                     policy_kwargs=dict(net_arch=list(SETTINGS["hidden"])), seed=seed, device="cpu")
        model.learn(total)
    return timer.rates(total), lambda obs: model.predict(obs, deterministic=True)[0]


def speed(args) -> None:
    print(f"## DDPG Pendulum-v1 speed: env steps/s incl. one update per step, {args.total} steps "
          f"({args.total - SETTINGS['learning_starts']} with updates), median of {args.repeats}\n")
    print("| library | steps/s (wall) | steps/CPU-s |")
    print("|---|---:|---:|")
    runs = {"qlab": [], "SB3": []}
    for repeat in range(args.repeats):
        runs["qlab"].append(qlab_run(args.total, repeat)[0])
        runs["SB3"].append(sb3_run(args.total, repeat)[0])
    medians = {lib: [statistics.median(r[i] for r in rates) for i in (0, 1)] for lib, rates in runs.items()}
    for lib, (wall, cpu) in medians.items():
        print(f"| {lib} | {wall:,.0f} | {cpu:,.0f} |")
    print(f"| qlab / SB3 | {medians['qlab'][0] / medians['SB3'][0]:.2f} | {medians['qlab'][1] / medians['SB3'][1]:.2f} |",
          flush=True)


def final_return(args) -> None:
    print(f"\n## DDPG Pendulum-v1 mean greedy return (10 episodes) after {args.return_steps} steps\n")
    print("| library | " + " | ".join(f"seed {s}" for s in range(args.seeds)) + " |")
    print("|---|" + "---:|" * args.seeds)
    for lib, run in (("qlab", qlab_run), ("SB3", sb3_run)):
        returns = [evaluate(run(args.return_steps, seed)[1], "Pendulum-v1", 10, EVAL_SEED).mean()
                   for seed in range(args.seeds)]
        print(f"| {lib} | " + " | ".join(f"{r:.0f}" for r in returns) + " |", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", nargs="?", choices=["speed", "return", "all"], default="all")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=3_000)
    parser.add_argument("--return-steps", type=int, default=20_000)
    parser.add_argument("--seeds", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(1)
    import stable_baselines3  # noqa: F401  (imports are not part of any timing)
    if args.what in ("speed", "all"):
        speed(args)
    if args.what in ("return", "all"):
        final_return(args)


if __name__ == "__main__":
    main()
