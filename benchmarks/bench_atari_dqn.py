"""Atari DQN (Pong) on CPU: qlab beside Stable-Baselines3 in one process, same settings.

Both: Nature CNN, batch 32, one update every 4 environment steps (each = 4 frames), Adam 1e-4,
replay 10k transitions, hard target update every 1000 steps, ε decaying over 100k steps (so
about 1 during this short run: most actions skip the forward pass in both libraries), the
standard DQN preprocessing (84x84 grey, 4-frame stack, no-op starts, life loss terminal,
reward clipping), torch threads ``--threads``. Environment steps per second over ``--total``
steps, of which the last ``--total - --learning-starts`` train; median of ``--repeats``.

    python benchmarks/bench_atari_dqn.py --repeats 3 --total 2500 --learning-starts 500
"""

from __future__ import annotations

import argparse
import statistics

import torch
from bench_dqn import Timer

from qlab.train import DQNConfig, train_dqn


def qlab_run(args, seed: int):
    config = DQNConfig(env_id="ALE/Pong-v5", total_steps=args.total, seed=seed, buffer_size=10_000,
                       learning_starts=args.learning_starts, train_every=4, batch_size=32, lr=1e-4, double=False,
                       n_step=1, target_update="hard", target_update_every=250, eps_decay_steps=100_000,
                       eps_end=0.01, eval_every=0, out=None, progress=False)
    with Timer() as timer:
        train_dqn(config)
    return timer.rates(args.total)


def sb3_run(args, seed: int):
    import ale_py
    import gymnasium as gym
    from stable_baselines3 import DQN
    from stable_baselines3.common.env_util import make_atari_env
    from stable_baselines3.common.vec_env import VecFrameStack

    gym.register_envs(ale_py)
    with Timer() as timer:  # construction included, as for qlab
        env = VecFrameStack(make_atari_env("ALE/Pong-v5", n_envs=1, seed=seed,
                                           env_kwargs=dict(frameskip=1, repeat_action_probability=0.0)), n_stack=4)
        model = DQN("CnnPolicy", env, learning_rate=1e-4, buffer_size=10_000, learning_starts=args.learning_starts,
                    batch_size=32, train_freq=4, gradient_steps=1, target_update_interval=1000,
                    exploration_fraction=100_000 / args.total, exploration_final_eps=0.01, optimize_memory_usage=True,
                    replay_buffer_kwargs=dict(handle_timeout_termination=False), seed=seed, device="cpu")
        model.learn(args.total)
    return timer.rates(args.total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=2_500)
    parser.add_argument("--learning-starts", type=int, default=500)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    import ale_py  # noqa: F401  (imports are not part of any timing)
    import stable_baselines3  # noqa: F401
    print(f"## Atari DQN ALE/Pong-v5 on CPU: env steps/s, {args.total} steps ({args.learning_starts} warm-up), "
          f"train every 4, batch 32, torch threads {args.threads}, median of {args.repeats}\n")
    runs = {"qlab": [], "SB3": []}
    for repeat in range(args.repeats):
        runs["qlab"].append(qlab_run(args, repeat))
        runs["SB3"].append(sb3_run(args, repeat))
    medians = {lib: [statistics.median(r[i] for r in rates) for i in (0, 1)] for lib, rates in runs.items()}
    print("| library | steps/s (wall) | steps/CPU-s |")
    print("|---|---:|---:|")
    for lib, (wall, cpu) in medians.items():
        print(f"| {lib} | {wall:,.1f} | {cpu:,.1f} |")
    print(f"| qlab / SB3 | {medians['qlab'][0] / medians['SB3'][0]:.2f} | {medians['qlab'][1] / medians['SB3'][1]:.2f} |")


if __name__ == "__main__":
    main()
