"""Where qlab's single-environment DQN loop spends its time, phase by phase, beside a loop
built from the best parts (same process, same run, interleaved repeats).

Setting: CleanRL's ``dqn.py`` CartPole-v1 hyper-parameters (buffer 10k, learning starts 10k
scaled to ``--learning-starts``, one update of batch 128 every 10 steps, hard target update
every 500 steps, Adam 2.5e-4, MLP 120-84, MSE loss, no gradient clipping, ε 1 → 0.05 over
half the run), one environment, 1 torch thread.

* **qlab loop**: ``train_dqn`` itself. Its phases are timed by wrapping the five calls the
  loop makes (``agent.act``, ``envs.step``, the replay add, ``buffer.sample``,
  ``agent.update``) with a timer; "book-keeping" is the run's time outside them. The whole
  loop is timed in a separate, unwrapped run.
* **best parts**: the plainest fast version of each phase: the greedy action from the same
  layers computed by numpy (``--best-act numpy``, the default: what qlab's agent does for an
  MLP on the CPU) or a batch-1 torch forward + argmax under ``inference_mode``
  (``--best-act torch``, the issue's definition); the bare CartPole step (``env.unwrapped``, time limit counted by the
  loop); a numpy ring buffer written row by row; ``integers`` + five numpy gathers +
  ``from_numpy``; the update as forward, MSE, backward, fused Adam, hard target copy. The same
  learning as the qlab loop, with nothing else.

Figures are µs per environment step (sample and update: their total over the run divided by
the number of environment steps), medians over ``--repeats`` interleaved repeats, with the
spread (min–max) of the whole-loop figure, for wall-clock and process CPU time.

    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_phases.py --repeats 5
    OPENBLAS_NUM_THREADS=1 python benchmarks/bench_phases.py --isolated   # two parts on their own

``--isolated`` times the single-environment replay add and environment-pool step on their own
(CPU µs per call, best of 5 × 20k calls), to compare two checkouts (``PYTHONPATH``) call by call.
"""

from __future__ import annotations

import argparse
import functools
import os
import statistics
import time
from collections import defaultdict

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

import qlab.train.dqn as qlab_dqn  # noqa: E402
from qlab.agents.dqn import DQN  # noqa: E402
from qlab.networks import MLP  # noqa: E402
from qlab.train import DQNConfig, train_dqn  # noqa: E402
from qlab.train.envs import EnvPool  # noqa: E402

PHASES = ("act", "env step", "replay add", "replay sample", "update")
LABELS = {
    "act": ("ε-greedy action", "batch-1 forward + argmax (torch, inference_mode / numpy: --best-act)"),
    "env step": ("environment step", "bare CartPole step"),
    "replay add": ("replay add", "numpy ring buffer, row writes"),
    "replay sample": ("replay sample, per step", "integers + numpy gathers"),
    "update": ("update (fwd, bwd, Adam, target), per step", "plain update, fused Adam"),
    "book-keeping": ("book-keeping (the rest)", "loop counters, ε schedule"),
    "whole": ("**whole loop**", "**whole loop**"),
}


def cleanrl_config(total: int, learning_starts: int, seed: int, num_envs: int = 1) -> DQNConfig:
    """CleanRL's CartPole hyper-parameters in qlab's terms (target update counted in updates)."""
    return DQNConfig(total_steps=total, seed=seed, num_envs=num_envs, buffer_size=10_000,
                     learning_starts=learning_starts,
                     train_every=10, batch_size=128, lr=2.5e-4, hidden=(120, 84), gamma=0.99, double=False, n_step=1,
                     loss="mse", target_update="hard", target_update_every=500 // 10, max_grad_norm=None,
                     eps_start=1.0, eps_end=0.05, eps_decay_steps=total // 2, eval_every=0, out=None,
                     progress=False, threads=1)


class Clock:
    """Accumulates wall-clock and CPU seconds per phase."""

    def __init__(self):
        self.wall, self.cpu = defaultdict(float), defaultdict(float)
        self.start: tuple[float, float] | None = None  # when the loop began (its first phase call)

    def wrap(self, phase: str, fn):
        wall, cpu, perf, proc = self.wall, self.cpu, time.perf_counter, time.process_time

        def timed(*args, **kwargs):
            w, c = perf(), proc()
            if self.start is None:
                self.start = w, c
            out = fn(*args, **kwargs)
            wall[phase] += perf() - w
            cpu[phase] += proc() - c
            return out

        return timed


def qlab_run(cfg: DQNConfig, clock: Clock | None) -> tuple[float, float]:
    """``train_dqn(cfg)``; with ``clock``, its five phases are timed (class attributes wrapped)."""
    patched = []
    if clock is not None:
        replay_cls = type(qlab_dqn.make_replay_buffer(cfg, (4,)))
        targets = [(DQN, "act", "act"), (EnvPool, "step", "env step"), (replay_cls, "add_batch", "replay add"),
                   (replay_cls, "add", "replay add"), (replay_cls, "sample", "replay sample"),
                   (DQN, "update", "update")]
        for cls, name, phase in targets:
            original = cls.__dict__.get(name)
            if original is None:
                continue
            patched.append((cls, name, original))
            setattr(cls, name, clock.wrap(phase, original))
    try:
        w, c = time.perf_counter(), time.process_time()
        train_dqn(cfg)
        w, c = time.perf_counter() - w, time.process_time() - c
        if clock is not None:  # the loop alone, set-up excluded
            return time.perf_counter() - clock.start[0], time.process_time() - clock.start[1]
        return w, c
    finally:
        for cls, name, original in patched:
            setattr(cls, name, original)


def best_run(cfg: DQNConfig, clock: Clock | None, act_in_numpy: bool = False) -> tuple[float, float]:
    """The same learning from the best parts; phases timed inline when ``clock`` is given.
    ``act_in_numpy``: the greedy action from the network's layers computed by numpy on the
    parameters' memory, instead of a torch forward pass."""
    perf, proc = time.perf_counter, time.process_time
    w0, c0 = perf(), proc()
    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    env = gym.make("CartPole-v1")
    limit = env.spec.max_episode_steps
    env = env.unwrapped
    q_net = MLP(4, 2, hidden=cfg.hidden).net  # the same layers qlab builds, as a plain nn.Sequential
    target_net = MLP(4, 2, hidden=cfg.hidden).net.requires_grad_(False)
    target_net.load_state_dict(q_net.state_dict())
    optimizer = torch.optim.Adam(q_net.parameters(), lr=cfg.lr, fused=True)
    layers = [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in q_net if isinstance(m, torch.nn.Linear)]
    size = cfg.buffer_size
    obs_buf, next_buf = np.zeros((size, 4), np.float32), np.zeros((size, 4), np.float32)
    act_buf, rew_buf, term_buf = np.zeros(size, np.int64), np.zeros(size, np.float32), np.zeros(size, np.float32)
    pos = stored = length = updates = 0
    obs, _ = env.reset(seed=cfg.seed)
    wall, cpu = (clock.wall, clock.cpu) if clock else ({}, {})

    def mark(phase, w, c):
        if clock is not None:
            w2, c2 = perf(), proc()
            wall[phase] += w2 - w
            cpu[phase] += c2 - c
            return w2, c2
        return w, c

    w, c = perf(), proc()
    if clock is not None:
        w0, c0 = w, c  # the loop alone, set-up excluded
    for step in range(1, cfg.total_steps + 1):
        epsilon = max(cfg.eps_end, cfg.eps_start + (cfg.eps_end - cfg.eps_start) * step / cfg.eps_decay_steps)
        if rng.random() < epsilon:
            action = int(rng.integers(2))
        elif act_in_numpy:
            x = obs
            for i, (weight, bias) in enumerate(layers):
                x = weight @ x + bias
                if i < len(layers) - 1:
                    np.maximum(x, 0.0, out=x)
            action = int(x.argmax())
        else:
            with torch.inference_mode():
                action = int(q_net(torch.from_numpy(obs).unsqueeze(0)).argmax())
        w, c = mark("act", w, c)
        next_obs, reward, terminated, _, _ = env.step(action)
        length += 1
        truncated = length == limit
        w, c = mark("env step", w, c)
        obs_buf[pos] = obs
        next_buf[pos] = next_obs
        act_buf[pos] = action
        rew_buf[pos] = reward
        term_buf[pos] = terminated
        pos = (pos + 1) % size
        stored = min(stored + 1, size)
        w, c = mark("replay add", w, c)
        if terminated or truncated:
            next_obs, _ = env.reset()
            length = 0
            w, c = mark("env step", w, c)
        obs = next_obs
        if step > cfg.learning_starts and step % cfg.train_every == 0:
            w, c = mark("book-keeping", w, c)
            idx = rng.integers(0, stored, cfg.batch_size)
            b_obs, b_next = torch.from_numpy(obs_buf[idx]), torch.from_numpy(next_buf[idx])
            b_act, b_rew = torch.from_numpy(act_buf[idx]), torch.from_numpy(rew_buf[idx])
            b_term = torch.from_numpy(term_buf[idx])
            w, c = mark("replay sample", w, c)
            with torch.no_grad():
                target = b_rew + cfg.gamma * (1 - b_term) * target_net(b_next).max(dim=1).values
            q_taken = q_net(b_obs).gather(1, b_act.unsqueeze(1)).squeeze(1)
            loss = F.mse_loss(q_taken, target)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            updates += 1
            if updates % cfg.target_update_every == 0:
                target_net.load_state_dict(q_net.state_dict())
            w, c = mark("update", w, c)
        else:
            w, c = mark("book-keeping", w, c)
    return perf() - w0, proc() - c0


def isolated() -> None:
    from qlab.replay import ReplayBuffer
    from qlab.train.envs import make_env

    def best_of(fn, calls=20_000):
        times = []
        for _ in range(5):
            c = time.process_time()
            for i in range(calls):
                fn(i)
            times.append((time.process_time() - c) / calls * 1e6)
        return min(times)

    buffer = ReplayBuffer(10_000, (4,), seed=0)
    obs, action = np.zeros((1, 4), np.float32), np.array([1])
    reward, flag = np.ones(1, np.float32), np.zeros(1, bool)
    pool = EnvPool(lambda i: make_env("CartPole-v1", seed=i), 1)
    pool.reset(seed=0)
    actions = [np.array([0]), np.array([1])]
    add = best_of(lambda i: buffer.add_batch(obs, action, reward, obs, flag, flag))
    step = best_of(lambda i: pool.step(actions[i & 1]))
    print(f"ReplayBuffer.add_batch, 1 env: {add:.2f} µs; EnvPool.step, 1 CartPole: {step:.2f} µs (CPU, best of 5)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--total", type=int, default=20_000, help="environment steps per run")
    parser.add_argument("--learning-starts", type=int, default=5_000)
    parser.add_argument("--num-envs", type=int, default=1,
                        help="environments of the qlab loop (>1: the vectorised loop, batched action selection, "
                             "still one update per 10 transitions; the best-parts loop stays single-environment)")
    parser.add_argument("--best-act", choices=("torch", "numpy"), default="numpy",
                        help="the best-parts loop's greedy action: a torch forward pass under inference_mode (the "
                             "issue's definition) or the same layers in numpy (the fastest known; what qlab does "
                             "for an MLP on the CPU)")
    parser.add_argument("--isolated", action="store_true", help="time the replay add and pool step on their own")
    args = parser.parse_args()
    if args.isolated:
        return isolated()
    torch.set_num_threads(1)
    runs = {key: [] for key in ("qlab phases", "best phases", "qlab whole", "best whole")}
    best = functools.partial(best_run, act_in_numpy=args.best_act == "numpy")
    for run in (qlab_run, best):  # warm-up: first calls of torch, gymnasium, tqdm
        run(cleanrl_config(1_000, 500, seed=0), None)
    for repeat in range(args.repeats):  # interleaved: a change of load hits every loop alike
        for name, run in (("qlab", qlab_run), ("best", best)):
            cfg = cleanrl_config(args.total, args.learning_starts, seed=repeat + 1,
                                 num_envs=args.num_envs if name == "qlab" else 1)
            clock = Clock()
            wall, cpu = run(cfg, clock)
            clock.wall["book-keeping"] += wall - sum(clock.wall.values())
            clock.cpu["book-keeping"] += cpu - sum(clock.cpu.values())
            runs[f"{name} phases"].append(clock)
            runs[f"{name} whole"].append(run(cfg, None))
    per_step = 1e6 / args.total

    def median(key, phase, kind):
        if phase == "whole":
            return statistics.median(r[kind == "cpu"] for r in runs[f"{key} whole"]) * per_step
        return statistics.median(getattr(clock, kind)[phase] for clock in runs[f"{key} phases"]) * per_step

    def spread(key, kind):
        values = [r[kind == "cpu"] * per_step for r in runs[f"{key} whole"]]
        return f"{min(values):.0f}–{max(values):.0f}"

    load = os.getloadavg()
    print(f"## qlab DQN loop ({args.num_envs} env{'s' if args.num_envs > 1 else ''}) vs best parts (1 env), "
          f"CartPole-v1, CleanRL hyper-parameters, {args.total} steps "
          f"(learning starts {args.learning_starts}), median of {args.repeats} interleaved repeats, "
          f"best parts' action: {args.best_act}, torch threads {torch.get_num_threads()}, load average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f}\n")
    print("µs per environment step; phases and book-keeping are timed in the loop (set-up excluded), "
          "the whole loop in separate runs without timers, set-up included.\n")
    print("| phase | qlab loop (wall) | best part (wall) | ratio | qlab (CPU) | best (CPU) | ratio | best part |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for phase in (*PHASES, "book-keeping", "whole"):
        q, b = median("qlab", phase, "wall"), median("best", phase, "wall")
        qc, bc = median("qlab", phase, "cpu"), median("best", phase, "cpu")
        label, part = LABELS[phase]
        print(f"| {label} | {q:.1f} | {b:.1f} | {q / b:.2f}× | {qc:.1f} | {bc:.1f} | {qc / bc:.2f}× | {part} |")
    q, b = median("qlab", "whole", "wall"), median("best", "whole", "wall")
    qc, bc = median("qlab", "whole", "cpu"), median("best", "whole", "cpu")
    if args.num_envs > 1:
        for kind, label in (("wall", "wall"), ("cpu", "CPU")):
            whole = median("qlab", "whole", kind)
            update = median("qlab", "update", kind) + median("qlab", "replay sample", kind)
            bare = median("best", "env step", kind)
            print(f"\n{args.num_envs} environments ({label}): the update alone (sample + update) is "
                  f"**{update / whole:.0%}** of the qlab loop's time; the update plus the bare environment steps "
                  f"(the floor of any loop) **{(update + bare) / whole:.0%}**.")
    print(f"\nqlab at **{b / q:.0%}** of the best-parts loop (wall; spread qlab {spread('qlab', 'wall')} µs, "
          f"best {spread('best', 'wall')} µs), **{bc / qc:.0%}** in CPU time "
          f"(spread qlab {spread('qlab', 'cpu')} µs, best {spread('best', 'cpu')} µs).")


if __name__ == "__main__":
    main()
