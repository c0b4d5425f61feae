"""Replay buffers: qlab against Stable-Baselines3's ReplayBuffer, side by side in one run.

Measures
  - Atari memory: bytes allocated per stored transition (qlab frame sharing vs SB3, with and
    without ``optimize_memory_usage``), and per transition actually held for Breakout- and
    Pong-like episode lengths (qlab spends one slot per episode on its final frame);
  - Atari sampling: batches/s at batch 32, qlab at 1M capacity and both at a common capacity
    SB3 can allocate here (SB3 keeps 4 frames per slot: 28 GB at 1M);
  - CartPole shapes: add() cost in µs and sample() batches/s at batch 128.
The machine's load average is printed with the results: other work on it slows every figure.

Each figure is the median of ``--repeats`` wall-clock runs, qlab and SB3 interleaved so they
share whatever else the machine is doing. The Atari buffers are filled through their real
``add`` path with synthetic 84x84 frames (a pool of random frames, 1000-step episodes).

    python benchmarks/bench_replay.py [--repeats 5] [--atari-capacity 1000000] [--common-capacity 100000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings

import gymnasium as gym
import numpy as np
from stable_baselines3.common.buffers import ReplayBuffer as SB3ReplayBuffer

from qlab.replay import AtariReplayBuffer, ReplayBuffer

FRAME = 84 * 84
EPISODE = 1000


def median_time(fn, calls: int, repeats: int) -> float:
    """Median over ``repeats`` of the mean wall-clock seconds per call."""
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        runs.append((time.perf_counter() - start) / calls)
    return statistics.median(runs)


def episode_stacks(rng: np.random.Generator) -> np.ndarray:
    """(EPISODE + 4, 84, 84) frames whose windows [t : t+4] are an episode's stacks, reset-padded."""
    pool = rng.integers(0, 256, (64, 84, 84), dtype=np.uint8)
    frames = pool[np.arange(EPISODE + 1) % len(pool)]
    return np.concatenate([np.repeat(frames[:1], 3, axis=0), frames])


def fill_qlab_atari(buf: AtariReplayBuffer, frames: np.ndarray) -> None:
    for t in range(buf.capacity):  # capacity steps + one final-frame slot per episode: the ring wraps
        step = t % EPISODE
        buf.add(frames[step : step + 4], step % 4, 1.0, frames[step + 1 : step + 5], False, step == EPISODE - 1)


def fill_sb3_atari(buf: SB3ReplayBuffer, frames: np.ndarray) -> None:
    for t in range(buf.buffer_size):
        step = t % EPISODE
        buf.add(frames[None, step : step + 4], frames[None, step + 1 : step + 5], np.array([step % 4]),
                np.array([1.0]), np.array([step == EPISODE - 1]), [{"TimeLimit.truncated": step == EPISODE - 1}])


def sb3_atari(capacity: int, optimize: bool) -> SB3ReplayBuffer:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SB3 warns when a buffer would not fit in RAM; we only count its bytes
        return SB3ReplayBuffer(capacity, gym.spaces.Box(0, 255, (4, 84, 84), np.uint8), gym.spaces.Discrete(6),
                               device="cpu", optimize_memory_usage=optimize, handle_timeout_termination=not optimize)


def sb3_bytes(buf: SB3ReplayBuffer) -> float:
    arrays = [buf.observations, buf.actions, buf.rewards, buf.dones, buf.timeouts]
    if not buf.optimize_memory_usage:
        arrays.append(buf.next_observations)
    return sum(a.nbytes for a in arrays) / buf.buffer_size


def atari_memory() -> dict:
    qlab = AtariReplayBuffer(100_000)
    per_slot = qlab.bytes_per_transition()
    return {
        "atari_bytes_per_transition_qlab": per_slot,
        "atari_bytes_per_transition_qlab_breakout_lives": per_slot * 23 / 22,  # ~22-step lives: 1 extra slot each
        "atari_bytes_per_transition_qlab_pong": per_slot * 901 / 900,
        "atari_bytes_per_transition_sb3_optimized": sb3_bytes(sb3_atari(10_000, True)),
        "atari_bytes_per_transition_sb3": sb3_bytes(sb3_atari(10_000, False)),
    }


def atari_sampling(capacity: int, common: int, repeats: int) -> dict:
    frames = episode_stacks(np.random.default_rng(0))
    out = {}
    big = AtariReplayBuffer(capacity, seed=0)
    start = time.perf_counter()
    fill_qlab_atari(big, frames)
    out["atari_fill_seconds_qlab"] = time.perf_counter() - start
    out["atari_big_capacity"] = capacity
    out["atari_big_len_qlab"] = len(big)
    out["atari_sample_batches_per_s_qlab_big"] = 1 / median_time(lambda: big.sample(32), 2000, repeats)
    # the floor: only the memory gather of 32 runs of 5 consecutive frames (obs and next_obs share 3)
    rng, run = np.random.default_rng(1), np.arange(5)
    out["atari_gather_only_batches_per_s_big"] = 1 / median_time(
        lambda: big.frames[rng.integers(0, big.capacity - 5, 32)[:, None] + run], 2000, repeats
    )
    del big
    qlab, sb3 = AtariReplayBuffer(common, seed=0), sb3_atari(common, True)
    fill_qlab_atari(qlab, frames)
    fill_sb3_atari(sb3, frames)
    times = {"qlab": [], "sb3": []}
    for _ in range(repeats):
        times["qlab"].append(median_time(lambda: qlab.sample(32), 1000, 1))
        times["sb3"].append(median_time(lambda: sb3.sample(32), 1000, 1))
    out["atari_common_capacity"] = common
    out["atari_sample_batches_per_s_qlab_common"] = 1 / statistics.median(times["qlab"])
    out["atari_sample_batches_per_s_sb3_optimized_common"] = 1 / statistics.median(times["sb3"])
    return out


def cartpole(repeats: int) -> dict:
    space = gym.spaces.Box(-np.inf, np.inf, (4,), np.float32)
    qlab = ReplayBuffer(100_000, (4,), seed=0)
    sb3 = SB3ReplayBuffer(100_000, space, gym.spaces.Discrete(2), device="cpu")
    obs, obs1 = np.zeros(4, np.float32), np.zeros((1, 4), np.float32)
    act, rew, done, infos = np.array([1]), np.array([1.0]), np.array([False]), [{}]
    add = {"qlab": [], "sb3": []}
    sample = {"qlab": [], "sb3": []}
    for _ in range(repeats):
        add["qlab"].append(median_time(lambda: qlab.add(obs, 1, 1.0, obs, False, False), 50_000, 1))
        add["sb3"].append(median_time(lambda: sb3.add(obs1, obs1, act, rew, done, infos), 50_000, 1))
        sample["qlab"].append(median_time(lambda: qlab.sample(128), 5_000, 1))
        sample["sb3"].append(median_time(lambda: sb3.sample(128), 5_000, 1))
    return {
        "cartpole_add_us_qlab": 1e6 * statistics.median(add["qlab"]),
        "cartpole_add_us_sb3": 1e6 * statistics.median(add["sb3"]),
        "cartpole_sample128_batches_per_s_qlab": 1 / statistics.median(sample["qlab"]),
        "cartpole_sample128_batches_per_s_sb3": 1 / statistics.median(sample["sb3"]),
    }


def main(repeats: int = 5, atari_capacity: int = 1_000_000, common_capacity: int = 100_000) -> dict:
    results = {**atari_memory(), **cartpole(repeats), **atari_sampling(atari_capacity, common_capacity, repeats)}
    results["ratio_atari_memory_sb3_optimized_over_qlab"] = (
        results["atari_bytes_per_transition_sb3_optimized"] / results["atari_bytes_per_transition_qlab"]
    )
    results["ratio_atari_sample_qlab_over_sb3"] = (
        results["atari_sample_batches_per_s_qlab_common"] / results["atari_sample_batches_per_s_sb3_optimized_common"]
    )
    results["ratio_cartpole_add_sb3_over_qlab"] = results["cartpole_add_us_sb3"] / results["cartpole_add_us_qlab"]
    results["ratio_cartpole_sample_qlab_over_sb3"] = (
        results["cartpole_sample128_batches_per_s_qlab"] / results["cartpole_sample128_batches_per_s_sb3"]
    )
    results["atari_bytes_goal"] = 1.05 * FRAME
    results["load_average_1min"] = os.getloadavg()[0]
    for name, value in results.items():
        print(f"{name:55s} {value:14.2f}" if isinstance(value, float) else f"{name:55s} {value:14d}")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--atari-capacity", type=int, default=1_000_000)
    parser.add_argument("--common-capacity", type=int, default=100_000)
    args = parser.parse_args()
    main(args.repeats, args.atari_capacity, args.common_capacity)
