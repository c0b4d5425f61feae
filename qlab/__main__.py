"""Command line: ``python -m qlab train dqn|ddpg|sac``, ``python -m qlab eval``, ``python -m qlab export``,
``python -m qlab plot``.

Examples::

    python -m qlab train dqn --env CartPole-v1 --double --n-step 3 --total-steps 50000 --seed 1
    python -m qlab train dqn --env ALE/Pong-v5 --device cuda --total-steps 2000000 --out runs/pong
    python -m qlab train ddpg --env Pendulum-v1 --total-steps 20000 --out runs/pendulum
    python -m qlab train sac --env Pendulum-v1 --total-steps 20000 --alpha 0.1 --no-learn-alpha
    python -m qlab train dqn --resume runs/dqn_CartPole-v1_seed1/checkpoint.pt --total-steps 100000
    python -m qlab eval runs/dqn_CartPole-v1_seed1/best.pt --episodes 10
    python -m qlab export runs/pong/best.pt --out pong_agent.pt --about "2M steps on an A100, 3 h"
    python -m qlab plot runs/dqn_CartPole-v1_seed* --out curve.png

Every field of :class:`qlab.train.DQNConfig` / :class:`qlab.train.DDPGConfig` /
:class:`qlab.train.SACConfig` is an option (``--buffer-size``, ``--target-update polyak``,
``--no-tensorboard``...). With ``--resume`` the checkpoint's configuration is used, and only the
options given on the command line change it.
A run never writes into a folder that holds another run (see :func:`run_folder`).
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import shutil
import sys
from pathlib import Path

import numpy as np

import qlab.envs  # noqa: F401 - registers qlab/GridWorld-v0 and qlab/Crawler-v0 with gymnasium
from qlab.train import ddpg as ddpg_loop
from qlab.train import dqn as dqn_loop
from qlab.train import sac as sac_loop
from qlab.train.options import OptionError, check_config, option_name

LOOPS = {
    "dqn": (dqn_loop.DQNConfig, dqn_loop.train_dqn, dqn_loop.config_from_checkpoint),
    "ddpg": (ddpg_loop.DDPGConfig, ddpg_loop.train_ddpg, ddpg_loop.config_from_checkpoint),
    "sac": (sac_loop.SACConfig, sac_loop.train_sac, sac_loop.config_from_checkpoint),
}
_TYPES = {"int": int, "float": float, "str": str}
_METAVARS = {"int": "N", "float": "X", "str": "NAME", "env_id": "ID", "out": "DIR", "device": "DEVICE"}
CHOICES = {"loss": ("huber", "mse"), "target_update": ("hard", "polyak")}
RUN_FILES = ("checkpoint.pt", "best.pt", "eval.csv", "episodes.csv", "train.csv", "tb", "videos")

# One line per configuration field; "{default}" is the field's default value.
HELP = {
    "env_id": "gymnasium environment id, e.g. CartPole-v1, LunarLander-v3, ALE/Pong-v5 (default: {default})",
    "total_steps": "environment steps to train for, summed over the environments (default: {default})",
    "seed": "seed of the environments, the network and the exploration (default: {default})",
    "num_envs": "environments stepped side by side (default: {default})",
    "device": "torch device for the networks and the replay batches: cpu, cuda, cuda:1... (default: {default})",
    "threads": "torch CPU threads (default: 1 for small networks on CPU, else torch's choice)",
    "hidden": "sizes of the hidden layers of the MLPs (default: {default})",
    "dueling": "dueling Q-network head: V(s) + A(s, a) (default: {default})",
    "noisy": "noisy linear layers in the head explore instead of ε-greedy; vector observations only "
             "(default: {default})",
    "distributional": "C51: learn the return distribution on --n-atoms atoms in [--v-min, --v-max]; vector "
                      "observations only (default: {default})",
    "n_atoms": "C51's number of atoms N (default: {default})",
    "v_min": "C51's smallest return z_0 (default: {default})",
    "v_max": "C51's largest return z_(N-1) (default: {default})",
    "lr": "Adam learning rate (default: {default})",
    "lr_end": "decay the learning rate linearly to this value at --total-steps (default: constant)",
    "actor_lr": "Adam learning rate of the actor (μ in DDPG, π in SAC) (default: {default})",
    "critic_lr": "Adam learning rate of the critic Q (SAC: of both critics) (default: {default})",
    "alpha_lr": "Adam learning rate of log α, the temperature, with --learn-alpha (default: {default})",
    "alpha": "temperature α, the weight of the entropy bonus: its fixed value, or the first one with --learn-alpha "
             "(default: {default})",
    "learn_alpha": "learn α so that the policy's entropy stays near --target-entropy (default: {default})",
    "target_entropy": "entropy H̄ that the learned α aims for (default: minus the number of action dimensions)",
    "gamma": "discount γ (default: {default})",
    "double": "Double DQN target: the online network picks a', the target network values it (default: {default})",
    "n_step": "n-step returns: bootstrap after n rewards (default: {default})",
    "loss": "TD loss (default: {default})",
    "target_update": "hard: copy θ to θ' every --target-update-every updates; polyak: θ' ← τθ + (1−τ)θ' "
                     "(default: {default})",
    "target_update_every": "gradient updates between two target-network updates (default: {default})",
    "tau": "Polyak fraction τ of the online weights mixed into the target network (default: {default})",
    "max_grad_norm": "clip the gradient's norm to this value (default: {default})",
    "exploration_noise": "standard deviation σ of the Gaussian action noise, as a fraction of the action box's half-width "
                         "(default: {default})",
    "buffer_size": "replay buffer capacity, in transitions (default: {default})",
    "prioritized": "proportional prioritized replay, one-step vector observations only (default: {default})",
    "priority_alpha": "prioritized replay's α: how much priorities count (default: {default})",
    "priority_beta": "prioritized replay's initial importance-sampling β, annealed to 1 (default: {default})",
    "batch_size": "transitions per gradient update (default: {default})",
    "learning_starts": "environment steps before the first update (default: {default})",
    "train_every": "environment steps between two gradient updates (default: {default})",
    "eps_start": "ε of ε-greedy exploration at step 0 (default: {default})",
    "eps_end": "ε after --eps-decay-steps (default: {default})",
    "eps_decay_steps": "steps over which ε decays linearly (default: {default})",
    "eval_every": "steps between greedy evaluations, 0 for none (default: {default})",
    "eval_episodes": "episodes per evaluation (default: {default})",
    "stop_at_return": "end the run once an evaluation's mean return reaches this (default: run all steps)",
    "video": "record the first episode of each evaluation to <out>/videos (needs moviepy) (default: {default})",
    "log_every": "steps between two rows of train.csv (default: {default})",
    "checkpoint_every": "steps between checkpoints, 0 for only at the end (default: {default})",
    "save_buffer": "save the replay buffer in the checkpoint, for a bit-exact --resume (default: {default})",
    "out": "run folder for logs and checkpoints (default: runs/{algo}_<env>_seed<seed>; if that folder holds "
           "a run already, a new one with -2, -3... appended)",
    "tensorboard": "also write TensorBoard logs to <out>/tb (default: {default})",
    "progress": "show a progress bar (default: {default})",
    "progress_every": "steps between two progress-bar updates (default: {default})",
}


class UsageError(Exception):
    """A command line that cannot run: the message says what was expected."""


def _add_config_options(parser: argparse.ArgumentParser, algo: str, config_cls) -> None:
    defaults = config_cls()
    for field in dataclasses.fields(config_cls):
        flags = ["--env"] if field.name == "env_id" else []
        flags.append("--" + field.name.replace("_", "-"))
        default = getattr(defaults, field.name)
        kind = str(field.type).split(" | ")[0]
        common = dict(dest=field.name, default=argparse.SUPPRESS,
                      help=HELP[field.name].format(algo=algo, default=" ".join(map(str, default)) if kind.startswith("tuple")
                                                   else default))
        if kind == "bool":
            parser.add_argument(*flags, action=argparse.BooleanOptionalAction, **common)
        elif kind.startswith("tuple"):
            parser.add_argument(*flags, type=int, nargs="+", metavar="N", **common)
        else:
            metavar = None if field.name in CHOICES else _METAVARS.get(field.name, _METAVARS[kind])
            parser.add_argument(*flags, type=_TYPES[kind], choices=CHOICES.get(field.name), metavar=metavar,
                                **common)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qlab", description="Train, evaluate and plot qlab agents.")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an agent",
                                description="Train an agent; logs and checkpoints go to a run folder (--out).")
    algos = train.add_subparsers(dest="algo", required=True)
    for name, (config_cls, _, _) in LOOPS.items():
        sub = algos.add_parser(name, help=f"train {name.upper()}", usage=f"python -m qlab train {name} [options]",
                               description=config_cls.__doc__.splitlines()[0])
        _add_config_options(sub, name, config_cls)
        sub.add_argument("--resume", metavar="CHECKPOINT",
                         help="continue the run saved in CHECKPOINT (e.g. runs/x/checkpoint.pt), in its own folder")
    evaluate = commands.add_parser("eval", help="run greedy evaluation episodes of a checkpoint")
    evaluate.add_argument("checkpoint", help="checkpoint.pt (the last step) or best.pt (the best evaluation)")
    evaluate.add_argument("--episodes", type=int, default=10, help="episodes to run (default: %(default)s)")
    evaluate.add_argument("--seed", type=int, default=None,
                          help="seed of the first episode (default: the run's evaluation seed)")
    evaluate.add_argument("--video", metavar="DIR", default=None,
                          help="record the first episode as an mp4 in DIR (needs moviepy)")
    export = commands.add_parser("export", help="write a DQN checkpoint's Q-network as a small agent file",
                                 description="Write the Q-network of a DQN checkpoint in float16 with its card "
                                             "(training config, step, your note, and the greedy score of the "
                                             "rounded weights), for qlab.pretrained.load_agent.")
    export.add_argument("checkpoint", help="checkpoint.pt or best.pt of a DQN run")
    export.add_argument("--out", required=True, help="the agent file to write (it must not exist yet)")
    export.add_argument("--episodes", type=int, default=10, help="greedy games to score it on (default: %(default)s)")
    export.add_argument("--about", default="", help="how it was trained: command, hardware, wall time")
    plot = commands.add_parser("plot", help="plot learning curves of runs to a PNG",
                               description="Learning curves of run folders: one curve per configuration (its "
                                           "runs' folders are named alike but for seed<N>), the mean over its runs "
                                           "with a band from the lowest to the highest.")
    plot.add_argument("runs", nargs="+", metavar="RUN", help="run folders, or folders holding run folders")
    plot.add_argument("--out", default="curve.png", help="the PNG to write (default: %(default)s)")
    plot.add_argument("--table", choices=("eval", "episodes"), default="eval",
                      help="eval: greedy evaluation returns; episodes: training episode returns (default: %(default)s)")
    return parser


def run_folder(algo: str, config, resume: str | None, out_given: bool) -> tuple[Path, str]:
    """Where a run writes, and a sentence saying so; never a folder that holds another run.

    A resumed run continues in its own folder. A new run gets ``--out`` if that folder holds
    no run yet (else a ``UsageError``); without ``--out``, the default folder or, if that one
    holds a run, the first free ``<default>-2``, ``-3``...
    """
    if resume:
        own = Path(resume).parent
        out = Path(config.out) if out_given else own
        if out.resolve() != own.resolve() and _holds_run(out):
            raise UsageError(f"{out} already holds another run: leave out --out to continue {resume} in {own}")
        return out, f"continuing the run in {out}"
    if out_given:
        out = Path(config.out)
        if _holds_run(out) and not (out / "checkpoint.pt").exists():
            raise UsageError(f"{out} holds an unfinished run (no checkpoint.pt to continue it from): "
                             "delete that folder, or pass a new folder with --out")
        if _holds_run(out):
            raise UsageError(f"{out} already holds a run: continue it with --resume {out / 'checkpoint.pt'}, "
                             "or pass a new folder with --out")
        return out, f"run folder: {out}"
    default = Path("runs") / f"{algo}_{config.env_id.replace('/', '_')}_seed{config.seed}"
    out, k = default, 1
    while _holds_run(out):
        k += 1
        out = default.with_name(f"{default.name}-{k}")
    note = f" ({default} holds an earlier run)" if k > 1 else ""
    return out, f"run folder: {out}{note}"


def _holds_run(folder: Path) -> bool:
    return any((folder / name).exists() for name in RUN_FILES)


def check_env(algo: str, env_id: str) -> None:
    """Raise ``UsageError`` unless ``env_id`` exists and has the spaces ``algo`` needs."""
    import gymnasium as gym

    from qlab.train.envs import make_env

    try:
        env = make_env(env_id)
    except gym.error.Error as error:
        raise UsageError(f"cannot make environment {env_id!r}: {error}") from None
    obs_space, action_space = env.observation_space, env.action_space
    env.close()
    if not isinstance(obs_space, gym.spaces.Box):
        raise UsageError(f"{algo.upper()} needs vector or image observations (a Box space); {env_id} has "
                         f"{obs_space} observations: use a tabular agent (qlab.tabular) for it")
    if algo == "dqn" and not isinstance(action_space, gym.spaces.Discrete):
        raise UsageError(f"DQN needs a discrete action space; {env_id} has {action_space} actions: "
                         "train it with `python -m qlab train ddpg`")
    if algo in ("ddpg", "sac") and not isinstance(action_space, gym.spaces.Box):
        raise UsageError(f"{algo.upper()} needs a continuous (Box) action space; {env_id} has {action_space} actions: "
                         "train it with `python -m qlab train dqn`")


def _train(args: argparse.Namespace) -> None:
    config_cls, train_fn, _ = LOOPS[args.algo]
    overrides = {k: v for k, v in vars(args).items() if k not in ("command", "algo", "resume")}
    if "hidden" in overrides:
        overrides["hidden"] = tuple(overrides["hidden"])
    config = _resumed_config(args, overrides) if args.resume else config_cls(**overrides)
    _check_options(config, overrides, args.resume)
    check_env(args.algo, config.env_id)
    out, note = run_folder(args.algo, config, args.resume, out_given="out" in overrides)
    config.out = str(out)
    print(note)
    with _cleaned_up_on_failure(out, resumed=bool(args.resume)):
        try:
            result = train_fn(config, resume=args.resume)
        except ValueError as error:  # a configuration the loop refuses
            raise UsageError(str(error)) from None
    if result.eval_returns:
        print(f"final evaluation: mean return {result.eval_returns[-1]:.1f} at step {result.eval_steps[-1]}")
    print(f"logs and checkpoints in {out}; plot them with `python -m qlab plot {out}`")


def _resumed_config(args: argparse.Namespace, overrides: dict):
    """The configuration saved in ``--resume``'s checkpoint, changed by the options given."""
    from qlab.train.checkpoint import load_checkpoint

    try:
        state = load_checkpoint(args.resume)
    except FileNotFoundError as error:
        raise UsageError(f"{error}: --resume takes the checkpoint.pt of an earlier run") from None
    if state.get("algo") != args.algo:
        raise UsageError(f"{args.resume} is a {state.get('algo')} run: resume it with "
                         f"`python -m qlab train {state.get('algo')} --resume {args.resume}`")
    config = LOOPS[args.algo][2](state, **overrides)
    if config.total_steps <= state["step"]:
        raise UsageError(f"argument --total-steps: expected more than {state['step']}, got {config.total_steps} "
                         f"({args.resume} is at step {state['step']} already)")
    return config


def _check_options(config, given: dict, resume: str | None) -> None:
    """Raise ``UsageError`` naming the first option a run cannot use, before anything is written."""
    try:
        check_config(config)
    except OptionError as error:
        note = f" (the value saved in {resume}: change it with {option_name(error.field)})" \
            if resume and error.field not in given else ""
        raise UsageError(f"{error}{note}") from None


@contextlib.contextmanager
def _cleaned_up_on_failure(out: Path, resumed: bool):
    """If a new run stops at an error before its first checkpoint, remove what it wrote (the
    folder, if the run made it), so that the same ``--out`` works again; say so on stderr."""
    existed = out.exists()
    try:
        yield
    except BaseException:
        if (out / "checkpoint.pt").exists():
            print(f"the run stopped; its last checkpoint is {out / 'checkpoint.pt'} (continue it with --resume)",
                  file=sys.stderr)
        elif not resumed:
            _remove_run_files(out, whole_folder=not existed)
            print(f"the run stopped before its first checkpoint: removed what it wrote in {out}", file=sys.stderr)
        raise


def _remove_run_files(out: Path, whole_folder: bool) -> None:
    if whole_folder:
        shutil.rmtree(out, ignore_errors=True)
        return
    for name in (*RUN_FILES, "checkpoint.pt.tmp", "best.pt.tmp"):
        path = out / name
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        elif path.exists():
            path.unlink()


def _eval(args: argparse.Namespace) -> None:
    import torch

    from qlab.train.checkpoint import load_checkpoint
    from qlab.train.envs import evaluate, make_env

    try:
        state = load_checkpoint(args.checkpoint)
    except FileNotFoundError as error:
        raise UsageError(f"{error}: pass a run's checkpoint.pt or best.pt") from None
    config = LOOPS[state["algo"]][2](state)
    env = make_env(config.env_id)
    device = "cpu" if not torch.cuda.is_available() else config.device
    if state["algo"] == "dqn":
        net = dqn_loop.make_q_network(config.env_id, env.observation_space.shape, int(env.action_space.n),
                                      config.hidden, config.dueling, device, noisy=config.noisy,
                                      n_atoms=config.n_atoms if config.distributional else None,
                                      v_min=config.v_min, v_max=config.v_max)
        net.load_state_dict(state["agent"]["q_net"])
        net.eval()

        def policy(obs):
            with torch.inference_mode():
                return net(torch.as_tensor(obs, device=device)).argmax(1).cpu().numpy()
    else:
        make = ddpg_loop.make_actor_critic if state["algo"] == "ddpg" else sac_loop.make_actor_critics
        net, _ = make(env.observation_space.shape[0], env.action_space, config.hidden, device)
        net.load_state_dict(state["agent"]["actor"])
        act = net if state["algo"] == "ddpg" else net.greedy   # SAC: the deterministic c + h·tanh(μ(s))

        def policy(obs):
            with torch.inference_mode():
                return act(torch.as_tensor(obs, dtype=torch.float32, device=device)).cpu().numpy()
    env.close()
    seed = config.seed + 1_000_000 if args.seed is None else args.seed
    returns = evaluate(policy, config.env_id, args.episodes, seed, args.video)
    print(f"{state['algo']} {config.env_id} step {state['step']}: "
          f"mean return {np.mean(returns):.1f} ± {np.std(returns):.1f} over {args.episodes} episodes")
    if args.video:
        print(f"video of the first episode in {args.video}")


def _export(args: argparse.Namespace) -> None:
    import torch

    from qlab.pretrained import export_agent

    torch.set_num_threads(1)   # its games are batch-1 forward passes, which only lose time synchronising threads

    out = Path(args.out)
    if out.exists():
        raise UsageError(f"{out} already exists: choose another --out, or remove it yourself first")
    if not out.parent.is_dir():
        raise UsageError(f"--out {out}: the folder {out.parent} does not exist")
    if args.episodes < 1:
        raise UsageError(f"--episodes must be at least 1, got {args.episodes}")
    try:
        card = export_agent(args.checkpoint, out, args.episodes, args.about)
    except FileNotFoundError as error:
        raise UsageError(f"{error}: pass a DQN run's checkpoint.pt or best.pt") from None
    except ValueError as error:
        raise UsageError(str(error)) from None
    returns = card["evaluation"]["returns"]
    print(f"{out}: {card['network']['env_id']} agent of step {card['step']}, {out.stat().st_size / 1e6:.1f} MB; "
          f"greedy return {np.mean(returns):.1f} ± {np.std(returns):.1f} over {len(returns)} episodes")


def _plot(args: argparse.Namespace) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from qlab.viz.curves import find_runs, group_by_configuration, plot_learning_curves, readable_runs

    try:
        runs, skipped = readable_runs(find_runs(args.runs), args.table)
    except FileNotFoundError as error:
        raise UsageError(str(error)) from None
    for run, why in skipped.items():
        print(f"skipped {run}: {why}", file=sys.stderr)
    if not runs:
        raise UsageError(f"no run to plot: {_count(len(skipped), 'folder')} skipped (see above)")
    plot_learning_curves(runs, args.table).savefig(args.out, dpi=120)
    groups = group_by_configuration(runs)
    print(f"{args.out}: {_count(len(groups), 'curve')} from {_count(len(runs), 'run')} "
          f"({', '.join(f'{k}: {len(v)}' for k, v in groups.items())})")


def _count(n: int, noun: str) -> str:
    """``1 run``, ``2 runs``."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    command = {"train": _train, "eval": _eval, "export": _export, "plot": _plot}[args.command]
    try:
        command(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except UsageError as error:
        command = " ".join(filter(None, [parser.prog, args.command, getattr(args, "algo", None)]))
        print(f"{command}: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
