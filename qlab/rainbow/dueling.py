r"""The dueling aggregation (Wang et al., 2016): one stream estimates the state's value, the
other each action's advantage, and the head combines them into Q-values.

Notation (a batch of B states, |A| actions):

* ``V(s)`` -- the value stream, shape (B, 1).
* ``A(s, a)`` -- the advantage stream, shape (B, |A|).

``V + A`` alone is not *identifiable*: adding a constant c to V and subtracting it from every
A(s, ·) leaves Q unchanged, so nothing in the loss says how Q splits into V and A. Subtracting
the mean advantage over the actions pins that down (the advantages of each state then average
to 0) and, unlike the max, changes only as fast as the advantages do on average.
"""

from __future__ import annotations

import torch

__all__ = ["dueling_q"]


def dueling_q(value, advantages) -> torch.Tensor:
    r"""Q-values from the dueling head's two streams.

    .. math:: Q(s, a) = V(s) + A(s, a) - \frac{1}{|A|} \sum_{a'} A(s, a')

    the mean taken over the actions of each state (never over the batch).

    Args:
        value: ``V(s)``, shape (B, 1), float.
        advantages: ``A(s, ·)``, shape (B, |A|), float, on the device of ``value``.

    Returns:
        ``Q(s, ·)`` of shape (B, |A|). Neither input is modified, and the gradient flows to
        both streams (the mean is part of the network, not a constant).
    """
    for name, x in (("value", value), ("advantages", advantages)):
        if not isinstance(x, torch.Tensor):
            raise TypeError(f"{name} must be a torch.Tensor, got {type(x).__name__}")
        if not x.is_floating_point():
            raise TypeError(f"{name} has dtype {x.dtype}; expected a floating dtype (float32 or float64)")
    if advantages.ndim != 2:
        raise ValueError(f"advantages has shape {tuple(advantages.shape)}; expected (batch, n_actions)")
    batch = advantages.shape[0]
    if tuple(value.shape) != (batch, 1):
        raise ValueError(f"value has shape {tuple(value.shape)}; expected (batch, 1) = ({batch}, 1), "
                         "one V(s) per state as a column (a (batch,) vector would broadcast along the actions)")
    if value.device != advantages.device:
        raise ValueError(f"value is on {value.device} but advantages on {advantages.device}; both must be on one device")
    return value + advantages - advantages.mean(dim=1, keepdim=True)
