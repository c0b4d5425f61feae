"""The Nature CNN's memory layout: channels-first (NCHW, qlab before issue 17) against
channels-last (NHWC, qlab's ``NatureCNN`` now), interleaved A/B in one process.

1. One ``DQN.update`` on a fixed batch of 32 random frame stacks (Huber loss, gradient clip 10,
   fused Adam), ms per update (process CPU time; wall-clock on a GPU): ``--rounds`` rounds of
   ``--updates`` updates, the two layouts in turn.
2. The whole loop: ``train_dqn`` on ``ALE/Pong-v5`` at ``bench_atari_dqn.py``'s settings,
   environment steps per second (wall and CPU), ``--loop-rounds`` rounds, the order of the two
   alternating, after an untimed warm-up of each (``--loop-rounds 0`` skips it).

Ratios are after / before, round by round (median, min–max). Same arithmetic in both; the
layouts round differently (~1e-8 in Q).

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_atari_layout.py --rounds 12 --updates 8 --loop-rounds 4
    python benchmarks/bench_atari_layout.py --device cuda --threads 4 --loop-rounds 0   # on a GPU
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import torch  # noqa: E402

import qlab.train.dqn as qlab_dqn  # noqa: E402
from qlab.agents.dqn import DQN  # noqa: E402
from qlab.networks import NatureCNN  # noqa: E402
from qlab.replay import Batch  # noqa: E402
from qlab.train import DQNConfig, train_dqn  # noqa: E402


class ChannelsFirstNatureCNN(NatureCNN):
    """qlab's Nature CNN as it was before issue 17: filters and input channels-first (NCHW)
    (its input checks, a few µs, left out)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.features.to(memory_format=torch.contiguous_format)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(frames.float() / 255.0))


LAYOUTS = {"channels-first (before)": ChannelsFirstNatureCNN, "channels-last (after)": NatureCNN}


def random_batch(device: str, size: int = 32, n_actions: int = 6) -> Batch:
    g = torch.Generator().manual_seed(0)
    frames = lambda: torch.randint(0, 256, (size, 4, 84, 84), dtype=torch.uint8, generator=g)  # noqa: E731
    batch = Batch(obs=frames(), actions=torch.randint(0, n_actions, (size,), generator=g),
                  rewards=torch.randn(size, generator=g), next_obs=frames(), terminated=torch.zeros(size),
                  discounts=torch.full((size,), 0.99), weights=torch.ones(size), indices=torch.arange(size))
    return Batch(*(field.to(device) for field in batch))


def update_ms(args) -> dict[str, list[float]]:
    """ms per update (CPU time on the CPU, wall-clock on a GPU), one figure per round, per layout."""
    clock = time.process_time if args.device == "cpu" else time.perf_counter
    batch = random_batch(args.device)
    agents = {}
    for name, network in LAYOUTS.items():
        torch.manual_seed(0)
        agents[name] = DQN(network(6, device=args.device), 6, lr=1e-4, double=False, target_update_every=250,
                           device=args.device)
        agents[name].update(batch)  # first-call costs
    times = {name: [] for name in LAYOUTS}
    for _ in range(args.rounds):
        for name, agent in agents.items():
            start = clock()
            for _ in range(args.updates):
                agent.update(batch)
            if args.device != "cpu":
                torch.cuda.synchronize()
            times[name].append((clock() - start) / args.updates * 1e3)
    return times


def loop_rates(args, network: type[NatureCNN], seed: int, total: int) -> tuple[float, float]:
    """``train_dqn`` with ``network`` as the Nature CNN: steps per second, wall and CPU."""
    config = DQNConfig(env_id="ALE/Pong-v5", total_steps=total, seed=seed, buffer_size=10_000,
                       learning_starts=args.learning_starts, train_every=4, batch_size=32, lr=1e-4, double=False,
                       n_step=1, target_update="hard", target_update_every=250, eps_decay_steps=100_000, eps_end=0.01,
                       eval_every=0, out=None, progress=False, device=args.device)
    original, qlab_dqn.NatureCNN = qlab_dqn.NatureCNN, network
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        train_dqn(config)
        return total / (time.perf_counter() - wall), total / (time.process_time() - cpu)
    finally:
        qlab_dqn.NatureCNN = original


def spread(values: list[float], fmt: str) -> str:
    return f"{statistics.median(values):{fmt}} ({min(values):{fmt}}–{max(values):{fmt}})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--updates", type=int, default=8)
    parser.add_argument("--loop-rounds", type=int, default=4)
    parser.add_argument("--total", type=int, default=2_500)
    parser.add_argument("--learning-starts", type=int, default=500)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    before, after = LAYOUTS
    load = os.getloadavg()
    print(f"## Nature CNN layout A/B on {args.device}, torch threads {args.threads}, "
          f"load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")

    times = update_ms(args)
    kind = "CPU" if args.device == "cpu" else "wall-clock"
    print(f"One update, batch 32, ms of {kind}, {args.rounds} rounds × {args.updates} updates\n")
    print("| layout | ms / update |\n|---|---:|")
    for name, values in times.items():
        print(f"| {name} | {spread(values, '.2f')} |")
    print(f"| **after / before speed** | {spread([b / a for b, a in zip(times[before], times[after])], '.3f')} |")

    if args.loop_rounds:
        for network in LAYOUTS.values():
            loop_rates(args, network, 0, args.learning_starts + 100)
        rates = {name: [] for name in LAYOUTS}
        for round_ in range(args.loop_rounds):
            order = list(LAYOUTS) if round_ % 2 == 0 else list(LAYOUTS)[::-1]
            for name in order:
                rates[name].append(loop_rates(args, LAYOUTS[name], round_, args.total))
        print(f"\nWhole loop, ALE/Pong-v5, {args.total} steps ({args.learning_starts} warm-up), "
              f"{args.loop_rounds} rounds, steps/s\n")
        print("| layout | wall | CPU |\n|---|---:|---:|")
        for name, values in rates.items():
            print(f"| {name} | {spread([w for w, _ in values], ',.1f')} | {spread([c for _, c in values], ',.1f')} |")
        ratios = [[a[i] / b[i] for a, b in zip(rates[after], rates[before])] for i in (0, 1)]
        print(f"| **after / before** | {spread(ratios[0], '.3f')} | {spread(ratios[1], '.3f')} |")


if __name__ == "__main__":
    main()
