"""Checks for random_shooting(critic, obs, low, high, n_samples, rng) -> actions (B, act_dim).

For each state, N actions drawn uniformly in the box [low, high] with ``rng``, and the one
with the largest Q(s, a) returned. The answer is random, so the checks observe the steps: the
critic handed to the student records (on the grader's side) every (state, action) pair it
scores and the value it returns. Which candidates each state got, how many, and which one came
back are then facts, and a mistake in pairing candidates with states or in the extreme kept is
named from them, never blamed on sampling. Checks that judge a random outcome state their
false-fail probability in their docstring (every bound ≤ 1e-6).
"""

import numpy as np
import pytest
import torch

from autograde.checks.continuous import HIGH, LOW, Critic, Record, actions_of, inside, outside_box, per_state, \
    quadratic, states
from autograde.checks.diagnosis import Mistake, expect, number_pair
from qlab.continuous import QuadraticCritic, random_shooting as reference

NEVER = "it never calls the critic: score every candidate with critic(obs, actions) and keep the best"
COUNT = ("it does not score n_samples candidates per state: draw and score exactly n_samples actions for each "
         "state")
ARGMIN = "it keeps the sample with the smallest Q (argmin): keep the one with the largest Q(s, a), the argmax"
BATCH = ("it keeps the best sample of the whole batch for every state: take the argmax over each state's own "
         "samples (dim=1 of the (B, N) values)")
PAIRING = ("it scores candidates with the wrong state: the action it returns for a state was scored by the critic "
           "only with another state (obs.repeat_interleave(N, 0) pairs each state with its own N consecutive "
           "candidates; obs.repeat(N, 1) does not)")
OUTSIDE = ("the critic was asked about actions outside the box: sample in the box [low, high], "
           "low + (high − low) · u with u ~ U[0, 1)")
UNIT = "every sample lies in [0, 1)^d: scale u ~ U[0, 1) to the box, low + (high − low) · u"
VALUES = ("it returns the best Q-value in place of the action: return the candidate with the largest Q(s, a), "
          "candidates[argmax], not the value values.max()")
WHOLE = ("the samples are whole numbers: draw real numbers uniformly in the box (rng.uniform(low, high) or "
         "low + (high − low) · rng.random)")


def shoot(student, obs, n_samples, rng, critic=None):
    critic = critic if critic is not None else quadratic()
    return actions_of(student(Critic(critic), obs, LOW.copy(), HIGH.copy(), n_samples, rng), "random_shooting",
                      obs.shape[0], obs.dtype)


def gaps(critic, obs, actions):
    """Q(s, best action in the box) − Q(s, a), per state."""
    return (critic(obs, critic.best_action(obs)) - critic(obs, actions.to(obs.dtype))).detach()


@pytest.mark.public
def test_one_action_per_state_inside_the_box(student):
    """one action per state, shape (B, act_dim), inside the box [low, high]"""
    judge_inside(student, states(5), 50, 0)


@pytest.mark.public
def test_randomness_comes_from_rng(student):
    """all randomness comes from rng: the same generator state gives the same actions, and rng is used"""
    obs = states(4)
    rng = np.random.default_rng(5)
    before = rng.bit_generator.state
    first = shoot(student, obs, 30, rng)
    expect(rng.bit_generator.state != before,
           "random_shooting did not draw from `rng` (its state did not change): take every random number from "
           "the generator you are given (rng.random, rng.uniform), not np.random or a new generator")
    again = shoot(student, obs, 30, np.random.default_rng(5))
    expect(torch.equal(first, again), "called twice with generators in the same state, random_shooting returned "
                                      "different actions: take every random number from `rng`")


def recorded(student, obs, n_samples, seed, critic=None):
    """The student's actions and what its critic scored, per state (None when the critic was
    copied away and scored elsewhere: the checks then judge by the result alone)."""
    record = Record()
    critic = critic if critic is not None else quadratic()
    actions = actions_of(student(Critic(critic, record), obs, LOW.copy(), HIGH.copy(), n_samples,
                                 np.random.default_rng(seed)), "random_shooting", obs.shape[0], obs.dtype)
    if record.shipped:
        return actions, None, record
    return actions, per_state(record, obs), record


def _among(action: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Which candidates equal ``action`` (to float32 rounding: an answer may be float32)."""
    if not len(candidates):
        return np.zeros(0, dtype=bool)
    return np.isclose(candidates, action, rtol=1e-6, atol=1e-6).all(axis=1)


def _vec(x) -> list:
    return [round(float(v), 4) for v in x]


def _returns_values(answers: np.ndarray, groups) -> bool:
    """Every state's answer is its best scored Q-value in every coordinate."""
    return all(len(scores) and np.allclose(answer, scores.max(), rtol=1e-6, atol=1e-6)
               for answer, (_, scores) in zip(answers, groups))


def judge_inside(student, obs, n_samples, seed):
    """One action per state inside the box; an action outside it is blamed on sampling only
    when the critic was asked about samples outside the box."""
    actions, split, record = recorded(student, obs, n_samples, seed)
    problem = outside_box(actions)
    if problem is None:
        return actions
    call = (f"random_shooting(critic, obs, low={LOW.tolist()}, high={HIGH.tolist()}, n_samples={n_samples}, rng) "
            f"with obs of shape {tuple(obs.shape)}")
    if split is None or record.rows == 0:
        raise Mistake(f"every action it returns must lie in the box [low, high] ({call}: {problem})")
    groups, _ = split
    samples = np.concatenate([c for c, _ in groups] or [np.zeros((0, len(LOW)))])
    if len(samples) and not inside(samples).all():
        raise Mistake(f"{OUTSIDE} ({call}: {problem}; the critic scored {_vec(samples[~inside(samples)][0])})")
    answers = actions.to(torch.float64).numpy()
    if _returns_values(answers, groups):
        raise Mistake(f"{VALUES} ({call}: {problem}, each of its coordinates the best Q of the state's samples, "
                      f"{groups[0][1].max():.4g})")
    raise Mistake(f"the action it returns must be one of the candidates it scored, which all lie in the box ({call}: "
                  f"{problem})")


def judge_counts(student):
    obs, n = states(6, seed=7), 300
    _, split, record = recorded(student, obs, n, 7)
    if split is None:
        return
    expect(record.rows > 0, f"{NEVER} (random_shooting(critic, obs, low, high, n_samples={n}, rng) with 6 states "
                            "never called critic(obs, actions))")
    groups, strangers = split
    expect(strangers == 0, f"the critic was called with states that are not rows of obs: pair each of your "
                           f"candidates with its own state from obs ({strangers} of the {record.rows} (state, action) "
                           f"pairs it scored had a state not in obs)")
    counts = [len(values) for _, values in groups]
    if any(c != n for c in counts):
        i = next(i for i, c in enumerate(counts) if c != n)
        raise Mistake(f"{COUNT} (with n_samples = {n} and 6 states, the critic scored {counts[i]} actions for state "
                      f"{i}; per state it scored {counts})")


def judge_best(student):
    obs, n = states(6, seed=8), 300
    actions, split, record = recorded(student, obs, n, 8)
    if split is None:
        return
    call = f"random_shooting(critic, obs, low, high, n_samples={n}, rng) with 6 states"
    expect(record.rows > 0, f"{NEVER} ({call} never called critic(obs, actions))")
    groups, _ = split
    answers = actions.to(torch.float64).numpy()
    everything = np.concatenate([c for c, _ in groups]) if any(len(v) for _, v in groups) else np.zeros((0, 2))
    values = np.concatenate([v for _, v in groups]) if len(everything) else np.zeros(0)
    wrong, argmin, batch, stranger = [], [], [], []
    for b, ((candidates, scores), answer) in enumerate(zip(groups, answers)):
        if not len(scores):
            wrong.append(b)
            continue
        mine = _among(answer, candidates)
        if mine.any() and scores[mine].max() >= scores.max():
            continue
        wrong.append(b)
        argmin.append(bool(mine.any() and scores[mine].min() <= scores.min() < scores.max()))
        batch.append(bool(len(values) and _among(answer, everything[values == values.max()]).any()))
        others = [c for c, (other, _) in enumerate(groups) if c != b and _among(answer, other).any()]
        stranger.append((b, others[0]) if others and not mine.any() else None)
    if not wrong:
        return
    b = wrong[0]
    candidates, scores = groups[b]
    if not len(scores):
        raise Mistake(f"the critic never scored an action with state {b}: score each state's own candidates "
                      f"({call}: the critic scored {record.rows} pairs, none with state {b}, "
                      f"{_vec(obs[b].tolist())})")
    best = candidates[scores.argmax()]
    mine = _among(answers[b], candidates)
    if mine.any():
        seen = f"your action {_vec(answers[b])} was scored Q = {number_pair(scores[mine].max(), scores.max())[0]}"
    else:
        seen = f"your action {_vec(answers[b])} is none of the {len(scores)} actions the critic scored for it"
    observed = (f"{call}: for state {b}, {seen}; the best of its scored samples is {_vec(best)}, Q = "
                f"{number_pair(scores.max(), scores[mine].max() if mine.any() else scores.min())[0]}")
    if _returns_values(answers, groups):
        raise Mistake(f"{VALUES} ({observed})")
    if len(wrong) == len(groups) and all(argmin):
        raise Mistake(f"{ARGMIN} ({observed})")
    if len(wrong) == len(groups) - 1 and all(batch) or len(wrong) == len(groups) and all(batch):
        raise Mistake(f"{BATCH} ({observed})")
    pair = next((x for x in stranger if x is not None), None)
    if pair is not None:
        raise Mistake(f"{PAIRING} ({call}: the action {_vec(answers[pair[0]])} you returned for state {pair[0]} was "
                      f"scored only with state {pair[1]})")
    raise Mistake(f"for each state, return the sample with the largest Q(s, a) among the ones scored with it "
                  f"({observed})")


def judge_coverage(student):
    """Every sample in the box, and the samples of each state reach all four corners: a
    uniform sample of 2000 misses the quarter disc of radius 0.3 at a corner (π·0.09/4 of the
    box's area 8) with probability (1 − 0.0088)^2000 < 2.2e-8; for 4 corners of 4 states < 4e-7."""
    critic = QuadraticCritic(np.eye(2, 3), LOW, HIGH)
    obs = torch.tensor([[5.0, 5.0, 0.0], [-5.0, -5.0, 0.0], [5.0, -5.0, 0.0], [-5.0, 5.0, 0.0]], dtype=torch.float64)
    _, split, record = recorded(student, obs, 2000, 3, critic)
    if split is None or record.rows == 0:
        return
    call = "random_shooting(critic, obs, low, high, n_samples=2000, rng) with 4 states"
    groups, _ = split
    samples = np.concatenate([c for c, _ in groups] or [np.zeros((0, 2))])
    if not len(samples):
        return
    ok = inside(samples)
    if not ok.all():
        where = (", all of them within [−1, 1] in every dimension" if (np.abs(samples) <= 1 + 1e-9).all() else "")
        raise Mistake(f"{OUTSIDE} ({call}: it scored {_vec(samples[~ok][0])}, outside [{LOW.tolist()}, "
                      f"{HIGH.tolist()}]; {int((~ok).sum())} of {len(samples)} samples lie outside{where})")
    if (samples == np.round(samples)).all():
        raise Mistake(f"{WHOLE} ({call}: its {len(samples)} samples take only the values "
                      f"{sorted(set(np.unique(samples).tolist()))})")
    if ((samples >= 0) & (samples < 1)).all():
        raise Mistake(f"{UNIT} ({call}: all {len(samples)} samples lie in [0, 1)^2, the box is "
                      f"[{LOW.tolist()}, {HIGH.tolist()}])")
    corners = np.array([[x, y] for x in (LOW[0], HIGH[0]) for y in (LOW[1], HIGH[1])])
    for b, (candidates, _) in enumerate(groups):
        if not len(candidates):
            continue
        for corner in corners:
            nearest = np.linalg.norm(candidates - corner, axis=1).min()
            expect(nearest <= 0.3, f"sample uniformly in the whole box [{LOW.tolist()}, {HIGH.tolist()}], "
                                   f"low + (high − low) · u ({call}: no sample of state {b} came within 0.3 of the "
                                   f"corner {corner.tolist()}; the nearest was {nearest:.3g} away)")


class RecordDifferential:
    """The classic mistakes, each a function with the rule's signature, and the judges that
    name them from what the critic scored. ``ambiguities()`` runs the reference and every
    mistake through every judge: the reference must be named nothing, and each mistake only
    names written for it (``tests/test_catalogue.py`` asserts the list is empty)."""

    def __init__(self, reference, mistakes: dict, judges):
        self.reference, self.mistakes, self.judges = reference, mistakes, judges

    def names(self, function) -> set:
        found = set()
        for judge in self.judges:
            try:
                judge(function)
            except Mistake as mistake:
                found |= {name for name in self.mistakes if str(mistake).startswith(name)}
                if function is self.reference:
                    found.add(f"the reference fails: {mistake}")
        return found

    def diagnose(self, student) -> str | None:
        """The classic mistake the judges name for ``student``, when every name they give is
        one mistake's (names that share one function are one mistake); otherwise None."""
        found = [name for name in self.mistakes if name in self.names(student)]
        if found and any(all(self.mistakes[n] is function for n in found) for function in self.mistakes.values()):
            return "; ".join(found)
        return None

    def outcome(self, observation: str, student, generic: bool = False):
        """Fail a check that judges an outcome: named by the steps' judges when they single out
        one mistake, else the observation."""
        named = self.diagnose(student)
        raise Mistake(f"{named} ({observation})" if named else observation, generic=bool(generic and not named))

    def ambiguities(self) -> list:
        problems = [f"the reference: {sorted(self.names(self.reference))}"] if self.names(self.reference) else []
        for name, function in self.mistakes.items():
            found = self.names(function)
            own = {n for n, f in self.mistakes.items() if f is function}
            if name not in found or not found <= own:
                problems.append(f"{name!r} names {sorted(found)}")
        return problems


def _shoot(pair="interleave", pick="argmax", low_high=None, score=True, integers=False):
    """random_shooting with one thing changed: how states are paired, which extreme is kept,
    where samples are drawn."""
    def shooting(critic, obs, low, high, n_samples, rng):
        batch, dim = obs.shape[0], len(low)
        lo, hi = (low, high) if low_high is None else low_high
        draw = rng.integers(lo, hi, (batch, n_samples, dim), endpoint=True) if integers else \
            rng.uniform(lo, hi, (batch, n_samples, dim))
        candidates = torch.as_tensor(draw, dtype=obs.dtype)
        if not score:
            return candidates[:, 0]
        states_ = obs.repeat_interleave(n_samples, 0) if pair == "interleave" else obs.repeat(n_samples, 1)
        values = critic(states_, candidates.reshape(-1, dim)).reshape(batch, n_samples)
        if pick == "batch":
            return candidates.reshape(-1, dim)[values.argmax()].expand(batch, -1)
        index = values.argmax(1) if pick == "argmax" else values.argmin(1)
        return candidates[torch.arange(batch), index]
    return shooting


def _values(critic, obs, low, high, n_samples, rng):
    candidates = torch.as_tensor(rng.uniform(low, high, (obs.shape[0], n_samples, len(low))), dtype=obs.dtype)
    values = critic(obs.repeat_interleave(n_samples, 0), candidates.reshape(-1, len(low))).reshape(obs.shape[0], -1)
    return values.max(1).values.unsqueeze(1).expand(-1, len(low))


def _fewer(critic, obs, low, high, n_samples, rng):
    return _shoot()(critic, obs, low, high, n_samples - 1, rng)


MISTAKES = {
    NEVER: _shoot(score=False),
    COUNT: _fewer,
    ARGMIN: _shoot(pick="argmin"),
    BATCH: _shoot(pick="batch"),
    PAIRING: _shoot(pair="repeat"),
    OUTSIDE: _shoot(low_high=(-1.0, 1.0)),
    UNIT: _shoot(low_high=(0.0, 1.0)),
    WHOLE: _shoot(integers=True),
    VALUES: _values,
}
DIFFERENTIAL = RecordDifferential(reference, MISTAKES, [judge_counts, judge_best, judge_coverage])


@pytest.mark.public
def test_scores_n_samples_candidates_per_state(student):
    """the critic scores exactly n_samples candidates with each state (observed: the critic
    records what it is asked)"""
    judge_counts(student)


@pytest.mark.public
def test_keeps_the_best_sample(student):
    """for each state, returns the candidate with the largest Q(s, a) among those the critic
    scored with that state (observed, no randomness judged)"""
    judge_best(student)


@pytest.mark.public
def test_samples_cover_the_whole_box(student):
    """the candidates lie in the box and cover it: each state's 2000 samples reach all four corners
    (false-fail probability < 4e-7, see ``judge_coverage``)"""
    judge_coverage(student)


def test_lands_near_the_best_action(student):
    """with 2000 samples the answer lands near the best action.

    A gap Q(s, a*) − Q(s, a) above 0.1 needs all 2000 samples outside the disc of radius
    √0.1 around a* (at least a quarter of it lies in the box: area ≥ π·0.1/4 of the box's 8):
    probability ≤ 8 · (1 − 0.0098)^2000 < 1e-7 for the 8 states.
    """
    obs, critic = states(8, seed=1), quadratic()
    actions = shoot(student, obs, 2000, np.random.default_rng(1), critic)
    gap = gaps(critic, obs, actions)
    worst = int(gap.argmax())
    if gap[worst] > 0.1:
        got = critic(obs, actions)[worst].item()
        best = critic(obs, critic.best_action(obs))[worst].item()
        a, b = number_pair(got, best)
        DIFFERENTIAL.outcome(f"with 2000 samples the action is far from the best one (your action for state {worst} "
                             f"has Q(s, a) = {a}; the best action "
                             f"{[round(x, 3) for x in critic.best_action(obs)[worst].tolist()]} has Q = {b}: a Q gap "
                             "above 0.1, which the best of 2000 uniform samples of the box has with probability "
                             "< 1e-7)", student, generic=True)


def test_one_state_or_many(student):
    """works for a single state (batch 1) and in float32"""
    for obs in (states(1), states(6).to(torch.float32)):
        actions = judge_inside(student, obs, 500, 4)
        gap = gaps(quadratic(), obs, actions)
        if gap.max() >= 0.5:
            DIFFERENTIAL.outcome(f"with obs of shape {tuple(obs.shape)} and dtype {obs.dtype}, the action of some "
                                 f"state is far from its best (Q gap {gap.max().item():.3g})", student)
