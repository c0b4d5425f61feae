"""Checks for nstep_returns(rewards, terminated, truncated, gamma, n) -> (returns, discounts, dones).

For every step t of a sequence, the window covers k = min(n, steps to the end of t's
episode, steps to the end of the sequence) rewards:

    returns[t]   = Σ_{i<k} γ^i r_{t+i}
    discounts[t] = γ^k                       (the bootstrap state is s_{t+k})
    dones[t]     = 1 if the window ends in a termination, else 0

so that y_t = returns[t] + discounts[t] (1 − dones[t]) max_a' Q'(s_{t+k}, a'). A window
stops at an episode end: after a termination nothing is bootstrapped (dones = 1), after a
truncation (a time limit) it still is (dones = 0). Torch tensors in: rewards float, of
shape (T,) or (T, N) for N environments side by side; terminated, truncated bool of the
same shape. Any array-like of that shape is accepted back; dones as bool or 0/1.
"""

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from autograde.checks.diagnosis import Differential, Mistake, Probe, TORCH_PRECISION, as_array, call_text, close, expect, \
    fail, first_difference, unchanged
from autograde.checks.helpers import GRADING
from qlab.rules import nstep_returns as reference

NAME = "nstep_returns"
OUTPUTS = ("returns", "discounts", "dones")


def _windows(rewards, terminated, truncated, gamma, n, *, length=lambda n: n, stop_at_termination=True,
             stop_at_truncation=True, truncation_is_terminal=False, discount=lambda k, n: k, first_power=0,
             done_of_first_step=False, wrap=False, skip_tail=False, power=lambda i, k: i,
             discount_value=lambda gamma, k: gamma ** k, done_value=lambda done: float(done), fold_done=False,
             done_of_last_step=False):
    """n-step windows computed step by step, with switches that make the classic mistakes."""
    r = np.asarray(rewards, dtype=float)
    term, trunc = np.asarray(terminated, dtype=bool), np.asarray(truncated, dtype=bool)
    flat = r.ndim == 1
    r, term, trunc = (x.reshape(len(x), -1) for x in (r, term, trunc))
    T, N = r.shape
    returns, discounts, dones = np.zeros((T, N)), np.ones((T, N)), np.zeros((T, N))
    for env in range(N):
        for t in range(T):
            if skip_tail and t + n > T:
                returns[t, env], discounts[t, env], dones[t, env] = 0.0, 0.0, 0.0
                continue
            k, seen, done, last = 0, [], False, t
            for i in range(length(n)):
                step = t + i
                if step >= T:
                    if not wrap:
                        break
                    step -= T
                seen.append(r[step, env])
                k, last = k + 1, step
                ended_term = term[step, env] and stop_at_termination
                ended_trunc = trunc[step, env] and stop_at_truncation
                if ended_term or ended_trunc:
                    done = bool(term[step, env] or (trunc[step, env] and truncation_is_terminal))
                    break
                if term[step, env] and not stop_at_termination:
                    done = True
            if done_of_first_step:
                done = bool(term[t, env])
            if done_of_last_step:
                done = bool(term[last, env])
            total = sum(gamma ** (power(i, k) + first_power) * reward for i, reward in enumerate(seen))
            bootstrap = discount_value(gamma, discount(k, n)) * (0.0 if fold_done and done else 1.0)
            returns[t, env], discounts[t, env], dones[t, env] = total, bootstrap, done_value(done)
    shape = (T,) if flat else (T, N)
    return tuple(x.reshape(shape) for x in (returns, discounts, dones))


def _mistake(**switches):
    return lambda rewards, terminated, truncated, gamma, n: _windows(rewards, terminated, truncated, gamma, n,
                                                                      **switches)


PAST_THE_END = ("its windows run past an episode end, and dones is the flag of the window's last step: a window "
                "stops at the step where its episode terminated or was truncated, and dones says whether that step "
                "terminated")

MISTAKES = {
    PAST_THE_END: _mistake(stop_at_termination=False, stop_at_truncation=False, done_of_last_step=True),
    "its windows run past an episode end: a window stops at the step where its episode terminated or was "
    "truncated; the rewards after it belong to the next episode":
        _mistake(stop_at_termination=False, stop_at_truncation=False),
    "its windows run past a truncation: a truncated step ends the episode too (the next step starts a new one), "
    "so the window stops there, and bootstraps":
        _mistake(stop_at_truncation=False),
    "it treats truncation as termination: a window that ends in a truncation (a time limit) still bootstraps, "
    "dones = 0; only a termination means no future":
        _mistake(truncation_is_terminal=True),
    "the bootstrap discount is always γ^n; a window shortened to k < n rewards by an episode end or the end of the "
    "sequence bootstraps from s_{t+k} with γ^k":
        _mistake(discount=lambda k, n: n),
    "its windows hold n + 1 rewards; a window holds n: r_t … r_{t+n−1}, then it bootstraps from s_{t+n} with γ^n":
        _mistake(length=lambda n: n + 1),
    "its windows hold n − 1 rewards; a window holds n: r_t … r_{t+n−1}, then it bootstraps from s_{t+n} with γ^n":
        _mistake(length=lambda n: n - 1),
    "the powers of γ start at 1: the window's first reward r_t is not discounted, returns = r_t + γ r_{t+1} + …":
        _mistake(first_power=1),
    "the bootstrap discount is γ^(k+1): a window of k rewards bootstraps from s_{t+k}, discounted by γ^k":
        _mistake(discount=lambda k, n: k + 1),
    "the bootstrap discount is γ^(k−1): a window of k rewards bootstraps from s_{t+k}, discounted by γ^k":
        _mistake(discount=lambda k, n: k - 1),
    "dones copies terminated[t], the flag of the window's first step; it must say whether the window ended in a "
    "termination (at any of its steps)":
        _mistake(done_of_first_step=True),
    "its windows wrap around the end of the sequence to its start (as torch.roll does): a window stops at the last "
    "step, T − 1, and bootstraps from there":
        _mistake(wrap=True),
    "its windows run past a termination: a window stops at the step where its episode terminated (dones = 1); "
    "the rewards after it belong to the next episode":
        _mistake(stop_at_termination=False),
    "the powers of γ run backwards (G ← γ G + r, going forwards through the window): the window's first reward "
    "r_t gets γ^0, returns = r_t + γ r_{t+1} + … + γ^(k−1) r_{t+k−1}":
        _mistake(power=lambda i, k: k - 1 - i),
    "discounts holds k, the window's length; it must hold the bootstrap discount γ^k":
        _mistake(discount_value=lambda gamma, k: k),
    "dones is inverted: it must be 1 where the window ended in a termination (nothing to bootstrap), else 0":
        _mistake(done_value=lambda done: 1.0 - done),
    "dones is always 0: a window that ends in a termination has dones = 1 (nothing to bootstrap from)":
        _mistake(done_value=lambda done: 0.0),
    "it folds (1 − dones) into discounts: discounts is γ^k whatever the window ended in; dones says separately "
    "whether to bootstrap":
        _mistake(fold_done=True),
    "it leaves the last n − 1 steps of the sequence at zero; their windows are shortened by the sequence's end "
    "(k = T − t rewards, bootstrap γ^k) but they are transitions too":
        _mistake(skip_tail=True),
}


class _Reader:
    """The three outputs stacked as one float array, for the differential."""

    def __call__(self, returned, args):
        if not isinstance(returned, (tuple, list)) or len(returned) != 3:
            raise ValueError("not three outputs")
        return np.stack([np.asarray(as_array(x, NAME), dtype=float) for x in returned])


def flags(*values):
    return torch.tensor(values, dtype=torch.bool)


# One sequence of eight steps: a termination at step 2, a truncation at step 5, and an
# unfinished episode at the end (steps 6, 7).
REWARDS = torch.tensor([1.0, 2.0, -1.0, 0.5, 3.0, 2.0, -2.0, 1.0], dtype=torch.float64)
TERMINATED = flags(False, False, True, False, False, False, False, False)
TRUNCATED = flags(False, False, False, False, False, True, False, False)


def probe(label, gamma, n, rewards=REWARDS, terminated=TERMINATED, truncated=TRUNCATED):
    return Probe(label, (rewards.clone(), terminated.clone(), truncated.clone(), gamma, n))


PROBES = [
    probe("episodes that terminate, truncate and run on past the sequence's end, n = 3", 0.5, 3),
    probe("n = 1", 0.5, 1),
    probe("one long episode, n = 2", 0.5, 2, terminated=flags(*[False] * 8), truncated=flags(*[False] * 8)),
    probe("two environments side by side (T, N) = (4, 2), n = 3", 0.5, 3,
          rewards=REWARDS.reshape(4, 2), terminated=TERMINATED.reshape(4, 2), truncated=TRUNCATED.reshape(4, 2)),
]

DIFFERENTIAL = Differential(reference, MISTAKES, PROBES, read=_Reader(), dtype=TORCH_PRECISION)


class _Part(_Reader):
    """One of the three outputs, for a differential that judges that output alone."""

    def __init__(self, index):
        self.index = index

    def __call__(self, returned, args):
        return super().__call__(returned, args)[self.index]


def _singled_out(index) -> Differential:
    """The mistakes that output ``index`` alone tells apart, on every probe, from the reference and from each
    other: a student whose returns run past episode ends is told so whatever its discounts and dones are."""
    read = _Part(index)
    answers = {name: Differential(reference, {}, PROBES, read=read).outputs(wrong) for name, wrong in MISTAKES.items()
               if name != PAST_THE_END}  # its returns and discounts are the plainer crossing mistake's
    model = Differential(reference, {}, PROBES, read=read, dtype=TORCH_PRECISION)
    same = model._reproduces
    reference_answers = model.outputs(reference)
    kept = {name: MISTAKES[name] for name, answer in answers.items()
            if not same(answer, reference_answers)
            and not any(same(answer, other) for o, other in answers.items() if o != name)}
    return Differential(reference, kept, PROBES, read=read, dtype=TORCH_PRECISION)


# Per output: the mistakes it singles out on its own (used when no mistake explains all three outputs).
PARTS = {name: _singled_out(index) for index, name in enumerate(OUTPUTS)}


def diagnose(student, wrong_outputs) -> str | None:
    """The mistake that explains all three outputs on every probe; else, for each wrong output, the mistake
    that output alone singles out (a student may get the windows wrong and the flags right, or both wrong)."""
    named = DIFFERENTIAL.diagnose(student)
    if named:
        return named
    seen = {}  # mistake -> the outputs that show it
    for output in wrong_outputs:
        named = PARTS[output].diagnose(student)
        if named:
            seen.setdefault(named, []).append(output)
    return "; ".join(f"{' and '.join(outputs)}: {named}" for named, outputs in seen.items()) or None


def call_example(args) -> str:
    return call_text(NAME, args, ("rewards", "terminated", "truncated", "gamma", "n"))


def check_windows(student, rewards, terminated, truncated, gamma, n):
    """The student's three outputs are the reference's, of the rewards' shape, inputs unchanged."""
    args = (rewards, terminated, truncated, gamma, n)
    example = call_example(args)
    before = tuple(a.clone() if isinstance(a, torch.Tensor) else a for a in args)
    expected = [x.cpu().numpy() for x in reference(*before)]
    returned = student(*args)
    expect(returned is not None, f"{example} returned None: return (returns, discounts, dones)")
    expect(isinstance(returned, (tuple, list)) and len(returned) == 3,
           f"{example} returned a {type(returned).__name__}"
           + (f" of length {len(returned)}" if isinstance(returned, (tuple, list)) else "")
           + "; return the three tensors (returns, discounts, dones)")
    got = [as_array(x, f"{NAME}'s {name}") for x, name in zip(returned, OUTPUTS)]
    for name, value in zip(OUTPUTS, got):
        expect(value.shape == tuple(rewards.shape),
               f"{example} returned {name} of shape {value.shape}; expected the shape of rewards, {tuple(rewards.shape)}")
    changed = unchanged(before, args)
    expect(changed is None, f"{example} changed its argument {('rewards', 'terminated', 'truncated')[changed or 0]} "
           "in place; the inputs are read-only")
    dtype = TORCH_PRECISION
    wrong = [name for name, g, e in zip(OUTPUTS, got, expected) if not close(np.asarray(g, dtype=float), e, dtype)]
    if wrong:
        index = OUTPUTS.index(wrong[0])
        where = first_difference(np.asarray(got[index], dtype=float), expected[index], dtype)
        also = f" ({' and '.join(wrong[1:])} differ too)" if wrong[1:] else ""
        observed = f"{example}: {wrong[0]} {where}{also}"
        named = diagnose(student, wrong)
        if named:
            raise Mistake(f"{named} ({observed})")
        fail(observed)


@pytest.mark.public
def test_one_step_is_the_reward(student):
    """n = 1 gives back the rewards, γ, and the terminated flags"""
    check_windows(student, *PROBES[1].fresh())


@pytest.mark.public
def test_windows_of_one_episode(student):
    """inside one episode the window sums n rewards r_t … r_{t+n−1} with γ^0 … γ^(n−1), bootstrap γ^n"""
    check_windows(student, REWARDS.clone(), flags(*[False] * 8), flags(*[False] * 8), 0.5, 3)


@pytest.mark.public
def test_window_stops_at_a_termination(student):
    """a window stops at a termination: fewer rewards, dones = 1 (no bootstrap)"""
    check_windows(student, REWARDS[:4].clone(), TERMINATED[:4].clone(), flags(*[False] * 4), 0.5, 3)


@pytest.mark.public
def test_window_stops_at_a_truncation_and_bootstraps(student):
    """a window stops at a truncation (a time limit) but still bootstraps: dones = 0, discount γ^k"""
    check_windows(student, REWARDS[3:7].clone(), flags(*[False] * 4), TRUNCATED[3:7].clone(), 0.5, 3)


@pytest.mark.public
def test_windows_stop_at_the_end_of_the_sequence(student):
    """the last steps' windows are cut by the end of the sequence: k = T − t rewards, bootstrap γ^k"""
    check_windows(student, REWARDS[:3].clone(), flags(False, False, False), flags(False, False, False), 0.5, 5)


@pytest.mark.public
def test_mixed_sequence(student):
    """a sequence with a termination, a truncation and an unfinished episode"""
    check_windows(student, *PROBES[0].fresh())


@pytest.mark.public
def test_parallel_environments(student):
    """rewards of shape (T, N): N environments side by side, windows along the time axis"""
    check_windows(student, *PROBES[3].fresh())


def test_gamma_zero_and_one(student):
    """γ = 0 keeps only the first reward; γ = 1 sums the window's rewards"""
    for gamma in (0.0, 1.0):
        check_windows(student, *probe("", gamma, 3).fresh()[:3], gamma, 3)


def test_float32_and_a_single_step(student):
    """float32 rewards and a sequence of one step"""
    check_windows(student, REWARDS.float(), TERMINATED.clone(), TRUNCATED.clone(), 0.9, 4)
    check_windows(student, torch.tensor([2.5]), flags(False), flags(True), 0.9, 3)


@st.composite
def sequences(draw, dtype):
    T = draw(st.integers(1, 12))
    N = draw(st.sampled_from([None, 1, 3]))
    shape = (T,) if N is None else (T, N)
    rng = np.random.default_rng(draw(st.integers(0, 10_000)))
    rewards = torch.tensor(rng.uniform(-5, 5, size=shape).round(2), dtype=dtype)
    ends = rng.random(shape)
    terminated = torch.tensor(ends < 0.15)
    truncated = torch.tensor((ends >= 0.15) & (ends < 0.3))
    gamma = draw(st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]))
    return rewards, terminated, truncated, gamma, draw(st.integers(1, 6))


@pytest.mark.weight(3)
@GRADING
@given(data=st.data(), dtype=st.sampled_from([torch.float32, torch.float64]))
def test_random_sequences(student, data, dtype):
    """matches the n-step windows on random sequences (float32 and float64, (T,) and (T, N), n = 1 … 6)"""
    check_windows(student, *data.draw(sequences(dtype)))


if torch.cuda.is_available():  # collected only where there is a GPU: a skipped check would count as failed
    def test_cuda_sequence(student):
        """works on CUDA tensors"""
        args = PROBES[0].fresh()
        check_windows(student, args[0].cuda(), args[1].cuda(), args[2].cuda(), *args[3:])

