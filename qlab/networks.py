"""Function approximators for deep Q-learning and DDPG.

Every network takes ``device=`` and checks its input, so that a wrong shape or dtype
fails with a message naming what was expected instead of a matmul error deep inside.

* :class:`MLP` -- the CartPole / LunarLander Q-network, ``Q(s, ·)`` for all actions at once.
* :class:`NatureCNN` -- the Atari Q-network of Mnih et al. (2015); takes the stacked uint8
  frames and scales them to [0, 1] on the device.
* :class:`DuelingHead` / :class:`DuelingQNetwork` -- ``Q(s,a) = V(s) + A(s,a) - mean_a' A(s,a')``.
* :class:`DDPGActor` -- deterministic policy ``μ(s)`` squashed by tanh into the action box.
* :class:`DDPGCritic` -- ``Q(s, a)`` for a continuous action.
* :class:`SquashedGaussianActor` -- SAC's stochastic policy: a Gaussian squashed by tanh into the box.
* :class:`NAFCritic` -- ``Q(s, a)`` quadratic in the action, whose max ``V(s)`` at ``μ(s)`` it outputs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch
from torch import nn

from qlab.rainbow.dueling import dueling_q
from qlab.soft import squashed_gaussian

__all__ = ["MLP", "NatureCNN", "MinAtarCNN", "DuelingHead", "DuelingQNetwork", "DDPGActor", "DDPGCritic",
           "SquashedGaussianActor", "NAFCritic", "check_features"]


def check_features(name: str, x: torch.Tensor, dim: int) -> None:
    """A clear error, naming the network ``name``, unless ``x`` is a floating tensor of shape (batch, dim)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} expects a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 2 or x.shape[1] != dim:
        raise ValueError(
            f"{name} input has shape {tuple(x.shape)}; expected (batch, {dim})"
        )
    if not x.is_floating_point():
        raise TypeError(f"{name} input has dtype {x.dtype}; expected a floating dtype")


def _check_images(name: str, x: torch.Tensor, expected: tuple[int, int, int]) -> None:
    """A clear error unless ``x`` is a tensor of shape (batch, *expected)."""
    if not isinstance(x, torch.Tensor):
        raise TypeError(f"{name} expects a torch.Tensor, got {type(x).__name__}")
    if x.ndim != 4 or tuple(x.shape[1:]) != expected:
        raise ValueError(f"{name} input has shape {tuple(x.shape)}; expected (batch, {', '.join(map(str, expected))})")


def _run(layers: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
    """``layers(x)``, calling each layer's ``forward`` directly.

    This skips ``nn.Module.__call__``'s hook dispatch for the inner layers (hooks on the
    network itself still run), which is 40% of a batch-1 forward pass of a small MLP: acting
    in an environment is exactly that.
    """
    for layer in layers:
        x = layer.forward(x)
    return x


def _mlp_layers(in_dim: int, hidden: Sequence[int], activation: type[nn.Module]) -> list[nn.Module]:
    layers: list[nn.Module] = []
    for width in hidden:
        layers += [nn.Linear(in_dim, width), activation()]
        in_dim = width
    return layers


class MLP(nn.Module):
    """Fully connected network ``in_dim -> hidden... -> out_dim`` (no output activation).

    As a Q-network it maps a batch of states ``(B, in_dim)`` to ``Q(s, ·)`` of shape
    ``(B, out_dim)``, one value per action.
    """

    def __init__(
        self,
        in_dim: int,
        out_dim: int,
        hidden: Sequence[int] = (120, 84),
        activation: type[nn.Module] = nn.ReLU,
        device: torch.device | str | None = None,
    ):
        super().__init__()
        self.in_dim, self.out_dim = int(in_dim), int(out_dim)
        self.net = nn.Sequential(
            *_mlp_layers(self.in_dim, hidden, activation),
            nn.Linear(hidden[-1] if hidden else self.in_dim, self.out_dim),
        ).to(device)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_features("MLP", x, self.in_dim)
        return _run(self.net, x)

    def forward_numpy(self, x: np.ndarray) -> np.ndarray | None:
        """``forward`` computed by numpy on the parameters' own memory, or None where that does
        not apply (parameters off the CPU, an activation other than ReLU, hooks on the network,
        an input not of shape (B, in_dim)): call the network then.

        For acting: a batch-1 forward pass through torch is about 50 µs of per-call overhead
        around 1 µs of arithmetic; the same layers in numpy take about 10 µs. The values agree
        with ``forward`` to float32 rounding. Training still goes through ``forward``.
        """
        if x.ndim != 2 or x.shape[1] != self.in_dim or self._forward_hooks or self._forward_pre_hooks:
            return None
        # The modules' own dicts: attribute access (layer.weight) would cost 5 µs of the 10 here.
        layers = list(self.net._modules.values())
        params = [p for layer in layers for p in layer._parameters.values()]
        key = [type(layer) for layer in layers] + [p.data_ptr() if p is not None else None for p in params]
        if getattr(self, "_numpy_key", None) != key:  # first call, or a layer or parameter was replaced
            plain = all(type(layer) in (nn.Linear, nn.ReLU) for layer in layers) and all(
                p is not None and p.device.type == "cpu" and p.dtype == params[0].dtype and p.layout == torch.strided
                for p in params)
            arrays = [p.detach().numpy() for p in params] if plain else None
            self._numpy_layers = list(zip(arrays[0::2], arrays[1::2])) if plain else None
            self._numpy_key = key
        if self._numpy_layers is None or x.dtype != self._numpy_layers[0][0].dtype:
            return None
        for i, (weight, bias) in enumerate(self._numpy_layers):
            x = x @ weight.T + bias
            if i < len(self._numpy_layers) - 1:
                np.maximum(x, 0.0, out=x)
        return x


class DuelingHead(nn.Module):
    """Dueling aggregation (Wang et al., 2016) on top of a feature vector φ(s).

    ``Q(s,a) = V(s) + A(s,a) - (1/|A|) Σ_a' A(s,a')``; subtracting the mean advantage makes
    ``V`` and ``A`` identifiable. ``aggregate_fn(value (B, 1), advantages (B, A)) -> Q (B, A)``
    does the aggregation (default :func:`qlab.rainbow.dueling.dueling_q`; a notebook passes the
    student's).
    """

    def __init__(self, in_dim: int, n_actions: int, hidden: int = 128, device=None,
                 aggregate_fn: Callable | None = None):
        super().__init__()
        self.in_dim = int(in_dim)
        self.aggregate_fn = aggregate_fn or dueling_q
        self.value = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, 1)).to(device)
        self.advantage = nn.Sequential(
            nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, n_actions)
        ).to(device)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        check_features("DuelingHead", features, self.in_dim)
        return self.aggregate_fn(*self.streams(features))

    def streams(self, features: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """The two streams before aggregation: ``V(s)`` (B, 1) and ``A(s, ·)`` (B, n_actions)."""
        return _run(self.value, features), _run(self.advantage, features)


class DuelingQNetwork(nn.Module):
    """MLP trunk φ(s) followed by a :class:`DuelingHead`: ``(B, in_dim) -> (B, n_actions)``.

    ``aggregate_fn`` is the head's (see :class:`DuelingHead`); ``streams(x)`` gives V and A.
    """

    def __init__(
        self,
        in_dim: int,
        n_actions: int,
        hidden: Sequence[int] = (120, 84),
        head_hidden: int = 64,
        activation: type[nn.Module] = nn.ReLU,
        device=None,
        aggregate_fn: Callable | None = None,
    ):
        super().__init__()
        self.in_dim = int(in_dim)
        self.trunk = nn.Sequential(*_mlp_layers(self.in_dim, hidden, activation)).to(device)
        self.head = DuelingHead(hidden[-1], n_actions, head_hidden, device=device, aggregate_fn=aggregate_fn)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        check_features("DuelingQNetwork", x, self.in_dim)
        return self.head(_run(self.trunk, x))

    def streams(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``V(s)`` (B, 1) and ``A(s, ·)`` (B, n_actions) before the head aggregates them."""
        check_features("DuelingQNetwork", x, self.in_dim)
        return self.head.streams(_run(self.trunk, x))


class NatureCNN(nn.Module):
    """The DQN network of Mnih et al. (2015) for stacked 84x84 Atari frames.

    Input: ``uint8`` tensor ``(B, in_channels, 84, 84)`` with raw pixel values; the
    conversion to float and the division by 255 happen on the network's device, so the
    replay buffer and the host->device copy stay at one byte per pixel.
    Output: ``Q(s, ·)`` of shape ``(B, n_actions)``. With ``dueling=True`` the final layer
    is a :class:`DuelingHead`.
    """

    def __init__(self, n_actions: int, in_channels: int = 4, dueling: bool = False, device=None):
        super().__init__()
        self.in_channels = int(in_channels)
        self.features = nn.Sequential(
            nn.Conv2d(in_channels, 32, kernel_size=8, stride=4), nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2), nn.ReLU(),
            nn.Conv2d(64, 64, kernel_size=3, stride=1), nn.ReLU(),
            nn.Flatten(),
        ).to(device)
        if dueling:
            self.head = DuelingHead(64 * 7 * 7, n_actions, hidden=512, device=device)
        else:
            self.head = nn.Sequential(
                nn.Linear(64 * 7 * 7, 512), nn.ReLU(), nn.Linear(512, n_actions)
            ).to(device)
        # Channels-last (NHWC) filters and input: the CPU's convolutions (oneDNN) run faster in
        # this layout, a DQN update by 10-28% (benchmarks/bench_atari_layout.py, RESULTS.md).
        self.features.to(memory_format=torch.channels_last)

    def forward(self, frames: torch.Tensor) -> torch.Tensor:
        _check_images("NatureCNN", frames, (self.in_channels, 84, 84))
        if frames.dtype != torch.uint8:
            raise TypeError(
                f"NatureCNN input has dtype {frames.dtype}; expected torch.uint8 raw pixels "
                "(the network divides by 255 itself)"
            )
        pixels = frames.contiguous(memory_format=torch.channels_last).float().div_(255.0)
        return self.head(self.features(pixels))


class MinAtarCNN(nn.Module):
    """The DQN network of the MinAtar paper (Young & Tian, 2019) for 10 × 10 game screens.

    One convolution (16 filters 3 × 3, stride 1), a 128-unit layer and one output per action.
    Input: ``uint8`` tensor ``(B, in_channels, 10, 10)`` of zeros and ones (one channel per
    kind of object). Output: ``Q(s, ·)`` of shape ``(B, n_actions)``; a :class:`DuelingHead`
    with ``dueling=True``.
    """

    def __init__(self, n_actions: int, in_channels: int, dueling: bool = False, device=None):
        super().__init__()
        self.in_channels = int(in_channels)
        self.features = nn.Sequential(nn.Conv2d(in_channels, 16, kernel_size=3, stride=1), nn.ReLU(),
                                      nn.Flatten()).to(device)
        if dueling:
            self.head = DuelingHead(16 * 8 * 8, n_actions, hidden=128, device=device)
        else:
            self.head = nn.Sequential(nn.Linear(16 * 8 * 8, 128), nn.ReLU(), nn.Linear(128, n_actions)).to(device)

    def forward(self, screens: torch.Tensor) -> torch.Tensor:
        _check_images("MinAtarCNN", screens, (self.in_channels, 10, 10))
        return self.head(self.features(screens.float()))


class DDPGActor(nn.Module):
    """Deterministic policy ``μ(s) = c + h · tanh(f(s))`` inside the box [act_low, act_high].

    ``c = (high + low) / 2`` and ``h = (high - low) / 2`` are registered buffers, so the
    bounds move with ``.to(device)`` and are saved with the weights.
    """

    def __init__(self, obs_dim: int, act_low, act_high, hidden: Sequence[int] = (256, 256), device=None):
        super().__init__()
        low = torch.as_tensor(np.asarray(act_low, dtype=np.float32)).reshape(-1)
        high = torch.as_tensor(np.asarray(act_high, dtype=np.float32)).reshape(-1)
        if low.shape != high.shape or not torch.all(high > low):
            raise ValueError(f"need act_low < act_high elementwise, got {low.tolist()} and {high.tolist()}")
        self.obs_dim, self.act_dim = int(obs_dim), int(low.numel())
        self.net = nn.Sequential(
            *_mlp_layers(self.obs_dim, hidden, nn.ReLU), nn.Linear(hidden[-1], self.act_dim), nn.Tanh()
        ).to(device)
        self.register_buffer("action_center", ((high + low) / 2).to(device))
        self.register_buffer("action_scale", ((high - low) / 2).to(device))

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        check_features("DDPGActor", obs, self.obs_dim)
        return self.action_center + self.action_scale * _run(self.net, obs)


class DDPGCritic(nn.Module):
    """Action-value ``Q(s, a)`` of a continuous action: ``(B, obs_dim), (B, act_dim) -> (B,)``."""

    def __init__(self, obs_dim: int, act_dim: int, hidden: Sequence[int] = (256, 256), device=None):
        super().__init__()
        self.obs_dim, self.act_dim = int(obs_dim), int(act_dim)
        self.net = nn.Sequential(
            *_mlp_layers(self.obs_dim + self.act_dim, hidden, nn.ReLU), nn.Linear(hidden[-1], 1)
        ).to(device)

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        check_features("DDPGCritic (obs)", obs, self.obs_dim)
        check_features("DDPGCritic (action)", action, self.act_dim)
        if action.shape[0] != obs.shape[0]:
            raise ValueError(
                f"DDPGCritic got {obs.shape[0]} observations but {action.shape[0]} actions"
            )
        return _run(self.net, torch.cat([obs, action], dim=1)).squeeze(1)


class SquashedGaussianActor(nn.Module):
    r"""SAC's policy (Haarnoja et al., 2018): ``a = c + h · tanh(u)``, ``u ~ N(μ(s), σ(s)²)``.

    ``forward(obs)`` gives the Gaussian's ``mean`` μ(s) and ``log_std`` log σ(s), each (B, act_dim),
    before the squash; log σ is clamped to [``log_std_min``, ``log_std_max``] so that neither a
    vanishing nor an exploding σ can stall learning. :meth:`sample` draws the action from given
    standard-normal ``noise`` (reparameterised: the gradient reaches μ and σ) through
    ``squash(mean, log_std, noise) -> (tanh(u), log π(tanh(u) | s))`` and moves it into the box
    [act_low, act_high]; the affine map divides the density by ``h`` per dimension,

    .. math:: \log π(a | s) = \log π(\tanh u | s) - \sum_k \log h_k .

    :meth:`greedy` is the action without noise, ``c + h · tanh(μ(s))``, for evaluation.
    ``c`` and ``h`` are registered buffers, as in :class:`DDPGActor`.
    """

    def __init__(self, obs_dim: int, act_low, act_high, hidden: Sequence[int] = (256, 256),
                 log_std_min: float = -5.0, log_std_max: float = 2.0, device=None):
        super().__init__()
        low = torch.as_tensor(np.asarray(act_low, dtype=np.float32)).reshape(-1)
        high = torch.as_tensor(np.asarray(act_high, dtype=np.float32)).reshape(-1)
        if low.shape != high.shape or not torch.all(high > low):
            raise ValueError(f"need act_low < act_high elementwise, got {low.tolist()} and {high.tolist()}")
        if not log_std_min < log_std_max:
            raise ValueError(f"need log_std_min < log_std_max, got {log_std_min} and {log_std_max}")
        self.obs_dim, self.act_dim = int(obs_dim), int(low.numel())
        self.log_std_min, self.log_std_max = float(log_std_min), float(log_std_max)
        self.trunk = nn.Sequential(*_mlp_layers(self.obs_dim, hidden, nn.ReLU)).to(device)
        self.mean_head = nn.Linear(hidden[-1], self.act_dim).to(device)
        self.log_std_head = nn.Linear(hidden[-1], self.act_dim).to(device)
        self.register_buffer("action_center", ((high + low) / 2).to(device))
        self.register_buffer("action_scale", ((high - low) / 2).to(device))

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        check_features("SquashedGaussianActor", obs, self.obs_dim)
        features = _run(self.trunk, obs)
        log_std = self.log_std_head(features).clamp(self.log_std_min, self.log_std_max)
        return self.mean_head(features), log_std

    def sample(self, obs: torch.Tensor, noise: torch.Tensor,
               squash=squashed_gaussian) -> tuple[torch.Tensor, torch.Tensor]:
        """``(action, log_prob)``: the action in the box (B, act_dim) for standard-normal ``noise``
        (B, act_dim), and its log-density (B,). ``squash`` defaults to :func:`qlab.soft.squashed_gaussian`."""
        mean, log_std = self(obs)
        if tuple(noise.shape) != tuple(mean.shape):
            raise ValueError(f"noise has shape {tuple(noise.shape)}; expected (batch, act_dim) = {tuple(mean.shape)}")
        squashed, log_prob = squash(mean, log_std, noise)
        if tuple(squashed.shape) != tuple(mean.shape) or tuple(log_prob.shape) != (mean.shape[0],):
            raise ValueError(f"squash returned an action of shape {tuple(squashed.shape)} and a log-probability of "
                             f"shape {tuple(log_prob.shape)}; expected {tuple(mean.shape)} and ({mean.shape[0]},)")
        return self.action_center + self.action_scale * squashed, log_prob - self.action_scale.log().sum()

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        """The deterministic action ``c + h · tanh(μ(s))``, (B, act_dim)."""
        return self.action_center + self.action_scale * torch.tanh(self(obs)[0])


class NAFCritic(nn.Module):
    r"""Normalized advantage functions (Gu et al., 2016): a Q-network whose max over actions is
    one of its outputs,

    .. math:: Q(s, a) = V(s) - \tfrac12 (a - \mu(s))^\top P(s)\, (a - \mu(s)), \qquad P(s) = L(s) L(s)^\top,

    with :math:`L` lower-triangular with a positive diagonal (exp of the network's output), so
    :math:`P` is positive definite and :math:`\max_a Q(s, a) = V(s)`, reached at :math:`a = \mu(s)`.
    :math:`\mu` is squashed by tanh into the box [act_low, act_high], as :class:`DDPGActor`'s
    action, so the maximiser is always a legal action. One trunk (MLP, ReLU), three linear
    heads: V, μ and the d(d + 1)/2 entries of L.

    ``forward(obs, action)`` is Q, shape (B,); ``value(obs)`` is V, (B,); ``best_action(obs)`` is μ, (B, d).
    """

    def __init__(self, obs_dim: int, act_low, act_high, hidden: Sequence[int] = (64, 64), device=None):
        super().__init__()
        low = torch.as_tensor(np.asarray(act_low, dtype=np.float32)).reshape(-1)
        high = torch.as_tensor(np.asarray(act_high, dtype=np.float32)).reshape(-1)
        if low.shape != high.shape or not torch.all(high > low):
            raise ValueError(f"need low < high elementwise, got {low.tolist()} and {high.tolist()}")
        self.obs_dim, self.act_dim = int(obs_dim), int(low.numel())
        self.trunk = nn.Sequential(*_mlp_layers(self.obs_dim, hidden, nn.ReLU))
        self.value_head = nn.Linear(hidden[-1], 1)
        self.mu_head = nn.Linear(hidden[-1], self.act_dim)
        self.l_head = nn.Linear(hidden[-1], self.act_dim * (self.act_dim + 1) // 2)
        self.register_buffer("action_center", (high + low) / 2)
        self.register_buffer("action_scale", (high - low) / 2)
        rows, cols = torch.tril_indices(self.act_dim, self.act_dim)
        self.register_buffer("rows", rows, persistent=False)
        self.register_buffer("cols", cols, persistent=False)
        self.to(device)

    def heads(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """V(s) (B,), μ(s) (B, d) inside the box, and P(s) (B, d, d) positive definite."""
        check_features("NAFCritic", obs, self.obs_dim)
        h = self.trunk(obs)
        mu = self.action_center + self.action_scale * torch.tanh(self.mu_head(h))
        entries = self.l_head(h)
        entries = torch.where(self.rows == self.cols, entries.exp(), entries)
        lower = obs.new_zeros(len(obs), self.act_dim, self.act_dim)
        lower[:, self.rows, self.cols] = entries
        return self.value_head(h).squeeze(-1), mu, lower @ lower.transpose(1, 2)

    def value(self, obs: torch.Tensor) -> torch.Tensor:
        return self.heads(obs)[0]

    def best_action(self, obs: torch.Tensor) -> torch.Tensor:
        return self.heads(obs)[1]

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        check_features("NAFCritic (action)", action, self.act_dim)
        value, mu, precision = self.heads(obs)
        gap = (action - mu).unsqueeze(-1)
        return value - 0.5 * (gap.transpose(1, 2) @ precision @ gap).reshape(-1)
