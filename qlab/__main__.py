"""Command line: ``python -m qlab train dqn|ddpg [options]`` and ``python -m qlab eval CHECKPOINT``.

Examples::

    python -m qlab train dqn --env CartPole-v1 --double --n-step 3 --total-steps 50000 --seed 1 --out runs/cartpole
    python -m qlab train dqn --env ALE/Pong-v5 --device cuda --total-steps 2000000 --out runs/pong
    python -m qlab train ddpg --env Pendulum-v1 --total-steps 20000 --out runs/pendulum
    python -m qlab train dqn --resume runs/cartpole/checkpoint.pt --total-steps 100000
    python -m qlab eval runs/cartpole/checkpoint.pt --episodes 10

Every field of :class:`qlab.train.DQNConfig` / :class:`qlab.train.DDPGConfig` is an option
(``--buffer-size``, ``--target-update polyak``, ``--no-tensorboard``...). With ``--resume`` the
checkpoint's configuration is used, and only the options given on the command line change it.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

import numpy as np

from qlab.train import ddpg as ddpg_loop
from qlab.train import dqn as dqn_loop

LOOPS = {
    "dqn": (dqn_loop.DQNConfig, dqn_loop.train_dqn, dqn_loop.config_from_checkpoint),
    "ddpg": (ddpg_loop.DDPGConfig, ddpg_loop.train_ddpg, ddpg_loop.config_from_checkpoint),
}
_TYPES = {"int": int, "float": float, "str": str}


def _add_config_options(parser: argparse.ArgumentParser, config_cls) -> None:
    defaults = config_cls()
    for field in dataclasses.fields(config_cls):
        flags = ["--env"] if field.name == "env_id" else []
        flags.append("--" + field.name.replace("_", "-"))
        default = getattr(defaults, field.name)
        kind = str(field.type).split(" | ")[0]
        help_text = f"default: {default}"
        if kind == "bool":
            parser.add_argument(*flags, dest=field.name, action=argparse.BooleanOptionalAction,
                                default=argparse.SUPPRESS, help=help_text)
        elif kind.startswith("tuple"):
            parser.add_argument(*flags, dest=field.name, type=int, nargs="+", default=argparse.SUPPRESS,
                                help=help_text)
        else:
            parser.add_argument(*flags, dest=field.name, type=_TYPES[kind], default=argparse.SUPPRESS,
                                help=help_text)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m qlab", description="Train and evaluate qlab agents.")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an agent")
    algos = train.add_subparsers(dest="algo", required=True)
    for name, (config_cls, _, _) in LOOPS.items():
        sub = algos.add_parser(name, help=f"train {name.upper()}",
                               formatter_class=argparse.ArgumentDefaultsHelpFormatter)
        _add_config_options(sub, config_cls)
        sub.add_argument("--resume", metavar="CHECKPOINT", help="continue the run saved in CHECKPOINT")
    evaluate = commands.add_parser("eval", help="run greedy evaluation episodes of a checkpoint")
    evaluate.add_argument("checkpoint")
    evaluate.add_argument("--episodes", type=int, default=10)
    evaluate.add_argument("--seed", type=int, default=None, help="default: the run's evaluation seed")
    evaluate.add_argument("--video", metavar="DIR", default=None, help="record the first episode (needs moviepy)")
    return parser


def _train(args: argparse.Namespace) -> None:
    from qlab.train.checkpoint import load_checkpoint

    config_cls, train_fn, from_checkpoint = LOOPS[args.algo]
    overrides = {k: v for k, v in vars(args).items() if k not in ("command", "algo", "resume")}
    if "hidden" in overrides:
        overrides["hidden"] = tuple(overrides["hidden"])
    if args.resume:
        config = from_checkpoint(load_checkpoint(args.resume), **overrides)
    else:
        config = config_cls(**overrides)
    if config.out is None:
        config.out = f"runs/{args.algo}_{config.env_id.replace('/', '_')}_seed{config.seed}"
    result = train_fn(config, resume=args.resume)
    if result.eval_returns:
        print(f"final evaluation: mean return {result.eval_returns[-1]:.1f} at step {result.eval_steps[-1]}")
    print(f"logs and checkpoint in {config.out}")


def _eval(args: argparse.Namespace) -> None:
    import torch

    from qlab.train.checkpoint import load_checkpoint
    from qlab.train.envs import evaluate, make_env

    state = load_checkpoint(args.checkpoint)
    config = LOOPS[state["algo"]][2](state)
    env = make_env(config.env_id)
    device = "cpu" if not torch.cuda.is_available() else config.device
    if state["algo"] == "dqn":
        net = dqn_loop.make_q_network(config.env_id, env.observation_space.shape, int(env.action_space.n),
                                      config.hidden, config.dueling, device)
        net.load_state_dict(state["agent"]["q_net"])
        net.eval()

        def policy(obs):
            with torch.inference_mode():
                return net(torch.as_tensor(obs, device=device)).argmax(1).cpu().numpy()
    else:
        net, _ = ddpg_loop.make_actor_critic(env.observation_space.shape[0], env.action_space, config.hidden, device)
        net.load_state_dict(state["agent"]["actor"])

        def policy(obs):
            with torch.inference_mode():
                return net(torch.as_tensor(obs, dtype=torch.float32, device=device)).cpu().numpy()
    env.close()
    seed = config.seed + 1_000_000 if args.seed is None else args.seed
    returns = evaluate(policy, config.env_id, args.episodes, seed, args.video)
    print(f"{state['algo']} {config.env_id} step {state['step']}: "
          f"mean return {np.mean(returns):.1f} ± {np.std(returns):.1f} over {args.episodes} episodes")


def main(argv: list[str] | None = None) -> None:
    args = build_parser().parse_args(argv)
    if args.command == "train":
        _train(args)
    else:
        _eval(args)


if __name__ == "__main__":
    sys.exit(main())
