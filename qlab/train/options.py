"""What each option of a training run accepts, checked before the run creates anything.

    check_config(DQNConfig(batch_size=0))
    # OptionError: argument --batch-size: expected an integer >= 1, got 0

:func:`check_config` looks at every field of a :class:`~qlab.train.DQNConfig`,
:class:`~qlab.train.DDPGConfig` or :class:`~qlab.train.SACConfig`, one at a time and then the
ones that depend on each other, and raises :class:`OptionError` for the first value a run
cannot use. The message reads like
argparse's own: the option, what it expects, what it got.
"""

from __future__ import annotations

import dataclasses
import math
from pathlib import Path

__all__ = ["OptionError", "check_config", "check_device", "option_name"]


class OptionError(ValueError):
    """A value a training run cannot use; ``field`` is the configuration field it came from."""

    def __init__(self, field: str, detail: str):
        super().__init__(f"argument {option_name(field)}: {detail}")
        self.field = field


def _expected(field: str, expected: str, value, why: str = "") -> OptionError:
    """``argument --x: expected <expected>, got <value>`` and, if given, `` (<why>)``."""
    return OptionError(field, f"expected {expected}, got {_shown(value)}" + (f" ({why})" if why else ""))


def option_name(field: str) -> str:
    """The command-line option of a configuration field: ``batch_size`` -> ``--batch-size``."""
    return "--env" if field == "env_id" else "--" + field.replace("_", "-")


def _shown(value) -> str:
    return " ".join(map(str, value)) if isinstance(value, (tuple, list)) else str(value)


def _integer(low: int):
    return (lambda v: isinstance(v, int) and v >= low), f"an integer >= {low}"


def _number(low: float, high: float = math.inf, low_open: bool = False):
    """A finite number in [low, high] (or (low, high] with ``low_open``)."""
    def test(v):
        return (isinstance(v, (int, float)) and math.isfinite(v) and v <= high
                and (v > low if low_open else v >= low))
    if high == math.inf:
        return test, f"a number {'>' if low_open else '>='} {low:g}"
    return test, f"a number in {'(' if low_open else '['}{low:g}, {high:g}]"


def _finite():
    return (lambda v: isinstance(v, (int, float)) and math.isfinite(v)), "a finite number"


def _one_of(*choices: str):
    return (lambda v: v in choices), "one of " + ", ".join(choices)


def _optional(rule):
    test, expected = rule
    return (lambda v: v is None or test(v)), expected


def _sizes():
    return (lambda v: len(v) > 0 and all(isinstance(n, int) and n >= 1 for n in v)), "layer sizes, integers >= 1"


RULES = {  # field -> (test, what it expects); a field missing here needs no check (bools, env_id, device, out)
    "total_steps": _integer(1),
    "seed": _integer(0),
    "num_envs": _integer(1),
    "threads": _optional(_integer(1)),
    "hidden": _sizes(),
    "lr": _number(0, low_open=True),
    "lr_end": _optional(_number(0)),
    "actor_lr": _number(0, low_open=True),
    "critic_lr": _number(0, low_open=True),
    "alpha_lr": _number(0, low_open=True),
    "alpha": _number(0, low_open=True),
    "target_entropy": _optional(_finite()),
    "gamma": _number(0, 1),
    "n_step": _integer(1),
    "loss": _one_of("huber", "mse"),
    "target_update": _one_of("hard", "polyak"),
    "target_update_every": _integer(1),
    "tau": _number(0, 1, low_open=True),
    "max_grad_norm": _optional(_number(0, low_open=True)),
    "exploration_noise": _number(0),
    "buffer_size": _integer(1),
    "priority_alpha": _number(0),
    "priority_beta": _number(0, 1),
    "n_atoms": _integer(2),
    "v_min": _finite(),
    "v_max": _finite(),
    "batch_size": _integer(1),
    "learning_starts": _integer(0),
    "train_every": _integer(1),
    "eps_start": _number(0, 1),
    "eps_end": _number(0, 1),
    "eps_decay_steps": _integer(0),
    "eval_every": _integer(0),
    "eval_episodes": _integer(1),
    "stop_at_return": _optional(_finite()),
    "log_every": _integer(1),
    "checkpoint_every": _integer(0),
    "progress_every": _integer(1),
}


def check_config(config) -> None:
    """Raise :class:`OptionError` for the first field of ``config`` a run cannot use."""
    for field in dataclasses.fields(config):
        value = getattr(config, field.name)
        if field.name in RULES:
            test, expected = RULES[field.name]
            if not test(value):
                raise _expected(field.name, expected, value)
    _check_together(config)
    check_device(config.device)
    _check_out(config.out)
    _check_video(config.video)


def _check_together(config) -> None:
    """The fields whose valid values depend on each other."""
    if config.batch_size > config.buffer_size:
        raise _expected("batch_size", f"at most --buffer-size ({config.buffer_size})", config.batch_size,
                        "batches are drawn from the replay buffer")
    from qlab.train.envs import is_atari, is_minatar

    if getattr(config, "prioritized", False) and config.n_step != 1 and not is_atari(config.env_id):
        raise _expected("n_step", "1 with --prioritized", config.n_step, "prioritized replay is one-step here")
    for option in ("noisy", "distributional"):
        if getattr(config, option, False) and (is_atari(config.env_id) or is_minatar(config.env_id)):
            raise _expected("env_id", f"an environment with flat observations with --{option}", config.env_id,
                            f"--{option} networks are MLPs here")
    if getattr(config, "distributional", False) and not config.v_min < config.v_max:
        raise _expected("v_max", f"a number > --v-min ({config.v_min:g})", config.v_max,
                        "the support runs from v_min to v_max")


def check_device(device: str) -> None:
    """Raise :class:`OptionError` unless torch can put networks on ``device`` on this machine."""
    import torch

    try:
        kind = torch.device(device)
    except (RuntimeError, TypeError):
        raise _expected("device", "cpu, cuda or cuda:N", device) from None
    if kind.type == "cuda":
        if not torch.cuda.is_available():
            raise _expected("device", "cpu", device, f"this torch, {torch.__version__}, sees no CUDA device")
        count = torch.cuda.device_count()
        if kind.index is not None and kind.index >= count:
            raise _expected("device", f"cpu or cuda:0 to cuda:{count - 1}", device,
                            f"this machine has {count} CUDA device{'s' if count > 1 else ''}")
    elif kind.type == "mps" and not torch.backends.mps.is_available():
        raise _expected("device", "cpu", device, "this torch sees no Apple GPU")
    elif kind.type not in ("cpu", "cuda", "mps"):
        raise _expected("device", "cpu, cuda or cuda:N", device)


def _check_out(out: str | None) -> None:
    if out is not None and Path(out).exists() and not Path(out).is_dir():
        raise _expected("out", "a folder", out, "that is a file")


def _check_video(video: bool) -> None:
    from qlab.train.envs import check_video_support

    try:
        check_video_support(video)
    except RuntimeError:
        raise OptionError("video", "recording videos needs moviepy (pip install moviepy); run without --video") \
            from None
