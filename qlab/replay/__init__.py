"""Experience replay for deep Q-learning.

- :class:`ReplayBuffer`: uniform one-step ring buffer, y = r + γ(1 − d) max_a′ Q′(s′, a′).
- :class:`NStepReplayBuffer`: n-step returns G = Σ_{i<k} γ^i r_{t+i}, bootstrap γ^k.
- :class:`AtariReplayBuffer`: stacked uint8 frames, each frame stored once.
- :class:`PrioritizedReplayBuffer`: proportional prioritized replay with importance weights.
- :func:`ring_add`, :func:`sample_indices`: the ring buffer as two plain functions (the course's graded version).

Every ``sample`` returns a :class:`Batch` of torch tensors on the buffer's ``device``.
"""

from qlab.replay.atari import AtariReplayBuffer
from qlab.replay.nstep import NStepReplayBuffer
from qlab.replay.prioritized import PrioritizedReplayBuffer
from qlab.replay.ring import make_storage, ring_add, sample_indices
from qlab.replay.uniform import Batch, ReplayBuffer

__all__ = ["AtariReplayBuffer", "Batch", "NStepReplayBuffer", "PrioritizedReplayBuffer", "ReplayBuffer", "make_storage", "ring_add",
           "sample_indices"]
